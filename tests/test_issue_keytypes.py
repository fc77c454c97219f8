"""Issue 8 item 3: --key-type rsa|ecdsa|ed25519: files, openssl verify, Python TLS handshake."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from conftest import need_tool, pycert
from tlsutil import handshake

TYPES = [("rsa", (), rsa.RSAPublicKey, "RSA PRIVATE KEY"),
         ("ecdsa", (), ec.EllipticCurvePublicKey, "EC PRIVATE KEY"),
         ("ecdsa", ("--key-size=384",), ec.EllipticCurvePublicKey, "EC PRIVATE KEY"),
         ("ecdsa", ("--key-size=521",), ec.EllipticCurvePublicKey, "EC PRIVATE KEY"),
         ("ed25519", (), ed25519.Ed25519PublicKey, "PRIVATE KEY")]


def _make(tmp: Path, key_type: str, extra: tuple[str, ...]) -> Path:
    flags = ("--certs-dir=certs", "--ca-key=ca.key", f"--key-type={key_type}", *extra)
    for args in (("create-ca",), ("create-node", "localhost", "127.0.0.1"),
                 ("create-client", "root")):
        res = pycert(*args, *flags, cwd=tmp)
        assert res.code == 0, res.err
    return tmp / "certs"


def _cert(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


@pytest.mark.parametrize(("key_type", "extra", "pub", "pem"), TYPES)
def test_key_type_files(tmp_path: Path, key_type: str, extra: tuple[str, ...], pub: type,
                        pem: str) -> None:
    certs = _make(tmp_path, key_type, extra)
    for name in ("ca.crt", "node.crt", "client.root.crt"):
        assert isinstance(_cert(certs / name).public_key(), pub)
    assert (certs / "node.key").read_text().startswith(f"-----BEGIN {pem}-----")
    if extra:
        assert _cert(certs / "node.crt").public_key().curve.key_size == int(extra[0][-3:])
    elif key_type == "ecdsa":
        assert _cert(certs / "node.crt").public_key().curve.name == "secp256r1"
    ku = _cert(certs / "node.crt").extensions.get_extension_for_class(x509.KeyUsage).value
    assert ku.digital_signature and ku.key_encipherment == (key_type == "rsa")
    res = pycert("list", "--certs-dir=certs", cwd=tmp_path)
    assert res.code == 0 and "node.crt" in res.out and "client.root.crt" in res.out


@pytest.mark.parametrize(("key_type", "extra", "pub", "pem"), TYPES)
def test_key_type_openssl_verify(tmp_path: Path, key_type: str, extra: tuple[str, ...],
                                 pub: type, pem: str) -> None:
    openssl = need_tool("openssl", "openssl")
    certs = _make(tmp_path, key_type, extra)
    for leaf, purpose in (("node.crt", "sslserver"), ("client.root.crt", "sslclient")):
        proc = subprocess.run([openssl, "verify", "-purpose", purpose, "-CAfile",
                               str(certs / "ca.crt"), str(certs / leaf)], capture_output=True,
                              text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = subprocess.run([openssl, "pkey", "-in", str(certs / "node.key"), "-noout"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize(("key_type", "extra", "pub", "pem"), TYPES)
def test_key_type_mutual_tls_handshake(tmp_path: Path, key_type: str, extra: tuple[str, ...],
                                       pub: type, pem: str) -> None:
    certs = _make(tmp_path, key_type, extra)
    cipher = handshake(certs / "ca.crt", certs / "node.crt", certs / "node.key", "localhost",
                       certs / "client.root.crt", certs / "client.root.key")
    assert cipher


def test_mixed_rsa_ca_ecdsa_leaf_handshakes(ca_dir: Path) -> None:
    flags = ("--certs-dir=certs", "--ca-key=safe/ca.key", "--key-type=ecdsa")
    assert pycert("create-node", "localhost", *flags, cwd=ca_dir).code == 0
    certs = ca_dir / "certs"
    assert handshake(certs / "ca.crt", certs / "node.crt", certs / "node.key", "localhost")


def test_ecdsa_refuses_other_sizes(ca_dir: Path) -> None:
    res = pycert("create-node", "localhost", "--certs-dir=certs", "--ca-key=safe/ca.key",
                 "--key-type=ecdsa", "--key-size=2048", cwd=ca_dir)
    assert res.code == 1
    assert "could not generate new node key: ecdsa: --key-size must be 256, 384 or 521, " \
        "not 2048" in res.err
    assert not (ca_dir / "certs/node.crt").exists()


def test_unknown_key_type_is_a_flag_error(ca_dir: Path) -> None:
    res = pycert("create-node", "localhost", "--certs-dir=certs", "--ca-key=safe/ca.key",
                 "--key-type=dsa", cwd=ca_dir)
    assert res.code == 4 and "Traceback" not in res.err
