"""Reading certificates: names, SANs, key, EKU, signer, dates, as plain Python values.

`list`, `check`, `inspect`, the JSON records and the --dry-run reports all read fields
through these functions, so each field has one reading.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import TypedDict

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from pycert.hosts import ip_text
from pycert.pki.pem import blocks

EKU_OIDS = {"serverAuth": ExtendedKeyUsageOID.SERVER_AUTH,
            "clientAuth": ExtendedKeyUsageOID.CLIENT_AUTH}
_EKU_NAMES = {oid: name for name, oid in EKU_OIDS.items()}


class Names(TypedDict):
    cn: str | None
    o: list[str]
    ou: list[str]


class Sans(TypedDict):
    dns: list[str]
    ip: list[str]
    uri: list[str]


class KeyInfo(TypedDict):
    type: str
    size: int | None
    curve: str | None


def rfc3339(when: dt.datetime) -> str:
    """`2027-01-01T00:00:00Z`: whole seconds in UTC, as every report prints a time."""
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def name_fields(name: x509.Name) -> Names:
    def values(oid: x509.ObjectIdentifier) -> list[str]:
        return [str(a.value) for a in name.get_attributes_for_oid(oid)]

    cns = values(NameOID.COMMON_NAME)
    return {"cn": cns[0] if cns else None, "o": values(NameOID.ORGANIZATION_NAME),
            "ou": values(NameOID.ORGANIZATIONAL_UNIT_NAME)}


def common_name(cert: x509.Certificate) -> str:
    """The first CN of the subject, or ""."""
    return name_fields(cert.subject)["cn"] or ""


def _san_ext(cert: x509.Certificate) -> x509.SubjectAlternativeName | None:
    try:
        return cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return None


def sans(cert: x509.Certificate) -> Sans:
    """DNS, IP (Go's text form: mapped IPv6 as IPv4) and URI SANs, in certificate order."""
    ext = _san_ext(cert)
    if ext is None:
        return {"dns": [], "ip": [], "uri": []}
    return {"dns": list(ext.get_values_for_type(x509.DNSName)),
            "ip": [ip_text(ip) for ip in ext.get_values_for_type(x509.IPAddress)],
            "uri": list(ext.get_values_for_type(x509.UniformResourceIdentifier))}


def san_labels(cert: x509.Certificate) -> list[str]:
    """Every SAN as `DNS:x`, `IP:y`, `URI:z`, in certificate order (reports, diffs)."""
    ext = _san_ext(cert)
    labels: dict[type, str] = {x509.DNSName: "DNS", x509.IPAddress: "IP",
                               x509.UniformResourceIdentifier: "URI"}
    return [f"{labels.get(type(n), type(n).__name__)}:{n.value}" for n in ext or []]


def key_info(cert: x509.Certificate) -> KeyInfo:
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


def key_label(cert: x509.Certificate) -> str:
    """`rsa 2048`, `ecdsa secp256r1`, `ed25519`: key_info in one short word pair."""
    info = key_info(cert)
    if info["type"] == "RSA":
        return f"rsa {info['size']}"
    if info["type"] == "ECDSA":
        return f"ecdsa {info['curve']}"
    return info["type"].lower() if info["type"] == "Ed25519" else info["type"]


def signature_algorithm(cert: x509.Certificate) -> str:
    """OpenSSL's name for the algorithm (`sha256WithRSAEncryption`), else the dotted OID."""
    oid = cert.signature_algorithm_oid
    name = getattr(oid, "_name", "")  # cryptography keeps OpenSSL's names there only
    return name if name and name != "Unknown OID" else oid.dotted_string


def is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def eku_names(cert: x509.Certificate) -> list[str] | None:
    """`serverAuth`/`clientAuth`/dotted OIDs; None when the extension is absent (= any)."""
    try:
        usages = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return None
    return usage_names(usages)


def usage_names(usages: x509.ExtendedKeyUsage) -> list[str]:
    return [_EKU_NAMES.get(u, u.dotted_string) for u in usages]


def signed_by(cert: x509.Certificate, issuer: x509.Certificate | None) -> bool:
    """Issuer name matches and the issuer's key verifies the signature."""
    if issuer is None or cert.issuer != issuer.subject:
        return False
    try:
        cert.verify_directly_issued_by(issuer)
    except Exception:  # wrong key type, bad signature, unsupported algorithm: not signed
        return False
    return True


def is_self_signed(cert: x509.Certificate) -> bool:
    return signed_by(cert, cert)


def der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def sha256_hex(cert: x509.Certificate) -> str:
    return hashlib.sha256(der(cert)).hexdigest()


def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 as `openssl x509 -fingerprint -sha256` prints it."""
    return ":".join(f"{b:02X}" for b in hashlib.sha256(der(cert)).digest())


def first_cert(data: bytes) -> x509.Certificate | None:
    """The first CERTIFICATE block of PEM data, or None if there is none or it is bad."""
    for block in blocks(data):
        if block.type == "CERTIFICATE":
            try:
                return x509.load_der_x509_certificate(block.der)
            except ValueError:
                return None
    return None


def summary(cert: x509.Certificate) -> dict[str, str | list[str]]:
    """The fields a person checks before deploying a certificate."""
    return {
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "serial": format(cert.serial_number, "x"),
        "not_before": rfc3339(cert.not_valid_before_utc),
        "not_after": rfc3339(cert.not_valid_after_utc),
        "sans": san_labels(cert),
        "key": key_label(cert),
        "fingerprint": fingerprint(cert),
    }


def changes(old: bytes, new: x509.Certificate) -> list[str]:
    """What replacing the certificate in `old` by `new` changes that a person can see."""
    before = first_cert(old)
    if before is None:
        return ["existing file holds no certificate"]
    a, b = summary(before), summary(new)
    out = [f"{field}: {a[field]} -> {b[field]}"
           for field in ("subject", "issuer", "key", "not_after") if a[field] != b[field]]
    gone = [s for s in a["sans"] if s not in b["sans"]]
    added = [s for s in b["sans"] if s not in a["sans"]]
    if gone or added:
        out.append("sans: " + " ".join([f"-{s}" for s in gone] + [f"+{s}" for s in added]))
    return out
