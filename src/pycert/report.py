"""One record per certificate (not per file): the stable schema behind JSON output.

`list --format=json`, `inspect --format=json` and `check --format=json` all emit these
records, described by docs/schema/cert-report.schema.json; change both together.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pycert.kinds import Kind

if TYPE_CHECKING:
    from cryptography import x509

    from pycert.loader import CertFile

SCHEMA_VERSION = 1
# Labels for the kinds cockroach loads but never lists (shown by --show-all and JSON).
HIDDEN_USAGE = {"tenant-client-ca": "Tenant Client CA", "tenant-client": "Tenant Client",
                "tenant-signing": "Tenant Signing"}


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


def usage(kind: Kind | None) -> str | None:
    if kind is None:
        return None
    return kind.usage or HIDDEN_USAGE.get(kind.name, kind.name)


def entries_from_dir(files: list[CertFile]) -> list[Entry]:
    """Every certificate of every loaded file, in the kinds table's order, signers resolved."""
    from pycert.kinds import KINDS

    rank = {kind.name: i for i, kind in enumerate(KINDS)}
    out: list[Entry] = []
    for f in sorted(files, key=lambda f: (rank[f.kind.name], f.filename)):
        base = {"kind": f.kind, "name": f.name, "key_file": f.key_filename, "error": f.error}
        if not f.certs:
            out.append(Entry(f.filename, None, None, **base))  # type: ignore[arg-type]
        for i, cert in enumerate(f.certs):
            out.append(Entry(f.filename, i, cert, **base))  # type: ignore[arg-type]
    resolve_signers(out)
    return out


def resolve_signers(entries: list[Entry]) -> None:
    """Finds, for each certificate, the certificate among `entries` whose key signed it.

    The kind's own CA files are tried first (ca-client.crt before ca.crt for clients), as
    a server would pick them; a self-signed certificate has no signer.
    """
    from pycert.kinds import BY_NAME

    for entry in entries:
        if entry.cert is None or is_self_signed(entry.cert):
            continue
        preferred = [BY_NAME[s].cert_file() for s in entry.kind.signers] if entry.kind else []
        rank = {name: i for i, name in enumerate(preferred)}
        pool = sorted((c for c in entries if c.cert is not None and c is not entry),
                      key=lambda c: (rank.get(c.file, len(rank)), c.file, c.index or 0))
        entry.signer = next((c for c in pool if signed_by(entry.cert, c.cert)), None)


def is_self_signed(cert: x509.Certificate) -> bool:
    return cert.issuer == cert.subject and signed_by(cert, cert)


def signed_by(cert: x509.Certificate, issuer: x509.Certificate | None) -> bool:
    """Issuer name matches and the issuer's key verifies the signature."""
    if issuer is None or cert.issuer != issuer.subject:
        return False
    try:
        cert.verify_directly_issued_by(issuer)
    except Exception:  # wrong key type, bad signature, unsupported algorithm: not signed
        return False
    return True


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


def rfc3339(when: dt.datetime | None) -> str | None:
    return None if when is None else when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def days_left(when: dt.datetime | None, now: dt.datetime) -> int | None:
    """Whole days until `when`, rounded down (negative once expired)."""
    return None if when is None else math.floor((when - now).total_seconds() / 86400)


def record(entry: Entry, now: dt.datetime) -> dict[str, Any]:
    """The JSON object for one certificate; keys and types are the documented schema."""
    cert = entry.cert
    out: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "usage": usage(entry.kind),
        "kind": entry.kind.name if entry.kind else None,
        "name": entry.name or None,
        "file": entry.file,
        "key_file": entry.key_file or None,
        "index": entry.index,
    }
    out.update(_cert_fields(cert, now) if cert is not None else _EMPTY)
    signer = entry.signer
    effective = effective_not_after(entry)
    out["signed_by"] = None if signer is None else {"file": signer.file, "index": signer.index}
    out["effective_not_after"] = rfc3339(effective)
    out["effective_days_left"] = days_left(effective, now)
    out["error"] = entry.error or None
    return out


