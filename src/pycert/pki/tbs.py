"""The one byte-level read of a certificate: where its signature algorithms, names and
public key sit.

cryptography has no public way to give things Go relies on: the signature algorithm
inside the signed part (Go refuses a certificate whose inner and outer algorithms differ),
the issuer and subject Names exactly as encoded (Go matches an issuer to a subject byte
for byte), and the public key as written (Go wants an RSA key's NULL parameters and an
uncompressed EC point). This reads those slices of a certificate that cryptography has
already parsed, and nothing else; tests/test_go_reading.py holds it equal to
cryptography's answer on every certificate the test suite owns. `element_end` reads one
header more: where the first element of any input ends, so the reader can tell a
certificate followed by junk (Go: "trailing data") from a malformed one.
"""

from __future__ import annotations

from typing import NamedTuple


class Head(NamedTuple):
    inner_algorithm: bytes  # the TBS's signature AlgorithmIdentifier element
    outer_algorithm: bytes  # the Certificate's signatureAlgorithm element
    issuer: bytes  # the issuer Name element, tag and length included
    subject: bytes
    public_key_info: bytes  # the SubjectPublicKeyInfo element
    key_algorithm: bytes  # its AlgorithmIdentifier element, parameters included
    key_oid: str  # that algorithm's OID, dotted


def _element(der: bytes, i: int) -> tuple[int, int]:
    """(start of contents, end of element) of the DER element at offset i."""
    size = der[i + 1]
    if size < 0x80:
        return i + 2, i + 2 + size
    count = size & 0x7F
    start = i + 2 + count
    return start, start + int.from_bytes(der[i + 2 : start], "big")


def head(der: bytes) -> Head:
    """The slices of a certificate that cryptography parsed (its DER is well formed)."""
    i, _ = _element(der, 0)  # into Certificate
    j, tbs_end = _element(der, i)  # into TBSCertificate
    if der[j] == 0xA0:  # [0] EXPLICIT version
        j = _element(der, j)[1]
    j = _element(der, j)[1]  # serialNumber
    inner_start, j = j, _element(der, j)[1]
    issuer_start, j = j, _element(der, j)[1]
    issuer_end = j
    j = _element(der, j)[1]  # validity
    subject_start, j = j, _element(der, j)[1]
    spki_start, spki_end = j, _element(der, j)[1]
    key_start = _element(der, spki_start)[0]
    key_end = _element(der, key_start)[1]
    outer_end = _element(der, tbs_end)[1]
    oid_start, oid_end = _element(der, _element(der, key_start)[0])
    raw_oid = der[oid_start:oid_end]
    return Head(der[inner_start:issuer_start], der[tbs_end:outer_end],
                der[issuer_start:issuer_end], der[subject_start:spki_start],
                der[spki_start:spki_end], der[key_start:key_end],
                _KEY_OIDS.get(raw_oid) or _dotted(raw_oid))


def _dotted(contents: bytes) -> str:
    """An OBJECT IDENTIFIER's contents, dotted: base-128 arcs, the first two folded into
    one (X.690 8.19)."""
    arcs, value = [], 0
    for byte in contents:
        value = value << 7 | byte & 0x7F
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    first = min(arcs[0] // 40, 2)
    return ".".join(map(str, [first, arcs[0] - 40 * first, *arcs[1:]]))


# The key algorithms certificates carry, decoded once (a constant table, not a cache).
_KEY_OIDS = {bytes.fromhex(raw): _dotted(bytes.fromhex(raw)) for raw in (
    "2a864886f70d010101", "2a8648ce3d0201", "2b6570", "2b6571", "2b656e", "2a8648ce380401",
    "2a864886f70d01010a")}  # RSA, EC, Ed25519, Ed448, X25519, DSA, RSASSA-PSS


def element_end(data: bytes) -> int | None:
    """Where the element `data` starts with ends, by its header alone (None: the header is
    cut short or of indefinite length). Go parses that much as the certificate."""
    if len(data) < 2 or data[1] == 0x80 or len(data) < 2 + (data[1] & 0x7F) * (data[1] >> 7):
        return None
    return _element(data, 0)[1]
