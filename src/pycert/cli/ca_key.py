"""`ca-key encrypt | decrypt | change-password --ca-key=<path>`: a CA key file converted in
place, atomically, keeping its mode (pycert extension, docs/ca-key.md)."""

from __future__ import annotations

from typing import Any

import click

from pycert.cli import flags, prompt
from pycert.cli.catalog import SHORT
from pycert.cli.cobra import CobraCommand, CobraGroup, shared, write_err
from pycert.cli.flags import Fn
from pycert.cli.gen import complete_file
from pycert.errors import CertError
from pycert.gocompat import go_quote

NEW_FILE_FLAG = "--new-ca-key-password-file"


@shared
def key_flags(f: Fn) -> Fn:
    """--ca-key (required here, or COCKROACH_CA_KEY), its password file, logging flags."""
    return flags.ca_key_option(flags.common(f), "Path to the CA key file to convert.")


def _key_path(opts: dict[str, Any]) -> str:
    path = flags.ca_key(opts)
    if not path:
        raise CertError("the path to the CA key is required: --ca-key=<path> (or "
                        "COCKROACH_CA_KEY)")
    return path


def _new_password(opts: dict[str, Any], path: str, flag: str) -> bytes:
    """The password a key gets: from the file `path` (given with `flag`), else typed twice
    on a terminal."""
    from pycert.certdir.passwords import read_password_file

    if path:
        return read_password_file(path)
    if not prompt.on_terminal():
        raise CertError(f"no new password: give it in a file with {flag}=<file> (mode 0600), "
                        "or run this on a terminal to type it")
    password = prompt.asker("New password for CA key {path}: ",
                           "Repeat the new password: ")(_key_path(opts))
    if not password:
        raise CertError("no password entered; nothing was changed")
    return password


def _named(path: str, written: str) -> str:
    """The path given, and the file it names when that is another (a link)."""
    import os

    return path if os.path.abspath(path) == written else f"{path} ({written})"


def _no_args(name: str, args: tuple[str, ...]) -> None:
    if args:
        raise CertError(f"unknown command {go_quote(args[0])} for "
                        f"{go_quote('pycert ca-key ' + name)}", prefixed=False)


@key_flags
@click.argument("args", nargs=-1)
def _encrypt(args: tuple[str, ...], **opts: Any) -> None:
    from pycert.certdir.cakey import encrypt_ca_key, is_encrypted_ca_key

    _no_args("encrypt", args)
    flags.setup(opts)
    path = _key_path(opts)
    if is_encrypted_ca_key(path):  # before a password is asked for (checked again, locked)
        raise CertError(f"cannot encrypt {path}: it is encrypted",
                        hint="to give it a new password: pycert ca-key change-password")
    given = flags.env_or(opts["ca_key_password_file"], flags.PASSWORD_FILE_ENV, "")
    written = encrypt_ca_key(path, _new_password(opts, given, "--ca-key-password-file"))
    write_err(f"encrypted CA key {_named(path, written)}\n")


@key_flags
@click.argument("args", nargs=-1)
def _decrypt(args: tuple[str, ...], **opts: Any) -> None:
    from pycert.certdir.cakey import decrypt_ca_key

    _no_args("decrypt", args)
    flags.setup(opts)
    path = _key_path(opts)
    written = decrypt_ca_key(path, flags.ca_key_password(opts))
    write_err(f"decrypted CA key {_named(path, written)}: it is on disk in the clear now\n")


@key_flags
@click.option(NEW_FILE_FLAG, "new_password_file", default="", metavar="<path>",
              shell_complete=complete_file,
              help="File (mode 0600 or 0400) whose first line is the new password; "
              "without it, pycert asks twice on a terminal.")
@click.argument("args", nargs=-1)
def _change_password(args: tuple[str, ...], **opts: Any) -> None:
    from pycert.certdir.cakey import change_ca_key_password, is_encrypted_ca_key

    _no_args("change-password", args)
    flags.setup(opts)
    path = _key_path(opts)
    if not is_encrypted_ca_key(path):  # before a password is asked for (checked again, locked)
        raise CertError(f"cannot change the password of {path}: it is not encrypted",
                        hint="to encrypt it: pycert ca-key encrypt")
    old = flags.ca_key_password(opts)
    if old is None:
        raise CertError("no current password: give it with --ca-key-password-file=<file> (or "
                        f"{flags.PASSWORD_FILE_ENV}), or run this on a terminal to type it")
    written = change_ca_key_password(path, old,
                                     _new_password(opts, opts["new_password_file"], NEW_FILE_FLAG))
    write_err(f"changed the password of CA key {_named(path, written)}\n")


def _leaf(fn: Any, name: str, short: str, long: str) -> CobraCommand:
    usage = "--ca-key=<path> [--ca-key-password-file=<path>]" + (
        f" [{NEW_FILE_FLAG}=<path>]" if name == "change-password" else "")
    return CobraCommand(name, callback=fn, params=list(fn.__click_params__), help=long,
                        short_help=short, cobra_path=f"cert ca-key {name}",
                        options_metavar=usage)


def _group() -> CobraGroup:
    short = SHORT["ca-key"]
    group = CobraGroup("ca-key", help=short, short_help=short, cobra_path="cert ca-key",
                       strict=True, invoke_without_command=True)
    group.add_command(_leaf(
        _encrypt, "encrypt", "encrypt the CA key file with a password",
        "Encrypt the CA key file in place (PKCS#8: PBKDF2-HMAC-SHA256, 600 000 rounds, "
        "AES-256-CBC), keeping its mode; openssl pkey -passin file:<file> reads it. The "
        "password comes from --ca-key-password-file, or is typed twice on a terminal."))
    group.add_command(_leaf(
        _decrypt, "decrypt", "write the CA key file back in the clear",
        "Decrypt the CA key file in place, in cockroach's encoding (what `cockroach cert` "
        "needs to read it), keeping its mode."))
    group.add_command(_leaf(
        _change_password, "change-password", "re-encrypt the CA key file with a new password",
        "Re-encrypt the encrypted CA key file in place with a new password (a new salt and "
        "IV), keeping its mode."))
    return group


COMMANDS = [_group()]
