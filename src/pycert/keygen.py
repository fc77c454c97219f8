"""Key generation started early, in a thread, so RSA overlaps the rest of the start-up.

OpenSSL releases the GIL while it searches for primes (tens of milliseconds for 2048 bits,
with a long tail), so on a second core the key is being made while Python imports
cryptography.x509 and loads the CA. The key is the same key `pki.generate` would make.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pycert.pki import PrivateKey

MIN_RSA_BITS = 1024  # what cryptography (and Go >= 1.24) accept
MAX_RSA_BITS = 16384  # beyond this, key generation takes minutes: a typo, not a wish


def check_rsa_bits(bits: int) -> None:
    if not MIN_RSA_BITS <= bits <= MAX_RSA_BITS:
        raise ValueError(f"--key-size={bits} is out of range: RSA keys must have "
                         f"{MIN_RSA_BITS} to {MAX_RSA_BITS} bits")


class PendingKey:
    """A key being generated; `result()` waits for it or re-raises its error there."""

    def __init__(self, key_type: str, bits: int) -> None:
        self._args = (key_type, bits)
        self._key: PrivateKey | None = None
        self._error: Exception | None = None
        self._thread: threading.Thread | None = None
        if key_type == "rsa":  # the others take microseconds: no thread needed
            self._thread = threading.Thread(target=self._run_rsa, args=(bits,), daemon=True)
            self._thread.start()

    def _run_rsa(self, bits: int) -> None:
        from cryptography.hazmat.primitives.asymmetric import rsa

        try:
            check_rsa_bits(bits)
            self._key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
        except Exception as exc:  # re-raised in the caller's thread, at the caller's step
            self._error = exc

    def result(self) -> PrivateKey:
        if self._thread is None:
            from pycert.pki import generate

            return generate(*self._args)
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._key is not None
        return self._key
