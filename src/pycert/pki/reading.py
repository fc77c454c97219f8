"""The one certificate reader: every field from cryptography's parser, read the way Go's
`x509.ParseCertificate` reads it, so pycert sees what a CockroachDB node sees.

What Go refuses is refused here (`Unreadable`, in Go's words where practical); where Go
accepts, the values are Go's: the *last* CN, SANs in certificate order, IPs in Go's text
form. The few places where cryptography refuses what Go accepts are listed, each with
its reason, in tests/test_go_reading.py (KNOWN_DIFFERENCES), which holds this reader to
Go's own on a corpus of odd certificates.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import re
from typing import NamedTuple, Optional, cast
from urllib.parse import unquote

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.name import _ASN1Type  # noqa: PLC2701 - the string type of a name value
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from pycert.gocompat import go_quote
from pycert.hosts import ip_text
from pycert.pki import tbs

EKU_OIDS = {"serverAuth": ExtendedKeyUsageOID.SERVER_AUTH,
            "clientAuth": ExtendedKeyUsageOID.CLIENT_AUTH}
_EKU_NAMES = {oid.dotted_string: name for name, oid in EKU_OIDS.items()}
_CN, _O, _OU = (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME,
                NameOID.ORGANIZATIONAL_UNIT_NAME)
# The string types Go's parseASN1String reads; any other value type is refused.
_GO_STRINGS = frozenset({_ASN1Type.T61String, _ASN1Type.PrintableString,
                         _ASN1Type.UTF8String, _ASN1Type.BMPString, _ASN1Type.IA5String,
                         _ASN1Type.NumericString})
# And the bytes it lets two of them hold (cryptography checks PrintableString from 45,
# NumericString from 51): isPrintable, with the '*' and '&' Go allows as real CAs write
# them, and digits and spaces.
_GO_CHARSETS = {
    _ASN1Type.PrintableString: (re.compile(r"[A-Za-z0-9'()+,\-./ :=?*&]*"), "PrintableString"),
    _ASN1Type.NumericString: (re.compile(r"[0-9 ]*"), "NumericString")}
# Go 1.19's parsePublicKey: algorithms it knows, by OID; others (Ed448, X25519, RSA-PSS)
# load as "unknown", their keys unread.
_KEY_TYPES = {"1.2.840.113549.1.1.1": "RSA", "1.2.840.10045.2.1": "ECDSA",
              "1.3.101.112": "Ed25519", "1.2.840.10040.4.1": "DSA"}
# An RSA key's AlgorithmIdentifier as Go requires it: rsaEncryption with NULL parameters.
_RSA_ALGORITHM = bytes.fromhex("300d06092a864886f70d0101010500")
_GO_CURVES = frozenset({"secp224r1", "secp256r1", "secp384r1", "secp521r1"})


class Unreadable(ValueError):
    """A certificate that Go's x509.ParseCertificate (and so CockroachDB) refuses."""


class Name(NamedTuple):
    """A subject or issuer as Go's pkix.Name fills it: CN is the last CN attribute."""

    cn: Optional[str]  # noqa: UP045 - NamedTuple fields are evaluated at runtime on 3.9
    o: tuple[str, ...]
    ou: tuple[str, ...]


class KeyInfo(NamedTuple):
    type: str  # RSA, ECDSA, Ed25519, DSA, Ed448, or the algorithm's dotted OID
    size: Optional[int]  # noqa: UP045
    curve: Optional[str]  # noqa: UP045


# Keys Go 1.19 leaves unread (an "unknown" algorithm) that pycert still names, as its
# records and messages do; any other such key is named by its dotted OID.
UNREAD_KEYS = {"1.3.101.113": KeyInfo("Ed448", 456, None)}


class CertFields(NamedTuple):
    """One certificate, read once: what every command and record reports about it."""

    der: bytes
    subject: Name
    issuer: Name
    raw_subject: bytes  # the Name elements byte for byte, as Go compares issuer to subject
    raw_issuer: bytes
    serial: int
    not_before: dt.datetime
    not_after: dt.datetime
    dns: tuple[str, ...]
    ip: tuple[str, ...]  # Go's text form: IPv4-mapped IPv6 shown as IPv4
    uri: tuple[str, ...]
    is_ca: bool
    eku: Optional[tuple[str, ...]]  # noqa: UP045 - None: no extension (any usage)
    key: KeyInfo
    signature_algorithm: str

    @property
    def sha256_hex(self) -> str:
        return hashlib.sha256(self.der).hexdigest()

    @property
    def serial_hex(self) -> str:
        return format(self.serial, "x") if self.serial >= 0 else "-" + format(-self.serial, "x")

    def certificate(self) -> x509.Certificate:
        """cryptography's object, for signatures and keys (parsing again takes ~2 us)."""
        return x509.load_der_x509_certificate(self.der)


