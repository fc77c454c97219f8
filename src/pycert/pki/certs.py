"""X.509 certificates for each cockroach profile, built in memory.

Field by field this reproduces what Go's `crypto/x509` writes for cockroach
(pkg/security/x509.go): subject encoding, extension order, criticality, SAN order.
"""

from __future__ import annotations

import datetime as dt
import os
import warnings
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import quote, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.x509.name import _ASN1Type  # noqa: PLC2701 - no public way to pick it
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

from pycert.errors import CertError
from pycert.gocompat import format_duration
from pycert.hosts import parse_ip
from pycert.kinds import Kind
from pycert.pki.describe import rfc3339
from pycert.pki.keys import PrivateKey
from pycert.pki.reading import EKU_OIDS
from pycert.pki.specs import BACKDATE, Lifetime

CA_COMMON_NAME = "Cockroach CA"
OCSP_SIGNER_NAME = "Cockroach OCSP Responder"
ORGANIZATION = "Cockroach"
_PRINTABLE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 '()+,-./:=?")
_URL_PATH_SAFE = "$&+,/:;=@-._~"  # what Go's net/url leaves unescaped in a path


@dataclass(frozen=True)
class Validity:
    """NotBefore/NotAfter, whole seconds, as Go encodes them."""

    not_before: dt.datetime
    not_after: dt.datetime

    @classmethod
    def starting(cls, now: dt.datetime, lifetime_ns: int) -> Validity:
        now = now.replace(microsecond=0)
        after = now + dt.timedelta(microseconds=lifetime_ns // 1000)
        span = cls(now - BACKDATE, after.replace(microsecond=0))
        if span.not_after <= span.not_before:
            raise CertError(f"lifetime {format_duration(lifetime_ns)}: "
                            f"{Lifetime(lifetime_ns).problem()}")
        return span

    @classmethod
    def until(cls, now: dt.datetime, not_after: dt.datetime) -> Validity:
        """`--not-after`: the same back-dated start, an absolute end."""
        if not_after <= now:
            raise CertError(f"--not-after {rfc3339(not_after)} is not in the future")
        return cls(now.replace(microsecond=0) - BACKDATE, not_after.replace(microsecond=0))

    def clamped(self, end: dt.datetime) -> Validity:
        return Validity(self.not_before, min(self.not_after, end))


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def cert_der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def _attr(oid: x509.ObjectIdentifier, value: str) -> x509.RelativeDistinguishedName:
    """Go sets no upper bound on a CN (names over 64 bytes pass with validation disabled)."""
    kind = _ASN1Type.PrintableString if set(value) <= _PRINTABLE else _ASN1Type.UTF8String
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        attr = x509.NameAttribute(oid, value, _type=kind, _validate=False)
    return x509.RelativeDistinguishedName([attr])


def subject(common_name: str, *, org: bool = True, unit: str = "") -> x509.Name:
    """O, then OU, then CN: one attribute per RDN, Go's order and string types."""
    rdns = []
    if org:
        rdns.append(_attr(NameOID.ORGANIZATION_NAME, ORGANIZATION))
    if unit:
        rdns.append(_attr(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    if common_name:
        rdns.append(_attr(NameOID.COMMON_NAME, common_name))
    return x509.Name(rdns)


def _key_usage(*, ca: bool = False, signing_only: bool = False,
               crl_sign: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True, content_commitment=ca, key_encipherment=not signing_only,
        data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=crl_sign,
        encipher_only=False, decipher_only=False,
    )


def leaf_key_usage(public_key: CertificatePublicKeyTypes) -> x509.KeyUsage:
    """keyEncipherment only means something for RSA (RFC 5480, RFC 8410): other key types,
    which cockroach never makes, get digitalSignature alone."""
    return _key_usage(signing_only=not isinstance(public_key, rsa.RSAPublicKey))


def leaf_eku(kind: Kind) -> x509.ExtendedKeyUsage:
    return x509.ExtendedKeyUsage([EKU_OIDS[name] for name in kind.eku])


def hash_for(key: PrivateKey) -> hashes.SHA256 | hashes.SHA384 | hashes.SHA512 | None:
    """Go's default signature hash for a signer key (None: Ed25519 hashes internally)."""
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return None
    if isinstance(key, ec.EllipticCurvePrivateKey):
        size = key.curve.key_size
        return hashes.SHA512() if size > 384 else hashes.SHA384() if size > 256 else hashes.SHA256()
    return hashes.SHA256()


def _base(name: x509.Name, issuer: x509.Name, public_key: CertificatePublicKeyTypes,
          validity: Validity, serial: int | None = None) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(serial if serial is not None else random_serial())
        .not_valid_before(validity.not_before)
        .not_valid_after(validity.not_after)
    )


def random_serial() -> int:
    """Uniform in [1, 2^128): Go's 128-bit random serial, kept positive for cryptography."""
    while True:  # os.urandom, not `secrets`: same source, without secrets' import cost
        serial = int.from_bytes(os.urandom(16), "big")
        if serial:
            return serial


def build_ca(key: PrivateKey, validity: Validity, *, crl_sign: bool = False) -> x509.Certificate:
    """Self-signed CA: KeyUsage, BasicConstraints(pathlen 1), SKID; no AKID. `crl_sign` adds
    the one bit cockroach's profile lacks and CRL checkers require (docs/revocation.md)."""
    name = subject(CA_COMMON_NAME)
    builder = (
        _base(name, name, key.public_key(), validity)
        .add_extension(_key_usage(ca=True, crl_sign=crl_sign), critical=True)
        .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    return builder.sign(key, hash_for(key))


def build_leaf(kind: Kind, public_key: CertificatePublicKeyTypes, common_name: str,
               sans: list[x509.GeneralName], issuer: x509.Certificate, issuer_key: PrivateKey,
               validity: Validity, *, name: x509.Name | None = None,
               ocsp_urls: tuple[str, ...] = ()) -> x509.Certificate:
    """node / client / tenant-client: KeyUsage, EKU, AKID (if the CA has an SKID), AIA (if
    `ocsp_urls`, where Go puts it: after AKID, before SAN), SAN.

    `name` replaces the profile's subject (a renewal keeps the old certificate's).
    """
    builder = (
        _base(name or subject(common_name, unit=kind.unit), issuer.subject, public_key,
              validity)
        .add_extension(leaf_key_usage(public_key), critical=True)
        .add_extension(leaf_eku(kind), critical=False)
    )
    builder = with_authority_key_id(builder, issuer)
    if ocsp_urls:
        builder = builder.add_extension(ocsp_access(ocsp_urls), critical=False)
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return builder.sign(issuer_key, hash_for(issuer_key))


Builder = TypeVar("Builder", x509.CertificateBuilder, x509.CertificateRevocationListBuilder)


def with_authority_key_id(builder: Builder, issuer: x509.Certificate) -> Builder:
    """AKID = the issuer's SKID (as Go writes it: key identifier only), if it has one."""
    try:
        skid = issuer.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    except x509.ExtensionNotFound:
        return builder
    return builder.add_extension(x509.AuthorityKeyIdentifier(skid.digest, None, None),
                                 critical=False)


def ocsp_access(urls: tuple[str, ...]) -> x509.AuthorityInformationAccess:
    """AIA with an id-ad-ocsp URI per URL, in order: byte for byte Go's `OCSPServer`."""
    return x509.AuthorityInformationAccess(
        [x509.AccessDescription(AuthorityInformationAccessOID.OCSP,
                                x509.UniformResourceIdentifier(url)) for url in urls])


def read_ocsp_urls(cert: x509.Certificate) -> tuple[str, ...]:
    """The AIA OCSP URLs of a certificate (what Go reads into `OCSPServer`), in order."""
    try:
        access = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    except x509.ExtensionNotFound:
        return ()
    return tuple(str(d.access_location.value) for d in access
                 if d.access_method == AuthorityInformationAccessOID.OCSP
                 and isinstance(d.access_location, x509.UniformResourceIdentifier))


def check_ocsp_url(url: str) -> str:
    """An http(s) URL with a host, in printable ASCII: what Go's http.Post can reach."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or \
            not all("!" <= c <= "~" for c in url):
        raise CertError(f"--ocsp-url {url!r} is not an http:// or https:// URL with a host "
                        "(printable ASCII, no spaces), e.g. http://ocsp.example.com:8080")
    return url


def build_ocsp_signer(public_key: CertificatePublicKeyTypes, issuer: x509.Certificate,
                      issuer_key: PrivateKey, validity: Validity) -> x509.Certificate:
    """A delegated OCSP responder (RFC 6960 4.2.2.2): KeyUsage digitalSignature, EKU
    OCSPSigning (OpenSSL's clients demand it), AKID, and ocsp-nocheck, signed by the CA."""
    builder = (
        _base(subject(OCSP_SIGNER_NAME), issuer.subject, public_key, validity)
        .add_extension(_key_usage(signing_only=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.OCSP_SIGNING]),
                       critical=False)
    )
    builder = with_authority_key_id(builder, issuer)
    builder = builder.add_extension(x509.OCSPNoCheck(), critical=False)
    return builder.sign(issuer_key, hash_for(issuer_key))


def build_tenant_signing(key: ed25519.Ed25519PrivateKey, tenant_id: int,
                         validity: Validity) -> x509.Certificate:
    """Self-signed Ed25519, serial 1, CA:FALSE, digitalSignature only, CN but no O."""
    name = subject(f"Tenant {tenant_id} Token Signing Certificate", org=False)
    builder = (
        _base(name, name, key.public_key(), validity, serial=1)
        .add_extension(_key_usage(signing_only=True), critical=True)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
    )
    return builder.sign(key, None)


def host_sans(hosts: list[str]) -> list[x509.GeneralName]:
    """DNS names first, then IPs, each in argument order, as Go orders them."""
    dns: list[x509.GeneralName] = []
    ips: list[x509.GeneralName] = []
    for host in hosts:
        ip = parse_ip(host)
        if ip is not None:
            ips.append(x509.IPAddress(ip))
        elif not host.isascii():
            raise CertError(f'x509: "{host}" cannot be encoded as an IA5String')
        else:
            dns.append(x509.DNSName(host))
    return dns + ips


def uri_sans(user: str, tenant_ids: tuple[int, ...],
             tenant_names: tuple[str, ...]) -> list[x509.GeneralName]:
    """`crdb://tenant/<id>/user/<u>` then `crdb://tenant-name/<n>/user/<u>`."""
    path = quote(user, safe=_URL_PATH_SAFE)
    uris = [f"crdb://tenant/{i}/user/{path}" for i in tenant_ids]
    uris += [f"crdb://tenant-name/{n}/user/{path}" for n in tenant_names]
    return [x509.UniformResourceIdentifier(u) for u in uris]


def expired_warning(not_after: dt.datetime, now: dt.datetime) -> str:
    """A WARNING for a certificate issued already expired (a negative --lifetime), or ""."""
    if not_after > now:
        return ""
    return (f"the certificate is already expired: it ended {rfc3339(not_after)}, before now "
            "(a negative --lifetime makes an expired certificate, as for tests)")


def check_lifetime(ca: x509.Certificate, not_after: dt.datetime, now: dt.datetime) -> None:
    """Refuses a leaf that would outlive its CA, with cockroach's hours-based message."""
    ca_after = ca.not_valid_after_utc
    if ca_after >= not_after:
        return
    ca_hours = (ca_after - now).total_seconds() / 3600
    want_hours = (not_after - now).total_seconds() / 3600
    raise CertError(
        f"CA lifetime is {ca_hours:f}h, shorter than the requested {want_hours:f}h. "
        f"Renew CA certificate, or rerun with --lifetime={int(ca_hours)}h for a shorter duration.",
        hint=_lifetime_hint(ca_after, not_after, now),
    )


def _lifetime_hint(ca_after: dt.datetime, not_after: dt.datetime, now: dt.datetime) -> str:
    """The same fact in dates and days, with the flag that clamps instead."""
    return (
        f"the CA expires {rfc3339(ca_after)} (in {_days(ca_after - now)} days) but the "
        f"certificate would expire {rfc3339(not_after)} (in {_days(not_after - now)} days); "
        "--lifetime-policy=clamp ends the certificate with the CA instead"
    )


def _days(span: dt.timedelta) -> str:
    return f"{span.total_seconds() / 86400:.1f}"
