"""Records read their fields straight from the DER; wherever they do, the answer must be
cryptography's (pycert.pki.fields), and for anything unusual the view must step aside."""

from __future__ import annotations

import datetime as dt
import ipaddress

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.x509.name import _ASN1Type  # noqa: PLC2701 - the test pins the string type
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier
from hypothesis import given, settings
from hypothesis import strategies as st

from pycert.pki import fields
from pycert.pki.der import oid_text
from pycert.pki.view import CertView, rfc3339, signing_names, validity

A, R = x509.NameAttribute, x509.RelativeDistinguishedName
RSA = rsa.generate_private_key(public_exponent=65537, key_size=1024)
EC = ec.generate_private_key(ec.SECP256R1())
START = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
KEYS = {"rsa1024": RSA, "rsa2048": rsa.generate_private_key(public_exponent=65537, key_size=2048),
        "p256": EC, "p384": ec.generate_private_key(ec.SECP384R1()),
        "p521": ec.generate_private_key(ec.SECP521R1()),
        "secp256k1": ec.generate_private_key(ec.SECP256K1()),
        "ed25519": ed25519.Ed25519PrivateKey.generate(), "ed448": ed448.Ed448PrivateKey.generate()}


def _name(*attrs: x509.NameAttribute) -> x509.Name:
    return x509.Name([R([a]) for a in attrs])


def _cert(subject: x509.Name, *, issuer: x509.Name | None = None, key: object = None,
          signer: object = RSA, extensions: tuple[tuple[x509.ExtensionType, bool], ...] = (),
          serial: int = 7, before: dt.datetime = START,
          after: dt.datetime = START + dt.timedelta(days=400),
          digest: hashes.HashAlgorithm | None = None,
          rsa_padding: padding.AsymmetricPadding | None = None) -> bytes:
    public = (key or EC).public_key()  # type: ignore[attr-defined]
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer or subject)
               .public_key(public).serial_number(serial)
               .not_valid_before(before).not_valid_after(after))
    for ext, critical in extensions:
        builder = builder.add_extension(ext, critical=critical)
    if isinstance(signer, (ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey)):
        digest = None
    elif digest is None:
        digest = hashes.SHA256()
    cert = builder.sign(signer, digest, rsa_padding=rsa_padding)  # type: ignore[arg-type]
    return cert.public_bytes(serialization.Encoding.DER)


def _same_as_cryptography(der: bytes) -> None:
    """Every field the records read, via the view and via cryptography's objects."""
    view, cert = CertView(der), x509.load_der_x509_certificate(der)
    assert view.subject() == fields.name_fields(cert.subject)
    assert view.issuer() == fields.name_fields(cert.issuer)
    assert view.common_name() == fields.common_name(cert)
    assert view.sans() == fields.sans(cert)
    assert view.eku() == fields.eku_names(cert)
    assert view.is_ca() == fields.is_ca(cert)
    assert view.key_info() == fields.key_info(cert)
    assert view.serial_hex() == format(cert.serial_number, "x")
    assert view.not_before() == cert.not_valid_before_utc
    assert view.not_after() == cert.not_valid_after_utc
    assert rfc3339(view.not_after()) == fields.rfc3339(cert.not_valid_after_utc)
    assert view.sha256_hex() == fields.sha256_hex(cert)
    assert view.signature_algorithm() == fields.signature_algorithm(cert)
    assert view.raw_subject == cert.subject.public_bytes()
    assert view.raw_issuer == cert.issuer.public_bytes()
    assert signing_names(der) == (cert.issuer.public_bytes(), cert.subject.public_bytes())
    assert validity(der) == (cert.not_valid_before_utc, cert.not_valid_after_utc)


