"""One record per certificate (not per file): the stable schema behind JSON output.

`list --format=json`, `inspect --format=json`, `check --format=json` and
`CertsDir.records()` all emit these records, described by
docs/schema/cert-report.schema.json; change both together.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pycert.kinds import BY_NAME, KINDS, Kind

if TYPE_CHECKING:
    from cryptography import x509

    from pycert.certdir.loader import CertFile

SCHEMA_VERSION = 1


@dataclass
class Entry:
    """One certificate with where it came from; `cert` is None for a file that failed."""

    file: str
    index: int | None
    cert: x509.Certificate | None
    kind: Kind | None = None
    name: str = ""
    key_file: str = ""
    error: str = ""
    signer: Entry | None = field(default=None, repr=False)


def entries_from_dir(files: list[CertFile]) -> list[Entry]:
    """Every certificate of every loaded file, in the kinds table's order, signers resolved."""
    rank = {kind.name: i for i, kind in enumerate(KINDS)}
    out: list[Entry] = []
    for f in sorted(files, key=lambda f: (rank[f.kind.name], f.filename)):
        certs = f.certs
        if not certs:
            out.append(Entry(f.filename, None, None, f.kind, f.name, f.key_filename, f.error))
        for i, cert in enumerate(certs):
            out.append(Entry(f.filename, i, cert, f.kind, f.name, f.key_filename, f.error))
    resolve_signers(out)
    return out


def resolve_signers(entries: list[Entry]) -> None:
    """Finds, for each certificate, the certificate among `entries` whose key signed it.

    The kind's own CA files are tried first (ca-client.crt before ca.crt for clients), as
    a server would pick them; a self-signed certificate has no signer.
    """
    from pycert.pki.fields import is_self_signed, signed_by

    for entry in entries:
        if entry.cert is None or is_self_signed(entry.cert):
            continue
        preferred = [BY_NAME[s].cert_file() for s in entry.kind.signers] if entry.kind else []
        rank = {name: i for i, name in enumerate(preferred)}
        pool = sorted((c for c in entries if c.cert is not None and c is not entry),
                      key=lambda c: (rank.get(c.file, len(rank)), c.file, c.index or 0))
        entry.signer = next((c for c in pool if signed_by(entry.cert, c.cert)), None)


def effective_not_after(entry: Entry) -> dt.datetime | None:
    """The earliest NotAfter along the signer chain: when the chain really stops working."""
    seen: set[int] = set()
    best: dt.datetime | None = None
    node: Entry | None = entry
    while node is not None and node.cert is not None and id(node) not in seen:
        seen.add(id(node))
        after = node.cert.not_valid_after_utc
        best = after if best is None or after < best else best
        node = node.signer
    return best


def days_left(when: dt.datetime | None, now: dt.datetime) -> int | None:
    """Whole days until `when`, rounded down (negative once expired)."""
    return None if when is None else math.floor((when - now).total_seconds() / 86400)


def record(entry: Entry, now: dt.datetime) -> dict[str, Any]:
    """The JSON object for one certificate; keys and types are the documented schema."""
    from pycert.pki.fields import rfc3339

    out: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "usage": entry.kind.label if entry.kind else None,
        "kind": entry.kind.name if entry.kind else None,
        "name": entry.name or None,
        "file": entry.file,
        "key_file": entry.key_file or None,
        "index": entry.index,
    }
    out.update(_cert_fields(entry.cert, now) if entry.cert is not None else _EMPTY)
    signer = entry.signer
    effective = effective_not_after(entry)
    out["signed_by"] = None if signer is None else {"file": signer.file, "index": signer.index}
    out["effective_not_after"] = rfc3339(effective) if effective else None
    out["effective_days_left"] = days_left(effective, now)
    out["error"] = entry.error or None
    return out


_EMPTY: dict[str, Any] = {
    "subject": None, "issuer": None, "sans": None, "serial": None, "key": None,
    "signature_algorithm": None, "not_before": None, "not_after": None, "days_left": None,
    "fingerprint_sha256": None, "is_ca": None, "self_signed": None, "eku": None,
}


def _cert_fields(cert: x509.Certificate, now: dt.datetime) -> dict[str, Any]:
    from pycert.pki import fields

    return {
        "subject": fields.name_fields(cert.subject),
        "issuer": fields.name_fields(cert.issuer),
        "sans": fields.sans(cert),
        "serial": format(cert.serial_number, "x"),
        "key": fields.key_info(cert),
        "signature_algorithm": fields.signature_algorithm(cert),
        "not_before": fields.rfc3339(cert.not_valid_before_utc),
        "not_after": fields.rfc3339(cert.not_valid_after_utc),
        "days_left": days_left(cert.not_valid_after_utc, now),
        "fingerprint_sha256": fields.sha256_hex(cert),
        "is_ca": fields.is_ca(cert),
        "self_signed": fields.is_self_signed(cert),
        "eku": fields.eku_names(cert),
    }
