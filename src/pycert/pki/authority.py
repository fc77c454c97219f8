"""A CA in memory and the certificates it issues: the one issuing path.

`create-*`, `sign-csr`, and Python callers (`pycert.CA().issue_node(...)`) all come
through `CA.sign`, so a certificate is the same field by field however it was asked for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes

from pycert.errors import CertError
from pycert.hosts import clean_hosts
from pycert.identities import client_username
from pycert.kinds import BY_NAME, Kind
from pycert.kinds import CA as CA_KIND
from pycert.pki import certs, keys, reissue, sslcontext
from pycert.pki.describe import rfc3339
from pycert.pki.keys import PrivateKey
from pycert.pki.reading import CertFields, read
from pycert.pki.signatures import signed_by
from pycert.pki.specs import KeySpec, KeyType, LeafSpec, Lifetime

if TYPE_CHECKING:
    import ssl  # the caller's context: pycert itself never loads ssl (~18 ms)


@dataclass(frozen=True)
class Issued:
    """A certificate and (unless a CSR brought its own) its new key, with PEM forms."""

    kind: Kind
    name: str
    cert: x509.Certificate
    key: PrivateKey | None = None
    warnings: tuple[str, ...] = ()  # things a person should hear about, e.g. a clamped end

    def __repr__(self) -> str:
        return (f"<pycert.Issued {self.kind.cert_file(self.name)} "
                f"{self.cert.subject.rfc4514_string()!r} "
                f"until {rfc3339(self.cert.not_valid_after_utc)}>")

    @property
    def cert_pem(self) -> bytes:
        return certs.cert_pem(self.cert)

    @property
    def fields(self) -> CertFields:
        """The certificate as `list`, `check` and the records read it."""
        return read(certs.cert_der(self.cert))

    @property
    def key_pem(self) -> bytes:
        """cockroach's key encoding (PKCS#1 for RSA)."""
        return keys.key_pem(self._own_key())

    @property
    def key_pkcs8(self) -> bytes:
        """DER PKCS#8, the `.pk8` file Java's JDBC driver reads."""
        return keys.pkcs8(self._own_key())

    def configure_cert(self, ctx: ssl.SSLContext) -> None:
        """`ctx` presents this certificate and key (trustme's verb): a server context for
        a node, a client context for a SQL user; nothing is written to disk."""
        sslcontext.present(ctx, self.cert_pem + self.key_pem)

    def _own_key(self) -> PrivateKey:
        if self.key is None:
            raise ValueError(f"{self.kind.cert_file(self.name)} was signed from a CSR: "
                             "its key is not here")
        return self.key


def validity(kind: Kind, lifetime: Lifetime, now: dt.datetime) -> certs.Validity:
    if lifetime.not_after is not None:
        return certs.Validity.until(now, lifetime.not_after)
    return certs.Validity.starting(now, lifetime.duration_ns(kind))


def leaf_sans(spec: LeafSpec) -> tuple[list[x509.GeneralName], list[str]]:
    """(SANs, warnings) for a spec: hosts checked and punycoded, then tenant-scope URIs."""
    if spec.kind.takes_hosts and not spec.hosts:
        raise CertError(f"a {spec.kind.name} certificate requires at least one host name or "
                        "address, none was specified")
    hosts, warnings = clean_hosts(list(spec.hosts))
    sans = certs.host_sans(hosts)
    if spec.kind.tenant_scoped:
        sans += certs.uri_sans(spec.name, spec.tenant_scope, spec.tenant_name_scope)
    return sans, warnings


