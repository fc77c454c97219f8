"""Stage 1 of a CA rotation: a new CA key at a new path, its certificate prepended to the
bundle (`rotate-ca`, `rotate-client-ca`, `rotate-tenant-client-ca`).

The old key is never touched and the old certificates stay in the bundle, so everything
they signed keeps verifying while the new bundle goes out; stage 2 is `renew`, stage 3
`prune-ca` (docs/lifecycle.md).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pycert import log
from pycert.certdir.files import Planned, read_regular
from pycert.certdir.install import Outcome, Target, install, note_existing
from pycert.certdir.loader import load_dir
from pycert.certdir.signers import ca_key_pem, read_bundle, read_ca_key, signer_path
from pycert.errors import CertError
from pycert.gocompat import errno_text, join
from pycert.kinds import RENEWABLE, Kind
from pycert.pki import keys
from pycert.pki.authority import CA
from pycert.pki.certs import cert_pem, expired_warning, utcnow
from pycert.pki.keys import PrivateKey
from pycert.pki.pem import encode
from pycert.pki.reading import CertFields
from pycert.pki.reissue import key_spec
from pycert.pki.specs import KeySpec, KeyType, Lifetime

if TYPE_CHECKING:
    from cryptography import x509


@dataclass
class Rotation:
    """What stage 1 did, and what stage 2 must renew."""

    kind: Kind
    bundle: str  # the CA file
    key_path: str  # the new CA key
    new_key: bool  # False: --allow-ca-key-reuse signed with a key that existed
    ca: x509.Certificate | None  # the new first certificate (None: nothing was done)
    previous: int  # certificates the bundle held before
    duplicates: int = 0  # identical copies of one certificate, written once
    outcome: Outcome | None = None
    backups: list[str] = field(default_factory=list)
    signs: tuple[Kind, ...] = ()  # kinds this CA file signs: what stage 2 renews
    signs_all: bool = True  # it signs every renewable certificate here: `renew --all`
    dry_run: bool = False


def rotate_ca(kind: Kind, target: Target, key_type: KeyType | None = None,
              key_size: int | None = None, lifetime: Lifetime | None = None,
              reuse_key: bool = False) -> Rotation:
    """A new CA for `kind` prepended to its bundle; the key is of the current CA's type and
    size unless `key_type` / `key_size` say otherwise."""
    if not target.ca_key:
        raise CertError(f"the path to the new CA key is required: {kind.rotate_command} "
                        "writes a new key there (--ca-key)")
    if not os.path.isdir(target.certs_dir):
        raise CertError(f"certs directory {target.certs_dir} does not exist or is not a "
                        "directory: nothing to rotate")
    path = join(target.certs_dir, kind.cert_file())
    data, old = read_bundle(kind, path, f"{path} does not exist: nothing to rotate; create "
                            f"the first CA with pycert {kind.command}")
    done = Rotation(kind, path, target.ca_key, False, None, len(old), dry_run=target.dry_run)
    done.signs, done.signs_all = _signs(path, target)
    private, new_key = _key(kind, target, _spec(old[0], key_type, key_size), reuse_key)
    if not new_key and keys.same_public_key(old[0].certificate(), private):
        return done  # already the first certificate's key: stage 1 is done
    ca = CA.new(private, lifetime or Lifetime(), kind=kind, source=target.ca_key)
    expired = expired_warning(ca.cert.not_valid_after_utc, utcnow())
    if expired:
        log.warning("%s", expired)
    unique = list(dict.fromkeys(c.der for c in old))
    items = [Planned(target.ca_key, ca_key_pem(private, target.ca_key_password), 0o600,
                     "could not write CA key to file", exclusive=True)] if new_key else []
    items.append(Planned(path, cert_pem(ca.cert) + b"".join(encode("CERTIFICATE", d)
                                                            for d in unique),
                         0o644, "could not write CA certificate file"))

    def build() -> list[Planned]:  # under the lock: nobody changed the bundle meanwhile
        if not target.dry_run and _read(path) != data:
            raise CertError(f"{path} changed while {kind.rotate_command} ran; nothing was "
                            f"written: run it again")
        return items

    backups = install(Target(target.certs_dir, overwrite=True, dry_run=target.dry_run,
                             backup=target.backup), build)
    log.info("prepended a new CA certificate to %s (%d before)", path, len(old))
    done.ca, done.new_key, done.duplicates = ca.cert, new_key, len(old) - len(unique)
    fields = ca.fields
    done.outcome = note_existing(Outcome(kind, items, ca.cert, fields=fields,
                                         certs={path: fields}), target)
    done.backups = backups
    return done


def _spec(current: CertFields, key_type: KeyType | None,
          key_size: int | None) -> KeySpec:
    """The new key: the current CA's type and size, each unless given."""
    base = key_spec(current.certificate()) or KeySpec()
    kind = key_type or base.type
    return KeySpec.of(kind, key_size if key_size is not None else
                      base.bits if kind == base.type else None)


def _key(kind: Kind, target: Target, spec: KeySpec, reuse: bool) -> tuple[PrivateKey, bool]:
    """(key, is new): a new key unless one exists and --allow-ca-key-reuse allows it."""
    path = target.ca_key

    if os.path.lexists(path):
        if not reuse:
            raise CertError(f"CA key {path} exists, but key reuse is disabled: "
                            f"{kind.rotate_command} writes a NEW key, so pass a path that does "
                            "not exist yet (the old key stays where it is), or "
                            "--allow-ca-key-reuse to sign the new certificate with this key")
        return read_ca_key(path, target.ca_key_password), False
    try:
        return keys.generate(spec), True
    except ValueError as exc:
        raise CertError(f"could not generate new CA key: {exc}") from exc


def _signs(bundle: str, target: Target) -> tuple[tuple[Kind, ...], bool]:
    """The kinds whose signer is `bundle`, and whether they are all the renewable ones here."""
    here = {f.kind for f in load_dir(target.certs_dir, strict=False,
                                     key_permissions=target.key_permissions)}
    signs = []
    for kind in RENEWABLE:
        try:
            if signer_path(kind, target.certs_dir)[1] == bundle:
                signs.append(kind)
        except CertError:  # no signer file at all: nothing of that kind can be signed
            continue
    return tuple(signs), all(k in signs for k in RENEWABLE if k in here)


def _read(path: str) -> bytes:
    try:
        return read_regular(path)
    except OSError as exc:
        raise CertError(f"could not read {path}: {errno_text(exc)}") from exc
