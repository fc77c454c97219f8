"""Just enough DER to read a certificate's fields without cryptography's Python objects.

cryptography builds a Python object per name attribute for `cert.subject` and per
extension, which costs more than the rest of a `list` row or a JSON record; 10,000 client
certificates need only a few fields each. The walks accept the shape ordinary
certificates have (single-valued RDNs, UTF8String or PrintableString values, plain
UTCTime/GeneralizedTime, the usual extensions and keys) and return None for anything
else, so the caller falls back to cryptography and prints exactly what it would.
"""

from __future__ import annotations

from typing import NamedTuple

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


# --- a whole certificate, for records (`list --format=json`, `check`, `inspect`) ---------

class Outline(NamedTuple):
    """A certificate's parts as DER slices: enough to index, verify and describe it."""

    tbs: bytes  # the signed bytes, exactly as the issuer signed them
    serial: bytes  # INTEGER contents
    issuer: bytes  # the whole Name element, tag included: compared byte for byte
    not_before: tuple[int, bytes]  # (tag, text) of the Time
    not_after: tuple[int, bytes]
    subject: bytes
    spki: bytes  # the whole SubjectPublicKeyInfo element
    extensions: dict[bytes, bytes] | None  # OID contents -> extnValue contents; None: unusual
    signature_algorithm: bytes  # the outer AlgorithmIdentifier element
    signature: bytes  # BIT STRING contents after the unused-bits byte


def outline(der: bytes) -> Outline | None:
    """The parts of a certificate, or None when its shape is not an ordinary one."""
    try:
        return _outline(der)
    except (IndexError, ValueError):
        return None


class Signing(NamedTuple):
    """What indexing a certificate among its peers needs, and no more."""

    issuer: bytes
    subject: bytes
    not_before: tuple[int, bytes]
    not_after: tuple[int, bytes]


def signing(der: bytes) -> Signing | None:
    """Issuer and subject names (whole elements) and validity, or None when unusual."""
    try:
        found = _head(der)
    except (IndexError, ValueError):
        return None
    return None if found is None else found[0]


def _span(buf: bytes, i: int) -> tuple[int, int]:
    """(start, end) of the contents of the element at i; `_header` without the tag and the
    bounds checks, for walks over a certificate whose DER already parsed (the callers
    check the ends that matter): about half its cost, times ~25 elements a certificate."""
    size = buf[i + 1]
    if size < 0x80:
        return i + 2, i + 2 + size
    if size == 0x82:
        return i + 4, i + 4 + (buf[i + 2] << 8 | buf[i + 3])
    if size == 0x81:
        return i + 3, i + 3 + buf[i + 2]
    return _header(buf, i)[1:]


def _end(buf: bytes, i: int) -> int:
    """Where the element at i ends (see `_span`)."""
    size = buf[i + 1]
    if size < 0x80:
        return i + 2 + size
    if size == 0x82:
        return i + 4 + (buf[i + 2] << 8 | buf[i + 3])
    return _header(buf, i)[2]


def _head(der: bytes) -> tuple[Signing, bytes, int, int, int, int] | None:
    """The TBS up to the subject: (names and validity, serial, offset after the subject,
    offset of the TBS, its end, the certificate's end)."""
    i, end = _span(der, 0)
    if der[0] != 0x30 or end != len(der):
        return None
    j, tbs_end = _span(der, i)
    if der[j] == 0xA0:  # [0] version
        j = _end(der, j)
    if der[j] != 0x02:
        return None
    s, j = _span(der, j)
    serial = der[s:j]
    issuer_start = _end(der, j)  # after the signature AlgorithmIdentifier (repeated outside)
    j = _end(der, issuer_start)
    issuer = der[issuer_start:j]
    s, subject_start = _span(der, j)  # validity
    b1, e1 = _span(der, s)
    b2, e2 = _span(der, e1)
    j = _end(der, subject_start)
    if j > tbs_end or e2 != subject_start:
        return None
    found = Signing(issuer, der[subject_start:j], (der[s], der[b1:e1]), (der[e1], der[b2:e2]))
    return found, serial, j, i, tbs_end, end


