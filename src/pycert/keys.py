"""Reading CA material (keys, pairs, bundles) with the checks and messages of Go's code."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pycert import log
from pycert.errors import CertError
from pycert.fsread import go_errno_text, read_regular
from pycert.pem import blocks

if TYPE_CHECKING:
    from cryptography import x509

    from pycert.pki import PrivateKey


def _is_key_type(block_type: str) -> bool:
    return block_type == "PRIVATE KEY" or block_type.endswith(" PRIVATE KEY")


def parse_key_der(der: bytes) -> PrivateKey:
    """PKCS#1, SEC1 or PKCS#8; RSA consistency checks are replaced by a signature check."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    try:
        key = serialization.load_der_private_key(der, None, unsafe_skip_rsa_key_validation=True)
    except (ValueError, TypeError):
        raise ValueError("failed to parse private key") from None
    known = (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey, ed25519.Ed25519PrivateKey)
    if not isinstance(key, known):
        raise ValueError("found unknown private key type in PKCS#8 wrapping")
    return key


def parse_single_key(data: bytes) -> PrivateKey:
    """Exactly one `… PRIVATE KEY` block, as cockroach demands of a reused CA key."""
    found = blocks(data)
    if not found:
        raise ValueError("no PEM data found")
    if len(found) > 1 or data[found[0].end :]:
        raise ValueError("more than one PEM block found")
    if not _is_key_type(found[0].type):
        raise ValueError(f"PEM block is of type {found[0].type}")
    return parse_key_der(found[0].der)


def _read(path: str) -> bytes:
    try:
        return read_regular(path)
    except OSError as exc:
        raise ValueError(f"open {path}: {go_errno_text(exc)}") from None


def load_ca_pair(cert_path: str, key_path: str) -> tuple[x509.Certificate, PrivateKey]:
    """The first certificate of a CA file and the key that must match it."""
    try:
        return _load_pair(cert_path, key_path)
    except ValueError as exc:
        raise CertError(
            f"error loading CA certificate {cert_path} and key {key_path}: {exc}"
        ) from None


def _load_pair(cert_path: str, key_path: str) -> tuple[x509.Certificate, PrivateKey]:
    from cryptography import x509

    from pycert.pki import same_public_key

    cert_blocks = blocks(_read(cert_path))
    certs = [b for b in cert_blocks if b.type == "CERTIFICATE"]
    if any(_is_key_type(b.type) for b in cert_blocks):
        raise ValueError(
            f"{cert_path} holds a private key: keep CA keys out of the certs directory"
        )
    if not certs:
        raise ValueError("tls: failed to find any PEM data in certificate input")
    key_blocks = blocks(_read(key_path))
    keys = [b for b in key_blocks if _is_key_type(b.type)]
    if not keys:
        if any(b.type == "CERTIFICATE" for b in key_blocks):
            raise ValueError(
                "tls: found a certificate rather than a key in the PEM for the private key"
            )
        raise ValueError("tls: failed to find any PEM data in key input")
    try:
        cert = x509.load_der_x509_certificate(certs[0].der)
    except ValueError as exc:
        raise ValueError(f"x509: {exc}") from None
    try:
        key = parse_key_der(keys[0].der)
    except ValueError:
        raise ValueError("tls: failed to parse private key") from None
    if not same_public_key(cert, key):
        raise ValueError("tls: private key does not match public key")
    return cert, key


def read_ca_key(path: str) -> PrivateKey:
    """A CA key to reuse: one `… PRIVATE KEY` PEM block, with cockroach's error texts."""
    try:
        data = read_regular(path)
    except OSError as exc:
        raise CertError(
            f"could not read CA key file {path}: open {path}: {go_errno_text(exc)}"
        ) from None
    try:
        return parse_single_key(data)
    except ValueError as exc:
        raise CertError(f"could not parse CA key file {path}: {exc}") from None


def existing_bundle(path: str) -> bytes:
    """The bundle's certificates re-armoured, to go after the new CA (rotation)."""
    from pycert.pem import encode

    try:
        data = read_regular(path)
    except FileNotFoundError:
        return b""
    except OSError as exc:
        raise CertError(
            f"could not read existing CA cert file {path}: open {path}: {go_errno_text(exc)}"
        ) from None
    out = []
    for i, block in enumerate(blocks(data)):
        if block.type != "CERTIFICATE":
            raise CertError(
                f"could not parse existing CA cert file {path}: block #{i} is of type "
                f"{block.type}, not CERTIFICATE"
            )
        out.append(encode(block.type, block.der))
    log.info("found %d certificates in %s", len(out), path)
    return b"".join(out)
