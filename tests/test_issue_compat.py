"""Issue 8: with none of the new flags, CLI output still matches cockroach's certificates."""

from __future__ import annotations

from pathlib import Path

from cryptography import x509
from cryptography.x509.oid import ExtensionOID

from conftest import FIXTURES, pycert

_KEY_BOUND = {ExtensionOID.SUBJECT_KEY_IDENTIFIER, ExtensionOID.AUTHORITY_KEY_IDENTIFIER}


def _shape(path: Path) -> tuple[object, ...]:
    """Everything but key, serial, times and signature, in DER, in order."""
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    exts = tuple((e.oid.dotted_string, e.critical,
                  None if e.oid in _KEY_BOUND else e.value.public_bytes())
                 for e in cert.extensions)
    return (cert.version, cert.signature_algorithm_oid.dotted_string,
            cert.subject.public_bytes(), cert.issuer.public_bytes(), exts,
            cert.public_key().key_size)  # type: ignore[union-attr]


def test_default_outputs_have_cockroachs_shape(tmp_path: Path) -> None:
    flags = ("--certs-dir=certs", "--ca-key=ca.key")
    hosts = ("127.0.0.1", "::1", "localhost", "*.local", "tenant-10", "tenant-11", "tenant-20")
    for args in (("create-ca",), ("create-node", *hosts), ("create-client", "root")):
        res = pycert(*args, *flags, cwd=tmp_path)
        assert res.code == 0 and res.out == "" and res.err == "", res.err
    for name in ("ca.crt", "node.crt", "client.root.crt"):
        assert _shape(tmp_path / "certs" / name) == _shape(FIXTURES / name), name
    for name in ("node.key", "client.root.key"):
        assert (tmp_path / "certs" / name).read_bytes().startswith(
            b"-----BEGIN RSA PRIVATE KEY-----\n")
    assert sorted(p.name for p in (tmp_path / "certs").iterdir()) == [
        "ca.crt", "client.root.crt", "client.root.key", "node.crt", "node.key"]
