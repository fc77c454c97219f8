"""The one byte-level read of a certificate: where its signature algorithms and names sit.

cryptography has no public way to give two things Go relies on: the signature algorithm
inside the signed part (Go refuses a certificate whose inner and outer algorithms differ)
and the issuer and subject Names exactly as encoded (Go matches an issuer to a subject
byte for byte). This reads those slices of a certificate that cryptography has already
parsed, and nothing else; tests/test_reading.py holds it equal to cryptography's answer
on every certificate the test suite owns.
"""

from __future__ import annotations

from typing import NamedTuple


class Head(NamedTuple):
    inner_algorithm: bytes  # the TBS's signature AlgorithmIdentifier element
    outer_algorithm: bytes  # the Certificate's signatureAlgorithm element
    issuer: bytes  # the issuer Name element, tag and length included
    subject: bytes


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
    outer_end = _element(der, tbs_end)[1]
    return Head(der[inner_start:issuer_start], der[tbs_end:outer_end],
                der[issuer_start:issuer_end], der[subject_start:j])
