"""Just enough DER to read a certificate's subject CN without building cryptography's Name.

`list` shows one CN per client certificate; cryptography's `cert.subject` creates a Python
object per attribute and costs more than the rest of the row. The walk below handles the
shape every cockroach-style certificate has and returns None for anything else, so callers
fall back to cryptography and the output never differs.
"""

from __future__ import annotations

_CN_OID = b"\x06\x03\x55\x04\x03"  # OID 2.5.4.3, commonName
_SEQUENCE, _SET = 0x30, 0x31
_UTF8, _PRINTABLE = 0x0C, 0x13
_PRINTABLE_CHARS = frozenset(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 '()+,-./:=?"
)


def _header(buf: bytes, i: int) -> tuple[int, int, int]:
    """(tag, start of contents, end of contents) of the element at i; ValueError if odd."""
    tag, size = buf[i], buf[i + 1]
    i += 2
    if size & 0x80:
        count = size & 0x7F
        if not 1 <= count <= 3:
            raise ValueError("unsupported length")
        size = int.from_bytes(buf[i : i + count], "big")
        i += count
    if i + size > len(buf):
        raise ValueError("truncated")
    return tag, i, i + size


def subject_cn(tbs: bytes) -> str | None:
    """The first CN of a TBSCertificate's subject ("" if none), or None to fall back."""
    try:
        return _subject_cn(tbs)
    except (IndexError, ValueError):
        return None


def _subject_cn(tbs: bytes) -> str | None:
    tag, i, end = _header(tbs, 0)
    if tag != _SEQUENCE:
        return None
    if tbs[i] == 0xA0:  # [0] version
        i = _header(tbs, i)[2]
    for _ in range(4):  # serialNumber, signature, issuer, validity
        i = _header(tbs, i)[2]
    tag, i, end = _header(tbs, i)  # subject
    if tag != _SEQUENCE:
        return None
    cn = ""
    while i < end:
        tag, start, rdn_end = _header(tbs, i)
        tag2, start2, atv_end = _header(tbs, start)
        if tag != _SET or tag2 != _SEQUENCE or atv_end != rdn_end:
            return None  # multi-valued RDN: leave the ordering rules to cryptography
        if not cn and tbs.startswith(_CN_OID, start2):
            value = _string(tbs, start2 + len(_CN_OID), atv_end)
            if value is None:
                return None
            cn = value
        i = rdn_end
    return cn


def _string(buf: bytes, i: int, end: int) -> str | None:
    tag, start, stop = _header(buf, i)
    if stop != end:
        return None
    raw = buf[start:stop]
    if tag == _PRINTABLE and _PRINTABLE_CHARS.issuperset(raw):
        return raw.decode("ascii")
    if tag == _UTF8:
        return raw.decode("utf-8")  # UnicodeDecodeError is a ValueError: fall back
    return None
