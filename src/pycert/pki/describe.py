"""A certificate described for people: the lines of a dry run, a manifest, a diff.

Everything here reads `reading.CertFields`, so a report says what `list` and `check` say.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from pycert.pki.reading import CertFields, KeyInfo


def rfc3339(when: dt.datetime) -> str:
    """`2027-01-01T00:00:00Z`: whole seconds in UTC, as every report prints a time."""
    if when.tzinfo is not dt.timezone.utc:
        when = when.astimezone(dt.timezone.utc)
    if when.year >= 1000:  # isoformat: ~5x strftime's speed, and 10,000 records print four
        return when.isoformat(timespec="seconds")[:19] + "Z"
    return f"{when.year:04d}-{when:%m-%dT%H:%M:%S}Z"  # %Y does not pad year 950 on glibc


def key_label(key: KeyInfo) -> str:
    """`rsa 2048`, `ecdsa secp256r1`, `ed25519`: the key in one short word pair."""
    if key.type == "RSA":
        return f"rsa {key.size}"
    if key.type == "ECDSA":
        return f"ecdsa {key.curve}"
    return key.type.lower() if key.type == "Ed25519" else key.type


def san_labels(cert: CertFields) -> list[str]:
    """Every DNS, IP and URI SAN as `DNS:x`, `IP:y`, `URI:z`."""
    return ([f"DNS:{n}" for n in cert.dns] + [f"IP:{n}" for n in cert.ip]
            + [f"URI:{n}" for n in cert.uri])


def fingerprint(cert: CertFields) -> str:
    """SHA-256 as `openssl x509 -fingerprint -sha256` prints it."""
    return ":".join(f"{b:02X}" for b in hashlib.sha256(cert.der).digest())


def subject_text(cert: CertFields) -> str:
    """The subject in RFC 4514's one-line form (`CN=root,O=Cockroach`)."""
    return cert.certificate().subject.rfc4514_string()


def summary(cert: CertFields) -> dict[str, str | list[str]]:
    """The fields a person checks before deploying a certificate."""
    return {
        "subject": subject_text(cert),
        "issuer": cert.certificate().issuer.rfc4514_string(),
        "serial": cert.serial_hex,
        "not_before": rfc3339(cert.not_before),
        "not_after": rfc3339(cert.not_after),
        "sans": san_labels(cert),
        "key": key_label(cert.key),
        "fingerprint": fingerprint(cert),
    }


def changes(old: CertFields | None, new: CertFields) -> list[str]:
    """What replacing the certificate `old` by `new` changes that a person can see."""
    if old is None:
        return ["existing file holds no certificate"]
    a, b = summary(old), summary(new)
    out = [f"{field}: {a[field]} -> {b[field]}"
           for field in ("subject", "issuer", "key", "not_after") if a[field] != b[field]]
    gone = [s for s in a["sans"] if s not in b["sans"]]
    added = [s for s in b["sans"] if s not in a["sans"]]
    if gone or added:
        out.append("sans: " + " ".join([f"-{s}" for s in gone] + [f"+{s}" for s in added]))
    return out
