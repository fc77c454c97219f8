"""The create-* operations: which files, signed by which CA, written how.

Each operation checks everything it can before it writes, then installs all of its files
in one `atomic.commit`, so a failed command leaves the directory as it found it.
"""

from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pycert import atomic
from pycert.errors import CertError
from pycert.keygen import PendingKey
from pycert.kinds import BY_NAME, Kind
from pycert.loader import go_errno_text, go_join, load_dir

if TYPE_CHECKING:
    from cryptography import x509

    from pycert.pki import PrivateKey

log = logging.getLogger("pycert")


@dataclass
class Request:
    """What a create-* command was asked for, already parsed and validated by the CLI."""

    certs_dir: str
    ca_key: str = ""
    key_size: int = 2048
    lifetime_ns: int = 0
    overwrite: bool = False
    allow_ca_key_reuse: bool = False
    pkcs8: bool = False
    tenant_scope: list[int] = field(default_factory=list)
    tenant_name_scope: list[str] = field(default_factory=list)


def run(kind_name: str, req: Request, *args: object) -> None:
    """Runs one create operation, wrapping its errors in the kind's cockroach prefix."""
    kind = BY_NAME[kind_name]
    try:
        if kind.is_ca:
            _create_ca(kind, req)
        elif kind.name == "tenant-signing":
            _create_signing(kind, req, *args)  # type: ignore[arg-type]
        else:
            _create_leaf(kind, req, *args)  # type: ignore[arg-type]
    except CertError as exc:
        if not exc.prefixed:
            raise
        outer = exc.wrap(kind.texts["failed"])
        outer.prefixed = False
        raise outer from None


def prepare_dir(certs_dir: str) -> None:
    """Validates the certs dir and loads it as cockroach does; creation waits for commit."""
    if not certs_dir:
        raise CertError("the path to the certs directory is required")
    try:
        info = os.stat(certs_dir)
    except FileNotFoundError:
        parent = os.path.dirname(os.path.normpath(certs_dir)) or "."
        if not os.path.isdir(parent):
            raise CertError(
                f"could not create certs directory {certs_dir}: mkdir {certs_dir}: "
                "no such file or directory",
                decorated=True,
            ) from None
        return
    except OSError as exc:
        raise CertError(
            f"could not stat certs directory {certs_dir}: stat {certs_dir}: {go_errno_text(exc)}",
            decorated=True,
        ) from None
    if not os.path.isdir(certs_dir) or not info:
        raise CertError(f"certs directory {certs_dir} exists but is not a directory")
    load_dir(certs_dir)


@contextlib.contextmanager
def _locked_dir(certs_dir: str):  # type: ignore[no-untyped-def]
    """Creates the certs dir (0700) if needed, locks it, and removes it again on failure."""
    created = False
    if not os.path.isdir(certs_dir):
        try:
            os.mkdir(certs_dir, 0o700)
            created = True
        except FileExistsError:
            pass
        except OSError as exc:
            raise CertError(
                f"could not create certs directory {certs_dir}: mkdir {certs_dir}: "
                f"{go_errno_text(exc)}",
                decorated=True,
            ) from None
    try:
        with atomic.dir_lock(certs_dir):
            atomic.clean_stale(certs_dir)
            yield
    except BaseException:
        if created:
            with contextlib.suppress(OSError):
                os.rmdir(certs_dir)
        raise


def _create_ca(kind: Kind, req: Request) -> None:
    if not req.ca_key:
        raise CertError("the path to the CA key is required")
    # A key is needed unless one exists; start it now so it overlaps the imports below.
    pending = None if os.path.lexists(req.ca_key) else PendingKey(req.key_size)
    from pycert import pki

    prepare_dir(req.certs_dir)
    key, new_key = _ca_key(req, pending)
    cert = pki.build_ca(key, pki.Validity.starting(pki.utcnow(), req.lifetime_ns))
    if not new_key and not pki.verify_signed_by(cert, cert):  # see docs/security.md
        raise CertError(f"CA key {req.ca_key} is corrupt: its signature does not verify")
    bundle_path = go_join(req.certs_dir, kind.cert_file())
    with _locked_dir(req.certs_dir):
        old = _existing_bundle(bundle_path) if req.overwrite else b""
        items = []
        if new_key:
            what = "could not write CA key to file"
            items.append(atomic.Planned(req.ca_key, pki.key_pem(key), 0o600, what))
        data = pki.cert_pem(cert) + old
        items.append(atomic.Planned(bundle_path, data, 0o644, "could not write CA certificate file"))
        atomic.commit(items, overwrite=req.overwrite)
    if new_key:
        log.info("generated CA key %s", req.ca_key)
    log.info("wrote %d certificates to %s", data.count(b"-----BEGIN"), bundle_path)


