"""Key and bundle formats for Java and .NET (issue 8): PKCS#8 and PKCS#12; no file I/O."""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from pycert.pki import PrivateKey

PBKDF2_ROUNDS = 600_000  # OWASP 2023 figure for PBKDF2-HMAC-SHA256


def pkcs8(key: PrivateKey, encoding: str) -> bytes:
    """Unencrypted PKCS#8, PEM (`PRIVATE KEY`) or DER (what pgjdbc's `sslkey` reads)."""
    enc = serialization.Encoding.PEM if encoding == "pem" else serialization.Encoding.DER
    return key.private_bytes(enc, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def pkcs12_bundle(key: PrivateKey, cert: x509.Certificate, chain: list[x509.Certificate],
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
