"""`export`: read a node or client pair from the certs dir, write PKCS#8 or PKCS#12.

Outputs are installed with mode 0600: every format here holds the private key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pycert.certdir.files import Planned, read_regular
from pycert.certdir.install import Outcome, Target, failing_as, install, note_existing
from pycert.certdir.signers import signer_path
from pycert.errors import CertError
from pycert.gocompat import errno_text, join
from pycert.kinds import Kind
from pycert.pki import keys, pkcs12
from pycert.pki.keys import PrivateKey
from pycert.pki.pem import blocks
from pycert.pki.reading import Unreadable, read


@dataclass(frozen=True)
class ExportSpec:
    """Which pair to export and into which formats."""

    kind: Kind
    name: str = ""  # the user of a client pair
    pkcs8: Literal["", "pem", "der"] = ""
    pkcs12: bool = False
    password: bytes = b""
    friendly_name: str = ""


def _read(path: str) -> bytes:
    try:
        return read_regular(path)
    except OSError as exc:
        raise CertError(f"open {path}: {errno_text(exc)}") from exc


def export(spec: ExportSpec, target: Target) -> Outcome:
    with failing_as(f"failed to export {spec.kind.name} key"):
        return _export(spec, target)


def _export(spec: ExportSpec, target: Target) -> Outcome:
    kind = spec.kind
    key_path = join(target.certs_dir, kind.key_file(spec.name))
    try:
        key = keys.parse_single(_read(key_path))
    except ValueError as exc:
        raise CertError(f"could not parse {key_path}: {exc}; recreate the pair with "
                        f"`pycert {kind.command} ... --overwrite`") from exc
    directory = target.directory
    items = []
    if spec.pkcs8:
        suffix = ".pk8" if spec.pkcs8 == "der" else ".pk8.pem"
        items.append(Planned(join(directory, kind.key_file(spec.name) + suffix),
                             keys.pkcs8(key, spec.pkcs8), 0o600, "could not write"))
    if spec.pkcs12:
        data = _pkcs12(spec, target.certs_dir, key, key_path)
        items.append(Planned(join(directory, kind.stem(spec.name) + ".p12"), data, 0o600,
                             "could not write"))
    if not items:
        raise CertError("nothing to export: give --pkcs8=pem|der and/or --pkcs12")
    install(target, lambda: items)
    return note_existing(Outcome(kind, items), target)


def _pkcs12(spec: ExportSpec, certs_dir: str, key: PrivateKey, key_path: str) -> bytes:
    cert_path = join(certs_dir, spec.kind.cert_file(spec.name))
    ders = [b.der for b in blocks(_read(cert_path)) if b.type == "CERTIFICATE"]
    if not ders:
        raise CertError(f"{cert_path} holds no certificate")
    _, signer = signer_path(spec.kind, certs_dir)
    try:
        cert = read(ders[0]).certificate()
        chain = [read(b.der).certificate() for b in blocks(_read(signer))
                 if b.type == "CERTIFICATE"]
    except Unreadable as exc:
        raise CertError(f"{exc}; a certificate CockroachDB cannot read is not exported") \
            from exc
    if not keys.same_public_key(cert, key):
        raise CertError(f"{key_path} does not match {cert_path}")
    return pkcs12.bundle(key, cert, chain, spec.friendly_name, spec.password)


def read_password(password_file: str, env_value: str | None, env_name: str) -> bytes:
    """From a file (first line) or an environment variable: never from argv, where `ps`
    and shell history would show it."""
    if password_file:
        try:
            first = read_regular(password_file).splitlines()[:1]
        except OSError as exc:
            raise CertError(f"could not read password file {password_file}: "
                            f"{errno_text(exc)}") from exc
        password = first[0] if first else b""
        where = f"password file {password_file}"
    else:
        password = (env_value or "").encode("utf-8")
        where = f"environment variable {env_name}"
    if not password:
        raise CertError(f"--pkcs12 needs a password: {where} is empty or unset",
                        hint="use --password-file=<file> or set the environment variable "
                        "named by --password-env")
    return password
