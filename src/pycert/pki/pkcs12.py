"""PKCS#12 bundles for Java and .NET keystores, with modern encryption; no file I/O."""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from pycert.pki.keys import PrivateKey

PBKDF2_ROUNDS = 600_000  # OWASP 2023 figure for PBKDF2-HMAC-SHA256


def bundle(key: PrivateKey, cert: x509.Certificate, chain: list[x509.Certificate],
           friendly_name: str, password: bytes) -> bytes:
    """Key + cert + CA chain; PBES2 (PBKDF2-SHA256, AES-256-CBC) and an HMAC-SHA256 MAC,
    not the RC2/3DES of legacy PKCS#12."""
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(PBKDF2_ROUNDS)
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(password)
    )
    return pkcs12.serialize_key_and_certificates(
        friendly_name.encode("utf-8"), key, cert, chain or None, encryption)
