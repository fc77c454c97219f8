"""A CA key is loaded without cryptography's slow RSA consistency checks; what replaces
them (docs/security.md, "CA key loading") must still stop a wrong or corrupt key."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from conftest import pycert, snapshot

FLAGS = ("--certs-dir=certs", "--ca-key=safe/ca.key")


def _corrupt_copy(key_path: Path) -> None:
    """Rewrites the key with wrong private exponents (d and the CRT ones): such a key
    loads once validation is skipped, but every signature it makes is wrong."""
    key = serialization.load_pem_private_key(key_path.read_bytes(), None)
    assert isinstance(key, rsa.RSAPrivateKey)
    n = key.private_numbers()
    bad = rsa.RSAPrivateNumbers(n.p, n.q, n.d + 2, n.dmp1 + 2, n.dmq1 + 2, n.iqmp,
                                n.public_numbers)
    pem = bad.private_key(unsafe_skip_rsa_key_validation=True).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption())
    key_path.write_bytes(pem)


def test_leaf_signed_by_a_corrupt_ca_key_is_refused_and_nothing_written(ca_dir: Path) -> None:
    _corrupt_copy(ca_dir / "safe" / "ca.key")
    before = snapshot(ca_dir)
    res = pycert("create-node", "localhost", *FLAGS, cwd=ca_dir)
    assert res.code == 1
    assert res.err == (
        "ERROR: failed to generate node certificate and key: CA key safe/ca.key is corrupt: "
        'its signature does not verify\nFailed running "cert create-node"\n')
    assert snapshot(ca_dir) == before


def test_reused_corrupt_ca_key_makes_no_ca_cert(ca_dir: Path) -> None:
    _corrupt_copy(ca_dir / "safe" / "ca.key")
    before = snapshot(ca_dir)
    res = pycert("create-ca", "--allow-ca-key-reuse", "--overwrite", *FLAGS, cwd=ca_dir)
    assert res.code == 1
    assert "CA key safe/ca.key is corrupt: its signature does not verify" in res.err
    assert snapshot(ca_dir) == before


def test_ca_key_of_another_ca_is_refused(ca_dir: Path) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (ca_dir / "safe" / "ca.key").write_bytes(other.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption()))
    res = pycert("create-client", "root", *FLAGS, cwd=ca_dir)
    assert res.code == 1
    assert "tls: private key does not match public key" in res.err
    assert not (ca_dir / "certs" / "client.root.crt").exists()


def test_sound_reused_ca_key_still_works(ca_dir: Path) -> None:
    res = pycert("create-ca", "--allow-ca-key-reuse", "--overwrite", *FLAGS, cwd=ca_dir)
    assert res.code == 0, res.err
    assert (ca_dir / "certs" / "ca.crt").read_bytes().count(b"BEGIN CERTIFICATE") == 2
