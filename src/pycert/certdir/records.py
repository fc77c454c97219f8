"""One record per certificate (not per file): the stable schema behind JSON output.

`list --format=json`, `inspect --format=json`, `check --format=json` and
`CertsDir.records()` all emit these records, described by
docs/schema/cert-report.schema.json; change both together.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from pycert.kinds import KINDS, Kind

if TYPE_CHECKING:
    from cryptography import x509

    from pycert.certdir.loader import CertFile
    from pycert.certdir.signer_index import SignerIndex
    from pycert.pki.view import CertView

SCHEMA_VERSION = 1


class Entry:
    """One certificate with where it came from; `der` is None for a file that failed.

    Only the DER and a few facts are kept per entry: `view` and `cert` parse on first use
    and `release()` lets go of them, so 10,000 entries never hold 10,000 parsed
    certificates at once. `signer` and `self_signed` are found when first asked for.
    """

    __slots__ = ("_dates", "_index", "_self_signed", "_signer", "_view", "der", "error",
                 "file", "index", "key_file", "kind", "name")

    def __init__(self, file: str, index: int | None, der: bytes | None,
                 kind: Kind | None = None, name: str = "", key_file: str = "",
                 error: str = "") -> None:
        self.file, self.index, self.der = file, index, der
        self.kind, self.name, self.key_file, self.error = kind, name, key_file, error
        self._dates: tuple[dt.datetime, dt.datetime] | None = None
        self._signer: Entry | None = None
        self._self_signed: bool | None = None
        self._index: SignerIndex | None = None
        self._view: CertView | None = None

    def __repr__(self) -> str:
        return f"Entry({self.file!r}, {self.index!r})"

    @property
    def view(self) -> CertView:
        if self._view is None:
            from pycert.pki.view import CertView

            assert self.der is not None
            self._view = CertView(self.der)
        return self._view

    @property
    def cert(self) -> x509.Certificate | None:
        return None if self.der is None else self.view.cert

    def dates(self) -> tuple[dt.datetime, dt.datetime]:
        """(NotBefore, NotAfter), kept once read: chain and expiry checks then need no
        parse."""
        if self._dates is None:
            if self._view is not None:
                self._dates = self._view.validity()
            else:
                from pycert.pki.view import validity

                assert self.der is not None
                self._dates = validity(self.der)
        return self._dates

    def settle_dates(self, dates: tuple[dt.datetime, dt.datetime]) -> None:
        """Takes the dates read elsewhere (a forked child)."""
        self._dates = dates

    @property
    def parsed(self) -> bool:
        """Whether the certificate is held parsed right now."""
        return self._view is not None

    def release(self) -> None:
        """Drops the parsed certificate; it is parsed again if asked for."""
        self._view = None

    @property
    def signer(self) -> Entry | None:
        """The certificate among its peers whose key signed this one, if any."""
        self._resolve()
        return self._signer

    @property
    def self_signed(self) -> bool | None:
        self._resolve()
        return self._self_signed

    def attach(self, index: SignerIndex) -> None:
        """The index this entry asks for its signer, once, when first asked."""
        self._index = index

    def settle(self, self_signed: bool | None, signer: Entry | None) -> None:
        """Takes the answer `_resolve` would find, found elsewhere (a forked child)."""
        self._index, self._self_signed, self._signer = None, self_signed, signer

    def _resolve(self) -> None:
        if self._index is not None:
            index, self._index = self._index, None
            self._self_signed, self._signer = index.resolve(self)


def entries_from_dir(files: list[CertFile]) -> list[Entry]:
    """Every certificate of every loaded file, in the kinds table's order, signers resolved."""
    rank = {kind.name: i for i, kind in enumerate(KINDS)}
    out: list[Entry] = []
    for f in sorted(files, key=lambda f: (rank[f.kind.name], f.filename)):
        if not f.ders:
            out.append(Entry(f.filename, None, None, f.kind, f.name, f.key_filename, f.error))
        for i, der in enumerate(f.ders):
            out.append(Entry(f.filename, i, der, f.kind, f.name, f.key_filename, f.error))
    resolve_signers(out)
    return out