_EMPTY: dict[str, Any] = {
    "subject": None, "issuer": None, "sans": None, "serial": None, "key": None,
    "signature_algorithm": None, "not_before": None, "not_after": None, "days_left": None,
    "fingerprint_sha256": None, "is_ca": None, "self_signed": None, "eku": None,
}


def _cert_fields(cert: x509.Certificate, now: dt.datetime) -> dict[str, Any]:
    from cryptography.hazmat.primitives.serialization import Encoding

    return {
        "subject": name_fields(cert.subject),
        "issuer": name_fields(cert.issuer),
        "sans": sans(cert),
        "serial": format(cert.serial_number, "x"),
        "key": key_info(cert),
        "signature_algorithm": signature_algorithm(cert),
        "not_before": rfc3339(cert.not_valid_before_utc),
        "not_after": rfc3339(cert.not_valid_after_utc),
        "days_left": days_left(cert.not_valid_after_utc, now),
        "fingerprint_sha256": hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest(),
        "is_ca": is_ca(cert),
        "self_signed": is_self_signed(cert),
        "eku": eku_names(cert),
    }


def name_fields(name: x509.Name) -> dict[str, Any]:
    from cryptography.x509.oid import NameOID

    def values(oid: x509.ObjectIdentifier) -> list[str]:
        return [str(a.value) for a in name.get_attributes_for_oid(oid)]

    cns = values(NameOID.COMMON_NAME)
    return {"cn": cns[0] if cns else None, "o": values(NameOID.ORGANIZATION_NAME),
            "ou": values(NameOID.ORGANIZATIONAL_UNIT_NAME)}


def sans(cert: x509.Certificate) -> dict[str, list[str]]:
    """DNS, IP (Go's text form: mapped IPv6 as IPv4) and URI SANs, in certificate order."""
    from cryptography import x509

    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return {"dns": [], "ip": [], "uri": []}
    ips = [str(getattr(ip, "ipv4_mapped", None) or ip)
           for ip in ext.get_values_for_type(x509.IPAddress)]
    return {"dns": list(ext.get_values_for_type(x509.DNSName)), "ip": ips,
            "uri": list(ext.get_values_for_type(x509.UniformResourceIdentifier))}


def key_info(cert: x509.Certificate) -> dict[str, Any]:
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return {"type": "RSA", "size": key.key_size, "curve": None}
    if isinstance(key, ec.EllipticCurvePublicKey):
        return {"type": "ECDSA", "size": key.curve.key_size, "curve": key.curve.name}
    if isinstance(key, ed25519.Ed25519PublicKey):
        return {"type": "Ed25519", "size": 256, "curve": None}
    if isinstance(key, ed448.Ed448PublicKey):
        return {"type": "Ed448", "size": 456, "curve": None}
    if isinstance(key, dsa.DSAPublicKey):
        return {"type": "DSA", "size": key.key_size, "curve": None}
    return {"type": type(key).__name__, "size": None, "curve": None}


def signature_algorithm(cert: x509.Certificate) -> str:
    """OpenSSL's name for the algorithm (`sha256WithRSAEncryption`), else the dotted OID."""
    oid = cert.signature_algorithm_oid
    name = getattr(oid, "_name", "")
    return name if name and name != "Unknown OID" else oid.dotted_string


def is_ca(cert: x509.Certificate) -> bool:
    from cryptography import x509

    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def eku_names(cert: x509.Certificate) -> list[str] | None:
    """`serverAuth`/`clientAuth`/dotted OIDs; None when the extension is absent (= any)."""
    from cryptography import x509
    from cryptography.x509.oid import ExtendedKeyUsageOID as EKU

    known = {EKU.SERVER_AUTH: "serverAuth", EKU.CLIENT_AUTH: "clientAuth"}
    try:
        usages = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return None
    return [known.get(u, u.dotted_string) for u in usages]
