"""Malformed and odd certificates, built byte by byte, to hold pycert's reader to Go's.

A small DER encoder (here in tests only: pycert itself never writes DER by hand) and a
corpus of `Case`s. Each case is a well-formed v3 certificate with one thing changed: a
wrong tag, trailing junk, a bad string or date, an odd extension, an unusual key. `build`
turns a case into DER, signed for real by the corpus's own Ed25519 key or by any
`cryptography` CA (`Signer.of(ca_cert, ca_key)`), so a test can drop a case into a certs
dir as `client.<user>.crt` signed by that dir's CA: the TBS is hand-built, the signature
is not.

tests/test_go_reading.py reads every case with pycert.pki.reading and with Go's
x509.ParseCertificate (tests/interop/go/x509read) and holds the two equal.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Union

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, padding, rsa, x25519

# --- DER, by hand ---------------------------------------------------------------------

SEQ, SET, INT, BOOL, BITS, OCTETS, NULL_TAG, OID = 0x30, 0x31, 0x02, 0x01, 0x03, 0x04, 0x05, 0x06
UTF8, NUMERIC, PRINTABLE, T61, IA5, VISIBLE, UNIVERSAL, BMP = 0x0C, 0x12, 0x13, 0x14, 0x16, 0x1A, 0x1C, 0x1E
UTC, GENERALIZED = 0x17, 0x18


def length(n: int) -> bytes:
    """The minimal DER length octets of n."""
    if n < 0x80:
        return bytes([n])
    octets = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(octets)]) + octets


def long_length(n: int, octets: int) -> bytes:
    """n in the long form with `octets` length octets: non-minimal where DER wants less."""
    return bytes([0x80 | octets]) + n.to_bytes(octets, "big")


def tlv(tag: int, content: bytes = b"", size: bytes | None = None) -> bytes:
    """One element; `size` overrides the length octets (non-minimal, wrong)."""
    return bytes([tag]) + (length(len(content)) if size is None else size) + content


def indefinite(tag: int, content: bytes) -> bytes:
    """A constructed element in BER's indefinite-length form (never DER)."""
    return bytes([tag, 0x80]) + content + b"\0\0"


def seq(*items: bytes) -> bytes:
    return tlv(SEQ, b"".join(items))


def set_(*items: bytes) -> bytes:
    return tlv(SET, b"".join(items))


