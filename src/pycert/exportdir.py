"""`export` (issue 8): read a node or client pair from the certs dir, write PKCS#8/#12.

Outputs go through atomic.commit with mode 0600: every format here holds the private key.
"""

from __future__ import annotations

from dataclasses import dataclass

from pycert import atomic, certdir
from pycert.errors import CertError
from pycert.fsread import go_errno_text
from pycert.kinds import BY_NAME
from pycert.loader import go_join


@dataclass
class ExportRequest:
    certs_dir: str
    kind: str  # "node" or "client"
    name: str  # user for client
    pkcs8: str = ""  # "", "pem" or "der"
    pkcs12: bool = False
    password: bytes = b""
    friendly_name: str = ""
    out_dir: str = ""
    overwrite: bool = False
    dry_run: bool = False


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise CertError(f"open {path}: {go_errno_text(exc)}") from None


def run(req: ExportRequest) -> certdir.Outcome:
    try:
        return _run(req)
    except CertError as exc:
        outer = exc.wrap(f"failed to export {req.kind} key")
        outer.prefixed = False
        raise outer from None


def _run(req: ExportRequest) -> certdir.Outcome:
    from pycert import pkcs
    from pycert.keys import parse_single_key
    from pycert.pem import blocks
    from pycert.pki import same_public_key

    kind = BY_NAME[req.kind]
    key_path = go_join(req.certs_dir, kind.key_file(req.name))
    try:
        key = parse_single_key(_read(key_path))
    except ValueError as exc:
        raise CertError(f"could not parse {key_path}: {exc}") from None
    target = req.out_dir or req.certs_dir
    items = []
    if req.pkcs8:
        suffix = ".pk8" if req.pkcs8 == "der" else ".pk8.pem"
        items.append(atomic.Planned(go_join(target, kind.key_file(req.name) + suffix),
                                    pkcs.pkcs8(key, req.pkcs8), 0o600, "could not write"))
    if req.pkcs12:
        from cryptography import x509

        cert_path = go_join(req.certs_dir, kind.cert_file(req.name))
        certs = [b.der for b in blocks(_read(cert_path)) if b.type == "CERTIFICATE"]
        if not certs:
            raise CertError(f"{cert_path} holds no certificate")
        cert = x509.load_der_x509_certificate(certs[0])
        if not same_public_key(cert, key):
            raise CertError(f"{key_path} does not match {cert_path}")
        signer = certdir._signer_path(kind, req.certs_dir)
        chain = [x509.load_der_x509_certificate(b.der) for b in blocks(_read(signer))
                 if b.type == "CERTIFICATE"]
        p12 = kind.cert_file(req.name)[: -len(".crt")] + ".p12"
        data = pkcs.pkcs12_bundle(key, cert, chain, req.friendly_name, req.password)
        items.append(atomic.Planned(go_join(target, p12), data, 0o600, "could not write"))
    if not items:
        raise CertError("nothing to export: give --pkcs8=pem|der and/or --pkcs12")
    creq = certdir.Request(req.certs_dir, overwrite=req.overwrite, dry_run=req.dry_run,
                           out_dir=req.out_dir)
    certdir._write(creq, target, lambda: items)
    return certdir.note_existing(certdir.Outcome(req.kind, items), creq)


def read_password(password_file: str, env_name: str, environ: dict[str, str]) -> bytes:
    """From a file (first line) or an environment variable: never from argv, where `ps`
    and shell history would show it."""
    if password_file:
        try:
            with open(password_file, "rb") as handle:
                first = handle.read().splitlines()[:1]
        except OSError as exc:
            raise CertError(f"could not read password file {password_file}: "
                            f"{go_errno_text(exc)}") from None
        password = first[0] if first else b""
        where = f"password file {password_file}"
    else:
        password = environ.get(env_name, "").encode("utf-8")
        where = f"environment variable {env_name}"
    if not password:
        raise CertError(f"--pkcs12 needs a password: {where} is empty or unset",
                        hint="use --password-file=<file> or set the environment variable "
                        "named by --password-env")
    return password
