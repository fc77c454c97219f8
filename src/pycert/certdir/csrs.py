"""The CSR flow's files: `--csr-only` writes key + CSR; `sign-csr` writes a certificate.

For CAs kept offline or in an HSM (cockroach docs#7228): the node makes its key and a
request, the CA host signs it, and the key never travels.
"""

from __future__ import annotations

import os

from pycert import log
from pycert.certdir.files import Planned, read_regular
from pycert.certdir.install import (
    Outcome,
    Target,
    failing_as,
    install,
    note_existing,
    planned,
    prepare_dir,
)
from pycert.certdir.signers import load_ca, signer_path
from pycert.errors import CertError
from pycert.gocompat import errno_text, join
from pycert.hosts import clean_hosts
from pycert.identities import check_safe_filename, normalize_username, username_problem
from pycert.kinds import Kind
from pycert.pki import csr, keys
from pycert.pki.authority import leaf_sans
from pycert.pki.certs import cert_der, cert_pem
from pycert.pki.reading import read
from pycert.pki.specs import LeafSpec, Lifetime


def csr_file(kind: Kind, name: str) -> str:
    return kind.stem(name) + ".csr"


def create_csr(spec: LeafSpec, target: Target) -> Outcome:
    """A new key and a CSR asking for exactly the kind's cockroach profile; no CA used."""
    with failing_as(spec.kind.texts["failed"]):
        return note_existing(_create_csr(spec, target), target)


def _create_csr(spec: LeafSpec, target: Target) -> Outcome:
    kind = spec.kind
    for bad, message in kind.rejected_names:
        if spec.name == bad:
            raise CertError(message)
    sans, warnings = leaf_sans(spec)
    for warning in warnings:
        log.warning("%s", warning)
    if not target.out_dir:
        prepare_dir(target.certs_dir, key_permissions=target.key_permissions)
    try:
        key = keys.generate(spec.key)
    except ValueError as exc:
        raise CertError(f"{kind.texts['keygen']}: {exc}") from exc
    request = csr.build_csr(kind, key, spec.common_name, sans)
    directory = target.directory
    items = [
        planned(kind, "key", directory, kind.key_file(spec.name), keys.key_pem(key), 0o600),
        Planned(join(directory, csr_file(kind, spec.name)), csr.csr_pem(request), 0o644,
                "error writing certificate signing request to"),
    ]
    install(target, lambda: items)
    return Outcome(kind, items)


def sign_csr(kind: Kind, path: str, lifetime: Lifetime, target: Target,
             node_user: str = "node") -> Outcome:
    """Signs a CSR with the CA as a `kind` certificate, or says why it must not."""
    with failing_as(f"failed to sign CSR {path} as a {kind.name} certificate"):
        return note_existing(_sign(kind, path, lifetime, target, node_user), target)


def _sign(kind: Kind, path: str, lifetime: Lifetime, target: Target,
          node_user: str) -> Outcome:
    if not target.ca_key:
        raise CertError("the path to the CA key is required")
    try:
        data = read_regular(path)
    except OSError as exc:
        raise CertError(f"open {path}: {errno_text(exc)}") from exc
    request = csr.parse_csr(data)
    cn, sans = csr.check_csr(request, kind, node_user)
    clean_hosts(csr.dns_names(sans))  # each must be a host name
    name = ""
    if kind.named:
        problem = username_problem(normalize_username(cn))
        if problem:
            raise CertError(f'the CSR\'s CN "{cn}" is not a valid SQL username: {problem}')
        check_safe_filename(cn)
        name = cn
    prepare_dir(target.certs_dir, key_permissions=target.key_permissions)
    signer_kind, signer = signer_path(kind, target.certs_dir)
    ca = load_ca(signer_kind, signer, target.ca_key, target.ca_key_password)
    cert, warnings = ca.sign(kind, name, cn, request.public_key(), sans, lifetime)
    for warning in warnings:
        log.warning("%s", warning)
    items = [planned(kind, "cert", target.directory, kind.cert_file(name), cert_pem(cert),
                     0o644)]
    install(target, lambda: items)
    log.info("signed %s: %s", os.path.basename(path), items[0].path)
    fields = read(cert_der(cert))
    return Outcome(kind, items, cert, signer, ca.fields, fields, {items[0].path: fields})
