"""Building rules, field by field, against certificates made by the real cockroach."""

from __future__ import annotations

import datetime as dt
import ipaddress

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtensionOID

from conftest import FIXTURES
from pycert.errors import CertError
from pycert.kinds import BY_NAME
from pycert.pki import certs as pki
from pycert.pki import keys
from pycert.pki.specs import KeySpec

NOW = dt.datetime(2026, 11, 27, 12, 0, 0, 123456, tzinfo=dt.timezone.utc)
HOUR_NS = 3600 * 10**9


def load(name: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate((FIXTURES / name).read_bytes())


def shape(cert: x509.Certificate) -> dict[str, object]:
    """Everything but key, serial, dates, key ids and SAN values."""
    exts = []
    for ext in cert.extensions:
        value: object = None
        if ext.oid in (ExtensionOID.KEY_USAGE, ExtensionOID.EXTENDED_KEY_USAGE,
                       ExtensionOID.BASIC_CONSTRAINTS):
            value = ext.value
        exts.append((ext.oid.dotted_string, ext.critical, value))
    return {
        "version": cert.version,
        "sig": cert.signature_algorithm_oid,
        "subject": [(a.oid, a._type, a.value) for a in cert.subject],  # noqa: SLF001
        "issuer": cert.issuer.public_bytes(),
        "extensions": exts,
        "key": (type(cert.public_key()).__mro__[1], cert.public_key().key_size),  # type: ignore[union-attr]
        "serial_bits_max": cert.serial_number.bit_length() <= 128,
    }


@pytest.fixture(scope="module")
def ca_key() -> rsa.RSAPrivateKey:
    return keys.generate(KeySpec())


@pytest.fixture(scope="module")
def ca(ca_key: rsa.RSAPrivateKey) -> x509.Certificate:
    return pki.build_ca(ca_key, pki.Validity.starting(NOW, 87840 * HOUR_NS))


def leaf(profile: str, cn: str, ca: x509.Certificate, ca_key: rsa.RSAPrivateKey,
         hosts: list[str] = (), unit: str = "") -> x509.Certificate:  # type: ignore[assignment]
    key = keys.generate(KeySpec())
    kind = BY_NAME[profile]
    assert kind.unit == unit
    return pki.build_leaf(kind, key.public_key(), cn, pki.host_sans(list(hosts)), ca, ca_key,
                          pki.Validity.starting(NOW, 43920 * HOUR_NS))


def test_ca_cert_matches_cockroach_field_by_field(ca: x509.Certificate) -> None:
    assert shape(ca) == shape(load("ca.crt"))


def test_node_cert_matches_cockroach_field_by_field(ca, ca_key) -> None:  # type: ignore[no-untyped-def]
    cert = leaf("node", "node", ca, ca_key, ["127.0.0.1", "localhost"])
    assert shape(cert) == shape(load("node.crt"))


def test_client_cert_matches_cockroach_field_by_field(ca, ca_key) -> None:  # type: ignore[no-untyped-def]
    assert shape(leaf("client", "testuser", ca, ca_key)) == shape(load("client.testuser.crt"))
    assert shape(leaf("client", "root", ca, ca_key)) == shape(load("client.root.crt"))


def test_tenant_client_cert_matches_cockroach_field_by_field(ca, ca_key) -> None:  # type: ignore[no-untyped-def]
    """The 2021 fixture predates serverAuth and hosts on tenant certs (spec §4.4): those
    two extensions are checked against the newest rules, everything else against it."""
    cert = leaf("tenant-client", "10", ca, ca_key, ["127.0.0.1", "::1", "localhost", "*.local"],
                unit="Tenants")
    ours, theirs = shape(cert), shape(load("client-tenant.10.crt"))
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert [o._name for o in eku] == ["clientAuth", "serverAuth"]  # noqa: SLF001
    ours["extensions"] = [e for e in ours["extensions"] if e[0] not in ("2.5.29.37", "2.5.29.17")]  # type: ignore[attr-defined]
    theirs["extensions"] = [e for e in theirs["extensions"] if e[0] != "2.5.29.37"]  # type: ignore[attr-defined]
    assert ours == theirs


def test_ca_has_skid_equal_to_sha1_method_and_no_akid(ca: x509.Certificate) -> None:
    skid = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    assert skid == x509.SubjectKeyIdentifier.from_public_key(ca.public_key())  # type: ignore[arg-type]
    with pytest.raises(x509.ExtensionNotFound):
        ca.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier)
    fixture = load("ca.crt")
    fixture_skid = fixture.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    assert fixture_skid == x509.SubjectKeyIdentifier.from_public_key(fixture.public_key())  # type: ignore[arg-type]


def test_leaf_akid_is_the_ca_skid_only(ca, ca_key) -> None:  # type: ignore[no-untyped-def]
    cert = leaf("client", "u", ca, ca_key)
    akid = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    skid = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    assert akid.key_identifier == skid.digest
    assert akid.authority_cert_issuer is None and akid.authority_cert_serial_number is None


