"""The create-* operations: which files, signed by which CA, written how.

Each operation checks everything it can before it writes, then installs all of its files
in one `atomic.commit`, so a failed command leaves the directory as it found it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pycert import atomic, log
from pycert.errors import CertError
from pycert.fsread import go_errno_text
from pycert.keygen import PendingKey
from pycert.kinds import BY_NAME, Kind
from pycert.loader import go_join, load_dir
from pycert.names import check_safe_filename

if TYPE_CHECKING:
    from cryptography import x509

    from pycert import pki
    from pycert.pki import PrivateKey


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
    not_after: dt.datetime | None = None  # --not-after (issue 8) replaces lifetime_ns
    lifetime_policy: str = "error"  # or "clamp": end a leaf with its CA (issue 8)
    extra_sans: list[str] = field(default_factory=list)  # --san (issue 8)
    out_dir: str = ""  # --out-dir (issue 8): write the pair (and CA copies) here
    key_type: str = "rsa"  # --key-type (issue 8)
    dry_run: bool = False  # --dry-run (issue 8)
    csr_only: bool = False  # --csr-only (issue 8): key and CSR, no CA needed
    json: bool = False  # --json (issue 8): the CLI prints a manifest of the outcome

    def validity(self, now: dt.datetime) -> pki.Validity:
        from pycert import pki

        if self.not_after is not None:
            return pki.Validity.until(now, self.not_after)
        return pki.Validity.starting(now, self.lifetime_ns)


@dataclass
class Outcome:
    """What a create operation wrote (or, with --dry-run, would write), for reports."""

    kind: str
    items: list[atomic.Planned]
    cert: x509.Certificate | None = None
    signer_path: str = ""
    signer: x509.Certificate | None = None
    existing: dict[str, bytes] = field(default_factory=dict)  # --dry-run: files replaced


def run(kind_name: str, req: Request, *args: object) -> Outcome:
    """Runs one create operation, wrapping its errors in the kind's cockroach prefix."""
    kind = BY_NAME[kind_name]
    try:
        if req.csr_only:
            from pycert.csrflow import create_csr

            outcome = create_csr(kind, req, *args)  # type: ignore[arg-type]
        elif kind.is_ca:
            outcome = _create_ca(kind, req)
        elif kind.name == "tenant-signing":
            outcome = _create_signing(kind, req, *args)  # type: ignore[arg-type]
        else:
            outcome = _create_leaf(kind, req, *args)  # type: ignore[arg-type]
    except CertError as exc:
        if not exc.prefixed:
            raise
        outer = exc.wrap(kind.texts["failed"])
        outer.prefixed = False
        raise outer from None
    return note_existing(outcome, req)


def note_existing(outcome: Outcome, req: Request) -> Outcome:
    """--dry-run: keeps the files that would be replaced, for the report's diff."""
    if req.dry_run:
        for item in outcome.items:
            with contextlib.suppress(OSError), open(item.path, "rb") as handle:
                outcome.existing[item.path] = handle.read()
    return outcome


def prepare_dir(certs_dir: str) -> None:
    """Validates the certs dir and loads it as cockroach does; creation waits for commit."""
    if not certs_dir:
        raise CertError("the path to the certs directory is required")
    try:
        os.stat(certs_dir)
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
    if not os.path.isdir(certs_dir):
        raise CertError(f"certs directory {certs_dir} exists but is not a directory")
    with atomic.dir_lock(certs_dir, shared=True):  # never see a pair half-installed
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
            yield
    except BaseException:
        if created:
            with contextlib.suppress(OSError):
                os.rmdir(certs_dir)
        raise


