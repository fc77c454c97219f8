"""The CA key's password: read from a file only its owner can read, or asked for by the
caller (a terminal prompt, in the CLI) once an encrypted key is found.

A password is never taken from argv or the environment (`ps`, shell history, a child's
environment), never logged and never part of an error message.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from typing import Union

from pycert.certdir.files import TooLarge, read_regular
from pycert.errors import CertError
from pycert.gocompat import errno_text, file_mode

Ask = Callable[[str], bytes]  # asked with the key's path, returns the password
# What a Target carries: the password itself, a way to ask for it, or nothing. Only
# given bytes encrypt a new key; asking is for opening an encrypted one.
Password = Union[bytes, Ask, None]
FLAG = "--ca-key-password-file"
HINT = (f"give the password in a file only you can read: {FLAG}=<file> (or "
        "PYCERT_CA_KEY_PASSWORD_FILE), its first line being the password; on a terminal "
        "pycert asks for it instead")


class KeyPasswordError(CertError):
    """The CA key is encrypted and the password is missing or wrong: the key is fine."""


def read_password_file(path: str, what: str = "CA key password file") -> bytes:
    """The file's first line without its `\\n`, as `openssl -passin file:` reads it.

    Refused: a file others may read or write, a missing or empty file, a first line
    ending in `\\r` (openssl would keep it as part of the password).
    """
    try:
        info = os.stat(path)
        data = read_regular(path, cap=64 << 10)
    except TooLarge:
        raise CertError(f"{what} {path} is larger than 64 KiB: it should hold one line, the "
                        "password") from None
    except OSError as exc:
        raise CertError(f"could not read {what} {path}: {errno_text(exc)}",
                        hint=HINT) from None
    perm = stat.S_IMODE(info.st_mode)
    if perm & 0o077:
        raise CertError(f"{what} {path} has permissions {file_mode(perm)}: others on this "
                        f"machine could read or change the password; run chmod 600 {path}")
    password = data.split(b"\n", 1)[0]
    if not password:
        raise CertError(f"{what} {path} is empty: its first line must be the password",
                        hint=HINT)
    if password.endswith(b"\r"):
        raise CertError(f"{what} {path} has a Windows line end (CRLF): openssl would read "
                        "the \\r as part of the password; save the file with LF line ends")
    return password


def password_for(password: Password, key_path: str) -> bytes:
    """The password that opens the encrypted key at `key_path`, or why there is none."""
    if isinstance(password, bytes):
        return password
    if password is not None:
        given = password(key_path)
        if given:
            return given
        raise KeyPasswordError(f"no password entered for the encrypted CA key {key_path}")
    raise KeyPasswordError(f"CA key {key_path} is encrypted and no password was given",
                           hint=HINT)


def new_key_password(password: Password) -> bytes | None:
    """The password a new CA key is encrypted with: only one given outright (a file)."""
    return password if isinstance(password, bytes) else None