class Shared:
    """What one directory's certificates have in common, read and held once: each issuer
    by its raw bytes (thousands of certificates share a handful, and the same bytes read
    the same), and the small equal values (O, OU, EKU, key) each would hold a copy of.
    A loader keeps one for one load; nothing here outlives its caller's."""

    __slots__ = ("issuers", "keys", "strings")

    def __init__(self) -> None:
        self.issuers: dict[bytes, tuple[bytes, Name]] = {}
        self.strings: dict[tuple[str, ...], tuple[str, ...]] = {}
        self.keys: dict[KeyInfo, KeyInfo] = {}

    def name(self, found: Name) -> Name:
        return Name(found.cn, self.strings.setdefault(found.o, found.o),
                    self.strings.setdefault(found.ou, found.ou))


def read(der: bytes, shared: Shared | None = None) -> CertFields:
    """The fields of one DER certificate, or Unreadable naming what Go would refuse;
    `shared` (one per directory) holds what its certificates have in common once."""
    try:
        cert = x509.load_der_x509_certificate(der)
        head = tbs.head(der)
        if head.inner_algorithm != head.outer_algorithm:
            raise Unreadable("x509: inner and outer signature algorithm identifiers "
                             "don't match")
        subject = _name(cert.subject)
        seen = shared.issuers.get(head.issuer) if shared is not None else None
        if seen is None:
            seen = (head.issuer, _name(cert.issuer))
            if shared is not None:
                shared.issuers[head.issuer] = seen
        raw_issuer, issuer = seen  # one bytes object for the raw issuer they share
        # Go reads extensions of v3 certificates only: a v1 certificate's are not there.
        no_extensions = cert.version is not x509.Version.v3
        (dns, ips, uris), is_ca, eku = ((_NO_SANS, False, None) if no_extensions
                                        else _extensions(cert))
        key = key_info(cert, head)
        if shared is not None:
            subject, key = shared.name(subject), shared.keys.setdefault(key, key)
            eku = shared.strings.setdefault(eku, eku) if eku else eku
        return CertFields(der, subject, issuer, head.subject, raw_issuer,
                          cert.serial_number, cert.not_valid_before_utc,
                          cert.not_valid_after_utc, dns, ips, uris, is_ca, eku, key,
                          _signature_algorithm(cert))
    except Unreadable:
        raise
    except x509.DuplicateExtension as exc:  # Go: parseCertificate's seenExts
        raise Unreadable("x509: certificate contains duplicate extensions") from exc
    except x509.InvalidVersion as exc:  # Go: "invalid version" above v3 (v2 it reads)
        raise Unreadable("x509: invalid version" if exc.parsed_version > 2
                         else _message(exc)) from exc
    except Exception as exc:  # cryptography's ValueError and its few other refusals
        end = tbs.element_end(der)
        if end is not None and end < len(der):
            # Go parses the first element as the certificate, then refuses what follows.
            read(der[:end], shared)
            raise Unreadable("x509: trailing data") from exc
        raise Unreadable(_message(exc)) from exc


def _message(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text if text.startswith("x509:") else f"x509: {text}"


def _name(name: x509.Name) -> Name:
    """CN (the last, as Go), O and OU values; a value type Go cannot read is refused."""
    cn: str | None = None
    o: list[str] = []
    ou: list[str] = []
    for rdn in name.rdns:
        for attr in rdn:
            kind = attr._type  # noqa: SLF001 - cryptography keeps the ASN.1 type only here
            if kind not in _GO_STRINGS:
                raise Unreadable("x509: invalid RDNSequence: invalid attribute value: "
                                 f"unsupported string type: {kind.value}")
            value = str(attr.value)
            if kind in _GO_CHARSETS:
                charset, what = _GO_CHARSETS[kind]
                if not charset.fullmatch(value):
                    raise Unreadable("x509: invalid RDNSequence: invalid attribute value: "
                                     f"invalid {what}")
            elif kind is _ASN1Type.BMPString and value.endswith("\x00"):
                value = value[:-1]  # Go's parseASN1String strips a BMPString's terminator
            oid = attr.oid
            if oid == _CN:
                cn = value
            elif oid == _O:
                o.append(value)
            elif oid == _OU:
                ou.append(value)
    return Name(cn, tuple(o), tuple(ou))


Sans = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]  # DNS, IP, URI
_NO_SANS: Sans = ((), (), ())