def integer(n: int) -> bytes:
    """A minimal two's-complement INTEGER."""
    return tlv(INT, n.to_bytes((n + (n < 0)).bit_length() // 8 + 1, "big", signed=True))


def boolean(value: bool | int) -> bytes:
    """BOOLEAN; an int gives that content octet as is (DER wants 0x00 or 0xFF)."""
    octet = value if isinstance(value, int) and not isinstance(value, bool) else 0xFF * value
    return tlv(BOOL, bytes([octet]))


def null() -> bytes:
    return tlv(NULL_TAG)


def octets(content: bytes) -> bytes:
    return tlv(OCTETS, content)


def bits(content: bytes, unused: int = 0) -> bytes:
    return tlv(BITS, bytes([unused]) + content)


def oid_content(dotted: str) -> bytes:
    arcs = [int(a) for a in dotted.split(".")]
    out = bytearray()
    for arc in [arcs[0] * 40 + arcs[1], *arcs[2:]]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        out += bytes(reversed(chunk))
    return bytes(out)


def oid(dotted: str) -> bytes:
    return tlv(OID, oid_content(dotted))


def explicit(n: int, inner: bytes) -> bytes:
    """[n] EXPLICIT (context-specific, constructed)."""
    return tlv(0xA0 | n, inner)


# --- X.509 pieces ---------------------------------------------------------------------

CN_OID, O_OID, OU_OID = "2.5.4.3", "2.5.4.10", "2.5.4.11"
KU_OID, SAN_OID, BC_OID, EKU_OID = "2.5.29.15", "2.5.29.17", "2.5.29.19", "2.5.29.37"
SERVER_AUTH, CLIENT_AUTH = "1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"
RSA_OID, EC_OID, ED25519_OID = "1.2.840.113549.1.1.1", "1.2.840.10045.2.1", "1.3.101.112"
SHA256_RSA = seq(oid("1.2.840.113549.1.1.11"), null())
ECDSA_SHA256 = seq(oid("1.2.840.10045.4.3.2"))
ED25519_ALG = seq(oid(ED25519_OID))


def atv(attr_oid: str, value: bytes) -> bytes:
    """An AttributeTypeAndValue; `value` is the whole value element."""
    return seq(oid(attr_oid), value)


def text(value: str | bytes, tag: int = UTF8) -> bytes:
    """A string element: str is UTF-8 encoded (or UTF-16 for BMPString), bytes taken as is."""
    if isinstance(value, str):
        value = value.encode("utf-16-be" if tag == BMP else "utf-8")
    return tlv(tag, value)


def rdn(*attributes: bytes) -> bytes:
    return set_(*attributes)


def name(*pairs: tuple[str, str | bytes] | tuple[str, str | bytes, int]) -> bytes:
    """A Name of single-valued RDNs: ("2.5.4.3", "root") or (oid, value, string tag)."""
    rdns = []
    for pair in pairs:
        tag = pair[2] if len(pair) == 3 else UTF8
        rdns.append(rdn(atv(pair[0], text(pair[1], tag))))
    return seq(*rdns)


def cn(value: str | bytes, tag: int = UTF8) -> bytes:
    """A subject O=Cockroach, CN=value with the CN in the given string type."""
    return name((O_OID, "Cockroach"), (CN_OID, value, tag))


def extension(ext_oid: str, value: bytes, critical: bytes = b"") -> bytes:
    """An Extension: `value` goes into the OCTET STRING; `critical` is a BOOLEAN element."""
    return seq(oid(ext_oid), critical, octets(value))


def dns(value: str | bytes) -> bytes:
    return tlv(0x82, value.encode() if isinstance(value, str) else value)


def uri(value: str | bytes) -> bytes:
    return tlv(0x86, value.encode() if isinstance(value, str) else value)


def email(value: str | bytes) -> bytes:
    return tlv(0x81, value.encode() if isinstance(value, str) else value)


def ip(packed: bytes) -> bytes:
    return tlv(0x87, packed)


def san(*general_names: bytes, critical: bytes = b"") -> bytes:
    return extension(SAN_OID, seq(*general_names), critical)


def eku(*usages: str) -> bytes:
    return extension(EKU_OID, seq(*(oid(u) for u in usages)))


def basic_constraints(*items: bytes, critical: bytes = b"") -> bytes:
    return extension(BC_OID, seq(*items), critical)


def key_usage(content: bytes, unused: int) -> bytes:
    return extension(KU_OID, bits(content, unused), critical=boolean(True))


def validity(not_before: bytes, not_after: bytes) -> bytes:
    return seq(not_before, not_after)


def utc(value: str) -> bytes:
    return tlv(UTC, value.encode())


def generalized(value: str) -> bytes:
    return tlv(GENERALIZED, value.encode())


def rsa_spki(n: int, e: int = 65537, params: bytes | None = None) -> bytes:
    """An RSA SubjectPublicKeyInfo; params default to the NULL RFC 3279 asks for."""
    algorithm = seq(oid(RSA_OID), null() if params is None else params)
    return seq(algorithm, bits(seq(integer(n), integer(e))))


def ec_spki(curve_oid: str, point: bytes) -> bytes:
    return seq(seq(oid(EC_OID), oid(curve_oid)), bits(point))


def spki_of(key: object) -> bytes:
    """The SubjectPublicKeyInfo cryptography writes for a public key."""
    return key.public_bytes(serialization.Encoding.DER,  # type: ignore[attr-defined,no-any-return]
                            serialization.PublicFormat.SubjectPublicKeyInfo)


# --- keys: fixed where cryptography allows, so the corpus is the same on every run ------

FIXTURE_CA = Path(__file__).parent / "data" / "cockroach-test-certs" / "ca.crt"


@functools.cache
def subject_key() -> ec.EllipticCurvePrivateKey:
    return ec.derive_private_key(0xC0FFEE, ec.SECP256R1())


@functools.cache
def rsa_numbers() -> rsa.RSAPublicNumbers:
    """A real 2048-bit modulus: the public key of cockroach's own test CA."""
    key = x509.load_pem_x509_certificate(FIXTURE_CA.read_bytes()).public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    return key.public_numbers()


def point(curve: ec.EllipticCurve) -> bytes:
    key = ec.derive_private_key(0xC0FFEE, curve).public_key()
    return key.public_bytes(serialization.Encoding.X962,
                            serialization.PublicFormat.UncompressedPoint)


@functools.cache
def dsa_spki() -> bytes:
    with warnings.catch_warnings():  # cryptography deprecates DSA; Go 1.19 still reads it
        warnings.simplefilter("ignore")
        return spki_of(dsa.generate_private_key(1024).public_key())


# --- signing ----------------------------------------------------------------------------

SigningKey = Union[rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey, ed25519.Ed25519PrivateKey]


@dataclass(frozen=True)
class Signer:
    """Who signs a case: the issuer Name written into it and the key that signs its TBS."""

    subject: bytes  # the issuer Name element, byte for byte
    key: SigningKey

    @classmethod
    def of(cls, ca: x509.Certificate, key: SigningKey) -> Signer:
        """A real CA (cryptography's, pycert's): its subject becomes the case's issuer."""
        return cls(ca.subject.public_bytes(), key)

    @property
    def algorithm(self) -> bytes:
        if isinstance(self.key, rsa.RSAPrivateKey):
            return SHA256_RSA
        if isinstance(self.key, ec.EllipticCurvePrivateKey):
            return ECDSA_SHA256
        return ED25519_ALG

    def sign(self, tbs: bytes) -> bytes:
        if isinstance(self.key, rsa.RSAPrivateKey):
            return self.key.sign(tbs, padding.PKCS1v15(), hashes.SHA256())
        if isinstance(self.key, ec.EllipticCurvePrivateKey):
            return self.key.sign(tbs, ec.ECDSA(hashes.SHA256()))
        return self.key.sign(tbs)


@functools.cache
def corpus_signer() -> Signer:
    """The corpus's own issuer: O=Cockroach, CN=Corpus CA, an Ed25519 key from a fixed seed
    (Ed25519 signatures are deterministic, so every build of a case is the same bytes)."""
    key = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    return Signer(name((O_OID, "Cockroach"), (CN_OID, "Corpus CA")), key)


# --- the cases --------------------------------------------------------------------------

V1, V3 = b"", explicit(0, integer(2))
SUBJECT = name((O_OID, "Cockroach"), (CN_OID, "root"))
VALIDITY = validity(utc("250101000000Z"), utc("350101000000Z"))
EXTENSIONS = (key_usage(b"\xa0", 5), eku(CLIENT_AUTH, SERVER_AUTH),
              san(dns("localhost"), ip(bytes([127, 0, 0, 1]))))


@dataclass(frozen=True)
class Case:
    """One certificate of the corpus: the default v3 leaf with the fields given changed.

    Elements are given whole (tag, length and contents), so any of them can be wrong.
    None means "the signer's" (algorithm, issuer) or "the corpus key's" (spki).
    """

    name: str
    description: str
    version: bytes = V3  # the whole [0] element; b"" leaves it out (v1)
    serial: bytes = integer(0x1001)
    inner_algorithm: bytes | None = None
    outer_algorithm: bytes | None = None  # None: the same bytes as the inner one
    issuer: bytes | None = None
    validity: bytes = VALIDITY
    subject: bytes = SUBJECT
    spki: bytes | Callable[[], bytes] | None = None
    extensions: tuple[bytes, ...] | None = EXTENSIONS  # None: no [3] element
    extensions_element: bytes | None = None  # the whole [3] element, verbatim
    tbs_tail: bytes = b""  # inside the TBS, after everything else
    signature: bytes | None = None  # the signature BIT STRING element, verbatim
    certificate_tail: bytes = b""  # inside the Certificate, after the signature
    after: bytes = b""  # after the Certificate
    rewrite: Callable[[bytes], bytes] | None = field(default=None, compare=False)


def build(case: Case, signer: Signer | None = None) -> bytes:
    """The DER of `case`, its TBS signed by `signer` (default: the corpus's own key)."""
    signer = signer or corpus_signer()
    inner = signer.algorithm if case.inner_algorithm is None else case.inner_algorithm
    outer = inner if case.outer_algorithm is None else case.outer_algorithm
    spki = case.spki() if callable(case.spki) else case.spki
    if spki is None:
        spki = spki_of(subject_key().public_key())
    if case.extensions_element is not None:
        extensions = case.extensions_element
    elif case.extensions is not None:
        extensions = explicit(3, seq(*case.extensions))
    else:
        extensions = b""
    tbs = seq(case.version, case.serial, inner,
              signer.subject if case.issuer is None else case.issuer, case.validity,
              case.subject, spki, extensions, case.tbs_tail)
    signature = bits(signer.sign(tbs)) if case.signature is None else case.signature
    der = seq(tbs, outer, signature, case.certificate_tail) + case.after
    return der if case.rewrite is None else case.rewrite(der)


def _header(der: bytes) -> int:
    """Length of the first element's tag and length octets."""
    return 2 if der[1] < 0x80 else 2 + (der[1] & 0x7F)


def _long_outer(der: bytes) -> bytes:
    body = der[_header(der):]
    return tlv(der[0], body, size=long_length(len(body), 4))


def _indefinite_outer(der: bytes) -> bytes:
    return indefinite(der[0], der[_header(der):])


def _set_outer(der: bytes) -> bytes:
    return bytes([SET]) + der[1:]


def _tbs_as_set(der: bytes) -> bytes:
    i = _header(der)
    return der[:i] + bytes([SET]) + der[i + 1:]


def _tbs_long_length(der: bytes) -> bytes:
    """The TBS's length with one more length octet than it needs."""
    body = der[_header(der):]
    i = _header(body)
    size = body[1] if i == 2 else int.from_bytes(body[2:i], "big")
    return seq(tlv(SEQ, body[i:i + size], size=long_length(size, 3)), body[i + size:])


def _length_past_end(der: bytes) -> bytes:
    body = der[_header(der):]
    return tlv(der[0], body, size=length(len(body) + 1))


def _ed25519_spki(raw: bytes, params: bytes = b"") -> bytes:
    return seq(seq(oid(ED25519_OID), params), bits(raw))


def _ip(text: str) -> bytes:
    import ipaddress

    return ipaddress.ip_address(text).packed


def _with_basic(*items: bytes, trailing: bytes = b"", tag: int = SEQ) -> tuple[bytes, ...]:
    value = tlv(tag, b"".join(items)) + trailing
    return (*EXTENSIONS, extension(BC_OID, value, boolean(True)))


ED448_SPKI = seq(seq(oid("1.3.101.113")), bits(b"\x5a" * 57))
X25519_SPKI = seq(seq(oid("1.3.101.110")), bits(bytes(range(32))))


def _cases() -> list[Case]:
    n = rsa_numbers().n
    pss_params = seq(explicit(0, seq(oid("2.16.840.1.101.3.4.2.1"))))
    return [
        # -- the frame --
        Case("baseline", "a well-formed v3 leaf: O=Cockroach CN=root, KU, EKU, SAN"),
        Case("trailing_after_certificate", "two junk bytes after the Certificate",
             after=b"\x00\x00"),
        Case("second_certificate_after", "a second, whole certificate after the first",
             rewrite=lambda der: der + der),
        Case("trailing_in_certificate", "a NULL inside Certificate after the signature",
             certificate_tail=null()),
        Case("trailing_in_tbs", "a NULL inside the TBS after the extensions",
             tbs_tail=null()),
        Case("trailing_in_tbs_v1", "a v1 TBS with a NULL after its public key",
             version=V1, extensions=None, tbs_tail=null()),
        Case("trailing_in_extensions_wrapper", "a NULL inside [3] after the SEQUENCE",
             extensions_element=explicit(3, seq(*EXTENSIONS) + null())),
        Case("trailing_in_extension", "a NULL inside an Extension after its extnValue",
             extensions=(*EXTENSIONS[:2], seq(oid(SAN_OID), octets(seq(dns("x"))), null()))),
        Case("trailing_in_san_value", "junk after GeneralNames inside the SAN OCTET STRING",
             extensions=(*EXTENSIONS[:2], extension(SAN_OID, seq(dns("localhost")) + null()))),
        Case("certificate_as_set", "the outer Certificate tagged SET", rewrite=_set_outer),
        Case("tbs_as_set", "the TBSCertificate tagged SET", rewrite=_tbs_as_set),
        Case("nonminimal_length_certificate", "Certificate length in 4 octets, 2 would do",
             rewrite=_long_outer),
        Case("nonminimal_length_tbs", "TBS length in 3 octets, 2 would do",
             rewrite=_tbs_long_length),
        Case("nonminimal_length_serial", "serial INTEGER length as 81 02",
             serial=tlv(INT, b"\x10\x01", size=b"\x81\x02")),
        Case("indefinite_length_certificate", "the Certificate in BER indefinite length",
             rewrite=_indefinite_outer),
        Case("indefinite_length_subject", "the subject Name in BER indefinite length",
             subject=indefinite(SEQ, rdn(atv(CN_OID, text("root"))))),
        Case("length_past_end", "the Certificate claims one byte more than there is",
             rewrite=_length_past_end),
        Case("signature_missing", "Certificate holds the TBS and algorithm, no signature",
             signature=b""),
        Case("signature_unused_bits", "signature BIT STRING with 3 unused bits that are set",
             signature=bits(b"\x01\x02\x03\xff", 3)),
        # -- version --
        Case("version_1_absent", "v1: no version field and no extensions",
             version=V1, extensions=None),
        Case("version_1_explicit", "v1 written out as [0] INTEGER 0 (DER omits defaults)",
             version=explicit(0, integer(0)), extensions=None),
        Case("version_1_with_extensions", "v1 carrying SAN and BasicConstraints (cA TRUE)",
             version=V1, extensions=(*EXTENSIONS, basic_constraints(boolean(True)))),
        Case("version_2", "v2 ([0] INTEGER 1) with extensions",
             version=explicit(0, integer(1))),
        Case("version_5", "version INTEGER 4", version=explicit(0, integer(4))),
        Case("version_negative", "version INTEGER -1", version=explicit(0, integer(-1))),
        Case("version_not_integer", "version [0] holding an OCTET STRING",
             version=explicit(0, octets(b"\x02"))),
        # -- serial --
        Case("serial_zero", "serial number 0", serial=integer(0)),
        Case("serial_negative", "serial number -4096", serial=integer(-4096)),
        Case("serial_huge", "a 40-octet serial number (RFC 5280 allows 20)",
             serial=integer(int.from_bytes(b"\x7f" + bytes(range(1, 40)), "big"))),
        Case("serial_21_octets", "a 21-octet serial (a 20-octet value with its sign octet)",
             serial=integer(int.from_bytes(b"\xff" * 20, "big"))),
        Case("serial_nonminimal", "serial 02 02 00 01: a needless leading zero",
             serial=tlv(INT, b"\x00\x01")),
        Case("serial_empty", "serial 02 00: an INTEGER with no octets", serial=tlv(INT)),
        # -- names --
        Case("cn_invalid_utf8", "CN UTF8String holding the byte 0xFF",
             subject=cn(b"ro\xffot")),
        Case("cn_utf8_non_ascii", "CN UTF8String 'rööt' (valid UTF-8)", subject=cn("rööt")),
        Case("cn_empty", "CN is the empty UTF8String", subject=cn("")),
        Case("cn_octet_string", "CN value encoded as OCTET STRING",
             subject=cn(b"root", OCTETS)),
        Case("cn_printable", "CN as PrintableString 'root'", subject=cn("root", PRINTABLE)),
        Case("cn_printable_bad_char", "CN PrintableString holding '@' and '_'",
             subject=cn("ro@o_t", PRINTABLE)),
        Case("cn_printable_star_amp", "CN PrintableString '*.a&b' (Go allows * and &)",
             subject=cn("*.a&b", PRINTABLE)),
        Case("cn_ia5_non_ascii", "CN IA5String holding 0xE9", subject=cn(b"r\xe9ot", IA5)),
        Case("cn_ia5", "CN IA5String 'root'", subject=cn("root", IA5)),
        Case("cn_bmp", "CN BMPString 'röot'", subject=cn("röot", BMP)),
        Case("cn_bmp_odd_length", "CN BMPString of 3 octets", subject=cn(b"\x00r\x00", BMP)),
        Case("cn_bmp_terminator", "CN BMPString 'root' ending in a 00 00 terminator",
             subject=cn("root\x00", BMP)),
        Case("cn_bmp_lone_surrogate", "CN BMPString holding an unpaired surrogate D800",
             subject=cn(b"\x00r\xd8\x00", BMP)),
        Case("cn_bmp_astral", "CN BMPString with a surrogate pair (U+1F600)",
             subject=cn("r\U0001f600", BMP)),
        Case("cn_numeric", "CN NumericString '12 34'", subject=cn("12 34", NUMERIC)),
        Case("cn_numeric_bad", "CN NumericString '12a'", subject=cn("12a", NUMERIC)),
        Case("cn_t61_ascii", "CN T61String 'root'", subject=cn("root", T61)),
        Case("cn_t61_latin1", "CN T61String holding the byte 0xE9",
             subject=cn(b"r\xe9ot", T61)),
        Case("cn_visible_string", "CN VisibleString 'root'", subject=cn("root", VISIBLE)),
        Case("cn_universal_string", "CN UniversalString 'root'",
             subject=cn("root".encode("utf-32-be"), UNIVERSAL)),
        Case("cn_integer", "CN value is an INTEGER", subject=cn(b"\x01", INT)),
        Case("several_cns", "subject O=Cockroach, CN=root, CN=admin (Go: the last CN)",
             subject=name((O_OID, "Cockroach"), (CN_OID, "root"), (CN_OID, "admin"))),
        Case("multivalued_rdn", "one RDN holding CN=root + O=Cockroach",
             subject=seq(rdn(atv(CN_OID, text("root")), atv(O_OID, text("Cockroach"))))),
        Case("multivalued_rdn_two_cns", "one RDN with CN=zed then CN=abe (not DER-sorted)",
             subject=seq(rdn(atv(CN_OID, text("zed")), atv(CN_OID, text("abe"))))),
        Case("no_cn", "subject O=Cockroach only", subject=name((O_OID, "Cockroach"))),
        Case("empty_subject", "subject is an empty SEQUENCE", subject=seq()),
        Case("cn_in_issuer_only", "issuer has the CN, subject only an O",
             issuer=name((O_OID, "Issuers"), (CN_OID, "issuer-cn")),
             subject=name((O_OID, "Cockroach"))),
        Case("empty_rdn", "subject with an empty RDN SET before the CN",
             subject=seq(rdn(), rdn(atv(CN_OID, text("root"))))),
        Case("rdn_as_sequence", "an RDN tagged SEQUENCE instead of SET",
             subject=seq(seq(atv(CN_OID, text("root"))))),
        Case("several_o_ou", "O=a, OU=x, O=b, OU=y: lists kept in order",
             subject=name((O_OID, "a"), (OU_OID, "x"), (O_OID, "b"), (OU_OID, "y"),
                          (CN_OID, "root"))),
        Case("unknown_attribute", "an attribute of unknown OID, PrintableString value",
             subject=name(("1.2.3.4.5", "odd", PRINTABLE), (CN_OID, "root"))),
        Case("issuer_invalid_utf8", "issuer CN UTF8String holding 0xFF",
             issuer=cn(b"\xff")),
        # -- dates --
        Case("utctime_month_13", "notBefore UTCTime 251301000000Z",
             validity=validity(utc("251301000000Z"), utc("350101000000Z"))),
        Case("utctime_second_60", "notBefore UTCTime 250101235960Z",
             validity=validity(utc("250101235960Z"), utc("350101000000Z"))),
        Case("utctime_no_seconds", "notBefore UTCTime 2501010000Z (no seconds)",
             validity=validity(utc("2501010000Z"), utc("350101000000Z"))),
        Case("utctime_offset", "notBefore UTCTime 250101000000+0100",
             validity=validity(utc("250101000000+0100"), utc("350101000000Z"))),
        Case("utctime_no_zone", "notBefore UTCTime 250101000000 (no Z)",
             validity=validity(utc("250101000000"), utc("350101000000Z"))),
        Case("utctime_1950", "notBefore UTCTime 500101000000Z is 1950",
             validity=validity(utc("500101000000Z"), utc("350101000000Z"))),
        Case("generalized_before_2050", "both dates GeneralizedTime, before 2050",
             validity=validity(generalized("20250101000000Z"),
                               generalized("20350101000000Z"))),
        Case("generalized_after_2050", "notAfter GeneralizedTime 2051 (as RFC 5280 asks)",
             validity=validity(utc("250101000000Z"), generalized("20510101000000Z"))),
        Case("generalized_fraction", "notBefore GeneralizedTime 20250101000000.5Z",
             validity=validity(generalized("20250101000000.5Z"), utc("350101000000Z"))),
        Case("generalized_offset", "notBefore GeneralizedTime 20250101000000+0130",
             validity=validity(generalized("20250101000000+0130"), utc("350101000000Z"))),
        Case("time_wrong_tag", "notBefore as an OCTET STRING",
             validity=validity(octets(b"250101000000Z"), utc("350101000000Z"))),
        Case("validity_one_date", "validity with only notBefore",
             validity=seq(utc("250101000000Z"))),
        # -- SANs --
        Case("san_order", "DNS b, IP, DNS a, URI, IP: Go keeps each kind in order",
             extensions=(*EXTENSIONS[:2], san(dns("b.example"), ip(_ip("10.0.0.2")),
                                              dns("a.example"), uri("https://a.example/x"),
                                              ip(_ip("2001:db8::1"))))),
        Case("ip_length_5", "IP SAN of 5 octets", extensions=(san(ip(b"\x7f\x00\x00\x01\x00")),)),
        Case("ip_length_8", "IP SAN of 8 octets (an address and mask, as in constraints)",
             extensions=(san(ip(b"\x0a\x00\x00\x00\xff\x00\x00\x00")),)),
        Case("ip_length_16", "IP SAN of 16 octets: 2001:db8::1",
             extensions=(san(ip(_ip("2001:db8::1"))),)),
        Case("ip_length_32", "IP SAN of 32 octets",
             extensions=(san(ip(_ip("2001:db8::") + b"\xff" * 8 + b"\x00" * 8)),)),
        Case("ip_length_0", "IP SAN with no octets", extensions=(san(ip(b"")),)),
        Case("ip_v4_mapped", "IP SAN ::ffff:127.0.0.1 (Go prints 127.0.0.1)",
             extensions=(san(ip(_ip("::ffff:127.0.0.1"))),)),
        Case("ip_v6_zero_runs", "IP SAN 2001:0:0:1:0:0:0:1 (where :: goes)",
             extensions=(san(ip(_ip("2001:0:0:1::1"))),)),
        Case("dns_non_ascii", "DNS SAN 'é.example' in UTF-8", extensions=(san(dns("é.example")),)),
        Case("dns_invalid_utf8", "DNS SAN holding the byte 0xFF",
             extensions=(san(dns(b"a\xff.example")),)),
        Case("dns_empty", "DNS SAN of no characters", extensions=(san(dns("")),)),
        Case("email_non_ascii", "rfc822Name SAN 'rööt@example.com'",
             extensions=(san(email("rööt@example.com")),)),
        Case("email_and_dns", "rfc822Name then DNS SANs",
             extensions=(san(email("root@example.com"), dns("node.example")),)),
        Case("uri_non_ascii", "URI SAN 'https://é.example/'",
             extensions=(san(uri("https://é.example/")),)),
        Case("uri_bad_escape", "URI SAN with %zz", extensions=(san(uri("https://a.example/%zz")),)),
        Case("uri_control_char", "URI SAN with a 0x01 byte",
             extensions=(san(uri("https://a.example/\x01")),)),
        Case("uri_port", "URI SAN with a port: https://node.example:26257/x",
             extensions=(san(uri("https://node.example:26257/x")),)),
        Case("uri_bad_port", "URI SAN with port 'port'",
             extensions=(san(uri("https://node.example:port/")),)),
        Case("uri_empty_label", "URI SAN host a..example",
             extensions=(san(uri("https://a..example/")),)),
        Case("uri_trailing_dot", "URI SAN host node.example.",
             extensions=(san(uri("https://node.example./")),)),
        Case("uri_leading_dot", "URI SAN host .node.example",
             extensions=(san(uri("https://.node.example/")),)),
        Case("uri_no_host", "URI SAN urn:cockroach:root (no host)",
             extensions=(san(uri("urn:cockroach:root")),)),
        Case("uri_spiffe", "URI SAN spiffe://cluster.local/ns/default/sa/root",
             extensions=(san(uri("spiffe://cluster.local/ns/default/sa/root")),)),
        Case("uri_ipv6_host", "URI SAN https://[::1]:26257/",
             extensions=(san(uri("https://[::1]:26257/")),)),
        Case("uri_upper_scheme", "URI SAN HTTPS://node.example/ (Go lower-cases schemes)",
             extensions=(san(uri("HTTPS://node.example/")),)),
        Case("uri_space_in_host", "URI SAN host 'a b'",
             extensions=(san(uri("https://a b/")),)),
        Case("uri_missing_scheme", "URI SAN '://node.example'",
             extensions=(san(uri("://node.example")),)),
        Case("uri_empty", "URI SAN of no characters", extensions=(san(uri("")),)),
        Case("uri_space_in_path", "URI SAN https://node.example/a b (Go re-escapes it)",
             extensions=(san(uri("https://node.example/a b")),)),
        Case("uri_query_bad_escape", "URI SAN with %zz in its query (Go keeps queries raw)",
             extensions=(san(uri("https://node.example/?q=%zz")),)),
        Case("uri_opaque_bad_escape", "URI SAN urn:a%zz (Go keeps opaque parts raw)",
             extensions=(san(uri("urn:a%zz")),)),
        Case("uri_fragment_bad_escape", "URI SAN with %zz in its fragment",
             extensions=(san(uri("https://node.example/#%zz")),)),
        Case("uri_host_escape", "URI SAN host a%41.example (an escaped ASCII byte)",
             extensions=(san(uri("https://a%41.example/")),)),
        Case("uri_ipv6_unclosed", "URI SAN https://[::1/",
             extensions=(san(uri("https://[::1/")),)),
        Case("uri_ipv6_junk_after", "URI SAN https://[abc]x/ (no port after the ']')",
             extensions=(san(uri("https://[abc]x/")),)),
        Case("uri_empty_port", "URI SAN https://node.example:/ (an empty port)",
             extensions=(san(uri("https://node.example:/")),)),
        Case("uri_colon_first_segment", "URI SAN 1a:b (no scheme, colon in first segment)",
             extensions=(san(uri("1a:b")),)),
        Case("uri_userinfo", "URI SAN https://user@node.example/",
             extensions=(san(uri("https://user@node.example/")),)),
        Case("san_othername", "otherName (UPN) then DNS: Go skips the otherName",
             extensions=(san(explicit(0, oid("1.3.6.1.4.1.311.20.2.3")
                                      + explicit(0, text("root@example"))), dns("x.example")),)),
        Case("san_directory_name", "directoryName SAN CN=dir",
             extensions=(san(explicit(4, name((CN_OID, "dir")))),)),
        Case("san_registered_id", "registeredID SAN 1.2.3.4",
             extensions=(san(tlv(0x88, oid_content("1.2.3.4"))),)),
        Case("san_x400_address", "x400Address SAN (an empty [3]): Go skips it",
             extensions=(san(explicit(3, b""), dns("x.example")),)),
        Case("san_universal_tag", "a SAN entry tagged OCTET STRING: Go skips it",
             extensions=(san(octets(b"x"), dns("x.example")),)),
        Case("san_empty", "SAN extension holding an empty SEQUENCE", extensions=(san(),)),
        Case("san_empty_critical", "empty SAN marked critical (an empty subject's SAN)",
             subject=seq(), extensions=(san(critical=boolean(True)),)),
        Case("san_not_sequence", "SAN value is a SET", extensions=(
            extension(SAN_OID, set_(dns("x.example"))),)),
        # -- extensions in general --
        Case("no_extensions", "v3 with no [3] element", extensions=None),
        Case("empty_extensions", "v3 with [3] holding an empty SEQUENCE", extensions=()),
        Case("duplicate_extension", "two SAN extensions",
             extensions=(*EXTENSIONS, san(dns("other.example")))),
        Case("critical_false_explicit", "an extension with critical FALSE written out",
             extensions=(*EXTENSIONS[:2], san(dns("x.example"), critical=boolean(False)))),
        Case("critical_bool_01", "an extension's critical BOOLEAN as 0x01",
             extensions=(*EXTENSIONS[:2], san(dns("x.example"), critical=boolean(1)))),
        Case("unknown_critical_extension", "a critical extension of unknown OID",
             extensions=(*EXTENSIONS, extension("1.2.3.4.5.6", null(), boolean(True)))),
        Case("unknown_extension_garbage", "a non-critical unknown extension holding junk",
             extensions=(*EXTENSIONS, extension("1.2.3.4.5.6", b"\xff\xff"))),
        Case("extension_value_not_octets", "an extnValue tagged BIT STRING",
             extensions=(*EXTENSIONS, seq(oid("1.2.3.4.5.6"), bits(b"\x00")))),
        Case("ski_malformed", "SubjectKeyIdentifier holding an INTEGER",
             extensions=(*EXTENSIONS, extension("2.5.29.14", integer(5)))),
        Case("aki_malformed", "AuthorityKeyIdentifier holding an OCTET STRING",
             extensions=(*EXTENSIONS, extension("2.5.29.35", octets(b"\x01")))),
        # -- BasicConstraints --
        Case("bc_ca_true", "BasicConstraints {cA TRUE}",
             extensions=_with_basic(boolean(True))),
        Case("bc_ca_true_pathlen", "BasicConstraints {cA TRUE, pathLen 0}",
             extensions=_with_basic(boolean(True), integer(0))),
        Case("bc_set", "BasicConstraints {cA TRUE} encoded as a SET",
             extensions=_with_basic(boolean(True), tag=SET)),
        Case("bc_trailing_after", "BasicConstraints then a NULL inside the OCTET STRING",
             extensions=_with_basic(boolean(True), trailing=null())),
        Case("bc_trailing_inside", "BasicConstraints {cA TRUE, 0, NULL}",
             extensions=_with_basic(boolean(True), integer(0), null())),
        Case("bc_pathlen_without_ca", "BasicConstraints {pathLen 2} without cA",
             extensions=_with_basic(integer(2))),
        Case("bc_ca_false_explicit", "BasicConstraints {cA FALSE} written out",
             extensions=_with_basic(boolean(False))),
        Case("bc_bool_01", "BasicConstraints cA as BOOLEAN 0x01",
             extensions=_with_basic(boolean(1))),
        Case("bc_empty", "BasicConstraints {} (a leaf)", extensions=_with_basic()),
        Case("bc_negative_pathlen", "BasicConstraints {cA TRUE, pathLen -1}",
             extensions=_with_basic(boolean(True), integer(-1))),
        Case("bc_ca_integer", "BasicConstraints {INTEGER 1} where cA would be",
             extensions=_with_basic(integer(1), integer(1))),
        # -- KeyUsage and ExtendedKeyUsage --
        Case("ku_not_bit_string", "KeyUsage as an OCTET STRING",
             extensions=(*EXTENSIONS[1:], extension(KU_OID, octets(b"\xa0")))),
        Case("ku_unused_bits_set", "KeyUsage BIT STRING whose unused bits are not zero",
             extensions=(*EXTENSIONS[1:], key_usage(b"\xa1", 5))),
        Case("ku_no_bits", "KeyUsage BIT STRING 03 01 00 (no bits)",
             extensions=(*EXTENSIONS[1:], key_usage(b"", 0))),
        Case("ku_trailing", "KeyUsage then a NULL inside the OCTET STRING",
             extensions=(*EXTENSIONS[1:], extension(KU_OID, bits(b"\xa0", 5) + null()))),
        Case("ku_unused_8", "KeyUsage BIT STRING claiming 8 unused bits",
             extensions=(*EXTENSIONS[1:], key_usage(b"\x00", 8))),
        Case("eku_empty", "ExtendedKeyUsage holding an empty SEQUENCE",
             extensions=(EXTENSIONS[0], eku(), EXTENSIONS[2])),
        Case("eku_order", "ExtendedKeyUsage clientAuth, serverAuth (order kept)",
             extensions=(EXTENSIONS[0], eku(CLIENT_AUTH, SERVER_AUTH), EXTENSIONS[2])),
        Case("eku_unknown", "ExtendedKeyUsage 1.2.3.4, serverAuth, codeSigning",
             extensions=(EXTENSIONS[0], eku("1.2.3.4", SERVER_AUTH, "1.3.6.1.5.5.7.3.3"),
                         EXTENSIONS[2])),
        Case("eku_any", "ExtendedKeyUsage anyExtendedKeyUsage",
             extensions=(EXTENSIONS[0], eku("2.5.29.37.0"), EXTENSIONS[2])),
        Case("eku_not_oid", "ExtendedKeyUsage holding an INTEGER",
             extensions=(EXTENSIONS[0], extension(EKU_OID, seq(integer(1))), EXTENSIONS[2])),
        Case("eku_trailing", "ExtendedKeyUsage then a NULL inside the OCTET STRING",
             extensions=(EXTENSIONS[0], extension(EKU_OID, seq(oid(SERVER_AUTH)) + null()),
                         EXTENSIONS[2])),
        Case("eku_duplicate_usage", "ExtendedKeyUsage serverAuth twice",
             extensions=(EXTENSIONS[0], eku(SERVER_AUTH, SERVER_AUTH), EXTENSIONS[2])),
        # -- signature algorithms --
        Case("algorithm_mismatch", "inner ecdsa-with-SHA256, outer Ed25519",
             inner_algorithm=ECDSA_SHA256, outer_algorithm=ED25519_ALG),
        Case("algorithm_null_params", "inner Ed25519 with NULL parameters, outer without",
             inner_algorithm=seq(oid(ED25519_OID), null()), outer_algorithm=ED25519_ALG),
        Case("algorithm_unknown", "both algorithms an unknown OID 1.2.3.4",
             inner_algorithm=seq(oid("1.2.3.4"))),
        Case("algorithm_rsa_with_ed25519_key", "sha256WithRSA announced, signed by Ed25519",
             inner_algorithm=SHA256_RSA),
        # -- public keys --
        Case("key_rsa", "an RSA 2048 key with NULL parameters", spki=rsa_spki(n)),
        Case("key_rsa_no_null", "an RSA key whose AlgorithmIdentifier has no parameters",
             spki=seq(seq(oid(RSA_OID)), bits(seq(integer(n), integer(65537))))),
        Case("key_rsa_negative_modulus", "an RSA key with a negative modulus",
             spki=rsa_spki(-n)),
        Case("key_rsa_even_exponent", "an RSA key with exponent 4", spki=rsa_spki(n, 4)),
        Case("key_rsa_pss", "an RSASSA-PSS SubjectPublicKeyInfo (SHA-256 params)",
             spki=seq(seq(oid("1.2.840.113549.1.1.10"), pss_params),
                      bits(seq(integer(n), integer(65537))))),
        Case("key_ed25519", "an Ed25519 key", spki=_ed25519_spki(bytes(range(32)))),
        Case("key_ed25519_params", "an Ed25519 key with NULL parameters",
             spki=_ed25519_spki(bytes(range(32)), null())),
        Case("key_ed25519_short", "an Ed25519 key of 31 octets",
             spki=_ed25519_spki(bytes(range(31)))),
        Case("key_ed448", "an Ed448 key", spki=lambda: spki_of(
            ed448.Ed448PrivateKey.from_private_bytes(bytes(57)).public_key())),
        Case("key_ed448_junk", "an Ed448 key of 57 octets of junk", spki=ED448_SPKI),
        Case("key_x25519", "an X25519 key", spki=lambda: spki_of(
            x25519.X25519PrivateKey.from_private_bytes(bytes(range(32))).public_key())),
        Case("key_ec_p384", "an ECDSA P-384 key",
             spki=lambda: ec_spki("1.3.132.0.34", point(ec.SECP384R1()))),
        Case("key_ec_brainpool", "an EC key on brainpoolP256r1",
             spki=lambda: ec_spki("1.3.36.3.3.2.8.1.1.7", point(ec.BrainpoolP256R1()))),
        Case("key_ec_secp256k1", "an EC key on secp256k1",
             spki=lambda: ec_spki("1.3.132.0.10", point(ec.SECP256K1()))),
        Case("key_ec_point_off_curve", "a P-256 point that is not on the curve",
             spki=ec_spki("1.2.840.10045.3.1.7", b"\x04" + b"\x01" * 64)),
        Case("key_ec_compressed", "a P-256 key as a compressed point", spki=lambda: ec_spki(
            "1.2.840.10045.3.1.7", subject_key().public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint))),
        Case("key_ec_no_params", "an EC key without a curve",
             spki=lambda: seq(seq(oid(EC_OID)), bits(point(ec.SECP256R1())))),
        Case("key_dsa", "a DSA 1024 key", spki=dsa_spki),
        Case("key_unknown", "a key of unknown algorithm 1.2.3.4",
             spki=seq(seq(oid("1.2.3.4")), bits(b"\x01\x02"))),
        Case("key_bit_string_unused", "an Ed25519 key BIT STRING with 1 unused bit",
             spki=seq(seq(oid(ED25519_OID)), bits(bytes(range(32)), 1))),
    ]


@functools.cache
def corpus() -> tuple[Case, ...]:
    cases = tuple(_cases())
    names = [c.name for c in cases]
    assert len(set(names)) == len(names), "case names must be unique"
    return cases


def case(name: str) -> Case:
    return next(c for c in corpus() if c.name == name)
