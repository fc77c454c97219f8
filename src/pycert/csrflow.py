"""The CSR flow's files (issue 8): `--csr-only` writes key + CSR; `sign-csr` writes a cert.

For CAs kept offline or in an HSM (cockroach docs#7228): the node makes its key and a
request, the CA host signs it, and the key never travels.
"""

from __future__ import annotations

import os

from pycert import atomic, certdir, log
from pycert.errors import CertError
from pycert.fsread import go_errno_text
from pycert.kinds import BY_NAME, Kind
from pycert.loader import go_join


def csr_file(kind: Kind, name: str) -> str:
    return kind.cert_file(name)[: -len(".crt")] + ".csr"


def create_csr(kind: Kind, req: certdir.Request, name: str, hosts: list[str]) -> certdir.Outcome:
    """A new key and a CSR asking for exactly the kind's cockroach profile; no CA used."""
    from pycert import csr, pki

    if kind.name == "client" and name == "":
        raise CertError("user cannot be empty")
    extra = [h for h in req.extra_sans if h not in hosts]
    sans = pki.host_sans(certdir._clean_hosts(hosts + extra))
    if kind.name == "client":
        sans += pki.uri_sans(name, req.tenant_scope, req.tenant_name_scope)
    if not req.out_dir:
        certdir.prepare_dir(req.certs_dir)
    try:
        key = pki.generate(req.key_type, req.key_size)
    except ValueError as exc:
        raise CertError(f"{kind.texts['keygen']}: {exc}") from None
    unit = pki.TENANTS_OU if kind.name == "tenant-client" else ""
    cn = certdir.node_user() if kind.name == "node" else name
    request = csr.build_csr(kind.profile, key, pki.subject(cn, unit=unit), sans)
    target = req.out_dir or req.certs_dir
    items = [
        certdir._planned(kind, "key", target, kind.key_file(name), pki.key_pem(key), 0o600),
        atomic.Planned(go_join(target, csr_file(kind, name)), csr.csr_pem(request),
                       0o644, "error writing certificate signing request to"),
    ]
    certdir._write(req, target, lambda: items)
    return certdir.Outcome(kind.name, items)


def sign_csr(req: certdir.Request, profile: str, path: str) -> certdir.Outcome:
    """Signs a CSR with the CA as a node or client certificate, or says why it must not."""
    try:
        return certdir.note_existing(_sign(req, profile, path), req)
    except CertError as exc:
        outer = exc.wrap(f"failed to sign CSR {path} as a {profile} certificate")
        outer.prefixed = False
        raise outer from None


def _sign(req: certdir.Request, profile: str, path: str) -> certdir.Outcome:
    from cryptography import x509

    from pycert import csr, names, pki
    from pycert.keys import load_ca_pair

    if not req.ca_key:
        raise CertError("the path to the CA key is required")
    kind = BY_NAME[profile]
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise CertError(f"open {path}: {go_errno_text(exc)}") from None
    request = csr.parse_csr(data)
    cn, sans = csr.check_csr(request, profile, certdir.node_user())
    dns = [s.value for s in sans if isinstance(s, x509.DNSName)]
    certdir._clean_hosts(dns)  # refuses unmatchable names; CSR names must already be ASCII
    name = ""
    if profile == "client":
        problem = names.username_problem(names.normalize_username(cn))
        if problem:
            raise CertError(f'the CSR\'s CN "{cn}" is not a valid SQL username: {problem}')
        names.check_safe_filename(cn)
        name = cn
    certdir.prepare_dir(req.certs_dir)
    signer = certdir._signer_path(kind, req.certs_dir)
    ca_cert, ca_key = load_ca_pair(signer, req.ca_key)
    cert = certdir._sign_leaf(kind, req, name, request.public_key(), sans, ca_cert, ca_key)
    target = req.out_dir or req.certs_dir
    items = [certdir._planned(kind, "cert", target, kind.cert_file(name), pki.cert_pem(cert),
                              0o644)]
    certdir._write(req, target, lambda: items)
    log.info("signed %s: %s", os.path.basename(path), items[0].path)
    return certdir.Outcome(kind.name, items, cert, signer, ca_cert)