NAMES = {
    "cockroach client": _name(A(NameOID.ORGANIZATION_NAME, "Cockroach"),
                              A(NameOID.COMMON_NAME, "root")),
    "tenant OU": _name(A(NameOID.ORGANIZATION_NAME, "Cockroach"),
                       A(NameOID.ORGANIZATIONAL_UNIT_NAME, "Tenants"),
                       A(NameOID.COMMON_NAME, "10")),
    "two O, two OU": _name(A(NameOID.ORGANIZATION_NAME, "a"), A(NameOID.ORGANIZATION_NAME, "b"),
                           A(NameOID.ORGANIZATIONAL_UNIT_NAME, "c"),
                           A(NameOID.ORGANIZATIONAL_UNIT_NAME, "d")),
    "utf8 greek": _name(A(NameOID.COMMON_NAME, "ομηρος")),
    "printable": _name(A(NameOID.COMMON_NAME, "abc", _type=_ASN1Type.PrintableString)),
    "empty": x509.Name([]),
    "country first": _name(A(NameOID.COUNTRY_NAME, "DE"), A(NameOID.COMMON_NAME, "x")),
    # left to cryptography:
    "bmp CN": _name(A(NameOID.COMMON_NAME, "bmp", _type=_ASN1Type.BMPString)),
    "ia5 CN": _name(A(NameOID.COMMON_NAME, "ia5", _type=_ASN1Type.IA5String)),
    "multi-valued RDN": x509.Name([R([A(NameOID.COMMON_NAME, "z"),
                                      A(NameOID.ORGANIZATION_NAME, "a")])]),
}
SAN = x509.SubjectAlternativeName
EXTENSIONS = {
    "none": (),
    "node": ((SAN([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                   x509.IPAddress(ipaddress.ip_address("::1")),
                   x509.IPAddress(ipaddress.ip_address("::ffff:10.0.0.1"))]), False),
             (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH,
                                     ExtendedKeyUsageOID.CLIENT_AUTH]), False),
             (x509.BasicConstraints(ca=False, path_length=None), True)),
    "ca": ((x509.BasicConstraints(ca=True, path_length=1), True),
           (x509.KeyUsage(True, False, False, False, False, True, False, False, False), True)),
    "ca no pathlen": ((x509.BasicConstraints(ca=True, path_length=None), True),),
    "tenant uri": ((SAN([x509.UniformResourceIdentifier("crdb://tenant/10/user/root")]), False),),
    "other eku": ((x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING,
                                          ObjectIdentifier("1.3.6.1.4.1.99999.1.2")]), False),),
    # left to cryptography:
    "email SAN": ((SAN([x509.RFC822Name("a@b.example"), x509.DNSName("b.example")]), False),),
    "dirname SAN": ((SAN([x509.DirectoryName(_name(A(NameOID.COMMON_NAME, "d")))]), False),),
}


@pytest.mark.parametrize("label", sorted(NAMES))
def test_names_read_as_cryptography_reads_them(label: str) -> None:
    _same_as_cryptography(_cert(NAMES[label], issuer=NAMES["cockroach client"]))


@pytest.mark.parametrize("label", sorted(EXTENSIONS))
def test_extensions_read_as_cryptography_reads_them(label: str) -> None:
    _same_as_cryptography(_cert(NAMES["cockroach client"], extensions=EXTENSIONS[label]))


def test_an_empty_eku_that_cryptography_cannot_parse_reads_as_no_purpose() -> None:
    """cryptography builds it but refuses to parse it back (the records used to crash)."""
    der = _cert(NAMES["empty"], extensions=((x509.ExtendedKeyUsage([]), False),))
    with pytest.raises(ValueError, match="parsing asn1"):
        fields.eku_names(x509.load_der_x509_certificate(der))
    assert CertView(der).eku() == []


@pytest.mark.parametrize("label", sorted(KEYS))
def test_keys_and_signatures_read_as_cryptography_reads_them(label: str) -> None:
    key = KEYS[label]
    der = _cert(NAMES["cockroach client"], key=key, signer=key)
    _same_as_cryptography(der)
    cert = x509.load_der_x509_certificate(der)
    cert.verify_directly_issued_by(cert)
    view = CertView(der)
    assert view.signed_with(view.public_key())
    other = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    assert not view.signed_with(CertView(_cert(NAMES["empty"], key=other)).public_key())


@pytest.mark.parametrize("digest", [hashes.SHA256(), hashes.SHA384(), hashes.SHA512()],
                         ids=lambda d: d.name)
