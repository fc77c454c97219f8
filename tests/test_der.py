"""`list` reads expiry and CN straight from the DER; wherever it does, the answer must be
cryptography's, and for anything unusual it must step aside (None) rather than guess."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.name import _ASN1Type  # noqa: PLC2701 - the test pins the string type
from cryptography.x509.oid import NameOID
from hypothesis import given, settings
from hypothesis import strategies as st

from pycert.pki.der import expiry_and_cn
from pycert.pki.fields import common_name

KEY = ec.generate_private_key(ec.SECP256R1())
A, R = x509.NameAttribute, x509.RelativeDistinguishedName
START = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)


def _der(name: x509.Name, not_after: dt.datetime) -> bytes:
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(KEY.public_key()).serial_number(7)
            .not_valid_before(min(START, not_after)).not_valid_after(not_after)
            .sign(KEY, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.DER)


def _expected(der: bytes) -> tuple[str, str]:
    cert = x509.load_der_x509_certificate(der)
    after = cert.not_valid_after_utc
    return f"{after.year:04d}/{after.month:02d}/{after.day:02d}", common_name(cert)


def _name(*attrs: x509.NameAttribute) -> x509.Name:
    return x509.Name([R([a]) for a in attrs])


ORDINARY = {
    "cockroach client": _name(A(NameOID.ORGANIZATION_NAME, "Cockroach"),
                              A(NameOID.COMMON_NAME, "root")),
    "utf8 greek": _name(A(NameOID.COMMON_NAME, "ομηρος")),
    "printable forced": _name(A(NameOID.COMMON_NAME, "abc", _type=_ASN1Type.PrintableString)),
    "tenant OU": _name(A(NameOID.ORGANIZATION_NAME, "Cockroach"),
                       A(NameOID.ORGANIZATIONAL_UNIT_NAME, "Tenants"),
                       A(NameOID.COMMON_NAME, "10")),
    "no CN": _name(A(NameOID.ORGANIZATION_NAME, "Cockroach")),
    "empty subject": x509.Name([]),
    "two CNs": _name(A(NameOID.COMMON_NAME, "first"), A(NameOID.COMMON_NAME, "second")),
    "CN last": _name(A(NameOID.COUNTRY_NAME, "DE"), A(NameOID.COMMON_NAME, "x")),
}
UNUSUAL = {
    "bmp CN": _name(A(NameOID.COMMON_NAME, "bmp", _type=_ASN1Type.BMPString)),
    "ia5 CN": _name(A(NameOID.COMMON_NAME, "ia5", _type=_ASN1Type.IA5String)),
    "multi-valued RDN": x509.Name([R([A(NameOID.COMMON_NAME, "z"),
                                      A(NameOID.ORGANIZATION_NAME, "a")])]),
}
DATES = [dt.datetime(1999, 12, 31, 23, 59, 59, tzinfo=dt.timezone.utc),  # UTCTime 19xx
         dt.datetime(1950, 1, 1, tzinfo=dt.timezone.utc),  # first UTCTime year
         dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc),
         dt.datetime(2049, 12, 31, tzinfo=dt.timezone.utc),  # last UTCTime year
         dt.datetime(2050, 1, 1, tzinfo=dt.timezone.utc),  # GeneralizedTime from here
         dt.datetime(9999, 12, 31, tzinfo=dt.timezone.utc)]


@pytest.mark.parametrize("label", sorted(ORDINARY))
@pytest.mark.parametrize("when", DATES, ids=str)
def test_ordinary_certificates_are_read_from_der_as_cryptography_reads_them(
        label: str, when: dt.datetime) -> None:
    der = _der(ORDINARY[label], when)
    assert expiry_and_cn(der) == _expected(der)


@pytest.mark.parametrize("label", sorted(UNUSUAL))
def test_unusual_names_are_left_to_cryptography(label: str) -> None:
    assert expiry_and_cn(_der(UNUSUAL[label], DATES[0])) is None


@pytest.mark.parametrize("cut", [0, 1, 10, 100, 200])
def test_truncated_der_is_left_to_cryptography(cut: int) -> None:
    der = _der(ORDINARY["cockroach client"], DATES[0])
    assert expiry_and_cn(der[:cut]) is None


@settings(max_examples=200, deadline=None)
@given(cn=st.text(min_size=1, max_size=16), unit=st.text(max_size=8),  # <= 64 bytes
       days=st.integers(min_value=1, max_value=2_900_000))
def test_any_text_cn_reads_back_as_cryptography_reads_it(cn: str, unit: str, days: int) -> None:
    attrs = [A(NameOID.ORGANIZATION_NAME, "Cockroach")]
    attrs += [A(NameOID.ORGANIZATIONAL_UNIT_NAME, unit)] if unit else []
    der = _der(_name(*attrs, A(NameOID.COMMON_NAME, cn)), START + dt.timedelta(days=days))
    assert expiry_and_cn(der) == _expected(der)


def test_list_rows_show_what_cryptography_reads(fixture_copy) -> None:  # type: ignore[no-untyped-def]
    """End to end: every client and CA row of `list` (DER fast path) matches cryptography."""
    from conftest import pycert

    (fixture_copy / "client.greek.crt").write_bytes(
        x509.load_der_x509_certificate(_der(ORDINARY["utf8 greek"], DATES[2])).public_bytes(
            serialization.Encoding.PEM))
    (fixture_copy / "client.greek.key").write_bytes(b"k")
    (fixture_copy / "client.greek.key").chmod(0o600)
    res = pycert("list", f"--certs-dir={fixture_copy}")
    assert res.code == 0, res.err
    rows = [line.split("\t") for line in res.out.splitlines()[2:]]
    checked = 0
    for usage, filename, _key, expires, notes, _error in rows:
        if usage not in ("CA", "Client"):
            continue
        cert = x509.load_pem_x509_certificate((fixture_copy / filename).read_bytes())
        after = cert.not_valid_after_utc
        assert expires == f"{after.year:04d}/{after.month:02d}/{after.day:02d}"
        if usage == "Client":
            assert notes == "user: " + common_name(cert)
        checked += 1
    assert checked >= 5 and any(r[4] == "user: ομηρος" for r in rows)
