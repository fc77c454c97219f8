"""Issuing into a certs dir: a CA, a leaf signed by its CA file, a tenant signing pair.

Each entry point takes what to issue (a spec from `pki.specs`) and how to write it (a
`Target`), checks everything it can before it writes, then installs all of its files in
one commit. A caller that started the key already (`pki.keys.PendingKey`, as the CLI does
before it imports this layer) passes it in, so the key is made while Python imports.
"""

from __future__ import annotations

import os

from cryptography import x509

from pycert import log
from pycert.certdir.files import Planned
from pycert.certdir.install import (
    Outcome,
    Target,
    failing_as,
    install,
    note_existing,
    planned,
    prepare_dir,
)
from pycert.certdir.ledger import ocsp_signer_path, path_for
from pycert.certdir.signers import (
    ca_copies,
    ca_key_pem,
    existing_bundle,
    load_ca,
    read_ca_key,
    signer_path,
)
from pycert.errors import CertError
from pycert.gocompat import errno_text, join
from pycert.identities import check_safe_filename
from pycert.kinds import BY_NAME, OCSP_SIGNER, Kind
from pycert.pki.authority import CA, issue_tenant_signing, leaf_sans
from pycert.pki.certs import cert_pem, expired_warning, utcnow
from pycert.pki.keys import PendingKey, PrivateKey
from pycert.pki.specs import CASpec, KeySpec, LeafSpec, Lifetime


def create_ca(spec: CASpec, target: Target, key: PendingKey | None = None) -> Outcome:
    """A CA certificate prepended to the kind's bundle, with a new (or reused) key;
    `key` is used if a new one is needed."""
    with failing_as(spec.kind.texts["failed"]):
        return note_existing(_create_ca(spec, target, key), target)


def _create_ca(spec: CASpec, target: Target, pending: PendingKey | None) -> Outcome:
    if not target.ca_key:
        raise CertError("the path to the CA key is required",
                        hint="give --ca-key=<path> (or set COCKROACH_CA_KEY)")
    if pending is None and not os.path.lexists(target.ca_key):
        pending = PendingKey(spec.key)  # made while the directory is checked
    prepare_dir(target.certs_dir, key_permissions=target.key_permissions)
    key, new_key = _ca_key(spec, target, pending)
    ca = CA.new(key, spec.lifetime, kind=spec.kind, source=target.ca_key,
                crl_sign=spec.crl_sign)
    _warn_if_expired(ca.cert)
    bundle_path = join(target.certs_dir, spec.kind.cert_file())
    items: list[Planned] = []

    def build() -> list[Planned]:  # under the lock: the old bundle is read there
        old = existing_bundle(bundle_path) if target.overwrite else b""
        if new_key:
            items.append(Planned(target.ca_key, ca_key_pem(key, target.ca_key_password), 0o600,
                                 "could not write CA key to file"))
        items.append(Planned(bundle_path, cert_pem(ca.cert) + old, 0o644,
                             "could not write CA certificate file",
                             exists_hint="--overwrite prepends the new CA certificate to the "
                             "bundle, as cockroach does; pycert "
                             f"{spec.kind.rotate_command or 'rotate-ca'} walks a CA rotation"))
        return items

    install(Target(target.certs_dir, target.ca_key, overwrite=target.overwrite,
                   dry_run=target.dry_run, backup=target.backup, ledger=target.ledger),
            build, [ca.cert])
    if new_key:
        log.info("generated CA key %s", target.ca_key)
    log.info("wrote %d certificates to %s", items[-1].data.count(b"-----BEGIN"), bundle_path)
    fields = ca.fields
    return Outcome(spec.kind, items, ca.cert, fields=fields, certs={bundle_path: fields})


def _warn_if_expired(cert: x509.Certificate) -> None:
    warning = expired_warning(cert.not_valid_after_utc, utcnow())
    if warning:
        log.warning("%s", warning)


def _ca_key(spec: CASpec, target: Target,
            pending: PendingKey | None) -> tuple[PrivateKey, bool]:
    """The CA key: new, or reused only with --allow-ca-key-reuse."""
    path = target.ca_key
    try:
        os.lstat(path)
    except FileNotFoundError:
        try:
            return (pending or PendingKey(spec.key)).result(), True
        except ValueError as exc:
            raise CertError(f"could not generate new CA key: {exc}") from exc
    except OSError as exc:
        raise CertError(
            f"could not stat CA key file {path}: stat {path}: {errno_text(exc)}"
        ) from exc
    if not spec.reuse_key:
        raise CertError(f"CA key {path} exists, but key reuse is disabled",
                        hint="--allow-ca-key-reuse signs a new CA certificate with it "
                        f"(with --overwrite, prepended to {spec.kind.cert_file()}); a new CA "
                        f"key needs a path that does not exist yet; pycert "
                        f"{spec.kind.rotate_command or 'rotate-ca'} walks a CA rotation")
    key = read_ca_key(path, target.ca_key_password)
    log.info("using CA key from file %s", path)
    return key, False


def create_leaf(spec: LeafSpec, target: Target, key: PendingKey | None = None) -> Outcome:
    """node, client and tenant-client: a new key (`key`, if started already), signed by the
    first cert of their CA file."""
    with failing_as(spec.kind.texts["failed"]):
        return note_existing(_create_leaf(spec, target, key), target)


