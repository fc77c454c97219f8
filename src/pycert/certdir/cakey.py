"""`ca-key encrypt | decrypt | change-password`: a CA key file converted in place.

Each is one atomic replace under the lock of the key's directory, keeping the file's mode;
nothing changes when anything is wrong (wrong password, already in the asked-for state).
The old bytes may survive in free blocks of the file system: a key that was ever on disk
in the clear is best replaced (`pycert rotate-ca` with a password file, docs/ca-key.md).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable

from pycert import log
from pycert.certdir.files import Planned, commit, dir_lock, read_regular
from pycert.certdir.passwords import Password
from pycert.certdir.signers import ca_key_pem, read_ca_key
from pycert.errors import CertError
from pycert.gocompat import errno_text
from pycert.pki import encrypted_keys, keys
from pycert.pki.pem import blocks


def is_encrypted_ca_key(path: str) -> bool:
    """Whether the CA key file at `path` is encrypted (its password is needed to use it)."""
    data = _data(path)
    found = blocks(data)
    return len(found) == 1 and encrypted_keys.is_encrypted(data, found[0])


def encrypt_ca_key(path: str, password: bytes) -> str:
    """Encrypts the unencrypted CA key at `path` with `password`; returns the file written
    (links followed)."""
    return _convert(path, False, "encrypt", lambda: ca_key_pem(read_ca_key(path), password))


def decrypt_ca_key(path: str, password: Password) -> str:
    """Writes the encrypted CA key at `path` back in the clear, in cockroach's encoding
    (PKCS#1 for RSA): what `cockroach cert` needs to read it."""
    return _convert(path, True, "decrypt",
                    lambda: keys.key_pem(read_ca_key(path, password)))


def change_ca_key_password(path: str, old: Password, new: bytes) -> str:
    """Re-encrypts the encrypted CA key at `path` with a new password (new salt and IV)."""
    return _convert(path, True, "change the password of",
                    lambda: ca_key_pem(read_ca_key(path, old), new))


_HINTS = {"encrypt": "to give it a new password: pycert ca-key change-password",
          "decrypt": "cockroach can read it as it is",
          "change the password of": "to encrypt it: pycert ca-key encrypt"}


def _convert(path: str, encrypted: bool, verb: str, build: Callable[[], bytes]) -> str:
    real = os.path.realpath(path)  # a link is followed: the file it names is converted
    with dir_lock(os.path.dirname(real) or "."):
        info = _stat(path, real)
        now = is_encrypted_ca_key(path)
        if now != encrypted:
            raise CertError(f"cannot {verb} {path}: it is {'' if now else 'not '}encrypted",
                            hint=_HINTS[verb])
        commit([Planned(real, build(), stat.S_IMODE(info.st_mode),
                        "could not write CA key to file")], overwrite=True)
    log.info("CA key %s: %s", real, "encrypted" if verb != "decrypt" else "decrypted")
    return real


def _data(path: str) -> bytes:
    try:
        return read_regular(path)
    except OSError as exc:
        raise CertError(f"could not read CA key file {path}: {errno_text(exc)}") from exc


def _stat(path: str, real: str) -> os.stat_result:
    """The key file's status; refused when other names (hard links) would keep the old
    bytes after the replace."""
    try:
        info = os.stat(real)
    except OSError as exc:
        raise CertError(f"could not stat CA key file {path}: {errno_text(exc)}") from exc
    if not stat.S_ISREG(info.st_mode):
        raise CertError(f"CA key file {path} is not a regular file")
    if info.st_nlink > 1:
        raise CertError(f"CA key file {path} has {info.st_nlink} hard links: the other names "
                        "would keep the old key; remove them first")
    return info
