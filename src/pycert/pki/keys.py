"""Private keys: generate (RSA in a thread, overlapping start-up), encode, parse, compare.

OpenSSL releases the GIL while it searches for primes (tens of milliseconds for 2048 bits,
with a long tail), so a `PendingKey` is being made on a second core while Python imports
cryptography.x509 and loads the CA.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Union

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from pycert.pki.pem import blocks
from pycert.pki.specs import KeySpec

if TYPE_CHECKING:
    from cryptography import x509

PrivateKey = Union[rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey, ed25519.Ed25519PrivateKey]
RsaPrivate = tuple[int, int, int, int, int, int, int, int]  # n e d p q dP dQ qInv

MIN_RSA_BITS = 1024  # what cryptography (and Go >= 1.24) accept
MAX_RSA_BITS = 16384  # beyond this, key generation takes minutes: a typo, not a wish
_CURVES = {256: "SECP256R1", 384: "SECP384R1", 521: "SECP521R1"}


def check_spec(spec: KeySpec) -> None:
    """ValueError naming the flag to fix when a size does not fit the key type."""
    if spec.type == "rsa" and not MIN_RSA_BITS <= spec.bits <= MAX_RSA_BITS:
        raise ValueError(f"--key-size={spec.bits} is out of range: RSA keys must have "
                         f"{MIN_RSA_BITS} to {MAX_RSA_BITS} bits")
    if spec.type == "ecdsa" and spec.bits not in _CURVES:
        raise ValueError(f"ecdsa: --key-size must be 256, 384 or 521, not {spec.bits}")


def generate(spec: KeySpec) -> PrivateKey:
    """RSA (e=65537, as cockroach), ECDSA on the curve `bits` names, or Ed25519."""
    check_spec(spec)
    if spec.type == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=spec.bits)
    if spec.type == "ecdsa":
        return ec.generate_private_key(getattr(ec, _CURVES[spec.bits])())
    return ed25519.Ed25519PrivateKey.generate()


def generate_many(specs: list[KeySpec]) -> list[PrivateKey]:
    """Keys for `specs`, in order, RSA ones on every core (OpenSSL's prime search runs
    without the GIL): renewing a directory makes hundreds at once."""
    # lazy: concurrent.futures imports logging, ~15 ms that no single create command needs
    from concurrent.futures import ThreadPoolExecutor

    slow = [i for i, spec in enumerate(specs) if spec.type == "rsa"]
    out: list[PrivateKey | None] = [None if spec.type == "rsa" else generate(spec)
                                    for spec in specs]
    if len(slow) < 2:
        for i in slow:
            out[i] = generate(specs[i])
    else:
        pool = ThreadPoolExecutor(max_workers=min(len(slow), os.cpu_count() or 1))
        try:
            for i, key in zip(slow, pool.map(generate, [specs[i] for i in slow])):
                out[i] = key
        finally:
            pool.shutdown(wait=True, cancel_futures=True)  # Ctrl-C: no new key is started
    return [key for key in out if key is not None]


class PendingKey:
    """A key being generated; `result()` waits for it or re-raises its error there."""

    def __init__(self, spec: KeySpec) -> None:
        self._spec = spec
        self._key: PrivateKey | None = None
        self._error: Exception | None = None
        self._thread: threading.Thread | None = None
        if spec.type == "rsa":  # the others take microseconds: no thread needed
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()

    def _run(self) -> None:
        try:
            self._key = generate(self._spec)
        except Exception as exc:  # re-raised in the caller's thread, at the caller's step
            self._error = exc

    def result(self) -> PrivateKey:
        if self._thread is None:
            return generate(self._spec)
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._key is not None
        return self._key


def key_pem(key: PrivateKey) -> bytes:
    """PKCS#1 `RSA PRIVATE KEY` for RSA (as cockroach), SEC1 for ECDSA, PKCS#8 for Ed25519."""
    if isinstance(key, ed25519.Ed25519PrivateKey):
        fmt = serialization.PrivateFormat.PKCS8
    else:
        fmt = serialization.PrivateFormat.TraditionalOpenSSL
    return key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption())