def resolve_signers(entries: list[Entry]) -> SignerIndex:
    """Lets each certificate find, when asked, the certificate among `entries` whose key
    signed it; returns the index, whose `checks` counts the signatures verified.

    The kind's own CA files are tried first (ca-client.crt before ca.crt for clients), as
    a server would pick them; a self-signed certificate has no signer.
    """
    from pycert.certdir.signer_index import SignerIndex

    index = SignerIndex(entries)
    for entry in entries:
        if entry.der is not None:
            entry.attach(index)
    return index


def stream(entries: list[Entry], now: dt.datetime) -> Iterator[dict[str, Any]]:
    """The records of `entries` one by one, each certificate released once described."""
    for entry in entries:
        yield record(entry, now)
        entry.release()


def stream_values(entries: list[Entry], now: dt.datetime) -> Iterator[tuple[Any, ...]]:
    """`stream`, as record_values tuples."""
    for entry in entries:
        yield record_values(entry, now)
        entry.release()


def effective_not_after(entry: Entry) -> dt.datetime | None:
    """The earliest NotAfter along the signer chain: when the chain really stops working."""
    seen: set[int] = set()
    best: dt.datetime | None = None
    node: Entry | None = entry
    while node is not None and node.der is not None and id(node) not in seen:
        seen.add(id(node))
        after = node.dates()[1]
        best = after if best is None or after < best else best
        node = node.signer
    return best


def days_left(when: dt.datetime | None, now: dt.datetime) -> int | None:
    """Whole days until `when`, rounded down (negative once expired)."""
    return None if when is None else math.floor((when - now).total_seconds() / 86400)


RECORD_KEYS = ("schema_version", "usage", "kind", "name", "file", "key_file", "index",
               "subject", "issuer", "sans", "serial", "key", "signature_algorithm",
               "not_before", "not_after", "days_left", "fingerprint_sha256", "is_ca",
               "self_signed", "eku", "signed_by", "effective_not_after",
               "effective_days_left", "error")


def record(entry: Entry, now: dt.datetime) -> dict[str, Any]:
    """The JSON object for one certificate; keys and types are the documented schema."""
    return dict(zip(RECORD_KEYS, record_values(entry, now)))


def record_values(entry: Entry, now: dt.datetime) -> tuple[Any, ...]:
    """`record(entry, now).values()`, in RECORD_KEYS order, without the dict: the JSON
    writer puts them into its template directly."""
    from pycert.pki.view import rfc3339

    kind = entry.kind
    head = (SCHEMA_VERSION, kind.label if kind else None, kind.name if kind else None,
            entry.name or None, entry.file, entry.key_file or None, entry.index)
    fields = _cert_fields(entry, now) if entry.der is not None else _EMPTY
    signer = entry.signer
    effective = effective_not_after(entry)
    return (*head, *fields,
            None if signer is None else {"file": signer.file, "index": signer.index},
            rfc3339(effective) if effective else None, days_left(effective, now),
            entry.error or None)


_EMPTY = (None,) * 13  # subject ... eku of a file whose certificate did not parse


def _cert_fields(entry: Entry, now: dt.datetime) -> tuple[Any, ...]:
    """subject, issuer, sans, serial, key, signature_algorithm, not_before, not_after,
    days_left, fingerprint_sha256, is_ca, self_signed, eku."""
    from pycert.pki.view import rfc3339

    view = entry.view
    before, after = entry.dates()
    self_signed = entry.self_signed
    if self_signed is None:  # an entry no index was made for
        self_signed = view.raw_issuer == view.raw_subject and view.signed_with(view.public_key())
    return (view.subject(), view.issuer(), view.sans(), view.serial_hex(), view.key_info(),
            view.signature_algorithm(), rfc3339(before), rfc3339(after), days_left(after, now),
            view.sha256_hex(), view.is_ca(), self_signed, view.eku())