def _create_ca(kind: Kind, req: Request) -> Outcome:
    if not req.ca_key:
        raise CertError("the path to the CA key is required")
    # A key is needed unless one exists; start it now so it overlaps the imports below.
    pending = None if os.path.lexists(req.ca_key) else PendingKey(req.key_type, req.key_size)
    from pycert import pki
    from pycert.keys import existing_bundle

    prepare_dir(req.certs_dir)
    key, new_key = _ca_key(req, pending)
    cert = pki.build_ca(key, req.validity(pki.utcnow()))
    if not new_key and not pki.verify_signed_by(cert, cert):  # see docs/security.md
        raise CertError(f"CA key {req.ca_key} is corrupt: its signature does not verify")
    bundle_path = go_join(req.certs_dir, kind.cert_file())
    items: list[atomic.Planned] = []

    def build() -> list[atomic.Planned]:  # under the lock: the old bundle is read there
        old = existing_bundle(bundle_path) if req.overwrite else b""
        if new_key:
            what = "could not write CA key to file"
            items.append(atomic.Planned(req.ca_key, pki.key_pem(key), 0o600, what))
        data = pki.cert_pem(cert) + old
        what = "could not write CA certificate file"
        items.append(atomic.Planned(bundle_path, data, 0o644, what))
        return items

    _write(req, req.certs_dir, build)
    if new_key:
        log.info("generated CA key %s", req.ca_key)
    log.info("wrote %d certificates to %s", items[-1].data.count(b"-----BEGIN"), bundle_path)
    return Outcome(kind.name, items, cert)


def _ca_key(req: Request, pending: PendingKey | None) -> tuple[PrivateKey, bool]:
    """The CA key: new, or reused only with --allow-ca-key-reuse."""
    try:
        os.lstat(req.ca_key)
    except FileNotFoundError:
        try:
            return (pending or PendingKey(req.key_type, req.key_size)).result(), True
        except ValueError as exc:
            raise CertError(f"could not generate new CA key: {exc}") from None
    except OSError as exc:
        raise CertError(
            f"could not stat CA key file {req.ca_key}: stat {req.ca_key}: {go_errno_text(exc)}"
        ) from None
    if not req.allow_ca_key_reuse:
        raise CertError(f"CA key {req.ca_key} exists, but key reuse is disabled")
    from pycert.keys import read_ca_key

    key = read_ca_key(req.ca_key)
    log.info("using CA key from file %s", req.ca_key)
    return key, False


def _create_leaf(kind: Kind, req: Request, name: str, hosts: list[str]) -> Outcome:
    """node, client and tenant-client: a key, signed by the first cert of their CA file."""
    if not req.ca_key:
        raise CertError("the path to the CA key is required")
    if kind.named:
        check_safe_filename(name)  # the name becomes part of a path: it must stay inside
    pending = PendingKey(req.key_type, req.key_size)  # overlaps the imports and CA loading
    from pycert import pki
    from pycert.keys import load_ca_pair

    sans = pki.host_sans(_clean_hosts(hosts + [h for h in req.extra_sans if h not in hosts]))
    if kind.name == "client":
        sans += pki.uri_sans(name, req.tenant_scope, req.tenant_name_scope)
    prepare_dir(req.certs_dir)
    signer = _signer_path(kind, req.certs_dir)
    ca_cert, ca_key = load_ca_pair(signer, req.ca_key)
    try:
        key = pending.result()
    except ValueError as exc:
        raise CertError(f"{kind.texts['keygen']}: {exc}") from None
    cert = _sign_leaf(kind, req, name, key.public_key(), sans, ca_cert, ca_key)
    target = req.out_dir or req.certs_dir
    items = [
        _planned(kind, "cert", target, kind.cert_file(name), pki.cert_pem(cert), 0o644),
        _planned(kind, "key", target, kind.key_file(name), pki.key_pem(key), 0o600),
    ]
    if req.pkcs8:
        pk8 = kind.key_file(name) + ".pk8"
        items.append(_planned(kind, "pk8", target, pk8, pki.key_pkcs8_der(key), 0o600))
    own = list(items)
    items += _ca_copies(kind, req)
    _write(req, target, lambda: items)
    for what, item in zip(("log cert", "log key", "log pk8"), [] if req.dry_run else own):
        log.info("%s %s", kind.texts[what], item.path)  # cockroach's INFO wording (spec §2.5)
    return Outcome(kind.name, items, cert, signer, ca_cert)


