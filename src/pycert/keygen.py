"""RSA key generation started early, in a thread, so it overlaps the rest of the start-up.

OpenSSL releases the GIL while it searches for primes (tens of milliseconds for 2048 bits,
with a long tail), so on a second core the key is being made while Python imports
cryptography.x509 and loads the CA. The key is the same key `pki.generate_key` would make.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import rsa


class PendingKey:
    """An RSA key being generated; `result()` waits for it or re-raises its error."""

    def __init__(self, bits: int) -> None:
        self._key: rsa.RSAPrivateKey | None = None
        self._error: Exception | None = None
        self._thread = threading.Thread(target=self._run, args=(bits,), daemon=True)
        self._thread.start()

    def _run(self, bits: int) -> None:
        from cryptography.hazmat.primitives.asymmetric import rsa

        try:
            self._key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
        except Exception as exc:  # re-raised in the caller's thread, at the caller's step
            self._error = exc

    def result(self) -> rsa.RSAPrivateKey:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._key is not None
        return self._key