def _extensions(cert: x509.Certificate) -> tuple[Sans, bool, tuple[str, ...] | None]:
    """(SANs, CA flag, EKU names), every extension parsed as Go parses its own."""
    sans, is_ca, eku = _NO_SANS, False, None
    for ext in cert.extensions:  # parses every extension: a malformed one is refused
        value = ext.value
        kind = type(value)  # exact classes: isinstance on cryptography's ABCs costs ~1 us
        if kind is x509.SubjectAlternativeName:
            sans = _sans(value)
        elif kind is x509.BasicConstraints:
            is_ca = value.ca
        elif kind is x509.ExtendedKeyUsage:
            # Go: an empty ExtendedKeyUsage leaves ExtKeyUsage nil, as if absent (any
            # usage); cryptography reads one before 44, refuses it from 44 on.
            eku = tuple(eku_name(u) for u in value) or None
    return sans, is_ca, eku


def eku_name(oid: x509.ObjectIdentifier) -> str:
    """`serverAuth`, `clientAuth`, or the purpose's dotted OID."""
    return _EKU_NAMES.get(oid.dotted_string, oid.dotted_string)


def _sans(ext: x509.SubjectAlternativeName) -> Sans:
    """DNS, IP and URI names in order, refused where Go's parseSANExtension refuses."""
    dns: list[str] = []
    ips: list[str] = []
    uris: list[str] = []
    for name in ext:
        kind = type(name)
        if kind is x509.DNSName:
            dns.append(_ia5(name.value, "dNSName"))
        elif kind is x509.IPAddress:
            if not isinstance(name.value, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
                raise Unreadable("x509: cannot parse IP address of length "
                                 f"{len(name.value.network_address.packed) * 2}")
            ips.append(ip_text(name.value))
        elif kind is x509.UniformResourceIdentifier:
            uris.append(_uri(_ia5(name.value, "uniformResourceIdentifier")))
        elif kind is x509.RFC822Name:
            _ia5(name.value, "rfc822Name")
    return tuple(dns), tuple(ips), tuple(uris)


def _ia5(value: str, what: str) -> str:
    if not value.isascii():
        raise Unreadable(f"x509: SAN {what} is malformed")
    return value


def _uri(uri: str) -> str:
    """The URI as Go's url.URL prints it, or Unreadable in parseSANExtension's words."""
    error, host = _parse_url(uri)
    if error is None and host and not _domain(unquote(host)):  # domainToReverseLabels
        error = "invalid domain"
    if error is not None:
        raise Unreadable(f"x509: cannot parse URI {go_quote(uri)}: {error}")
    scheme = _SCHEME.match(uri)
    return uri[:scheme.end()].lower() + uri[scheme.end():] if scheme else uri  # Parse lowers


# net/url.Parse (Go 1.19) on an ASCII URI SAN: the checks by which it refuses one, in its
# order. The URI's text is kept but for its scheme's case: Go's String() also re-escapes
# a path or fragment, which pycert does not follow (tests/test_go_reading.py).
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # stringContainsCTLByte
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")  # getScheme
_PORT = re.compile(r"(:[0-9]*)?")  # validOptionalPort
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2}).{0,2}")  # unescape
# unescape(host, encodeHost): also an escaped ASCII byte (but %25), and any byte that
# shouldEscape(c, encodeHost) keeps out of a host.
_BAD_HOST = re.compile(r"%(?![0-9A-Fa-f]{2}).{0,2}|%(?!25)[0-7][0-9A-Fa-f]|"
                       r"[^A-Za-z0-9!$&'()*+,;=:\[\]<>\"\-_.~%]")


