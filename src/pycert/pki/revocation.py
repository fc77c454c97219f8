"""Revocation in memory: RFC 5280's reasons under OpenSSL's names, and CRLs.

The ledger (`certdir.ledger`) stores a reason by the name OpenSSL's CA database uses;
`--reason`, the CRL's entries and the OCSP responder's answers all read this one table.
Every CRL is built and signed by cryptography's builder.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from cryptography import x509

from pycert.pki.certs import hash_for, with_authority_key_id
from pycert.pki.keys import PrivateKey

# OpenSSL's names (crl_reasons in apps/ca.c, matched without regard to case) -> RFC 5280.
# holdInstruction, keyTime and CAkeyTime are OpenSSL's spellings of a reason with a
# detail (hold instruction OID, compromise time) in a third comma-separated field.
OPENSSL_REASONS: dict[str, x509.ReasonFlags] = {
    "unspecified": x509.ReasonFlags.unspecified,
    "keyCompromise": x509.ReasonFlags.key_compromise,
    "CACompromise": x509.ReasonFlags.ca_compromise,
    "affiliationChanged": x509.ReasonFlags.affiliation_changed,
    "superseded": x509.ReasonFlags.superseded,
    "cessationOfOperation": x509.ReasonFlags.cessation_of_operation,
    "certificateHold": x509.ReasonFlags.certificate_hold,
    "removeFromCRL": x509.ReasonFlags.remove_from_crl,
    "holdInstruction": x509.ReasonFlags.certificate_hold,
    "keyTime": x509.ReasonFlags.key_compromise,
    "CAkeyTime": x509.ReasonFlags.ca_compromise,
}
_BY_LOWER = {name.lower(): name for name in OPENSSL_REASONS}
# What `revoke --reason` takes: RFC 5280's reasons for revoking a certificate for good.
# certificateHold is a suspension pycert cannot lift, removeFromCRL belongs to delta CRLs,
# privilegeWithdrawn and aACompromise are for attribute certificates and OpenSSL's
# database cannot store them (every OpenSSL tool would refuse the ledger).
REVOKE_REASONS = ("unspecified", "keyCompromise", "CACompromise", "affiliationChanged",
                  "superseded", "cessationOfOperation")


def reason_name(text: str) -> str:
    """OpenSSL's spelling of a reason, or ValueError; case does not matter (as in OpenSSL)."""
    try:
        return _BY_LOWER[text.lower()]
    except KeyError:
        raise ValueError(f"unknown revocation reason {text!r}") from None


def reason_flag(name: str | None) -> x509.ReasonFlags | None:
    """The reason to put in a CRL entry or an OCSP answer: none for no reason and for
    `unspecified` (RFC 5280 5.3.1: absent rather than unspecified)."""
    if name is None:
        return None
    flag = OPENSSL_REASONS[reason_name(name)]
    return None if flag == x509.ReasonFlags.unspecified else flag


class Revoked:
    """One revoked serial: when, and why (OpenSSL's name; None when not given). A plain
    class: a dataclass costs every create command its generation (this module is loaded
    with the ledger)."""

    __slots__ = ("reason", "serial", "when")

    def __init__(self, serial: int, when: dt.datetime, reason: str | None = None) -> None:
        self.serial, self.when, self.reason = serial, when, reason


def can_sign_crls(cert: x509.Certificate) -> bool:
    """Its KeyUsage allows cRLSign (or it has no KeyUsage: any use, for Go and OpenSSL)."""
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return True
    return usage.crl_sign


def build_crl(issuer: x509.Certificate, key: PrivateKey,
              revoked: Iterable[Revoked], number: int, this_update: dt.datetime,
              next_update: dt.datetime) -> x509.CertificateRevocationList:
    """A v2 CRL: the CA's name, AKID (its SKID, as OpenSSL and Go match them), CRL number,
    an entry per serial with its reason; signed as the CA signs certificates."""
    builder = (x509.CertificateRevocationListBuilder()
               .issuer_name(issuer.subject)
               .last_update(this_update)
               .next_update(next_update))
    for item in revoked:
        entry = (x509.RevokedCertificateBuilder().serial_number(item.serial)
                 .revocation_date(item.when))
        flag = reason_flag(item.reason)
        if flag is not None:
            entry = entry.add_extension(x509.CRLReason(flag), critical=False)
        builder = builder.add_revoked_certificate(entry.build())
    builder = with_authority_key_id(builder, issuer)
    builder = builder.add_extension(x509.CRLNumber(number), critical=False)
    return builder.sign(key, hash_for(key))
