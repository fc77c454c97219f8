"""One record per certificate (not per file), made here and nowhere else.

`list` (every format), `check`, `inspect`, the manifests and `CertsDir.records()` all
report these; `Record.to_json` is the stable schema of docs/schema/cert-report.schema.json
(change both together).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any

from pycert.certdir.chains import SignerIndex
from pycert.certdir.ledger import Verdict
from pycert.certdir.loader import CertFile
from pycert.kinds import KINDS, Kind
from pycert.pki.certs import utcnow
from pycert.pki.describe import rfc3339
from pycert.pki.reading import CertFields, Name

SCHEMA_VERSION = 1


class Record:
    """One certificate with where it came from; `cert` is None for a file that failed.

    The chain facts (`signer`, `self_signed`, `effective_not_after`) are set by `link`.
    A class with slots (10,000 records, 1 MB less than a dataclass's dicts).
    """

    __slots__ = ("cert", "effective_not_after", "error", "file", "index", "key_file", "kind",
                 "name", "revocation", "self_signed", "signer")

    def __init__(self, file: str, index: int | None, kind: Kind | None, name: str,
                 key_file: str, error: str, cert: CertFields | None) -> None:
        self.file = file
        self.index = index  # position in its file; None for a file that did not read
        self.kind = kind
        self.name = name  # the <user>/<id> of named kinds, "" otherwise
        self.key_file = key_file  # "" unless the key passed every check
        self.error = error
        self.cert = cert
        self.signer: Record | None = None  # the record whose key signed this one
        self.self_signed: bool | None = None
        self.effective_not_after: dt.datetime | None = None
        self.revocation: Verdict | None = None  # the ledger's (or a CRL's), if one was read

    def __repr__(self) -> str:
        return f"Record({self.file!r}, {self.index!r}, error={self.error!r})"

    def to_json(self, now: dt.datetime | None = None) -> dict[str, Any]:
        """The record as the documented JSON object, keys in schema order; days are
        counted from `now` (default: the current time)."""
        now = now or utcnow()
        kind, cert = self.kind, self.cert
        head: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION, "usage": kind.label if kind else None,
            "kind": kind.name if kind else None, "name": self.name or None,
            "file": self.file, "key_file": self.key_file or None, "index": self.index,
        }
        head.update(_cert_json(cert, now) if cert is not None else _NO_CERT)
        signer = self.signer
        effective = self.effective_not_after
        head.update({
            "self_signed": self.self_signed,
            "eku": list(cert.eku) if cert is not None and cert.eku is not None else None,
            "signed_by": None if signer is None else {"file": signer.file,
                                                      "index": signer.index},
            "effective_not_after": rfc3339(effective) if effective else None,
            "effective_days_left": days_left(effective, now),
            "error": self.error or None,
        })
        if self.revocation is not None:  # only when a ledger or CRL was read
            head["revocation"] = self.revocation.to_json()
        return head


_NO_CERT = dict.fromkeys(("subject", "issuer", "sans", "serial", "key", "signature_algorithm",
                          "not_before", "not_after", "days_left", "fingerprint_sha256",
                          "is_ca"))


def _name_json(name: Name) -> dict[str, Any]:
    return {"cn": name.cn, "o": list(name.o), "ou": list(name.ou)}


def _cert_json(cert: CertFields, now: dt.datetime) -> dict[str, Any]:
    return {
        "subject": _name_json(cert.subject), "issuer": _name_json(cert.issuer),
        "sans": {"dns": list(cert.dns), "ip": list(cert.ip), "uri": list(cert.uri)},
        "serial": cert.serial_hex,
        "key": {"type": cert.key.type, "size": cert.key.size, "curve": cert.key.curve},
        "signature_algorithm": cert.signature_algorithm,
        "not_before": rfc3339(cert.not_before), "not_after": rfc3339(cert.not_after),
        "days_left": days_left(cert.not_after, now),
        "fingerprint_sha256": cert.sha256_hex, "is_ca": cert.is_ca,
    }


def days_left(when: dt.datetime | None, now: dt.datetime) -> int | None:
    """Whole days until `when`, rounded down (negative once expired)."""
    return None if when is None else math.floor((when - now).total_seconds() / 86400)


def from_files(files: Iterable[CertFile], *, chains: bool = True) -> list[Record]:
    """Every certificate of every loaded file, in the kinds table's order (a file that
    failed gives one record carrying its error); `chains` links signers (see `link`)."""
    rank = {kind.name: i for i, kind in enumerate(KINDS)}
    out: list[Record] = []
    for f in sorted(files, key=lambda f: (rank[f.kind.name], f.filename)):
        if not f.certs:
            out.append(Record(f.filename, None, f.kind, f.name, f.key_filename, f.error, None))
        out += [Record(f.filename, i, f.kind, f.name, f.key_filename, f.error, cert)
                for i, cert in enumerate(f.certs)]
    if chains:
        link(out)
    return out


def link(records: list[Record]) -> SignerIndex[Record]:
    """Sets each record's signer (the certificate among `records` whose key signed it,
    the kind's own CA files tried first), whether it is self-signed, and the end of its
    chain; returns the index, whose `checks` counts the signatures verified."""
    index = SignerIndex(records)
    for record in records:
        if record.cert is not None:
            record.self_signed, record.signer = index.resolve(record)
    for record in records:
        record.effective_not_after = _chain_end(record)
    return index


def _chain_end(record: Record) -> dt.datetime | None:
    """The earliest NotAfter along the signer chain: when the chain really stops working."""
    seen: set[int] = set()
    best: dt.datetime | None = None
    node: Record | None = record
    while node is not None and node.cert is not None and id(node) not in seen:
        seen.add(id(node))
        best = node.cert.not_after if best is None else min(best, node.cert.not_after)
        node = node.signer
    return best