def _outline(der: bytes) -> Outline | None:
    head = _head(der)
    if head is None:
        return None
    names, serial, j, i, tbs_end, end = head
    spki_start = j
    j = _end(der, j)
    spki = der[spki_start:j]
    extensions: dict[bytes, bytes] | None = {}
    while j < tbs_end:  # [1], [2] unique IDs, [3] extensions
        tag = der[j]
        s, j = _span(der, j)
        if tag == 0xA3:
            extensions = _extensions(der, s, j)
    s, k = _span(der, tbs_end)  # the outer AlgorithmIdentifier
    alg = der[tbs_end:k]
    tag = der[k]
    s, k = _span(der, k)
    if tag != 0x03 or der[s] != 0 or k != end or j != tbs_end:
        return None
    return Outline(der[i:tbs_end], serial, names.issuer, names.not_before, names.not_after,
                   names.subject, spki, extensions, alg, der[s + 1 : k])


def _extensions(der: bytes, i: int, end: int) -> dict[bytes, bytes] | None:
    """OID -> value of each extension; None for a duplicate (cryptography refuses those)."""
    i, end = _span(der, i)
    found: dict[bytes, bytes] = {}
    while i < end:
        s, i = _span(der, i)
        o, s = _span(der, s)
        oid = der[o:s]
        if der[s] == 0x01:  # critical BOOLEAN
            s = _end(der, s)
        if der[s] != 0x04 or oid in found:
            return None
        v, e = _span(der, s)
        if e != i:
            return None
        found[oid] = der[v:e]
    return found if i == end else None


def children(der: bytes) -> list[tuple[int, bytes]]:
    """(tag, contents) of each element inside the one constructed element `der` is."""
    _, i, end = _header(der, 0)
    return _elements(der, i, end)


def _elements(buf: bytes, i: int, end: int) -> list[tuple[int, bytes]]:
    out = []
    while i < end:
        tag, s, i = _header(buf, i)
        out.append((tag, buf[s:i]))
    if i != end:
        raise ValueError("element overruns its parent")
    return out


_NAME_FIELDS = {b"\x55\x04\x03": "cn", b"\x55\x04\x0a": "o", b"\x55\x04\x0b": "ou"}


def name_fields(name: bytes) -> dict[str, list[str]] | None:
    """Every CN, O and OU value of a Name in order; None if any RDN or value is unusual."""
    try:
        return _name_fields(name)
    except (IndexError, ValueError):
        return None


def _name_fields(name: bytes) -> dict[str, list[str]] | None:
    out: dict[str, list[str]] = {"cn": [], "o": [], "ou": []}
    i, end = _span(name, 0)
    if name[0] != 0x30 or end != len(name):
        return None
    while i < end:
        start, rdn_end = _span(name, i)
        oid_at, atv_end = _span(name, start)
        if name[i] != 0x31 or name[start] != 0x30 or atv_end != rdn_end:
            return None  # a multi-valued RDN
        oid_start, value_at = _span(name, oid_at)
        value_start, value_end = _span(name, value_at)
        if name[oid_at] != 0x06 or value_end != atv_end:
            return None
        raw = name[value_start:value_end]
        value_tag = name[value_at]
        if value_tag == 0x0C:
            value = raw.decode("utf-8")
        elif value_tag == 0x13 and raw.isascii():
            value = raw.decode("ascii")
        else:
            return None
        key = _NAME_FIELDS.get(name[oid_start:value_at])
        if key is not None:
            out[key].append(value)
        i = rdn_end
    return out if i == end else None


def time_text(when: tuple[int, bytes]) -> tuple[int, int, int, int, int, int] | None:
    """(year, month, day, hour, minute, second) of a plain UTCTime/GeneralizedTime ...Z."""
    tag, text = when
    if tag == 0x17 and len(text) == 13 and text[12] == 0x5A and text[:12].isdigit():
        rest = int(text[:12])  # YYMMDDhhmmss, taken apart by divmod: one int() for six
        rest, second = divmod(rest, 100)
        rest, minute = divmod(rest, 100)
        rest, hour = divmod(rest, 100)
        rest, day = divmod(rest, 100)
        year, month = divmod(rest, 100)
        year += 1900 if year >= 50 else 2000  # RFC 5280's UTCTime window
    elif tag == 0x18 and len(text) == 15 and text[14] == 0x5A and text[:14].isdigit():
        rest = int(text[:14])
        rest, second = divmod(rest, 100)
        rest, minute = divmod(rest, 100)
        rest, hour = divmod(rest, 100)
        rest, day = divmod(rest, 100)
        year, month = divmod(rest, 100)
    else:
        return None
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


