"""Promise 7 of issue 5: the CA key never lands in the certs dir, on screen or in logs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from conftest import pycert

FAST = "--key-size=1024"
CERTS = "--certs-dir=certs"
KEY = "--ca-key=safe/ca.key"


def _fragments(pem: bytes) -> set[bytes]:
    """Pieces of the private half of a key (d, p, q; not the public modulus that every
    certificate shows): raw, hex and as they appear in the PEM's base64 tail."""
    body = b"".join(line for line in pem.splitlines() if line and not line.startswith(b"-----"))
    key = serialization.load_pem_private_key(pem, None)
    if isinstance(key, rsa.RSAPrivateKey):
        nums = key.private_numbers()
        secrets = [v.to_bytes((v.bit_length() + 7) // 8, "big") for v in (nums.d, nums.p, nums.q)]
    else:  # Ed25519 (tenant signing): the 32-byte seed
        secrets = [key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                     serialization.NoEncryption())]
    out: set[bytes] = set()
    for raw in secrets:
        out |= {raw[i:i + 16] for i in range(0, len(raw) - 15, 8)}
        out |= {raw[i:i + 16].hex().encode() for i in range(0, len(raw) - 15, 8)}
    tail = body[len(body) // 2:]  # past n and e in PKCS#1 order
    out |= {tail[i:i + 20] for i in range(0, len(tail) - 20, 4)}
    return out


def _leaks(blob: bytes, secret_pem: bytes) -> bool:
    return any(f in blob for f in _fragments(secret_pem))


def _all_bytes(directory: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file())


def test_ca_key_never_reaches_certs_dir_output_or_logs(tmp_path: Path) -> None:
    (tmp_path / "safe").mkdir()
    runs = [
        ("create-ca",), ("create-client-ca", "--ca-key=safe/client-ca.key"),
        ("mt", "cert", "create-tenant-client-ca", "--ca-key=safe/tenant-ca.key"),
        ("create-node", "localhost", "::1"),
        ("create-client", "root", "--also-generate-pkcs8-key", "--ca-key=safe/client-ca.key"),
        ("mt", "cert", "create-tenant-client", "5", "--ca-key=safe/tenant-ca.key"),
        ("mt", "cert", "create-tenant-signing", "5"), ("list",),
    ]
    output = b""
    for args in runs:
        key = [] if any(a.startswith("--ca-key") for a in args) or args == ("list",) else [KEY]
        extra = [] if args == ("list",) or "create-tenant-signing" in args else [FAST]
        res = pycert(*args, CERTS, *key, *extra, "--logtostderr=INFO", "--log-dir=logs",
                     cwd=tmp_path)
        assert res.code == 0, res.err
        output += (res.out + res.err).encode("utf-8", "surrogateescape")
    certs = tmp_path / "certs"
    assert not list(certs.glob("ca*.key")), "a CA key was written into the certs dir"
    in_certs = _all_bytes(certs)
    logs = _all_bytes(tmp_path / "logs")
    assert b"generated CA key" in logs  # the logs are real and say what happened
    for name in ("ca.key", "client-ca.key", "tenant-ca.key"):
        secret = (tmp_path / "safe" / name).read_bytes()
        assert _leaks(secret.replace(b"\n", b"")[-400:] + b"\n" + secret, secret)  # detector works
        assert not _leaks(in_certs, secret), f"{name} found inside the certs dir"
        assert not _leaks(output, secret), f"{name} printed"
        assert not _leaks(logs, secret), f"{name} logged"
    for leaf_key in certs.glob("*.key"):  # leaf keys live in the certs dir but are never shown
        assert not _leaks(output + logs, leaf_key.read_bytes()), f"{leaf_key.name} printed"
    assert b"PRIVATE KEY-----" not in output + logs


def _corrupt(pem: bytes) -> bytes:
    """Breaks the DER header (the rest of the key stays): still PEM, no longer a key.

    (Damage inside the private exponent alone would go unnoticed: RSA signs with the CRT
    values, and pycert verifies each signature it makes, so such a key still works.)"""
    lines = pem.splitlines(keepends=True)
    lines[1] = b"////////" + lines[1][8:]
    return b"".join(lines)


def _setup_key_in_bundle(work: Path) -> None:
    with open(work / "certs/ca.crt", "ab") as handle:
        handle.write((work / "safe/ca.key").read_bytes())


def _setup_corrupt_key(work: Path) -> None:
    (work / "safe/ca.key").write_bytes(_corrupt((work / "safe/ca.key").read_bytes()))


def _setup_key_as_node_cert(work: Path) -> None:
    (work / "certs/node.crt").write_bytes((work / "safe/ca.key").read_bytes())
    (work / "certs/node.key").write_bytes(b"")
    (work / "certs/node.key").chmod(0o600)


def _setup_key_with_trailer(work: Path) -> None:
    key = (work / "safe/ca.key").read_bytes()
    (work / "safe/ca.key").write_bytes(key + key)


@pytest.mark.parametrize(("setup", "args"), [
    (_setup_key_in_bundle, ("create-node", "localhost", KEY)),
    (_setup_key_in_bundle, ("create-ca", "--overwrite", "--ca-key=safe/new.key")),
    (_setup_key_in_bundle, ("list",)),
    (_setup_corrupt_key, ("create-node", "localhost", KEY)),
    (_setup_corrupt_key, ("create-ca", "--overwrite", "--allow-ca-key-reuse", KEY)),
    (_setup_key_with_trailer, ("create-ca", "--overwrite", "--allow-ca-key-reuse", KEY)),
    (_setup_key_as_node_cert, ("list",)),
    (_setup_key_as_node_cert, ("create-client", "root", KEY)),
], ids=["bundle-node", "bundle-rotate", "bundle-list", "corrupt-node", "corrupt-reuse",
        "trailer-reuse", "node-crt-is-key-list", "node-crt-is-key-client"])
def test_errors_about_keys_never_quote_key_bytes(ca_dir: Path, setup, args) -> None:  # type: ignore[no-untyped-def]
    secret = (ca_dir / "safe/ca.key").read_bytes()
    setup(ca_dir)
    res = pycert(*args, CERTS, "--logtostderr=INFO", "--log-dir=logs", cwd=ca_dir)
    blob = (res.out + res.err).encode("utf-8", "surrogateescape")
    blob += _all_bytes(ca_dir / "logs")
    assert "Traceback" not in res.err and "internal error" not in res.err
    assert res.code != 0 or "list" in args
    assert not _leaks(blob, secret)
    assert not re.search(rb"-----(BEGIN|END) ", blob)
