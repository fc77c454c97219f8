"""What to issue: plain values the CLI and the Python API build, and `pki` turns into keys
and certificates. No `cryptography` import here, so parsing flags stays cheap.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from pycert.gocompat import parse_duration
from pycert.hosts import clean_hosts
from pycert.kinds import DEFAULT_EC_BITS, DEFAULT_RSA_BITS, Kind

BACKDATE = dt.timedelta(hours=24)  # cockroach back-dates NotBefore "for clock issues"
KeyType = Literal["rsa", "ecdsa", "ed25519"]
KEY_TYPES: tuple[KeyType, ...] = ("rsa", "ecdsa", "ed25519")
LifetimePolicy = Literal["error", "clamp"]
LIFETIME_POLICIES: tuple[LifetimePolicy, ...] = ("error", "clamp")


@dataclass(frozen=True)
class KeySpec:
    """A key to generate; for ECDSA `bits` names the curve (256, 384, 521)."""

    type: KeyType = "rsa"
    bits: int = DEFAULT_RSA_BITS

    @classmethod
    def of(cls, key_type: KeyType, bits: int | None = None) -> KeySpec:
        """The type's default size when `bits` is None (P-256 for ECDSA)."""
        if bits is None:
            bits = DEFAULT_EC_BITS if key_type == "ecdsa" else DEFAULT_RSA_BITS
        return cls(key_type, bits)


@dataclass(frozen=True)
class Lifetime:
    """How long a certificate lives: a duration (kind's default if None) or an end date."""

    ns: int | None = None
    not_after: dt.datetime | None = None
    policy: LifetimePolicy = "error"  # "clamp": end a leaf with its CA instead of failing

    @classmethod
    def of(cls, span: str | dt.timedelta, *, policy: LifetimePolicy = "error") -> Lifetime:
        """`Lifetime.of("30d")` (the `--lifetime` grammar) or of a timedelta."""
        if isinstance(span, dt.timedelta):
            return cls(round(span.total_seconds() * 1e6) * 1000, policy=policy)
        return cls(parse_duration(span), policy=policy)

    def duration_ns(self, kind: Kind) -> int:
        return self.ns if self.ns is not None else parse_duration(kind.default_lifetime)

    def problem(self) -> str:
        """Why a certificate cannot live this long (it would end before it begins), or "".

        A negative lifetime down to the back-dating is cockroach's way to make an expired
        certificate (tests use it); one that reaches back past NotBefore makes none."""
        if self.ns is not None and self.ns <= -BACKDATE.total_seconds() * 1e9:
            return ("the certificate would end before it begins: NotBefore is 24h before now, "
                    "so a lifetime must be more than -24h (e.g. -1h for an expired one)")
        return ""


@dataclass(frozen=True)
class LeafSpec:
    """A node, UI, client or tenant-client certificate to issue: its identity and options."""

    kind: Kind
    name: str = ""  # the user of a client, the tenant id of a tenant client
    hosts: tuple[str, ...] = ()
    tenant_scope: tuple[int, ...] = ()
    tenant_name_scope: tuple[str, ...] = ()
    key: KeySpec = field(default_factory=KeySpec)
    lifetime: Lifetime = field(default_factory=Lifetime)
    node_user: str = "node"  # CN of node certs (COCKROACH_CERT_NODE_USER, read by the CLI)
    ocsp_urls: tuple[str, ...] = ()  # --ocsp-url: AIA OCSP entries (cockroach adds none)

    @property
    def common_name(self) -> str:
        if self.kind.cn == "node-user":
            return self.node_user
        if self.kind.cn == "first-host":  # cockroach's UI profile: CN = hosts[0], as cleaned
            return clean_hosts(list(self.hosts[:1]))[0][0] if self.hosts else ""
        return self.name

@dataclass(frozen=True)
class CASpec:
    """A CA certificate to issue (ca, client-ca or tenant-client-ca)."""

    kind: Kind
    key: KeySpec = field(default_factory=KeySpec)
    lifetime: Lifetime = field(default_factory=Lifetime)
    reuse_key: bool = False  # --allow-ca-key-reuse: sign a new cert with an existing key
    crl_sign: bool = False  # --crl-sign: cockroach's KeyUsage plus cRLSign
