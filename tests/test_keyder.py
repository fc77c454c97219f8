"""`check` reads plain RSA keys from their DER (pki/keyder.py): wherever that path gives an
answer it must be cryptography's (same match, same refusal, same message), and for any
other shape it must step aside (None) rather than guess."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pycert.certdir import check
from pycert.pki import keys
from pycert.pki.keyder import rsa_private, rsa_public

DER = serialization.Encoding.DER
NONE = serialization.NoEncryption()
SPKI = serialization.PublicFormat.SubjectPublicKeyInfo
RSA_KEYS = {bits: rsa.generate_private_key(65537, bits) for bits in (1024, 2048, 3072)}
KEY = RSA_KEYS[2048]
OTHER = rsa.generate_private_key(65537, 2048)


def _private(key: rsa.RSAPrivateKey, fmt: serialization.PrivateFormat) -> bytes:
    return key.private_bytes(DER, fmt, NONE)


def _spki(key: object) -> bytes:
    return key.public_key().public_bytes(DER, SPKI)  # type: ignore[attr-defined,no-any-return]


def _slow(der: bytes, spki: bytes) -> bool | str:
    """What `check` answered before this path: cryptography's parse and comparison."""
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    try:
        key = keys.parse_checked(der)
    except ValueError as exc:
        return str(exc)
    return key.public_key().public_bytes(DER, SPKI) == \
        load_der_public_key(spki).public_bytes(DER, SPKI)


def _fast(der: bytes, spki: bytes) -> bool | str | None:
    try:
        return keys.rsa_matches(der, spki)
    except ValueError as exc:
        return str(exc)


@pytest.mark.parametrize("bits", sorted(RSA_KEYS))
@pytest.mark.parametrize("fmt", [serialization.PrivateFormat.TraditionalOpenSSL,
                                 serialization.PrivateFormat.PKCS8])
def test_plain_rsa_keys_read_as_cryptography_reads_them(bits: int,
                                                        fmt: serialization.PrivateFormat) -> None:
    key = RSA_KEYS[bits]
    numbers = key.private_numbers()
    public = numbers.public_numbers
    assert rsa_private(_private(key, fmt)) == (public.n, public.e, numbers.d, numbers.p,
                                               numbers.q, numbers.dmp1, numbers.dmq1,
                                               numbers.iqmp)
    assert rsa_public(_spki(key)) == (public.n, public.e)
    assert keys.rsa_matches(_private(key, fmt), _spki(key)) is True
    assert keys.rsa_matches(_private(key, fmt), _spki(OTHER)) is False


def test_other_key_types_step_aside() -> None:
    pkcs8 = serialization.PrivateFormat.PKCS8
    for other in (ec.generate_private_key(ec.SECP256R1()), ed25519.Ed25519PrivateKey.generate()):
        der = other.private_bytes(DER, pkcs8, NONE)
        assert rsa_private(der) is None
        assert rsa_public(_spki(other)) is None
        assert keys.rsa_matches(der, _spki(KEY)) is None
        assert keys.rsa_matches(_private(KEY, pkcs8), _spki(other)) is None


def _tlv(tag: int, body: bytes) -> bytes:
    size = len(body)
    if size < 0x80:
        return bytes([tag, size]) + body
    raw = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(raw)]) + raw + body


def _ints(*values: int) -> bytes:
    return _tlv(0x30, b"".join(_tlv(0x02, v.to_bytes(v.bit_length() // 8 + 1, "big"))
                               for v in values))


def _fields(key: rsa.RSAPrivateKey) -> list[int]:
    n = key.private_numbers()
    return [0, n.public_numbers.n, n.public_numbers.e, n.d, n.p, n.q, n.dmp1, n.dmq1, n.iqmp]


def test_unusual_shapes_step_aside() -> None:
    pkcs1 = _private(KEY, serialization.PrivateFormat.TraditionalOpenSSL)
    fields = _fields(KEY)
    assert rsa_private(_ints(*fields)) is not None  # the builder makes what cryptography does
    multi_prime = _ints(1, *fields[1:])
    padded = _tlv(0x30, _tlv(0x02, b"\x00\x00\x01") + _ints(*fields)[4:])
    long_length = b"\x30\x83\x00" + pkcs1[2:]  # 3 length bytes where 2 do
    pkcs8 = _private(KEY, serialization.PrivateFormat.PKCS8)
    with_attributes = _tlv(0x30, pkcs8[4:] + _tlv(0xA0, b""))
    for der in (multi_prime, padded, long_length, with_attributes, pkcs1[:-1], pkcs1 + b"\x00",
                _ints(*fields[:-1]), b"", b"\x30"):
        assert rsa_private(der) is None, der[:8].hex()


def test_a_corrupt_key_is_refused_in_cryptography_words() -> None:
    fields = _fields(KEY)
    spki = _spki(KEY)
    wrong_crt = _ints(*fields[:6], fields[6] + 2, *fields[7:])
    d = fields[3] + 2  # CRT values derived from a wrong d: only e*d = 1 fails
    p, q = fields[4], fields[5]
    wrong_d = _ints(*fields[:3], d, p, q, d % (p - 1), d % (q - 1), fields[8])
    for der in (wrong_crt, wrong_d):
        fast = _fast(der, spki)
        assert isinstance(fast, str) and "the key is corrupt" in fast
        assert fast == _slow(der, spki)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_damaged_key_gets_the_slow_paths_answer_or_none(data: st.DataObject) -> None:
    """Flip, drop or insert bytes anywhere in a PKCS#1 or PKCS#8 key: where the DER path
    answers, cryptography's parse answers the same."""
    fmt = data.draw(st.sampled_from([serialization.PrivateFormat.TraditionalOpenSSL,
                                     serialization.PrivateFormat.PKCS8]))
    der = bytearray(_private(KEY, fmt))
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(der) - 1))
        how = data.draw(st.sampled_from(["flip", "drop", "insert"]))
        if how == "flip":
            der[at] ^= data.draw(st.integers(1, 255))
        elif how == "drop":
            del der[at]
        else:
            der.insert(at, data.draw(st.integers(0, 255)))
    fast = _fast(bytes(der), _spki(KEY))
    if fast is not None:
        assert fast == _slow(bytes(der), _spki(KEY))


def test_check_reads_plain_rsa_keys_without_cryptographys_key_loader(tmp_path: Path) -> None:
    """The DER path is the one `check` takes for ordinary RSA keys (a slip that always
    returned None would pass every test above and cost 14 us a key)."""
    bench = Path(__file__).resolve().parent.parent / "bench"
    subprocess.run([sys.executable, str(bench / "gen_certs.py"), str(tmp_path), "20"],
                   check=True)
    loads = 0

    def profile(frame: object, event: str, arg: object) -> None:
        nonlocal loads
        if event == "c_call" and getattr(arg, "__name__", "") == "load_der_private_key":
            loads += 1

    sys.setprofile(profile)
    try:
        result = check.run(check.Options(str(tmp_path)), dt.datetime.now(dt.timezone.utc))
    finally:
        sys.setprofile(None)
    assert result.exit_code == 0, result.problems
    assert loads == 0
