"""Just enough DER to read a certificate's expiry date and subject CN, for `list` rows.

cryptography builds a Python object per name attribute for `cert.subject`, which costs
more than the rest of a row; a `list` of 10,000 client certificates needs only these two
fields. The walk accepts the shape ordinary certificates have (single-valued RDNs,
UTF8String or PrintableString values, plain UTCTime/GeneralizedTime) and returns None for
anything else, so the caller falls back to cryptography and prints exactly what it would.
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


def _header(buf: bytes, i: int) -> tuple[int, int, int]:
    """(tag, start, end) of the contents of the DER element at offset i."""
    tag, size = buf[i], buf[i + 1]
    i += 2
    if size & 0x80:
        count = size & 0x7F
        if not 1 <= count <= 3:
            raise ValueError("unsupported DER length")
        size = int.from_bytes(buf[i : i + count], "big")
        i += count
    if i + size > len(buf):
        raise ValueError("truncated DER")
    return tag, i, i + size


def _walk(der: bytes) -> tuple[str, str] | None:
    i = _header(der, 0)[1]  # into Certificate
    i = _header(der, i)[1]  # into TBSCertificate
    if der[i] == 0xA0:  # [0] version
        i = _header(der, i)[2]
    for _ in range(3):  # serialNumber, signature, issuer
        i = _header(der, i)[2]
    _, start, i = _header(der, i)  # validity
    tag, begin, end = _header(der, _header(der, start)[2])  # notAfter
    expires = _date(tag, der[begin:end])
    tag, start, end = _header(der, i)  # subject
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
        tag, start, rdn_end = _header(der, i)
        tag2, start2, atv_end = _header(der, start)
        if tag != 0x31 or tag2 != 0x30 or atv_end != rdn_end:
            return None  # a multi-valued RDN
        oid_end = _header(der, start2)[2]
        value_tag, value_start, value_end = _header(der, oid_end)
        if value_tag not in _STRINGS or value_end != atv_end:
            return None
        value = der[value_start:value_end].decode("utf-8")  # cryptography decodes all
        if not found and der.startswith(_CN_OID, start2):
            cn, found = value, True
        i = rdn_end
    return cn