_DNS, _URI, _IP = 0x82, 0x86, 0x87  # GeneralName [2], [6], [7], primitive


def san_values(value: bytes) -> tuple[list[str], list[bytes], list[str]] | None:
    """(DNS names, IP addresses as bytes, URIs) of a SubjectAlternativeName, in order;
    None when it holds any other kind of name or a non-ASCII string."""
    try:
        dns: list[str] = []
        ips: list[bytes] = []
        uris: list[str] = []
        for tag, raw in children(value):
            if tag == _IP and len(raw) in (4, 16):
                ips.append(raw)
            elif tag in (_DNS, _URI) and raw.isascii():
                (dns if tag == _DNS else uris).append(raw.decode("ascii"))
            else:
                return None
        return dns, ips, uris
    except (IndexError, ValueError):
        return None


_EKU = {b"\x2b\x06\x01\x05\x05\x07\x03\x01": "serverAuth",
        b"\x2b\x06\x01\x05\x05\x07\x03\x02": "clientAuth"}


def eku_values(value: bytes) -> list[str] | None:
    """`serverAuth`, `clientAuth` or the dotted OID of each ExtendedKeyUsage purpose."""
    try:
        out = []
        for tag, raw in children(value):
            name = _EKU.get(raw) or (oid_text(raw) if tag == 0x06 else None)
            if name is None:
                return None
            out.append(name)
        return out
    except (IndexError, ValueError):
        return None


def basic_constraints_ca(value: bytes) -> bool | None:
    """The cA flag of a BasicConstraints value (DER omits it when false)."""
    try:
        parts = children(value)
    except (IndexError, ValueError):
        return None
    if parts and parts[0][0] == 0x01:
        return parts[0][1] == b"\xff" if parts[0][1] in (b"\xff", b"\x00") else None
    return False if all(tag == 0x02 for tag, _ in parts) else None


_RSA = b"\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01"
_EC = b"\x2a\x86\x48\xce\x3d\x02\x01"
_CURVES = {b"\x2a\x86\x48\xce\x3d\x03\x01\x07": ("secp256r1", 256),
           b"\x2b\x81\x04\x00\x22": ("secp384r1", 384),
           b"\x2b\x81\x04\x00\x23": ("secp521r1", 521)}
_EDWARDS = {b"\x2b\x65\x70": ("Ed25519", 256), b"\x2b\x65\x71": ("Ed448", 456)}


def key_values(spki: bytes) -> tuple[str, int, str | None] | None:
    """(type, size, curve) of a SubjectPublicKeyInfo for RSA, the NIST curves and EdDSA."""
    try:
        i, end = _span(spki, 0)
        alg_start, alg_end = _span(spki, i)
        key_start, key_end = _span(spki, alg_end)
        oid_start, oid_end = _span(spki, alg_start)
        if spki[0] != 0x30 or spki[i] != 0x30 or spki[alg_end] != 0x03 \
                or spki[alg_start] != 0x06 or key_end != end or end != len(spki) \
                or spki[key_start] != 0:
            return None
        oid = spki[oid_start:oid_end]
        if oid == _RSA:
            n_at = _span(spki, key_start + 1)[0]
            n_start, n_end = _span(spki, n_at)
            if spki[key_start + 1] != 0x30 or spki[n_at] != 0x02 or n_end == n_start \
                    or spki[n_start] & 0x80:
                return None
            return "RSA", int.from_bytes(spki[n_start:n_end], "big").bit_length(), None
        params = spki[oid_end:alg_end]
        if oid == _EC and params[:1] == b"\x06" and params[1] == len(params) - 2 \
                and params[2:] in _CURVES:
            curve, size = _CURVES[params[2:]]
            return "ECDSA", size, curve
        if oid in _EDWARDS and not params:
            return (*_EDWARDS[oid], None)
        return None
    except (IndexError, ValueError):
        return None
