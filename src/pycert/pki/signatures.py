"""Whether a key signed a certificate: cryptography's verification, for every key type.

Finding who signed whom across a directory verifies thousands of signatures with the few
CA keys it holds, so the caller loads each CA key once and passes it here.
"""

from __future__ import annotations

from typing import Union

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes

PublicKey = Union[CertificatePublicKeyTypes, None]  # None: a key cryptography cannot load


def public_key(cert: x509.Certificate) -> PublicKey:
    """The certificate's key, or None when cryptography cannot load it (it signs nothing
    pycert can check)."""
    try:
        return cert.public_key()
    except Exception:  # an unsupported or malformed key: nothing can be verified with it
        return None


def verifies(cert: x509.Certificate, key: PublicKey) -> bool:
    """Whether `key` verifies `cert`'s signature (names are the caller's business)."""
    if key is None:
        return False
    try:
        if isinstance(key, rsa.RSAPublicKey):
            how = cert.signature_algorithm_parameters
            digest = cert.signature_hash_algorithm
            if not isinstance(how, (padding.PKCS1v15, padding.PSS)) or digest is None:
                return False
            key.verify(cert.signature, cert.tbs_certificate_bytes, how, digest)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            how = cert.signature_algorithm_parameters
            if not isinstance(how, ec.ECDSA):
                return False
            key.verify(cert.signature, cert.tbs_certificate_bytes, how)
        elif isinstance(key, (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)):
            key.verify(cert.signature, cert.tbs_certificate_bytes)
        else:  # DSA: deprecated by cryptography and never made by cockroach
            return False
    except Exception:  # a bad signature, a mismatched algorithm: not signed by this key
        return False
    return True


def signed_by(cert: x509.Certificate, issuer: x509.Certificate | None) -> bool:
    """The issuer's subject is the certificate's issuer and its key verifies the signature."""
    if issuer is None or cert.issuer != issuer.subject:
        return False
    try:
        cert.verify_directly_issued_by(issuer)
    except Exception:  # wrong key type, bad signature, unsupported algorithm: not signed
        return False
    return True
