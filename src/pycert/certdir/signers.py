"""The CA files of a certs dir: which one signs a kind, and reading a CA's cert and key.

Messages follow Go's `tls.X509KeyPair` and cockroach's loader, so a broken CA file fails
here with the words a CockroachDB node would use.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

from pycert import log
from pycert.certdir.files import Planned, read_regular, same_content
from pycert.certdir.passwords import KeyPasswordError, Password, new_key_password, password_for
from pycert.errors import CertError
from pycert.gocompat import errno_text, join
from pycert.kinds import BY_NAME, Kind, signer_kinds
from pycert.pki import encrypted_keys, keys
from pycert.pki.authority import CA
from pycert.pki.keys import PrivateKey, is_key_block
from pycert.pki.pem import Block, blocks, encode
from pycert.pki.reading import CertFields, Unreadable, read

if TYPE_CHECKING:
    from cryptography import x509


def signer_path(kind: Kind, certs_dir: str) -> tuple[Kind, str]:
    """The first of the kind's CA files that exists (existence only, as cockroach)."""
    candidates = [(signer, join(certs_dir, signer.cert_file())) for signer in signer_kinds(kind)]
    for signer, path in candidates:
        if os.path.lexists(path):
            return signer, path
    if kind.missing_signer:
        raise CertError(kind.missing_signer, decorated=True)
    return candidates[-1]  # missing: loading it reports `open …: no such file or directory`


def _read(path: str) -> bytes:
    try:
        return read_regular(path)
    except OSError as exc:
        raise ValueError(f"open {path}: {errno_text(exc)}") from exc


def load_ca(kind: Kind, cert_path: str, key_path: str, password: Password = None, *,
            any_certificate: bool = False) -> CA:
    """The first certificate of a CA file and the key that must match it (with
    `any_certificate`, the bundle's certificate the key matches: an old CA during a
    rotation still signs its CRLs); `password` opens the key if it is encrypted (every
    command that signs comes through here)."""
    try:
        return _load_pair(kind, cert_path, key_path, password, any_certificate)
    except ValueError as exc:
        raise CertError(
            f"error loading CA certificate {cert_path} and key {key_path}: {exc}",
            hint=_load_hint(kind, cert_path, key_path, str(exc), any_certificate),
        ) from exc


def _load_hint(kind: Kind, cert_path: str, key_path: str, why: str,
               any_certificate: bool = False) -> str:
    """The fix for the usual ways loading a CA fails."""
    if not os.path.lexists(cert_path):
        where = os.path.dirname(cert_path) or "."
        return (f"create the CA first: pycert {kind.command or 'create-ca'} "
                f"--certs-dir={where} --ca-key={key_path}")
    if not os.path.lexists(key_path):
        return (f"--ca-key must name the key {kind.command or 'create-ca'} wrote for "
                f"{os.path.basename(cert_path)} (it is kept outside the certs directory)")
    if "does not match" in why and any_certificate:
        return f"--ca-key must be the key of one of the CA certificates in {cert_path}"
    if "does not match" in why:
        return (f"--ca-key must be the key of the first certificate of {cert_path}; after "
                f"pycert {kind.rotate_command or 'rotate-ca'} that is the new key")
    return ""


def _load_pair(kind: Kind, cert_path: str, key_path: str, password: Password,
               any_certificate: bool) -> CA:
    cert_blocks = blocks(_read(cert_path))
    certs = [b for b in cert_blocks if b.type == "CERTIFICATE"]
    if any(is_key_block(b.type) for b in cert_blocks):
        raise ValueError(
            f"{cert_path} holds a private key: keep CA keys out of the certs directory"
        )
    if not certs:
        raise ValueError("tls: failed to find any PEM data in certificate input")
    key_data = _read(key_path)
    key_blocks = blocks(key_data)
    found = [b for b in key_blocks if is_key_block(b.type)]
    if not found:
        if any(b.type == "CERTIFICATE" for b in key_blocks):
            raise ValueError(
                "tls: found a certificate rather than a key in the PEM for the private key"
            )
        raise ValueError("tls: failed to find any PEM data in key input")
    try:
        cert = read(certs[0].der).certificate()
    except Unreadable as exc:
        raise ValueError(str(exc)) from exc
    key = _private_key(key_data, found[0], key_path, password)
    if any_certificate and not keys.same_public_key(cert, key):
        cert = next((c for c in _readable(certs[1:]) if keys.same_public_key(c, key)), cert)
    if not keys.same_public_key(cert, key):
        raise ValueError("tls: private key does not match public key")
    return CA.from_pair(cert, key, kind=kind, source=key_path)


def _readable(certs: list[Block]) -> Iterator[x509.Certificate]:
    for block in certs:
        with contextlib.suppress(Unreadable):
            yield read(block.der).certificate()


def _private_key(key_data: bytes, block: Block, key_path: str,
                 password: Password) -> PrivateKey:
    """The CA key, opened with `password` if it is encrypted."""
    if encrypted_keys.is_encrypted(key_data, block):
        return _unlock(key_data, block, key_path, password)
    _unused(key_path, password)
    try:
        # Unvalidated: RSA's checks cost ~10 ms; CA.sign verifies every signature instead.
        return keys.parse_der(block.der, validate=False)
    except ValueError as exc:
        raise ValueError("tls: failed to parse private key") from exc