class CA:
    """A CA certificate and its key. `CA()` makes a new one, as `create-ca` would."""

    cert: x509.Certificate
    key: PrivateKey
    kind: Kind
    source: str  # where the key came from, for messages

    def __init__(self, *, key_type: KeyType = "rsa", key_size: int | None = None,
                 lifetime: Lifetime | None = None, kind: str = "ca") -> None:
        key = keys.generate(KeySpec.of(key_type, key_size))
        made = CA.new(key, lifetime or Lifetime(), kind=BY_NAME[kind])
        self.cert, self.key, self.kind, self.source = made.cert, made.key, made.kind, ""

    @classmethod
    def from_pair(cls, cert: x509.Certificate, key: PrivateKey, *, kind: Kind = CA_KIND,
                  source: str = "") -> CA:
        """An existing CA; `source` (the key's path) names it in error messages."""
        ca = cls.__new__(cls)
        ca.cert, ca.key, ca.kind, ca.source = cert, key, kind, source
        return ca

    @classmethod
    def new(cls, key: PrivateKey, lifetime: Lifetime, *, kind: Kind = CA_KIND,
            now: dt.datetime | None = None, source: str = "") -> CA:
        """A new self-signed CA certificate for `key`; refuses a key that signs wrongly."""
        cert = certs.build_ca(key, validity(kind, lifetime, now or certs.utcnow()))
        ca = cls.from_pair(cert, key, kind=kind, source=source)
        ca.check_signature(cert)
        return ca

    @classmethod
    def from_pem(cls, cert_pem: bytes, key_pem: bytes) -> CA:
        cert = x509.load_pem_x509_certificate(cert_pem)
        key = keys.parse_single(key_pem)
        if not keys.same_public_key(cert, key):
            raise ValueError("the key does not match the CA certificate")
        return cls.from_pair(cert, key)

    def __repr__(self) -> str:
        return (f"<pycert.CA {self.kind.name} {self.cert.subject.rfc4514_string()!r} "
                f"until {rfc3339(self.cert.not_valid_after_utc)}>")

    @property
    def cert_pem(self) -> bytes:
        return certs.cert_pem(self.cert)

    @property
    def key_pem(self) -> bytes:
        return keys.key_pem(self.key)

    @property
    def fields(self) -> CertFields:
        """The CA certificate as `list`, `check` and the records read it."""
        return read(certs.cert_der(self.cert))

    def configure_trust(self, ctx: ssl.SSLContext) -> None:
        """`ctx` trusts certificates this CA signed (trustme's verb), in memory."""
        sslcontext.trust(ctx, self.cert_pem)

    def check_signature(self, cert: x509.Certificate) -> None:
        """A corrupt key can sign garbage without an error: see docs/security.md."""
        if not signed_by(cert, self.cert):
            where = f" {self.source}" if self.source else ""
            raise CertError(f"CA key{where} is corrupt: its signature does not verify")

    def issue(self, spec: LeafSpec, *, key: PrivateKey | None = None,
              now: dt.datetime | None = None) -> Issued:
        """A new leaf for `spec` (a new key unless one is given), signed by this CA."""
        sans, warnings = leaf_sans(spec)
        key = key or keys.generate(spec.key)
        cert, more = self.sign(spec.kind, spec.name, spec.common_name, key.public_key(), sans,
                               spec.lifetime, now)
        return Issued(spec.kind, spec.name, cert, key, tuple(warnings + more))

    def sign(self, kind: Kind, name: str, common_name: str,
             public_key: CertificatePublicKeyTypes, sans: list[x509.GeneralName],
             lifetime: Lifetime, now: dt.datetime | None = None, *,
             subject: x509.Name | None = None) -> tuple[x509.Certificate, list[str]]:
        """The certificate of `kind` for a public key, and any warnings about it;
        `subject` (a renewal's) replaces the profile's subject built from `common_name`."""
        now = now or certs.utcnow()
        warnings: list[str] = []
        try:
            span = validity(kind, lifetime, now)
            for bad, message in kind.rejected_names:
                if name == bad:
                    raise CertError(message)
            ca_end = self.cert.not_valid_after_utc
            if lifetime.policy == "clamp" and span.not_after > ca_end:
                span = span.clamped(ca_end)
                warnings.append("--lifetime-policy=clamp: certificate ends with its CA at "
                                f"{rfc3339(span.not_after)}")
            certs.check_lifetime(self.cert, span.not_after, now)
            warnings += [w for w in [certs.expired_warning(span.not_after, now)] if w]
        except CertError as exc:
            raise exc.wrap(kind.texts["creating"]) from exc
        cert = certs.build_leaf(kind, public_key, common_name, sans, self.cert, self.key, span,
                                name=subject)
        self.check_signature(cert)
        return cert, warnings

    def renew(self, old: x509.Certificate, *, kind: str = "node", name: str = "",
              key: PrivateKey | None = None, lifetime: Lifetime | None = None) -> Issued:
        """`old` re-issued by this CA with its subject, SANs and key type (a new key unless
        `key` is given); `.warnings` name what could not be carried over."""
        row = BY_NAME[kind]
        if row.named and not name:
            name = read(certs.cert_der(old)).subject.cn or ""
        plan = reissue.read(row, name, old)
        return self.reissue(plan, key or reissue.new_key(plan), lifetime or Lifetime())

    def reissue(self, plan: reissue.Reissue, key: PrivateKey, lifetime: Lifetime,
                now: dt.datetime | None = None) -> Issued:
        """The renewal `plan` for `key`, signed here; warnings name what was left out."""
        cert, warnings = self.sign(plan.kind, plan.name, plan.common_name, key.public_key(),
                                   list(plan.sans), lifetime, now, subject=plan.subject)
        left_out = tuple(f"{what} is not carried over" for what in plan.dropped)
        return Issued(plan.kind, plan.name, cert, key, left_out + tuple(warnings))

    def issue_node(self, *hosts: str, key_type: KeyType = "rsa", key_size: int | None = None,
                   lifetime: Lifetime | None = None, node_user: str = "node") -> Issued:
        """A node certificate for `hosts` (names and IPs), cockroach's node profile."""
        return self.issue(LeafSpec(BY_NAME["node"], hosts=hosts, node_user=node_user,
                                   key=KeySpec.of(key_type, key_size),
                                   lifetime=lifetime or Lifetime()))

    def issue_client(self, user: str, *, tenant_scope: tuple[int, ...] = (),
                     tenant_name_scope: tuple[str, ...] = (), key_type: KeyType = "rsa",
                     key_size: int | None = None, lifetime: Lifetime | None = None,
                     validate_username: bool = True) -> Issued:
        """A client certificate for SQL user `user` (lower-cased and checked as the CLI does);
        tenant scopes add URI SANs."""
        user = client_username(user, validate=validate_username)
        return self.issue(LeafSpec(BY_NAME["client"], name=user, tenant_scope=tenant_scope,
                                   tenant_name_scope=tenant_name_scope,
                                   key=KeySpec.of(key_type, key_size),
                                   lifetime=lifetime or Lifetime()))

    def issue_tenant_client(self, tenant_id: int, *hosts: str, key_type: KeyType = "rsa",
                            key_size: int | None = None,
                            lifetime: Lifetime | None = None) -> Issued:
        """A tenant client certificate; no hosts means cockroach's local defaults."""
        kind = BY_NAME["tenant-client"]
        return self.issue(LeafSpec(kind, name=str(tenant_id), hosts=hosts or kind.default_hosts,
                                   key=KeySpec.of(key_type, key_size),
                                   lifetime=lifetime or Lifetime()))


def issue_tenant_signing(tenant_id: int, lifetime: Lifetime,
                         now: dt.datetime | None = None) -> Issued:
    """The self-signed Ed25519 pair a tenant signs its tokens with."""
    kind = BY_NAME["tenant-signing"]
    key = ed25519.Ed25519PrivateKey.generate()
    cert = certs.build_tenant_signing(key, tenant_id,
                                      validity(kind, lifetime, now or certs.utcnow()))
    return Issued(kind, str(tenant_id), cert, key)