def _create_leaf(spec: LeafSpec, target: Target, pending: PendingKey | None) -> Outcome:
    kind = spec.kind
    if not target.ca_key:
        raise CertError("the path to the CA key is required",
                        hint="give --ca-key=<path> (or set COCKROACH_CA_KEY)")
    if kind.named:
        check_safe_filename(spec.name)  # the name becomes part of a path: it must stay inside
    pending = pending or PendingKey(spec.key)  # made while the CA is loaded

    leaf_sans(spec)  # refuses a bad host before the CA is even read
    prepare_dir(target.certs_dir, key_permissions=target.key_permissions)
    signer_kind, signer = signer_path(kind, target.certs_dir)
    ca = load_ca(signer_kind, signer, target.ca_key, target.ca_key_password)
    try:
        key = pending.result()
    except ValueError as exc:
        raise CertError(f"{kind.texts['keygen']}: {exc}") from exc
    issued = ca.issue(spec, key=key)
    for warning in issued.warnings:
        log.warning("%s", warning)
    directory = target.directory
    items = [
        planned(kind, "cert", directory, kind.cert_file(spec.name), issued.cert_pem, 0o644),
        planned(kind, "key", directory, kind.key_file(spec.name), issued.key_pem, 0o600),
    ]
    if target.pkcs8:
        items.append(planned(kind, "pk8", directory, kind.key_file(spec.name) + ".pk8",
                             issued.key_pkcs8, 0o600))
    own = list(items)
    fields = issued.fields
    certs = {items[0].path: fields}
    if target.out_dir:
        copies, copied = ca_copies(kind, target.certs_dir, target.out_dir)
        items += copies
        certs.update(copied)
    install(target, lambda: items, [issued.cert])
    for what, item in zip(("log cert", "log key", "log pk8"), [] if target.dry_run else own):
        log.info("%s %s", kind.texts[what], item.path)  # cockroach's INFO wording (spec §2.5)
    return Outcome(kind, items, issued.cert, signer, ca.fields, fields, certs)


def create_ocsp_signer(kind: Kind, target: Target, lifetime: Lifetime,
                       key: PendingKey | None = None) -> Outcome:
    """The delegated OCSP responder certificate of `kind`'s CA (the certificate of its file
    the CA key matches: an old CA's too, during a rotation), signed with the CA key and
    written with its own key, 0600, to `<CA key stem>.ocsp.pem` (in `target.out_dir` if
    given), replacing the one there."""
    with failing_as(OCSP_SIGNER.texts["failed"]):
        if not target.ca_key:
            raise CertError("the path to the CA key is required")
        bundle = join(target.certs_dir, kind.cert_file())
        ca = load_ca(kind, bundle, target.ca_key, target.ca_key_password, any_certificate=True)
        try:
            private = (key or PendingKey(KeySpec("ecdsa", 256))).result()
        except ValueError as exc:
            raise CertError(f"could not generate the OCSP signer's key: {exc}") from exc
        issued = ca.issue_ocsp_signer(key=private, lifetime=lifetime)
        path = ocsp_signer_path(target.ca_key, target.out_dir)
        items = [Planned(path, issued.cert_pem + issued.key_pem, 0o600,
                         "could not write the OCSP signer to", replace=True)]
        # The ledger named outright: the signer's directory is no certs dir to keep it from.
        book = None if target.ledger is None else path_for(target.ca_key, target.ledger)
        install(Target(os.path.dirname(path) or ".", target.ca_key, dry_run=target.dry_run,
                       ledger=book), lambda: items, [issued.cert])
        log.info("wrote OCSP signer %s (until %s)", path, issued.cert.not_valid_after_utc)
        fields = issued.fields
        return Outcome(OCSP_SIGNER, items, issued.cert, bundle, ca.fields, fields,
                       {path: fields})


def create_signing(tenant_id: int, lifetime: Lifetime, target: Target) -> Outcome:
    """Ed25519 tenant signing pair: self-signed, serial 1; key written first."""
    kind = BY_NAME["tenant-signing"]
    with failing_as(kind.texts["failed"]):
        if tenant_id == 0:
            raise CertError(dict(kind.rejected_names)["0"], prefixed=False)
        prepare_dir(target.certs_dir, key_permissions=target.key_permissions)
        issued = issue_tenant_signing(tenant_id, lifetime)
        _warn_if_expired(issued.cert)
        name = issued.name
        items = [
            planned(kind, "key", target.certs_dir, kind.key_file(name), issued.key_pem, 0o600),
            planned(kind, "cert", target.certs_dir, kind.cert_file(name), issued.cert_pem, 0o644),
        ]
        install(Target(target.certs_dir, overwrite=target.overwrite, dry_run=target.dry_run,
                       backup=target.backup), lambda: items)
        log.info("generated tenant signing key %s", items[0].path)
        log.info("wrote certificate to %s", items[1].path)
        fields = issued.fields
        return note_existing(Outcome(kind, items, issued.cert, fields=fields,
                                     certs={items[1].path: fields}), target)
