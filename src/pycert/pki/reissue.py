"""Reading a leaf certificate back into what to issue, so a renewal retypes nothing.

A renewed certificate keeps what the old one says (its subject, every DNS, IP and URI SAN
in order, its key type and size) and takes the rest from pycert's profile for its kind;
what cannot be carried over is named, for a warning (or, with `--strict`, a refusal).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import unquote

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtensionOID

from pycert.errors import CertError
from pycert.hosts import ip_text
from pycert.kinds import Kind
from pycert.pki import keys
from pycert.pki.certs import read_ocsp_urls
from pycert.pki.describe import key_label
from pycert.pki.keys import PrivateKey
from pycert.pki.reading import EKU_OIDS, key_info
from pycert.pki.specs import KeySpec, LeafSpec, Lifetime

# Written anew by every profile, so never lost: the renewal's own values replace them.
PROFILE_EXTENSIONS = frozenset({
    ExtensionOID.KEY_USAGE, ExtensionOID.EXTENDED_KEY_USAGE,
    ExtensionOID.AUTHORITY_KEY_IDENTIFIER, ExtensionOID.SUBJECT_KEY_IDENTIFIER,
    ExtensionOID.BASIC_CONSTRAINTS, ExtensionOID.SUBJECT_ALTERNATIVE_NAME,
})
_CURVE_BITS = {"secp256r1": 256, "secp384r1": 384, "secp521r1": 521}


@dataclass(frozen=True)
class Reissue:
    """What renewing one certificate issues: its identity, and what it cannot carry over."""

    kind: Kind
    name: str  # the <user>/<id> of the file name
    subject: x509.Name  # kept as it is, attribute types included
    sans: tuple[x509.GeneralName, ...]  # DNS, IP and URI SANs, in certificate order
    key: KeySpec | None  # None: a key pycert cannot make (only --reuse-key renews it)
    key_text: str  # `rsa 2048`, `ecdsa secp256r1`, ...: the old key, for messages
    dropped: tuple[str, ...]  # each thing left out, named for a person
    ocsp_urls: tuple[str, ...] = ()  # its AIA OCSP URLs (`--ocsp-url`), kept in order

    @property
    def common_name(self) -> str:
        cns = self.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
        return str(cns[-1].value) if cns else ""  # the last, as Go reads a subject

    def spec(self, lifetime: Lifetime | None = None) -> LeafSpec:
        """The create-* request that says the same: hosts, tenant scopes, key, CN."""
        hosts = [str(n.value) if isinstance(n, x509.DNSName) else ip_text(n.value)
                 for n in self.sans if isinstance(n, (x509.DNSName, x509.IPAddress))]
        ids, names = tenant_scopes(self.sans)
        return LeafSpec(self.kind, self.name, tuple(hosts), ids, names,
                        self.key or KeySpec(), lifetime or Lifetime(),
                        node_user=self.common_name if self.kind.cn == "node-user" else "node",
                        ocsp_urls=self.ocsp_urls)


def read(kind: Kind, name: str, cert: x509.Certificate) -> Reissue:
    """The renewal of `cert` as a certificate of `kind` named `name` (its file's name)."""
    sans, dropped = _sans(cert)
    urls, aia_dropped = _access(cert)
    dropped += aia_dropped + _extensions(cert)
    dropped += [f"extended key usage {usage} (pycert's {kind.name} profile has "
                f"{', '.join(kind.eku)})" for usage in _ekus(cert) if usage not in kind.eku]
    return Reissue(kind, name, cert.subject, tuple(sans), key_spec(cert), key_label(key_info(cert)),
                   tuple(dropped), urls)


def key_spec(cert: x509.Certificate) -> KeySpec | None:
    """A new key of the same type and size, if pycert can make one."""
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        spec = KeySpec("rsa", key.key_size)
    elif isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name in _CURVE_BITS:
        spec = KeySpec("ecdsa", _CURVE_BITS[key.curve.name])
    elif isinstance(key, ed25519.Ed25519PublicKey):
        spec = KeySpec("ed25519", 256)
    else:
        return None
    try:
        keys.check_spec(spec)
    except ValueError:
        return None
    return spec


def reusable(cert: x509.Certificate) -> bool:
    """Whether pycert can sign for (and so keep, with --reuse-key) this kind of key."""
    return isinstance(cert.public_key(), (rsa.RSAPublicKey, ec.EllipticCurvePublicKey,
                                          ed25519.Ed25519PublicKey))


def _sans(cert: x509.Certificate) -> tuple[list[x509.GeneralName], list[str]]:
    try:
        names = list(cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value)
    except x509.ExtensionNotFound:
        return [], []
    kept: list[x509.GeneralName] = []
    dropped: list[str] = []
    for san in names:
        if isinstance(san, (x509.DNSName, x509.UniformResourceIdentifier)) or (
                isinstance(san, x509.IPAddress)
                and isinstance(san.value, (ipaddress.IPv4Address, ipaddress.IPv6Address))):
            kept.append(san)
        else:
            dropped.append(f"SAN {_san_text(san)} (a SAN type cockroach does not use)")
    return kept, dropped


def _san_text(san: x509.GeneralName) -> str:
    if isinstance(san, x509.RFC822Name):
        return f"email:{san.value}"
    if isinstance(san, x509.OtherName):
        return f"otherName:{san.type_id.dotted_string}"
    if isinstance(san, x509.DirectoryName):
        return f"dirName:{san.value.rfc4514_string()}"
    if isinstance(san, x509.RegisteredID):
        return f"registeredID:{san.value.dotted_string}"
    return f"{type(san).__name__}:{san.value}"


def _label(oid: x509.ObjectIdentifier, short: bool = False) -> str:
    """`cRLDistributionPoints (2.5.29.31)`, or the dotted OID alone for an unknown one."""
    name = getattr(oid, "_name", "")  # cryptography's name for an OID it knows
    if not name or name == "Unknown OID":
        return oid.dotted_string
    return name if short else f"{name} ({oid.dotted_string})"


def _ekus(cert: x509.Certificate) -> list[str]:
    try:
        usages = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return []
    names = {oid: name for name, oid in EKU_OIDS.items()}
    return [names.get(oid) or _label(oid, short=True) for oid in usages]


def _extensions(cert: x509.Certificate) -> list[str]:
    return [f"{'critical ' if ext.critical else ''}extension {_label(ext.oid)}"
            for ext in cert.extensions if ext.oid not in PROFILE_EXTENSIONS
            and ext.oid != ExtensionOID.AUTHORITY_INFORMATION_ACCESS]


def _access(cert: x509.Certificate) -> tuple[tuple[str, ...], list[str]]:
    """The AIA's OCSP URLs, carried over, and what else it held (left out, named)."""
    try:
        ext = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess)
    except x509.ExtensionNotFound:
        return (), []
    urls = read_ocsp_urls(cert)
    others = len(ext.value) - len(urls)
    dropped = [f"{others} authorityInfoAccess entr{'y' if others == 1 else 'ies'} other than "
               "OCSP URLs (pycert writes only --ocsp-url ones)"] if others else []
    if ext.critical:
        dropped.append("the critical flag of authorityInfoAccess")
    return urls, dropped


def tenant_scopes(sans: tuple[x509.GeneralName, ...]) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """The --tenant-scope ids and --tenant-name-scope names a client's URI SANs say."""
    ids: list[int] = []
    names: list[str] = []
    for san in sans:
        if not isinstance(san, x509.UniformResourceIdentifier):
            continue
        parts = san.value.split("/")  # crdb://tenant/<id>/user/<u>
        if len(parts) < 6 or parts[0] != "crdb:" or parts[4] != "user":
            continue
        if parts[2] == "tenant" and parts[3].isdigit():
            ids.append(int(parts[3]))
        elif parts[2] == "tenant-name":
            names.append(unquote(parts[3]))
    return tuple(ids), tuple(names)


def new_key(reissue: Reissue) -> PrivateKey:
    """A fresh key like the old one; refuses a key type pycert cannot make."""
    if reissue.key is None:
        raise CertError(f"its key ({reissue.key_text}) is of a type or size pycert cannot "
                        "make; renew with --reuse-key to keep it")
    return keys.generate(reissue.key)

