"""Just enough DER to read a certificate's fields without cryptography's Python objects:
the TLV readers, and the walk behind `list` rows (whole certificates: `pki.certder`).

cryptography builds a Python object per name attribute for `cert.subject` and per
extension, which costs more than the rest of a `list` row or a JSON record; 10,000 client
certificates need only a few fields each. The walks accept the shape ordinary
certificates have (single-valued RDNs, UTF8String or PrintableString values, plain
UTCTime/GeneralizedTime, the usual extensions and keys) and return None for anything
else, so the caller falls back to cryptography and prints exactly what it would.
"""

from __future__ import annotations

_CN_OID = b"\x06\x03\x55\x04\x03"  # 2.5.4.3, commonName
_STRINGS = (0x0C, 0x13)  # UTF8String, PrintableString


def expiry_and_cn(cert: bytes) -> tuple[str, str] | None:
    """(`YYYY/MM/DD` of NotAfter, first CN or ""), or None: use cryptography instead."""
    try:
        return _walk(cert)
    except (IndexError, ValueError):  # UnicodeDecodeError is a ValueError
        return None


def header(buf: bytes, i: int) -> tuple[int, int, int]:
    """(tag, start, end) of the contents of the DER element at offset i."""
    tag, size = buf[i], buf[i + 1]
    i += 2
    if size < 0x80:  # the short form: most elements
        if i + size > len(buf):
            raise ValueError("truncated DER")
        return tag, i, i + size
    if size & 0x80:
        count = size & 0x7F
        if not 1 <= count <= 3:
            raise ValueError("unsupported DER length")
        size = int.from_bytes(buf[i : i + count], "big")
        i += count
    if i + size > len(buf):
        raise ValueError("truncated DER")
    return tag, i, i + size


def span(buf: bytes, i: int) -> tuple[int, int]:
    """(start, end) of the contents of the element at i; `header` without the tag and the
    bounds checks, for walks over a certificate whose DER already parsed (the callers
    check the ends that matter): about half its cost, times ~25 elements a certificate."""
    size = buf[i + 1]
    if size < 0x80:
        return i + 2, i + 2 + size
    if size == 0x82:
        return i + 4, i + 4 + (buf[i + 2] << 8 | buf[i + 3])
    if size == 0x81:
        return i + 3, i + 3 + buf[i + 2]
    return header(buf, i)[1:]


def end_of(buf: bytes, i: int) -> int:
    """Where the element at i ends (see `span`)."""
    size = buf[i + 1]
    if size < 0x80:
        return i + 2 + size
    if size == 0x82:
        return i + 4 + (buf[i + 2] << 8 | buf[i + 3])
    return header(buf, i)[2]


def _walk(der: bytes) -> tuple[str, str] | None:
    i = header(der, 0)[1]  # into Certificate
    i = header(der, i)[1]  # into TBSCertificate
    if der[i] == 0xA0:  # [0] version
        i = header(der, i)[2]
    for _ in range(3):  # serialNumber, signature, issuer
        i = header(der, i)[2]
    _, start, i = header(der, i)  # validity
    tag, begin, end = header(der, header(der, start)[2])  # notAfter
    expires = _date(tag, der[begin:end])
    tag, start, end = header(der, i)  # subject
    cn = _common_name(der, start, end) if tag == 0x30 else None
    return None if expires is None or cn is None else (expires, cn)


def _date(tag: int, text: bytes) -> str | None:
    if tag == 0x17 and len(text) == 13 and text[:12].isdigit() and text.endswith(b"Z"):
        year = int(text[:2])
        year += 1900 if year >= 50 else 2000  # RFC 5280's UTCTime window
        month, day = text[2:4], text[4:6]
    elif tag == 0x18 and len(text) == 15 and text[:14].isdigit() and text.endswith(b"Z"):
        year, month, day = int(text[:4]), text[4:6], text[6:8]
    else:
        return None
    return f"{year:04d}/{month.decode()}/{day.decode()}"


def _common_name(der: bytes, i: int, end: int) -> str | None:
    """First CN of a Name; None if any RDN or value is of a kind left to cryptography."""
    cn = ""
    found = False
    while i < end:
        tag, start, rdn_end = header(der, i)
        tag2, start2, atv_end = header(der, start)
        if tag != 0x31 or tag2 != 0x30 or atv_end != rdn_end:
            return None  # a multi-valued RDN
        oid_end = header(der, start2)[2]
        value_tag, value_start, value_end = header(der, oid_end)
        if value_tag not in _STRINGS or value_end != atv_end:
            return None
        value = der[value_start:value_end].decode("utf-8")  # cryptography decodes all
        if not found and der.startswith(_CN_OID, start2):
            cn, found = value, True
        i = rdn_end
    return cn


def children(der: bytes) -> list[tuple[int, bytes]]:
    """(tag, contents) of each element inside the one constructed element `der` is."""
    _, i, end = header(der, 0)
    return _elements(der, i, end)


def _elements(buf: bytes, i: int, end: int) -> list[tuple[int, bytes]]:
    out = []
    while i < end:
        tag, s, i = header(buf, i)
        out.append((tag, buf[s:i]))
    if i != end:
        raise ValueError("element overruns its parent")
    return out


def time_text(when: tuple[int, bytes]) -> tuple[int, int, int, int, int, int] | None:
    """(year, month, day, hour, minute, second) of a plain UTCTime/GeneralizedTime ...Z."""
    tag, text = when
    digits = 12 if tag == 0x17 else 14 if tag == 0x18 else 0
    if not digits or len(text) != digits + 1 or text[digits] != 0x5A \
            or not text[:digits].isdigit():
        return None
    rest = int(text[:digits])  # [YY]YYMMDDhhmmss, taken apart by divmod: one int() for six
    rest, second = divmod(rest, 100)
    rest, minute = divmod(rest, 100)
    rest, hour = divmod(rest, 100)
    rest, day = divmod(rest, 100)
    year, month = divmod(rest, 100)
    if digits == 12:
        year += 1900 if year >= 50 else 2000  # RFC 5280's UTCTime window
    return year, month, day, hour, minute, second


def oid_text(contents: bytes) -> str | None:
    """Dotted form of an OBJECT IDENTIFIER's contents; None if not minimally encoded."""
    if not contents or contents[-1] & 0x80:
        return None
    arcs: list[int] = []
    value = 0
    for i, byte in enumerate(contents):
        if byte == 0x80 and (i == 0 or not contents[i - 1] & 0x80):
            return None  # an arc starting with 0x80 is padded: not DER
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    first = min(arcs[0] // 40, 2)
    return ".".join(map(str, [first, arcs[0] - 40 * first, *arcs[1:]]))
