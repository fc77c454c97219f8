"""`check` and `inspect` read every key with the fast RSA check (microseconds, not
OpenSSL's ~40 ms primality tests): it must still refuse every inconsistent key."""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from conftest import need_tool, pycert


def _der(tag: int, body: bytes) -> bytes:
    size = len(body)
    head = bytes([size]) if size < 0x80 else \
        bytes([0x80 | (size.bit_length() + 7) // 8]) + size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag]) + head + body


def _rewrite(path: Path, change: str) -> None:
    """A PKCS#1 key with a wrong private exponent d whose CRT values were derived from it:
    n = pq, dP, dQ and qInv all agree with d, only e*d = 1 fails."""
    key = serialization.load_pem_private_key(path.read_bytes(), None)
    assert isinstance(key, rsa.RSAPrivateKey)
    n = key.private_numbers()
    p, q = n.p, n.q
    d = n.d + 2 if change == "d" else n.d
    fields = (0, n.public_numbers.n, n.public_numbers.e, d, p, q, d % (p - 1), d % (q - 1),
              n.iqmp)
    body = b"".join(_der(0x02, v.to_bytes(v.bit_length() // 8 + 1, "big")) for v in fields)
    b64 = base64.b64encode(_der(0x30, body)).decode()
    path.write_text("-----BEGIN RSA PRIVATE KEY-----\n"
                    + "\n".join(b64[i : i + 64] for i in range(0, len(b64), 64))
                    + "\n-----END RSA PRIVATE KEY-----\n")


def test_a_wrong_private_exponent_with_matching_crt_values_is_refused(full_dir: Path) -> None:
    key = full_dir / "certs/client.root.key"
    _rewrite(key, "d")
    openssl = need_tool("openssl", "openssl")
    bad = subprocess.run([openssl, "pkey", "-check", "-noout", "-in", str(key)],
                         capture_output=True, text=True)
    assert bad.returncode != 0  # OpenSSL agrees the key is broken
    res = pycert("check", "--certs-dir=certs", "--format=json", cwd=full_dir)
    assert res.code == 2
    problems = [(p["check"], p["file"]) for p in json.loads(res.out)["problems"]]
    assert problems == [("key-unreadable", "client.root.crt")]
    assert "corrupt" in json.loads(res.out)["problems"][0]["message"]
    res = pycert("inspect", "certs/client.root.key", cwd=full_dir)
    assert res.code == 1 and "corrupt" in res.err and "Traceback" not in res.err


def test_a_consistent_key_rewritten_the_same_way_still_passes(full_dir: Path) -> None:
    """The rewriting itself keeps a good key good: only the changed exponent fails above."""
    _rewrite(full_dir / "certs/client.root.key", "none")
    res = pycert("check", "--certs-dir=certs", cwd=full_dir)
    assert res.code == 0, res.out