def test_ca_pathlen_is_one_and_critical(ca: x509.Certificate) -> None:
    ext = ca.extensions.get_extension_for_class(x509.BasicConstraints)
    assert ext.critical and ext.value.ca and ext.value.path_length == 1


def test_key_usage_bits_are_cockroachs() -> None:
    ca_ku = load("ca.crt").extensions.get_extension_for_class(x509.KeyUsage)
    assert ca_ku.critical
    assert ca_ku.value.public_bytes().hex() == "030202e4"
    node_ku = load("node.crt").extensions.get_extension_for_class(x509.KeyUsage)
    assert node_ku.value.public_bytes().hex() == "030205a0"


def test_validity_backdates_24h_and_truncates_to_seconds() -> None:
    v = pki.Validity.starting(NOW, HOUR_NS)
    assert v.not_before == dt.datetime(2026, 11, 26, 12, 0, 0, tzinfo=dt.timezone.utc)
    assert v.not_after == dt.datetime(2026, 11, 27, 13, 0, 0, tzinfo=dt.timezone.utc)


def test_serial_is_random_positive_and_at_most_128_bits(ca, ca_key) -> None:  # type: ignore[no-untyped-def]
    serials = {leaf("client", "u", ca, ca_key).serial_number for _ in range(3)}
    assert len(serials) == 3 and all(0 < s < 2**128 for s in serials)


def test_sans_put_dns_names_first_then_ips_in_argument_order() -> None:
    sans = pki.host_sans(["127.0.0.1", "b", "::1", "a"])
    assert [type(s).__name__ for s in sans] == ["DNSName", "DNSName", "IPAddress", "IPAddress"]
    assert [s.value for s in sans][:2] == ["b", "a"]


def test_ipv4_mapped_ipv6_is_stored_as_ipv4() -> None:
    (san,) = pki.host_sans(["::ffff:10.1.2.3"])
    assert san.value == ipaddress.IPv4Address("10.1.2.3")


def test_zone_qualified_ipv6_is_a_dns_name() -> None:
    (san,) = pki.host_sans(["fe80::1%eth0"])
    assert isinstance(san, x509.DNSName) and san.value == "fe80::1%eth0"


def test_ipv4_with_leading_zeros_is_a_dns_name() -> None:
    (san,) = pki.host_sans(["010.0.0.1"])
    assert isinstance(san, x509.DNSName)


def test_bracketed_ipv6_is_an_ip() -> None:
    (san,) = pki.host_sans(["[::1]"])
    assert san.value == ipaddress.IPv6Address("::1")


def test_non_ascii_dns_name_is_refused() -> None:
    with pytest.raises(CertError, match="cannot be encoded as an IA5String"):
        pki.host_sans(["bücher.example"])


def test_subject_uses_printable_string_where_it_fits() -> None:
    name = pki.subject("foo_bar")
    types = [a._type.name for a in name]  # noqa: SLF001
    assert types == ["PrintableString", "UTF8String"]


def test_tenant_scope_uris_ids_first_then_names_percent_encoded() -> None:
    uris = [u.value for u in pki.uri_sans("ομηρος", (2, 1), ("app",))]
    assert uris[0] == "crdb://tenant/2/user/%CE%BF%CE%BC%CE%B7%CF%81%CE%BF%CF%82"
    assert uris[1].startswith("crdb://tenant/1/user/")
    assert uris[2] == "crdb://tenant-name/app/user/%CE%BF%CE%BC%CE%B7%CF%81%CE%BF%CF%82"


def test_lifetime_longer_than_ca_is_refused_with_hours(ca: x509.Certificate) -> None:
    now = pki.utcnow()
    too_late = ca.not_valid_after_utc + dt.timedelta(hours=1)
    with pytest.raises(CertError, match=r"^CA lifetime is \d+\.\d{6}h, shorter than the "
                       r"requested \d+\.\d{6}h\. Renew CA certificate, or rerun with "
                       r"--lifetime=\d+h for a shorter duration\.$"):
        pki.check_lifetime(ca, too_late, now)
    pki.check_lifetime(ca, ca.not_valid_after_utc, now)  # equality is accepted


def test_tenant_signing_cert_profile() -> None:
    key = keys.generate(KeySpec("ed25519"))
    cert = pki.build_tenant_signing(key, 7, pki.Validity.starting(NOW, HOUR_NS))
    assert cert.serial_number == 1
    assert cert.subject.rfc4514_string() == "CN=Tenant 7 Token Signing Certificate"
    assert cert.issuer == cert.subject
    bc = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    assert bc.critical and not bc.value.ca and bc.value.path_length is None
    ku = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert ku.critical and ku.value.digital_signature and not ku.value.key_encipherment
    assert [e.oid for e in cert.extensions] == [ExtensionOID.KEY_USAGE,
                                                 ExtensionOID.BASIC_CONSTRAINTS]


def test_rsa_key_is_pkcs1_pem_and_pk8_is_raw_der() -> None:
    key = keys.generate(KeySpec())
    assert keys.key_pem(key).startswith(b"-----BEGIN RSA PRIVATE KEY-----\n")
    der = keys.pkcs8(key)
    assert der[:1] == b"\x30" and b"-----" not in der
