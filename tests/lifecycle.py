"""Helpers of the lifecycle tests (renew, rotate-*, prune-*, --backup): run, read, compare."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtensionOID

from conftest import Result, pycert
from pycert.pki.pem import blocks

CERTS = "--certs-dir=certs"
KEY = "--ca-key=safe/ca.key"
FAST = "--key-size=1024"
BACKUP_NAME = re.compile(r"(?P<name>.+)\.(?P<stamp>\d{8}T\d{6}Z)(?:-\d+)?\.bak")


def ok(work: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    """Runs pycert in `work`; it must succeed, and never print a traceback."""
    res = pycert(*args, cwd=work, env=env)
    assert res.code == 0, res.err
    assert "Traceback" not in res.err, res.err
    return res


def fails(work: Path, *args: str, code: int = 1) -> Result:
    """Runs pycert in `work`; it must fail with one ERROR line and no traceback."""
    res = pycert(*args, cwd=work)
    assert res.code == code, (res.out, res.err)
    errors = [line for line in res.err.splitlines() if line.startswith("ERROR: ")]
    assert len(errors) == 1, res.err
    assert "Traceback" not in res.err and "internal error" not in res.err, res.err
    return res


def cert(path: Path, index: int = 0) -> x509.Certificate:
    return x509.load_der_x509_certificate(
        [b.der for b in blocks(path.read_bytes()) if b.type == "CERTIFICATE"][index])


def bundle(path: Path) -> list[x509.Certificate]:
    return [x509.load_der_x509_certificate(b.der) for b in blocks(path.read_bytes())]


def public(obj: x509.Certificate | object) -> bytes:
    key = obj.public_key()  # type: ignore[attr-defined]
    return key.public_bytes(serialization.Encoding.DER,  # type: ignore[no-any-return]
                            serialization.PublicFormat.SubjectPublicKeyInfo)


def key_of(path: Path) -> object:
    data = path.read_bytes()
    if data.startswith(b"-----"):
        return serialization.load_pem_private_key(data, None)
    return serialization.load_der_private_key(data, None)


def extensions(c: x509.Certificate, *, akid: bool = True) -> list[tuple[str, bool, object]]:
    """Every extension in order as (OID, critical, value); AKID left out when asked."""
    return [(e.oid.dotted_string, e.critical, e.value) for e in c.extensions
            if akid or e.oid != ExtensionOID.AUTHORITY_KEY_IDENTIFIER]


def assert_renewed(old: x509.Certificate, new: x509.Certificate, *, same_key: bool,
                   signer: x509.Certificate) -> None:
    """The renewal differs from `old` only in key (unless kept), serial, dates and signer."""
    assert new.version == old.version
    assert new.subject.public_bytes() == old.subject.public_bytes()  # byte for byte
    assert new.issuer.public_bytes() == signer.subject.public_bytes()
    assert extensions(new, akid=False) == extensions(old, akid=False)
    skid = signer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    akid = new.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    assert akid.key_identifier == skid
    assert new.serial_number != old.serial_number
    assert new.not_valid_after_utc >= old.not_valid_after_utc
    new.verify_directly_issued_by(signer)
    assert type(new.public_key()) is type(old.public_key())
    assert getattr(new.public_key(), "key_size", None) == getattr(old.public_key(), "key_size",
                                                                   None)
    assert (public(new) == public(old)) is same_key


def backups(directory: Path) -> dict[str, list[Path]]:
    """The backups in a directory, by the name of the file each one saves."""
    out: dict[str, list[Path]] = {}
    for path in sorted(directory.iterdir()):
        match = BACKUP_NAME.fullmatch(path.name)
        if match:
            out.setdefault(match["name"], []).append(path)
    return out


def copy_work(template: Path, dest: Path) -> Path:
    shutil.copytree(template, dest, symlinks=True)
    return dest


def der(c: x509.Certificate) -> bytes:
    return c.public_bytes(serialization.Encoding.DER)


def san_labels(c: x509.Certificate) -> list[str]:
    """Every SAN as `DNS:x`, `IP:y`, `URI:z`, in certificate order."""
    try:
        names = c.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    labels = {x509.DNSName: "DNS", x509.IPAddress: "IP", x509.UniformResourceIdentifier: "URI"}
    return [f"{labels.get(type(n), type(n).__name__)}:{n.value}" for n in names]