def _ca_key(req: Request, pending: PendingKey | None) -> tuple[PrivateKey, bool]:
    """The CA key: new, or reused only with --allow-ca-key-reuse."""
    try:
        os.lstat(req.ca_key)
    except FileNotFoundError:
        try:
            return (pending or PendingKey(req.key_size)).result(), True
        except ValueError as exc:
            raise CertError(f"could not generate new CA key: {exc}") from None
    except OSError as exc:
        raise CertError(
            f"could not stat CA key file {req.ca_key}: stat {req.ca_key}: {go_errno_text(exc)}"
        ) from None
    if not req.allow_ca_key_reuse:
        raise CertError(f"CA key {req.ca_key} exists, but key reuse is disabled")
    from pycert.keys import parse_single_key

    try:
        with open(req.ca_key, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise CertError(
            f"could not read CA key file {req.ca_key}: open {req.ca_key}: {go_errno_text(exc)}"
        ) from None
    try:
        key = parse_single_key(data)
    except ValueError as exc:
        raise CertError(f"could not parse CA key file {req.ca_key}: {exc}") from None
    log.info("using CA key from file %s", req.ca_key)
    return key, False


def _existing_bundle(path: str) -> bytes:
    """The bundle's certificates re-armoured, to go after the new CA (rotation)."""
    from pycert.pem import blocks, encode

    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return b""
    except OSError as exc:
        raise CertError(
            f"could not read existing CA cert file {path}: open {path}: {go_errno_text(exc)}"
        ) from None
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


def _create_leaf(kind: Kind, req: Request, name: str, hosts: list[str]) -> None:
    """node, client and tenant-client: RSA key, signed by the first cert of their CA file."""
    if not req.ca_key:
        raise CertError("the path to the CA key is required")
    pending = PendingKey(req.key_size)  # overlaps the imports and CA loading below
    from pycert import pki
    from pycert.keys import load_ca_pair

    sans = pki.host_sans(hosts)
    if kind.name == "client":
        sans += pki.uri_sans(name, req.tenant_scope, req.tenant_name_scope)
    prepare_dir(req.certs_dir)
    ca_cert, ca_key = load_ca_pair(_signer_path(kind, req.certs_dir), req.ca_key)
    try:
        key = pending.result()
    except ValueError as exc:
        raise CertError(f"{kind.texts['keygen']}: {exc}") from None
    cert = _sign_leaf(kind, req, name, key, sans, ca_cert, ca_key)
    items = [
        _planned(kind, "cert", req.certs_dir, kind.cert_file(name), pki.cert_pem(cert), 0o644),
        _planned(kind, "key", req.certs_dir, kind.key_file(name), pki.key_pem(key), 0o600),
    ]
    if req.pkcs8:
        pk8 = kind.key_file(name) + ".pk8"
        items.append(_planned(kind, "pk8", req.certs_dir, pk8, pki.key_pkcs8_der(key), 0o600))
    with _locked_dir(req.certs_dir):
        atomic.commit(items, overwrite=req.overwrite)
    for item in items:
        log.info("generated %s %s: %s", kind.name, os.path.basename(item.path), item.path)


def _planned(kind: Kind, what: str, directory: str, filename: str, data: bytes,
             mode: int) -> atomic.Planned:
    return atomic.Planned(go_join(directory, filename), data, mode, kind.texts[what])


def _sign_leaf(kind: Kind, req: Request, name: str, key: PrivateKey, sans: list,  # type: ignore[type-arg]
               ca_cert: x509.Certificate, ca_key: PrivateKey) -> x509.Certificate:
    from pycert import pki

    now = pki.utcnow()
    validity = pki.Validity.starting(now, req.lifetime_ns)
    try:
        if name == "" and kind.name == "client":
            raise CertError("user cannot be empty")
        if name == "0" and kind.name == "tenant-client":
            raise CertError("tenantId 0 is invalid (requires != 0)")
        pki.check_lifetime(ca_cert, validity.not_after, now)
    except CertError as exc:
        raise exc.wrap(kind.texts["creating"]) from None
    unit = pki.TENANTS_OU if kind.name == "tenant-client" else ""
    cn = node_user() if kind.name == "node" else name
    cert = pki.build_leaf(kind.profile, key.public_key(), pki.subject(cn, unit=unit), sans,
                          ca_cert, ca_key, validity)
    if not pki.verify_signed_by(cert, ca_cert):
        raise CertError(f"CA key {req.ca_key} is corrupt: its signature does not verify")
    return cert


def node_user() -> str:
    """CN of node certs: `node`, or COCKROACH_CERT_NODE_USER (a testing aid)."""
    from pycert.names import normalize_username

    return normalize_username(os.environ.get("COCKROACH_CERT_NODE_USER", "node") or "node")


def _signer_path(kind: Kind, certs_dir: str) -> str:
    """The first of the kind's CA files that exists (existence only, as cockroach)."""
    paths = [go_join(certs_dir, BY_NAME[signer].cert_file()) for signer in kind.signers]
    for path in paths:
        if os.path.lexists(path):
            return path
    if kind.name == "tenant-client":
        raise CertError("problem with CA certificate: not found", decorated=True)
    return paths[-1]  # missing: loading it reports `open …: no such file or directory`


def _create_signing(kind: Kind, req: Request, tenant_id: int) -> None:
    """Ed25519 tenant signing pair: self-signed, serial 1; key written first."""
    from pycert import pki

    if tenant_id == 0:
        raise CertError("tenantId 0 is invalid (requires != 0)", prefixed=False)
    prepare_dir(req.certs_dir)
    key = pki.generate_ed25519()
    validity = pki.Validity.starting(pki.utcnow(), req.lifetime_ns)
    cert = pki.build_tenant_signing(key, tenant_id, validity)
    name = str(tenant_id)
    items = [
        _planned(kind, "key", req.certs_dir, kind.key_file(name), pki.key_pem(key), 0o600),
        _planned(kind, "cert", req.certs_dir, kind.cert_file(name), pki.cert_pem(cert), 0o644),
    ]
    with _locked_dir(req.certs_dir):
        atomic.commit(items, overwrite=req.overwrite)
    log.info("generated tenant signing key %s", items[0].path)
    log.info("wrote certificate to %s", items[1].path)
