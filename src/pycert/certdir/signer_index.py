"""Who signed whom among a set of certificates, in time linear in their number.

A signer's subject must be the certificate's issuer byte for byte (as Go's crypto/x509,
and so CockroachDB, requires), so the certificates are indexed by subject once and each
certificate's signature is checked only against the few that carry its issuer's name.
Signers are found when first asked for, while the asker holds the parsed certificate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pycert.kinds import BY_NAME

if TYPE_CHECKING:
    from pycert.certdir.records import Entry
    from pycert.kinds import Kind
    from pycert.pki.view import CertView


class SignerIndex:
    """The certificates of a dir (or of `inspect`'s inputs) by subject; `checks` counts
    signature verifications, so tests can hold the work to linear growth."""

    def __init__(self, entries: list[Entry]) -> None:
        self.checks = 0
        self._by_subject: dict[bytes, list[Entry]] = {}
        self._issuer: dict[int, bytes] = {}  # id(entry) -> issuer name, shared bytes
        self._keys: dict[int, tuple[bytes, Any]] = {}  # id(candidate) -> (SPKI, key)
        self._orders: dict[tuple[bytes, tuple[str, ...]], list[Entry]] = {}
        self._preferred: dict[Kind | None, tuple[str, ...]] = {}  # kind -> its CA files
        from pycert.pki.view import signing_names

        names: dict[bytes, bytes] = {}
        for entry in entries:
            if entry.der is None:
                continue
            issuer, subject = signing_names(entry.der)
            self._by_subject.setdefault(subject, []).append(entry)
            self._issuer[id(entry)] = names.setdefault(issuer, issuer)

    def resolve(self, entry: Entry) -> tuple[bool, Entry | None]:
        """(self-signed, signer): the first candidate, in preference order, whose key
        verifies the certificate's signature; None when there is none."""
        issuer = self._issuer.pop(id(entry), None)
        if issuer is None or issuer not in self._by_subject:
            return False, None  # no certificate here carries the issuer's name
        held = entry.parsed
        try:
            return self._search(entry, issuer, entry.view)
        finally:
            if not held:
                entry.release()

    def _search(self, entry: Entry, issuer: bytes, view: CertView) -> tuple[bool, Entry | None]:
        if issuer == view.raw_subject:
            self.checks += 1
            if view.signed_with(view.public_key()):
                return True, None
        verdicts: dict[bytes, bool] = {}  # by the candidate's SPKI: same key, same answer
        for candidate in self._ordered(issuer, entry):
            if candidate is entry:
                continue
            spki, key = self._key(candidate)
            if spki not in verdicts:
                self.checks += 1
                verdicts[spki] = view.signed_with(key)
            if verdicts[spki]:
                return False, candidate
        return False, None

    def _ordered(self, issuer: bytes, entry: Entry) -> list[Entry]:
        """The candidates in preference order: the kind's own CA files first, then by name
        and position; sorted once per issuer and kind, not once per certificate."""
        kind = entry.kind
        preferred = self._preferred.get(kind)
        if preferred is None:
            preferred = self._preferred[kind] = \
                tuple(BY_NAME[s].cert_file() for s in kind.signers) if kind else ()
        key = (issuer, preferred)
        order = self._orders.get(key)
        if order is None:
            rank = {name: i for i, name in enumerate(preferred)}
            order = sorted(self._by_subject[issuer],
                           key=lambda c: (rank.get(c.file, len(rank)), c.file, c.index or 0))
            self._orders[key] = order
        return order

    def _key(self, candidate: Entry) -> tuple[bytes, Any]:
        found = self._keys.get(id(candidate))
        if found is None:
            held = candidate.parsed
            view = candidate.view
            spki = view.outline.spki if view.outline else view.der
            found = (spki, view.public_key())
            self._keys[id(candidate)] = found
            if not held:
                candidate.release()
        return found