@pytest.mark.parametrize("pss", [False, True], ids=["pkcs1", "pss"])
def test_rsa_signatures_verify_as_cryptography_verifies_them(digest: hashes.HashAlgorithm,
                                                             pss: bool) -> None:
    how = padding.PSS(padding.MGF1(digest), digest.digest_size) if pss else None
    key = KEYS["rsa2048"]
    ca = CertView(_cert(NAMES["cockroach client"], key=key, signer=key))
    leaf = _cert(NAMES["printable"], issuer=NAMES["cockroach client"], signer=key,
                 digest=digest, rsa_padding=how)
    _same_as_cryptography(leaf)
    x509.load_der_x509_certificate(leaf).verify_directly_issued_by(ca.cert)
    assert CertView(leaf).signed_with(ca.public_key())
    tampered = bytearray(leaf)
    tampered[-1] ^= 1  # the signature's last byte
    assert not CertView(bytes(tampered)).signed_with(ca.public_key())
    assert not CertView(leaf).signed_with(CertView(_cert(NAMES["empty"], key=RSA)).public_key())
    assert not CertView(leaf).signed_with(EC.public_key())  # wrong key type: not signed


@pytest.mark.parametrize("when", [dt.datetime(1950, 1, 1, tzinfo=dt.timezone.utc),
                                  dt.datetime(2049, 12, 31, 23, 59, 59, tzinfo=dt.timezone.utc),
                                  dt.datetime(2050, 1, 1, tzinfo=dt.timezone.utc),
                                  dt.datetime(9999, 12, 31, tzinfo=dt.timezone.utc)], ids=str)
def test_dates_read_as_cryptography_reads_them(when: dt.datetime) -> None:
    _same_as_cryptography(_cert(NAMES["empty"], before=min(START, when), after=when))


@pytest.mark.parametrize("serial", [1, 127, 128, 255, 256, 2**64, 2**159 - 1])
def test_serials_read_as_cryptography_reads_them(serial: int) -> None:
    _same_as_cryptography(_cert(NAMES["empty"], serial=serial))


@settings(max_examples=150, deadline=None)
@given(cn=st.text(min_size=1, max_size=16), unit=st.text(max_size=8),
       dns=st.lists(st.from_regex(r"[a-z0-9]{1,10}(\.[a-z0-9]{1,10}){0,2}", fullmatch=True),
                    max_size=3),
       ips=st.lists(st.ip_addresses(), max_size=3))
def test_any_name_and_sans_read_back_as_cryptography_reads_them(cn: str, unit: str,
                                                                dns: list[str],
                                                                ips: list[object]) -> None:
    attrs = [A(NameOID.ORGANIZATION_NAME, "Cockroach")]
    attrs += [A(NameOID.ORGANIZATIONAL_UNIT_NAME, unit)] if unit else []
    names: list[x509.GeneralName] = [x509.DNSName(d) for d in dns]
    names += [x509.IPAddress(ip) for ip in ips]  # type: ignore[arg-type]
    exts = ((SAN(names), False),) if names else ()
    _same_as_cryptography(_cert(_name(*attrs, A(NameOID.COMMON_NAME, cn)), extensions=exts))


@pytest.mark.parametrize("cut", [0, 1, 10, 100, 200, -1])
def test_truncated_der_is_left_to_cryptography(cut: int) -> None:
    der = _cert(NAMES["cockroach client"], extensions=EXTENSIONS["node"])
    view = CertView(der[:cut])
    assert view.outline is None


@pytest.mark.parametrize("dotted", ["1.2.840.113549.1.1.1", "2.5.29.37", "1.3.6.1.4.1.311.1",
                                    "2.999.1", "0.9.2342.19200300.100.1.1"])
def test_object_identifiers_read_as_cryptography_writes_them(dotted: str) -> None:
    ext = x509.ExtendedKeyUsage([ObjectIdentifier(dotted)])
    raw = ext.public_bytes()  # SEQUENCE { OBJECT IDENTIFIER }, short lengths
    assert raw[0] == 0x30 and raw[2] == 0x06
    assert oid_text(raw[4:]) == dotted
    _same_as_cryptography(_cert(NAMES["empty"], extensions=((ext, False),)))


@pytest.mark.parametrize("raw", [b"", b"\x80\x01", b"\x2a\x80\x01", b"\x2a\x86"])
def test_object_identifiers_not_in_der_are_refused(raw: bytes) -> None:
    assert oid_text(raw) is None