def _unlock(data: bytes, block: Block, path: str, password: Password) -> PrivateKey:
    """An encrypted CA key opened; a wrong password is a CertError, not a parse error."""
    secret = password_for(password, path)
    try:
        key = encrypted_keys.decrypt(data, block, secret)
    except encrypted_keys.WrongPassword as exc:
        raise KeyPasswordError(f"could not decrypt CA key {path}: {exc}",
                               hint="check the password file's first line (or what you "
                               "typed)") from None
    log.info("decrypted CA key %s", path)
    return key


def _unused(path: str, password: Password) -> None:
    if isinstance(password, bytes):
        log.warning("CA key %s is not encrypted, so its password was not needed; encrypt "
                    "it with: pycert ca-key encrypt --ca-key=%s", path, path)


def read_ca_key(path: str, password: Password = None) -> PrivateKey:
    """A CA key to reuse or convert: one `… PRIVATE KEY` PEM block, with cockroach's error
    texts; an encrypted one is opened with `password`."""

    try:
        data = read_regular(path)
    except OSError as exc:
        raise CertError(
            f"could not read CA key file {path}: open {path}: {errno_text(exc)}"
        ) from exc
    found = blocks(data)
    if len(found) == 1 and encrypted_keys.is_encrypted(data, found[0]):
        try:
            return _unlock(data, found[0], path, password)
        except ValueError as exc:
            raise CertError(f"could not parse CA key file {path}: {exc}") from exc
    _unused(path, password)
    try:
        return keys.parse_single(data, validate=False)  # CA.new verifies its signature
    except ValueError as exc:
        raise CertError(f"could not parse CA key file {path}: {exc}") from exc


def ca_key_pem(key: PrivateKey, password: Password = None) -> bytes:
    """A new CA key's file: encrypted with a password given outright, else cockroach's
    own encoding (which is all `cockroach cert` can read)."""
    secret = new_key_password(password)
    if secret is None:
        return keys.key_pem(key)
    data = encrypted_keys.encrypt(key, secret)
    opened = encrypted_keys.decrypt(data, blocks(data)[0], secret)  # never write a lock
    if keys.pkcs8(opened) != keys.pkcs8(key):                        # that will not open
        raise CertError("internal error: the encrypted CA key does not decrypt to itself")
    return data


def existing_bundle(path: str) -> bytes:
    """The bundle's certificates re-armoured, to go after the new CA (rotation)."""
    try:
        data = read_regular(path)
    except FileNotFoundError:
        return b""
    except OSError as exc:
        raise CertError(
            f"could not read existing CA cert file {path}: open {path}: {errno_text(exc)}"
        ) from exc
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


def ca_copies(kind: Kind, certs_dir: str,
              out_dir: str) -> tuple[list[Planned], dict[str, CertFields]]:
    """The CA bundles a node or client needs beside its pair in `--out-dir`, and the
    certificate each copy leads with."""
    items = []
    described: dict[str, CertFields] = {}
    for name in kind.ca_copies:
        src = join(certs_dir, BY_NAME[name].cert_file())
        try:
            data = read_regular(src)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise CertError(f"could not read {src}: {errno_text(exc)}") from exc
        dest = join(out_dir, BY_NAME[name].cert_file())
        if same_content(dest, data):
            continue  # a loop over nodes into one out-dir needs no --overwrite for it
        items.append(Planned(dest, data, 0o644, f"could not copy {src} to"))
        first = next((b for b in blocks(data) if b.type == "CERTIFICATE"), None)
        try:
            if first is not None:
                described[dest] = read(first.der)
        except Unreadable:
            pass  # copied as it is: the loader already reported what is wrong with it
    return items, described


def read_bundle(kind: Kind, path: str, missing: str) -> tuple[bytes, list[CertFields]]:
    """A CA file's bytes and certificates, refused with the fix when it holds anything else.

    `missing` is the message for a file that does not exist (what the caller could not do).
    """
    try:
        data = read_regular(path)
    except FileNotFoundError:
        raise CertError(missing) from None
    except OSError as exc:
        raise CertError(f"could not read CA file {path}: {errno_text(exc)}") from exc
    certs = []
    for i, block in enumerate(blocks(data)):
        if is_key_block(block.type):
            raise CertError(f"{path} holds a private key (block #{i}): move the CA key out of "
                            "the certs directory, to where --ca-key points, and leave only "
                            "certificates in the CA file")
        if block.type != "CERTIFICATE":
            raise CertError(f"{path}: block #{i} is of type {block.type}, not CERTIFICATE; a CA "
                            "file holds certificates only: remove that block")
        try:
            certs.append(read(block.der))
        except Unreadable as exc:
            raise CertError(f"{path}: certificate #{i} does not parse ({exc}); restore the file "
                            f"from a backup ({os.path.basename(path)}.*.bak) or remove that "
                            "certificate") from exc
    if not certs:
        raise CertError(f"{path} holds no certificate; restore it from a backup or create it "
                        f"with pycert {kind.command}")
    return data, certs