def _parse_url(uri: str) -> tuple[str | None, str]:
    """(Go's error or None, the host) of url.Parse(uri)."""
    text, _, fragment = uri.partition("#")  # Parse: the fragment is cut off first
    quoted = go_quote(text)
    if _CONTROL.search(text):
        return f"parse {quoted}: net/url: invalid control character in URL", ""
    if text.startswith(":"):
        return f"parse {quoted}: missing protocol scheme", ""
    scheme = _SCHEME.match(text)
    rest = (text[scheme.end():] if scheme else text).partition("?")[0]  # a query is not read
    host = ""
    if scheme and not rest.startswith("/"):
        rest = ""  # opaque ("urn:..."): kept as written
    elif not scheme and ":" in rest.partition("/")[0]:
        return f"parse {quoted}: first path segment in URL cannot contain colon", ""
    if rest.startswith("//") and (scheme or not rest.startswith("///")):  # parseAuthority
        authority, slash, path = rest[2:].partition("/")
        rest, host = slash + path, authority.rpartition("@")[2]
        error = _host_error(host)
        if error:
            return f"parse {quoted}: {error}", host
    for part, where in ((rest, quoted), (fragment, go_quote(uri))):  # setPath, setFragment
        bad = _BAD_ESCAPE.search(part)
        if bad:
            return f"parse {where}: invalid URL escape {go_quote(bad.group())}", host
    return None, host


def _host_error(host: str) -> str | None:
    """parseHost: the port after the host (or after an IPv6 literal's "]"), then its bytes."""
    if host.startswith("["):
        if "]" not in host:
            return "missing ']' in host"
        port = host[host.rindex("]") + 1:]
    else:
        port = host[host.rindex(":"):] if ":" in host else ""
    if not _PORT.fullmatch(port):
        return f"invalid port {go_quote(port)} after host"
    bad = _BAD_HOST.search(host)
    if bad is None:
        return None
    if bad.group().startswith("%"):
        return f"invalid URL escape {go_quote(bad.group())}"
    return f"invalid character {go_quote(bad.group())} in host name"


def _domain(host: str) -> bool:
    """Go's domainToReverseLabels (run on any host but an empty one): labels of printable
    ASCII, none empty, though a single leading dot is dropped unseen."""
    labels = host.split(".")
    if len(labels) > 1 and labels[0] == "":
        labels = labels[1:]
    return not host or all(label and all(33 <= ord(c) <= 126 for c in label)
                           for label in labels)


def key_info(cert: x509.Certificate, head: tbs.Head | None = None) -> KeyInfo:
    """The public key's type, size and curve; refused where Go refuses to load it.
    `head`: the certificate's tbs.head, where the caller has it."""
    if head is None:
        head = tbs.head(cert.public_bytes(serialization.Encoding.DER))
    oid = head.key_oid  # from the bytes Go checks, with the key's parameters beside it
    kind = _KEY_TYPES.get(oid)
    if kind is None:
        return UNREAD_KEYS.get(oid, KeyInfo(oid, None, None))  # Go: "unknown", unread
    if kind == "RSA" and head.key_algorithm != _RSA_ALGORITHM:  # Go: RFC 3279's NULL
        raise Unreadable("x509: RSA key missing NULL parameters")
    key = cert.public_key()
    if kind == "RSA":  # by the OID, not isinstance on an ABC (~2 us a call)
        return KeyInfo(kind, cast(rsa.RSAPublicKey, key).key_size, None)
    if isinstance(key, ec.EllipticCurvePublicKey):
        if key.curve.name not in _GO_CURVES:
            raise Unreadable("x509: unsupported elliptic curve")
        point = key.public_bytes(serialization.Encoding.X962,
                                 serialization.PublicFormat.UncompressedPoint)
        if not head.public_key_info.endswith(point):  # elliptic.Unmarshal: uncompressed only
            raise Unreadable("x509: failed to unmarshal elliptic curve point")
        return KeyInfo(kind, key.curve.key_size, key.curve.name)
    if isinstance(key, ed25519.Ed25519PublicKey):
        return KeyInfo(kind, 256, None)
    return KeyInfo(kind, getattr(key, "key_size", None), None)  # DSA


def _signature_algorithm(cert: x509.Certificate) -> str:
    """OpenSSL's name for the algorithm (`sha256WithRSAEncryption`), else the dotted OID."""
    oid = cert.signature_algorithm_oid
    name = getattr(oid, "_name", "")  # cryptography keeps OpenSSL's names there only
    return name if name and name != "Unknown OID" else oid.dotted_string
