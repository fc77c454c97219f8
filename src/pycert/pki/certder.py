"""A certificate's parts and ordinary fields read from its DER, for records and checks.

`pki.view` asks here first and falls back to cryptography whenever a walk returns None:
these walks accept only the shapes ordinary certificates have (see `pki.der`).
"""

from __future__ import annotations

from typing import NamedTuple

from pycert.pki.der import children, end_of, oid_text, span


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


_NAME_FIELDS = {b"\x55\x04\x03": "cn", b"\x55\x04\x0a": "o", b"\x55\x04\x0b": "ou"}


def _head(der: bytes) -> tuple[Signing, bytes, int, int, int, int] | None:
    """The TBS up to the subject: (names and validity, serial, offset after the subject,
    offset of the TBS, its end, the certificate's end)."""
    i, end = span(der, 0)
    if der[0] != 0x30 or end != len(der):
        return None
    j, tbs_end = span(der, i)
    if der[j] == 0xA0:  # [0] version
        j = end_of(der, j)
    if der[j] != 0x02:
        return None
    s, j = span(der, j)
    serial = der[s:j]
    issuer_start = end_of(der, j)  # after the signature AlgorithmIdentifier (repeated outside)
    j = end_of(der, issuer_start)
    issuer = der[issuer_start:j]
    s, subject_start = span(der, j)  # validity
    b1, e1 = span(der, s)
    b2, e2 = span(der, e1)
    j = end_of(der, subject_start)
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
    j = end_of(der, j)
    spki = der[spki_start:j]
    extensions: dict[bytes, bytes] | None = {}
    while j < tbs_end:  # [1], [2] unique IDs, [3] extensions
        tag = der[j]
        s, j = span(der, j)
        if tag == 0xA3:
            extensions = _extensions(der, s, j)
    s, k = span(der, tbs_end)  # the outer AlgorithmIdentifier
    alg = der[tbs_end:k]
    tag = der[k]
    s, k = span(der, k)
    if tag != 0x03 or der[s] != 0 or k != end or j != tbs_end:
        return None
    return Outline(der[i:tbs_end], serial, names.issuer, names.not_before, names.not_after,
                   names.subject, spki, extensions, alg, der[s + 1 : k])


def _extensions(der: bytes, i: int, end: int) -> dict[bytes, bytes] | None:
    """OID -> value of each extension; None for a duplicate (cryptography refuses those)."""
    i, end = span(der, i)
    found: dict[bytes, bytes] = {}
    while i < end:
        s, i = span(der, i)
        o, s = span(der, s)
        oid = der[o:s]
        if der[s] == 0x01:  # critical BOOLEAN
            s = end_of(der, s)
        if der[s] != 0x04 or oid in found:
            return None
        v, e = span(der, s)
        if e != i:
            return None
        found[oid] = der[v:e]
    return found if i == end else None


def name_fields(name: bytes) -> dict[str, list[str]] | None:
    """Every CN, O and OU value of a Name in order; None if any RDN or value is unusual."""
    try:
        return _name_fields(name)
    except (IndexError, ValueError):
        return None


def _name_fields(name: bytes) -> dict[str, list[str]] | None:
    out: dict[str, list[str]] = {"cn": [], "o": [], "ou": []}
    i, end = span(name, 0)
    if name[0] != 0x30 or end != len(name):
        return None
    while i < end:
        start, rdn_end = span(name, i)
        oid_at, atv_end = span(name, start)
        if name[i] != 0x31 or name[start] != 0x30 or atv_end != rdn_end:
            return None  # a multi-valued RDN
        oid_start, value_at = span(name, oid_at)
        value_start, value_end = span(name, value_at)
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
        i, end = span(spki, 0)
        alg_start, alg_end = span(spki, i)
        key_start, key_end = span(spki, alg_end)
        oid_start, oid_end = span(spki, alg_start)
        if spki[0] != 0x30 or spki[i] != 0x30 or spki[alg_end] != 0x03 \
                or spki[alg_start] != 0x06 or key_end != end or end != len(spki) \
                or spki[key_start] != 0:
            return None
        oid = spki[oid_start:oid_end]
        if oid == _RSA:
            n_at = span(spki, key_start + 1)[0]
            n_start, n_end = span(spki, n_at)
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
