"""Certificates as plain data for --dry-run and --json reports (issue 8); no file I/O.

The CLI prints these dicts; keeping the X.509 reading here keeps crypto out of the CLI.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from pycert.pem import blocks
from pycert.report import key_info, rfc3339


def stamp(when: dt.datetime) -> str:
    return rfc3339(when) or ""


def fingerprint(der: bytes) -> str:
    """SHA-256 as `openssl x509 -fingerprint -sha256` prints it."""
    return ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest())


def key_type(cert: x509.Certificate) -> str:
    """`rsa 2048`, `ecdsa secp256r1`, `ed25519`: report.key_info in one short word pair."""
    info = key_info(cert)
    if info["type"] == "RSA":
        return f"rsa {info['size']}"
    if info["type"] == "ECDSA":
        return f"ecdsa {info['curve']}"
    return str(info["type"]).lower() if info["type"] == "Ed25519" else str(info["type"])


def sans(cert: x509.Certificate) -> list[str]:
    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    labels: dict[type, str] = {x509.DNSName: "DNS", x509.IPAddress: "IP",
                               x509.UniformResourceIdentifier: "URI"}
    return [f"{labels.get(type(n), type(n).__name__)}:{n.value}" for n in ext]


def cert_info(cert: x509.Certificate) -> dict[str, Any]:
    """The fields a person checks before deploying a certificate."""
    der = cert.public_bytes(serialization.Encoding.DER)
    return {
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "serial": format(cert.serial_number, "x"),
        "not_before": stamp(cert.not_valid_before_utc),
        "not_after": stamp(cert.not_valid_after_utc),
        "sans": sans(cert),
        "key": key_type(cert),
        "fingerprint": fingerprint(der),
    }


def file_entry(path: str, data: bytes, mode: int) -> dict[str, Any]:
    """One manifest row: path, mode, SHA-256 of the bytes; for certs serial and not_after."""
    entry: dict[str, Any] = {"path": path, "mode": f"{mode:04o}",
                             "sha256": hashlib.sha256(data).hexdigest()}
    first = first_cert(data)
    if first is not None:
        info = cert_info(first)
        entry.update(fingerprint=info["fingerprint"], serial=info["serial"],
                     not_after=info["not_after"], subject=info["subject"])
    return entry


def first_cert(data: bytes) -> x509.Certificate | None:
    for block in blocks(data):
        if block.type == "CERTIFICATE":
            try:
                return x509.load_der_x509_certificate(block.der)
            except ValueError:
                return None
    return None


def changes(old: bytes, new: x509.Certificate) -> list[str]:
    """What --overwrite would change in a certificate a person can see."""
    before = first_cert(old)
    if before is None:
        return ["existing file holds no certificate"]
    a, b = cert_info(before), cert_info(new)
    out = []
    for field in ("subject", "issuer", "key", "not_after"):
        if a[field] != b[field]:
            out.append(f"{field}: {a[field]} -> {b[field]}")
    gone = [s for s in a["sans"] if s not in b["sans"]]
    added = [s for s in b["sans"] if s not in a["sans"]]
    if gone or added:
        out.append("sans: " + " ".join([f"-{s}" for s in gone] + [f"+{s}" for s in added]))
    return out