def _write(req: Request, directory: str, build: Callable[[], list[atomic.Planned]]) -> None:
    """Installs the files all-or-nothing; with --dry-run only checks that it could."""
    if req.dry_run:
        atomic.precheck(build(), req.overwrite)
        return
    parent = os.path.dirname(os.path.normpath(directory))
    if req.out_dir and parent and not os.path.isdir(parent):
        try:
            os.makedirs(parent, 0o700)
        except OSError as exc:
            raise CertError(f"could not create output directory {parent}: {exc}") from None
    with _locked_dir(directory):
        atomic.commit(build(), overwrite=req.overwrite)


def _ca_copies(kind: Kind, req: Request) -> list[atomic.Planned]:
    """--out-dir (issue 8): the CA certs a node or client needs beside its pair."""
    if not req.out_dir:
        return []
    names = ["ca.crt", "ca-client.crt"] if kind.name == "node" else ["ca.crt"]
    items = []
    for name in names:
        src = go_join(req.certs_dir, name)
        try:
            with open(src, "rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise CertError(f"could not read {src}: {go_errno_text(exc)}") from None
        dest = go_join(req.out_dir, name)
        if _same_content(dest, data):
            continue  # a loop over nodes into one out-dir needs no --overwrite for it
        items.append(atomic.Planned(dest, data, 0o644, f"could not copy {src} to"))
    return items


def _same_content(path: str, data: bytes) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read() == data
    except OSError:
        return False


def _clean_hosts(hosts: list[str]) -> list[str]:
    """SAN hygiene (issue 8): refuses unmatchable names, punycodes IDNs, warns on wildcards."""
    from pycert.sans import clean_hosts

    cleaned, warnings = clean_hosts(hosts)
    for warning in warnings:
        log.warning("%s", warning)
    return cleaned


def _planned(kind: Kind, what: str, directory: str, filename: str, data: bytes,
             mode: int) -> atomic.Planned:
    return atomic.Planned(go_join(directory, filename), data, mode, kind.texts[what])


def _sign_leaf(kind: Kind, req: Request, name: str, public_key: object, sans: list,  # type: ignore[type-arg]
               ca_cert: x509.Certificate, ca_key: PrivateKey) -> x509.Certificate:
    from pycert import pki

    now = pki.utcnow()
    try:
        validity = req.validity(now)
        if name == "" and kind.name == "client":
            raise CertError("user cannot be empty")
        if name == "0" and kind.name == "tenant-client":
            raise CertError("tenantId 0 is invalid (requires != 0)")
        if req.lifetime_policy == "clamp" and validity.not_after > ca_cert.not_valid_after_utc:
            validity = validity.clamped(ca_cert.not_valid_after_utc)
            log.warning("--lifetime-policy=clamp: certificate ends with its CA at %s",
                        validity.not_after.strftime("%Y-%m-%dT%H:%M:%SZ"))
        pki.check_lifetime(ca_cert, validity.not_after, now)
    except CertError as exc:
        raise exc.wrap(kind.texts["creating"]) from None
    unit = pki.TENANTS_OU if kind.name == "tenant-client" else ""
    cn = node_user() if kind.name == "node" else name
    cert = pki.build_leaf(kind.profile, public_key, pki.subject(cn, unit=unit), sans,
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


def _create_signing(kind: Kind, req: Request, tenant_id: int) -> Outcome:
    """Ed25519 tenant signing pair: self-signed, serial 1; key written first."""
    from pycert import pki

    if tenant_id == 0:
        raise CertError("tenantId 0 is invalid (requires != 0)", prefixed=False)
    prepare_dir(req.certs_dir)
    key = pki.generate_ed25519()
    validity = req.validity(pki.utcnow())
    cert = pki.build_tenant_signing(key, tenant_id, validity)
    name = str(tenant_id)
    items = [
        _planned(kind, "key", req.certs_dir, kind.key_file(name), pki.key_pem(key), 0o600),
        _planned(kind, "cert", req.certs_dir, kind.cert_file(name), pki.cert_pem(cert), 0o644),
    ]
    _write(req, req.certs_dir, lambda: items)
    log.info("generated tenant signing key %s", items[0].path)
    log.info("wrote certificate to %s", items[1].path)
    return Outcome(kind.name, items, cert)
