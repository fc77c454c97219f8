"""An RSA key's integers read straight from strict DER, for `check` over thousands of keys.

Whether a key file is sound and belongs to its certificate is a question of a few
integers. Through cryptography, that is a key load, a copy of its numbers and two
re-encodings (~40 us a key); reading the integers here costs a few. Only the plain
shapes are read (two-prime PKCS#1, PKCS#8 without attributes, an RSA SubjectPublicKeyInfo
with NULL parameters, minimal positive INTEGERs); anything else gives None, and the
caller asks cryptography.
"""

from __future__ import annotations

from pycert.pki.der import header

_RSA_ALGORITHM = bytes.fromhex("300d06092a864886f70d0101010500")  # rsaEncryption, NULL
RsaPrivate = tuple[int, int, int, int, int, int, int, int]  # n e d p q dP dQ qInv


def rsa_private(der: bytes) -> RsaPrivate | None:
    """(n, e, d, p, q, dP, dQ, qInv) of a PKCS#1 or PKCS#8 RSA private key."""
    try:
        return _private(der)
    except (IndexError, ValueError):
        return None


def rsa_public(spki: bytes) -> tuple[int, int] | None:
    """(n, e) of an RSA SubjectPublicKeyInfo."""
    try:
        tag, i, end = _tlv(spki, 0)
        if tag != 0x30 or end != len(spki) or not spki.startswith(_RSA_ALGORITHM, i):
            return None
        tag, start, stop = _tlv(spki, i + len(_RSA_ALGORITHM))
        if tag != 0x03 or stop != end or spki[start] != 0:
            return None
        found = _sequence_of_ints(spki[start + 1 : stop], 2)
    except (IndexError, ValueError):
        return None
    return None if found is None else (found[0], found[1])


def _tlv(buf: bytes, i: int) -> tuple[int, int, int]:
    """`header`, refusing a length in more bytes than it needs (DER, as Go demands)."""
    tag, start, end = header(buf, i)
    if buf[i + 1] & 0x80 and (end - start < 0x80 or buf[i + 2] == 0):
        raise ValueError("non-minimal DER length")
    return tag, start, end


def _private(der: bytes) -> RsaPrivate | None:
    tag, i, end = _tlv(der, 0)
    if tag != 0x30 or end != len(der):
        return None
    if der.startswith(b"\x02\x01\x00" + _RSA_ALGORITHM, i):  # PKCS#8, version 0
        tag, start, stop = _tlv(der, i + 3 + len(_RSA_ALGORITHM))
        if tag != 0x04 or stop != end:  # attributes, or anything after the key
            return None
        der = der[start:stop]
    found = _sequence_of_ints(der, 9)
    if found is None or found[0] != 0:  # version 0: two primes
        return None
    n, e, d, p, q, dp, dq, qinv = found[1:]
    return n, e, d, p, q, dp, dq, qinv


def _sequence_of_ints(der: bytes, count: int) -> list[int] | None:
    """The values of a SEQUENCE of exactly `count` minimal, non-negative INTEGERs (each
    header read inline: a key's nine integers are most of this path's cost)."""
    tag, i, end = _tlv(der, 0)
    if tag != 0x30 or end != len(der):
        return None
    out = []
    while i < end:
        size = der[i + 1]
        if der[i] != 0x02:
            return None
        if size < 0x80:
            start = i + 2
        elif size == 0x81 and der[i + 2] >= 0x80:
            start, size = i + 3, der[i + 2]
        elif size == 0x82 and der[i + 2]:
            start, size = i + 4, der[i + 2] << 8 | der[i + 3]
        else:
            return None  # a non-minimal or (for a key) absurd length
        i = start + size
        if i > end or not size or der[start] & 0x80 \
                or (der[start] == 0 and size > 1 and not der[start + 1] & 0x80):
            return None  # overruns the key, empty, negative, or not minimally encoded
        out.append(int.from_bytes(der[start:i], "big"))
    return out if len(out) == count else None
