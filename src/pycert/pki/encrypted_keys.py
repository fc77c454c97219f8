"""Private keys encrypted at rest: PKCS#8 `ENCRYPTED PRIVATE KEY`, PBES2 with
PBKDF2-HMAC-SHA256 (600 000 rounds) and AES-256-CBC; no file I/O.

cryptography reads any PBES2 key but writes PKCS#8 with 2048 PBKDF2 rounds only (its
`encryption_builder` serves OpenSSH and PKCS#12), so the few DER lines of RFC 8018's
EncryptedPrivateKeyInfo are written here around its PBKDF2 and AES. `openssl pkey
-passin file:` reads the result (tests/test_ca_key_encryption.py).
"""

from __future__ import annotations

import os

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from pycert.pki import keys
from pycert.pki.keys import PrivateKey
from pycert.pki.pem import Block, encode
from pycert.pki.pkcs12 import PBKDF2_ROUNDS

ENCRYPTED = "ENCRYPTED PRIVATE KEY"
LEGACY_MARK = b"Proc-Type: 4,ENCRYPTED"  # RFC 1423 headers: OpenSSL's "traditional" form
_SALT, _IV = 16, 16
# DER of the algorithm identifiers (RFC 8018 appendix C, RFC 3565): PBES2, PBKDF2,
# hmacWithSHA256 with NULL parameters, aes256-CBC.
_PBES2 = bytes.fromhex("06092a864886f70d01050d")
_PBKDF2 = bytes.fromhex("06092a864886f70d01050c")
_HMAC_SHA256 = bytes.fromhex("300c06082a864886f70d02090500")
_AES256_CBC = bytes.fromhex("060960864801650304012a")


class WrongPassword(ValueError):
    """The password does not open the key (or the key's encrypted bytes are damaged)."""


def _tlv(tag: int, body: bytes) -> bytes:
    size = len(body)
    if size < 0x80:
        return bytes([tag, size]) + body
    length = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(length)]) + length + body


def _integer(value: int) -> bytes:
    return _tlv(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big"))


def encrypt(key: PrivateKey, password: bytes, rounds: int = PBKDF2_ROUNDS) -> bytes:
    """`key` as PEM `ENCRYPTED PRIVATE KEY`: a fresh salt and IV each time."""
    if not password:
        raise ValueError("the password is empty")
    salt, iv = os.urandom(_SALT), os.urandom(_IV)
    secret = PBKDF2HMAC(hashes.SHA256(), 32, salt, rounds).derive(password)
    padder = padding.PKCS7(128).padder()
    plain = padder.update(keys.pkcs8(key)) + padder.finalize()
    encryptor = Cipher(algorithms.AES(secret), modes.CBC(iv)).encryptor()
    sealed = encryptor.update(plain) + encryptor.finalize()
    kdf = _tlv(0x30, _PBKDF2 + _tlv(0x30, _tlv(0x04, salt) + _integer(rounds) + _HMAC_SHA256))
    scheme = _tlv(0x30, _AES256_CBC + _tlv(0x04, iv))
    algorithm = _tlv(0x30, _PBES2 + _tlv(0x30, kdf + scheme))
    return encode(ENCRYPTED, _tlv(0x30, algorithm + _tlv(0x04, sealed)))


def is_encrypted(data: bytes, block: Block) -> bool:
    """Whether a key file's block needs a password: PKCS#8 encrypted, or OpenSSL's
    traditional form with RFC 1423 `Proc-Type: 4,ENCRYPTED` headers."""
    return block.type == ENCRYPTED or LEGACY_MARK in data


def decrypt(data: bytes, block: Block, password: bytes) -> PrivateKey:
    """The key in `block` (from the file `data`), opened with `password`; RSA keys get the
    same checks as an unencrypted CA key (`keys.parse_der(validate=False)`)."""
    try:
        if block.type == ENCRYPTED:
            key = serialization.load_der_private_key(block.der, password,
                                                     unsafe_skip_rsa_key_validation=True)
        else:
            key = serialization.load_pem_private_key(data, password,
                                                     unsafe_skip_rsa_key_validation=True)
    except UnsupportedAlgorithm as exc:
        raise ValueError(f"the key is encrypted with an algorithm pycert cannot read ({exc})") \
            from exc
    except (ValueError, TypeError) as exc:
        if "Unknown key encryption algorithm" in str(exc):  # names the OID
            raise ValueError(f"the key is encrypted with an algorithm pycert cannot read "
                             f"({exc})") from exc
        # A wrong password fails the padding check, or (1 time in ~256) leaves garbage
        # that does not parse: the two cannot be told apart from a damaged file.
        raise WrongPassword("wrong password, or the key file is damaged") from None
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    return keys.parse_der(der, validate=False)  # pycert's key types and RSA checks
