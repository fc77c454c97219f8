"""Who signed whom among a set of certificates, in time linear in their number.

A signer's subject must be the certificate's issuer byte for byte (as Go's crypto/x509,
and so CockroachDB, requires), so certificates are indexed by subject once and each
signature is checked only against the few that carry its issuer's name, each CA's key
loaded once per index.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, Protocol, TypeVar

from pycert.kinds import BY_NAME, Kind
from pycert.pki.reading import CertFields
from pycert.pki.signatures import PublicKey, public_key, verifies


class Placed(Protocol):
    """A certificate with where it came from: what the index needs of a record."""

    file: str
    index: int | None
    kind: Kind | None
    cert: CertFields | None


P = TypeVar("P", bound=Placed)


class SignerIndex(Generic[P]):
    """The certificates of a dir (or of `inspect`'s inputs) by subject; `checks` counts
    signature verifications, so tests can hold the work to linear growth."""

    def __init__(self, placed: Sequence[P]) -> None:
        self.checks = 0
        self._by_subject: dict[bytes, list[P]] = {}
        for item in placed:
            if item.cert is not None:
                self._by_subject.setdefault(item.cert.raw_subject, []).append(item)
        self._orders: dict[tuple[bytes, Kind | None], list[P]] = {}
        self._keys: dict[int, PublicKey] = {}  # id(candidate) -> its public key

    def resolve(self, item: P) -> tuple[bool, P | None]:
        """(self-signed, signer): the first candidate, in preference order, whose key
        verifies the certificate's signature."""
        fields = item.cert
        if fields is None or fields.raw_issuer not in self._by_subject:
            return False, None  # no certificate here carries the issuer's name
        cert = fields.certificate()
        if fields.raw_issuer == fields.raw_subject:
            self.checks += 1
            if verifies(cert, public_key(cert)):
                return True, None
        for candidate in self._ordered(fields.raw_issuer, item.kind):
            if candidate is item:
                continue
            self.checks += 1
            if verifies(cert, self._key(candidate)):
                return False, candidate
        return False, None

    def _ordered(self, issuer: bytes, kind: Kind | None) -> list[P]:
        """The candidates in preference order: the kind's own CA files first (a client's
        ca-client.crt before ca.crt, as a node picks them), then by name and position."""
        order = self._orders.get((issuer, kind))
        if order is None:
            preferred = [BY_NAME[s].cert_file() for s in kind.signers] if kind else []
            rank = {name: i for i, name in enumerate(preferred)}
            order = sorted(self._by_subject[issuer], key=lambda c: (
                rank.get(c.file, len(rank)), c.file, c.index or 0))
            self._orders[(issuer, kind)] = order
        return order

    def _key(self, candidate: P) -> PublicKey:
        if id(candidate) not in self._keys:
            assert candidate.cert is not None
            self._keys[id(candidate)] = public_key(candidate.cert.certificate())
        return self._keys[id(candidate)]