def pkcs8(key: PrivateKey, encoding: str = "der") -> bytes:
    """Unencrypted PKCS#8, DER (the `.pk8` Java's JDBC driver reads) or PEM (`PRIVATE KEY`)."""
    enc = serialization.Encoding.PEM if encoding == "pem" else serialization.Encoding.DER
    return key.private_bytes(enc, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def is_key_block(block_type: str) -> bool:
    return block_type == "PRIVATE KEY" or block_type.endswith(" PRIVATE KEY")


def parse_der(der: bytes, *, validate: bool = True) -> PrivateKey:
    """PKCS#1, SEC1 or PKCS#8. `validate=False` skips RSA's slow checks (primality) but not
    its CRT values; only for a CA key whose every signature is verified once made."""
    return _parse(der, validate=validate, inverse=False)


def parse_checked(der: bytes) -> PrivateKey:
    """`parse_der(validate=False)`, and for RSA also that d inverts e (mod p-1 and q-1):
    all RSA_check_key checks but primality, in microseconds, for keys nothing signs with
    afterwards (`check`, `inspect`): a CA key's signatures are verified instead."""
    return _parse(der, validate=False, inverse=True)


def _parse(der: bytes, *, validate: bool, inverse: bool) -> PrivateKey:
    why = "failed to parse private key"
    try:
        key = serialization.load_der_private_key(
            der, None, unsafe_skip_rsa_key_validation=not validate)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{why}: the key is corrupt ({exc})" if validate else why) from exc
    if not isinstance(key, (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey,
                            ed25519.Ed25519PrivateKey)):
        raise ValueError("found unknown private key type in PKCS#8 wrapping")
    if not validate and isinstance(key, rsa.RSAPrivateKey):
        numbers = key.private_numbers()  # once: turning them into ints costs ~8 us
        public = numbers.public_numbers
        _check_rsa((public.n, public.e, numbers.d, numbers.p, numbers.q, numbers.dmp1,
                    numbers.dmq1, numbers.iqmp), inverse=inverse)
    return key


def _check_rsa(ints: RsaPrivate, *, inverse: bool) -> None:
    """ValueError unless n = pq and the CRT values derive from d (and, with `inverse`, d
    inverts e mod p-1 and q-1): microseconds, where RSA_check_key takes milliseconds.

    OpenSSL signs right even when the CRT values are wrong (it recomputes without CRT),
    so signature checks cannot catch such a key; Go (>= 1.24) and `openssl rsa -check`
    refuse it.
    """
    n, e, d, p, q, dp, dq, qinv = ints
    why = "failed to parse private key: the key is corrupt"
    if not (p * q == n and dp == d % (p - 1) and dq == d % (q - 1) and qinv * q % p == 1):
        raise ValueError(f"{why} (its CRT values do not match it)")
    if inverse and not (e * dp % (p - 1) == 1 and e * dq % (q - 1) == 1):
        raise ValueError(f"{why} (its private exponent does not invert the public one)")


def matches_certificate(der: bytes, cert: x509.Certificate) -> bool:
    """`parse_checked(der)` (ValueError when corrupt) and whether its public key is the
    certificate's."""
    return same_public_key(cert, parse_checked(der))


def parse_single(data: bytes, *, validate: bool = True) -> PrivateKey:
    """Exactly one `... PRIVATE KEY` PEM block, as cockroach demands of a key file."""
    found = blocks(data)
    if not found:
        raise ValueError("no PEM data found")
    if len(found) > 1 or data[found[0].end :]:
        raise ValueError("more than one PEM block found")
    if not is_key_block(found[0].type):
        raise ValueError(f"PEM block is of type {found[0].type}")
    return parse_der(found[0].der, validate=validate)


def check_signs(key: PrivateKey) -> None:
    """ValueError unless a signature made with `key` verifies with its public key: what a
    corrupt key that parsed (unvalidated) gets wrong, at a fraction of a full RSA check."""
    data = b"pycert key check"
    try:
        if isinstance(key, ed25519.Ed25519PrivateKey):
            key.public_key().verify(key.sign(data), data)
        elif isinstance(key, ec.EllipticCurvePrivateKey):
            key.public_key().verify(key.sign(data, ec.ECDSA(hashes.SHA256())), data,
                                    ec.ECDSA(hashes.SHA256()))
        else:
            key.public_key().verify(key.sign(data, padding.PKCS1v15(), hashes.SHA256()), data,
                                    padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise ValueError("the key is corrupt: its signatures do not verify") from None


def same_public_key(cert: x509.Certificate, key: PrivateKey) -> bool:
    enc = serialization.Encoding.DER
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    return cert.public_key().public_bytes(enc, spki) == key.public_key().public_bytes(enc, spki)
