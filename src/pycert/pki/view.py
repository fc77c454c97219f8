"""One certificate's fields for records and checks, read from its DER where it has the
ordinary shape and from cryptography otherwise, so each answer is cryptography's.

cryptography builds a Python object per name attribute and per extension; for 10,000
certificates that was most of `list --format=json` and `check` (docs/performance.md).
A view parses the certificate with cryptography only when a field needs it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

from pycert.hosts import ip_text
from pycert.pki import certder
from pycert.pki.der import time_text

if TYPE_CHECKING:
    from cryptography import x509

    from pycert.pki.fields import KeyInfo, Names, Sans

_SAN = b"\x55\x1d\x11"  # 2.5.29.17
_BASIC = b"\x55\x1d\x13"  # 2.5.29.19
_EKU = b"\x55\x1d\x25"  # 2.5.29.37
_UTC = dt.timezone.utc
_ISSUERS: dict[bytes, Names] = {}  # the few issuer names of a dir, read once each
_ALGORITHMS: dict[bytes, tuple[str, Any, Any]] = {}  # name, padding or curve, hash
_EKUS: dict[bytes, list[str] | None] = {}  # the few distinct EKU values of a dir
_BASICS: dict[bytes, bool | None] = {}
_CACHE_MAX = 256


class CertView:
    """A certificate held as DER; `cert` parses it with cryptography on first use."""

    __slots__ = ("_cert", "der", "outline")

    def __init__(self, der: bytes, cert: x509.Certificate | None = None) -> None:
        self.der = der
        self._cert = cert
        self.outline = certder.outline(der)

    @property
    def cert(self) -> x509.Certificate:
        if self._cert is None:
            from cryptography import x509

            self._cert = x509.load_der_x509_certificate(self.der)
        return self._cert

    # --- names ----------------------------------------------------------------------

    @property
    def raw_subject(self) -> bytes:
        return self.outline.subject if self.outline else self.cert.subject.public_bytes()

    @property
    def raw_issuer(self) -> bytes:
        return self.outline.issuer if self.outline else self.cert.issuer.public_bytes()

    def subject(self) -> Names:
        return self._names(self.outline.subject if self.outline else None, issuer=False)

    def issuer(self) -> Names:
        raw = self.outline.issuer if self.outline else None
        cached = _ISSUERS.get(raw) if raw is not None else None
        if cached is None:
            cached = self._names(raw, issuer=True)
            if raw is not None and len(_ISSUERS) < _CACHE_MAX:
                _ISSUERS[raw] = cached
        return {"cn": cached["cn"], "o": list(cached["o"]), "ou": list(cached["ou"])}

    def _names(self, raw: bytes | None, *, issuer: bool) -> Names:
        found = certder.name_fields(raw) if raw is not None else None
        if found is None:
            from pycert.pki.fields import name_fields

            return name_fields(self.cert.issuer if issuer else self.cert.subject)
        cns = found["cn"]
        return {"cn": cns[0] if cns else None, "o": found["o"], "ou": found["ou"]}

    def common_name(self) -> str:
        """The first CN of the subject, or ""."""
        return self.subject()["cn"] or ""

    # --- extensions -----------------------------------------------------------------

    def _extension(self, oid: bytes) -> tuple[bool, bytes | None]:
        """(known, value): known is False when only cryptography can say."""
        if self.outline is None or self.outline.extensions is None:
            return False, None
        return True, self.outline.extensions.get(oid)

    def sans(self) -> Sans:
        """DNS, IP (Go's text form) and URI SANs, in certificate order."""
        known, value = self._extension(_SAN)
        found = certder.san_values(value) if known and value is not None else None
        if known and value is None:
            return {"dns": [], "ip": [], "uri": []}
        if found is None:
            from pycert.pki.fields import sans

            return sans(self.cert)
        dns, ips, uris = found
        return {"dns": dns, "ip": [ip_text(ipaddress.ip_address(ip)) for ip in ips],
                "uri": uris}

    def eku(self) -> list[str] | None:
        """`serverAuth`/`clientAuth`/dotted OIDs; None when the extension is absent."""
        known, value = self._extension(_EKU)
        if known and value is None:
            return None
        found = _cached(_EKUS, value, certder.eku_values) if value is not None else None
        if found is None:
            from pycert.pki.fields import eku_names

            return eku_names(self.cert)
        return list(found)

    def is_ca(self) -> bool:
        known, value = self._extension(_BASIC)
        if known and value is None:
            return False
        found = _cached(_BASICS, value, certder.basic_constraints_ca) if value is not None \
            else None
        if found is None:
            from pycert.pki.fields import is_ca

            return is_ca(self.cert)
        return bool(found)

    # --- the rest of a record -------------------------------------------------------

    def key_info(self) -> KeyInfo:
        found = certder.key_values(self.outline.spki) if self.outline else None
        if found is None:
            from pycert.pki.fields import key_info

            return key_info(self.cert)
        return {"type": found[0], "size": found[1], "curve": found[2]}

    def serial_hex(self) -> str:
        raw = self.outline.serial if self.outline else b""
        if raw and not raw[0] & 0x80:
            return format(int.from_bytes(raw, "big"), "x")
        return format(self.cert.serial_number, "x")

    def not_before(self) -> dt.datetime:
        return self.validity()[0]

    def not_after(self) -> dt.datetime:
        return self.validity()[1]

    def validity(self) -> tuple[dt.datetime, dt.datetime]:
        """(NotBefore, NotAfter), both read in one go."""
        outline = self.outline
        before = time_text(outline.not_before) if outline else None
        after = time_text(outline.not_after) if outline else None
        if before is None or after is None:
            cert = self.cert
            return cert.not_valid_before_utc, cert.not_valid_after_utc
        return dt.datetime(*before, tzinfo=_UTC), dt.datetime(*after, tzinfo=_UTC)

    def sha256_hex(self) -> str:
        return hashlib.sha256(self.der).hexdigest()

    def signature_algorithm(self) -> str:
        return self._algorithm()[0]

    def _algorithm(self) -> tuple[str, Any, Any]:
        """(OpenSSL's name, padding or curve argument, hash) of the signature algorithm."""
        raw = self.outline.signature_algorithm if self.outline else None
        found = _ALGORITHMS.get(raw) if raw is not None else None
        if found is None:
            from pycert.pki.fields import signature_algorithm

            cert = self.cert
            try:
                how: tuple[Any, Any] = (cert.signature_algorithm_parameters,
                                        cert.signature_hash_algorithm)
            except Exception:  # an algorithm cryptography cannot verify with
                how = (None, None)
            found = (signature_algorithm(cert), *how)
            if raw is not None and len(_ALGORITHMS) < _CACHE_MAX:
                _ALGORITHMS[raw] = found
        return found

    # --- signatures -----------------------------------------------------------------

    def public_key(self) -> Any:
        """The subject's public key, or None when cryptography cannot load it."""
        try:
            return self.cert.public_key()
        except Exception:  # an unsupported or malformed key signs nothing we can check
            return None

    def signed_with(self, key: Any) -> bool:
        """Whether `key` (an issuer's public key) verifies this certificate's signature."""
        if key is None:
            return False
        if self.outline is not None:
            tbs, signature = self.outline.tbs, self.outline.signature
        else:
            tbs, signature = self.cert.tbs_certificate_bytes, self.cert.signature
        _, how, digest = self._algorithm()
        family = _FAMILIES.get(type(key)) or _family(key)
        try:
            if family == "rsa":
                key.verify(signature, tbs, how, digest)
            elif family == "ec":
                key.verify(signature, tbs, how)
            elif family == "eddsa":
                key.verify(signature, tbs)
            elif family == "dsa":
                key.verify(signature, tbs, digest)
            else:
                return False
        except Exception:  # wrong key type, bad signature, unsupported algorithm: not signed
            return False
        return True


_FAMILIES: dict[type, str] = {}  # a key's concrete class -> how it verifies


def _family(key: Any) -> str:
    """The key's kind by isinstance, once per class: the ABC checks cost ~2 us a call."""
    family = next((name for name, kinds in (
        ("rsa", rsa.RSAPublicKey), ("ec", ec.EllipticCurvePublicKey),
        ("eddsa", (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)),
        ("dsa", dsa.DSAPublicKey)) if isinstance(key, kinds)), "")
    _FAMILIES[type(key)] = family
    return family


def _cached(cache: dict[bytes, Any], value: bytes, read: Any) -> Any:
    """read(value), remembered for the values many certificates share (EKU, CA flag)."""
    if value in cache:
        return cache[value]
    found = read(value)
    if len(cache) < _CACHE_MAX:
        cache[value] = found
    return found


def signing_names(der: bytes) -> tuple[bytes, bytes]:
    """(issuer name, subject name), whole elements: what placing a certificate among its
    peers needs, read without building a whole view when the DER is ordinary."""
    found = certder.signing(der)
    if found is not None:
        return found.issuer, found.subject
    view = CertView(der)
    return view.raw_issuer, view.raw_subject


def validity(der: bytes) -> tuple[dt.datetime, dt.datetime]:
    """(NotBefore, NotAfter), read without building a whole view when the DER is ordinary."""
    found = certder.signing(der)
    if found is not None:
        before, after = time_text(found.not_before), time_text(found.not_after)
        if before is not None and after is not None:
            return dt.datetime(*before, tzinfo=_UTC), dt.datetime(*after, tzinfo=_UTC)
    return CertView(der).validity()


def rfc3339(when: dt.datetime) -> str:
    """`fields.rfc3339` by isoformat (C) for the whole-second UTC times certificates hold."""
    if when.year < 1000 or when.microsecond or when.tzinfo is not _UTC:
        from pycert.pki.fields import rfc3339 as slow

        return slow(when)
    return when.isoformat()[:19] + "Z"
