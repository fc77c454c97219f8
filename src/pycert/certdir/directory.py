"""`CertsDir`: a cockroach certs directory as a Python object, the API the CLI is built on.

Writes use cockroach's file names and modes through the one atomic writer; reads give
the records `list` prints in every format, and `check` the same verdicts. Every command
of the CLI is a call to one method here (or to `pki.authority.CA`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from pycert.certdir import csrs, issue, records
from pycert.certdir import ledger as ledgers
from pycert.certdir.files import Planned, dir_lock
from pycert.certdir.install import Outcome, Target, install, planned
from pycert.certdir.ledger import Ledger
from pycert.certdir.listing import Row, rows
from pycert.certdir.loader import CertFile, Tick, load_dir
from pycert.certdir.passwords import Password
from pycert.certdir.records import Record
from pycert.certdir.signers import ca_key_pem, load_ca
from pycert.certdir.thresholds import Threshold, parse_threshold
from pycert.errors import CertError
from pycert.gocompat import join, parse_duration
from pycert.identities import check_safe_filename, client_username
from pycert.kinds import BY_NAME
from pycert.pki.authority import CA, Issued
from pycert.pki.certs import utcnow
from pycert.pki.keys import PendingKey
from pycert.pki.specs import CASpec, KeySpec, KeyType, LeafSpec, Lifetime

# Every command imports this module; what one command family alone needs is imported by
# its methods (each marked `# lazy:`), so that `list` and `create-*` do not pay for it.
if TYPE_CHECKING:
    from pycert.certdir import batch
    from pycert.certdir.check import Result
    from pycert.certdir.crls import Crl
    from pycert.certdir.export import ExportSpec
    from pycert.certdir.k8s import Manifest
    from pycert.certdir.metrics import Family, Unchecked
    from pycert.certdir.prune import Pruning
    from pycert.certdir.renew import RenewOptions, RenewResult
    from pycert.certdir.responder import Responder
    from pycert.certdir.revocation import Imported, Revocation
    from pycert.certdir.rotate import Rotation
    from pycert.certdir.trust.model import Action, StoreName, TrustPaths, TrustResult
    from pycert.kube import Layout


class CertsDir:
    """A certs dir; `node_user` and `key_permissions` carry cockroach's two env switches."""

    def __init__(self, path: str | os.PathLike[str], *, node_user: str = "node",
                 key_permissions: bool = True) -> None:
        self.path = os.fspath(path)
        self.node_user = node_user
        self.key_permissions = key_permissions

    def __repr__(self) -> str:
        return f"CertsDir({self.path!r})"

    def target(self, ca_key: str | os.PathLike[str] = "", **how: Any) -> Target:
        """How to write into this directory (`out_dir`, `overwrite`, `dry_run`, `pkcs8`)."""
        return Target(self.path, ca_key=os.fspath(ca_key), key_permissions=self.key_permissions,
                      **how)

    # --- issuing into the directory (what each create-* command calls) -------------

    def issue_ca(self, spec: CASpec, target: Target, key: PendingKey | None = None) -> Outcome:
        """`create-ca` and its kin; `key` is a new key already on its way, if any."""
        return issue.create_ca(spec, target, key)

    def issue(self, spec: LeafSpec, target: Target, key: PendingKey | None = None) -> Outcome:
        """`create-node`, `create-client`, `create-tenant-client` as typed requests."""
        return issue.create_leaf(spec, target, key)

    def create_csr(self, spec: LeafSpec, target: Target) -> Outcome:
        """`--csr-only`: a new key and a request an offline CA signs with `sign_csr`."""
        return csrs.create_csr(spec, target)

    def sign_csr(self, csr_path: str, profile: str, target: Target,
                 lifetime: Lifetime | None = None, *,
                 ocsp_urls: tuple[str, ...] = ()) -> Outcome:
        """`sign-csr`: the request at `csr_path` signed as a `node` or `client` certificate."""
        return csrs.sign_csr(BY_NAME[profile], csr_path, lifetime or Lifetime(), target,
                             self.node_user, ocsp_urls)

    def create_tenant_signing(self, tenant_id: int, target: Target,
                              lifetime: Lifetime | None = None) -> Outcome:
        """`create-tenant-signing`: the self-signed Ed25519 pair of a tenant."""
        return issue.create_signing(tenant_id, lifetime or Lifetime(), target)

    @staticmethod
    def node_list(path: str) -> list[batch.Row]:
        """The rows of a node list (CSV `name,host,host…` or JSON), every one checked."""
        # lazy: only create-nodes needs it
        from pycert.certdir import batch

        return batch.read_rows(path)

    def create_nodes(self, spec: LeafSpec, nodes: str | list[batch.Row], out_dir: str,
                     target: Target, progress: Callable[[int, batch.Row], None] | None = None,
                     *, source: str = "") -> list[Outcome]:
        """`create-nodes`: a node directory under `out_dir` per row of `nodes` (a node
        list's path, or its rows; `source` names it in errors), installed in one commit."""
        # lazy: only create-nodes needs it
        from pycert.certdir import batch

        if isinstance(nodes, str):
            source = source or nodes
            nodes = batch.read_rows(nodes)
        return batch.issue_all(spec, target, nodes, out_dir, progress or _ignore, source)

    def export(self, spec: ExportSpec, target: Target) -> Outcome:
        """`export`: a pair's key as PKCS#8 and/or key, certificate and chain as PKCS#12."""
        # lazy: only export needs it
        from pycert.certdir.export import export

        return export(spec, target)

    def create_ca(self, ca_key: str | os.PathLike[str], *, kind: str = "ca",
                  key_type: KeyType = "rsa", key_size: int | None = None,
                  lifetime: Lifetime | None = None, reuse_key: bool = False,
                  overwrite: bool = False, backup: bool = False, crl_sign: bool = False,
                  ledger: str | None = "", ca_key_password: Password = None) -> Outcome:
        """`create-ca` (or `kind="client-ca"`...): a new CA cert prepended to its bundle;
        `crl_sign` adds cRLSign (for `create_crl`); with `ca_key_password` (bytes) the new
        key is written encrypted; recorded in the ledger (`ledger`: a path, "" for
        index.txt beside the key, None for none)."""
        spec = CASpec(BY_NAME[kind], KeySpec.of(key_type, key_size), lifetime or Lifetime(),
                      reuse_key, crl_sign)
        return self.issue_ca(spec, self.target(ca_key, overwrite=overwrite, backup=backup,
                                               ledger=ledger, ca_key_password=ca_key_password))

    def create_node(self, *hosts: str, ca_key: str | os.PathLike[str],
                    key_type: KeyType = "rsa", key_size: int | None = None,
                    lifetime: Lifetime | None = None, overwrite: bool = False,
                    backup: bool = False, ocsp_urls: tuple[str, ...] = (),
                    ledger: str | None = "", ca_key_password: Password = None) -> Outcome:
        """`create-node`: node.crt/node.key for `hosts`, signed by ca.crt."""
        spec = LeafSpec(BY_NAME["node"], hosts=hosts, key=KeySpec.of(key_type, key_size),
                        lifetime=lifetime or Lifetime(), node_user=self.node_user,
                        ocsp_urls=ocsp_urls)
        return self.issue(spec, self.target(ca_key, overwrite=overwrite, backup=backup,
                                            ledger=ledger, ca_key_password=ca_key_password))

    def create_client(self, user: str, *, ca_key: str | os.PathLike[str],
                      tenant_scope: tuple[int, ...] = (), tenant_name_scope: tuple[str, ...] = (),
                      key_type: KeyType = "rsa", key_size: int | None = None,
                      lifetime: Lifetime | None = None, pkcs8: bool = False,
                      overwrite: bool = False, validate_username: bool = True,
                      backup: bool = False, ocsp_urls: tuple[str, ...] = (),
                      ledger: str | None = "", ca_key_password: Password = None) -> Outcome:
        """`create-client`: client.<user>.crt/.key (and .pk8), signed by the client CA."""
        kind = BY_NAME["client"]
        try:
            user = client_username(user, validate=validate_username)
        except CertError as exc:
            raise exc.wrap(kind.texts["failed"]) from exc
        spec = LeafSpec(kind, name=user, tenant_scope=tenant_scope,
                        tenant_name_scope=tenant_name_scope, key=KeySpec.of(key_type, key_size),
                        lifetime=lifetime or Lifetime(), ocsp_urls=ocsp_urls)
        return self.issue(spec, self.target(ca_key, overwrite=overwrite, pkcs8=pkcs8,
                                            backup=backup, ledger=ledger,
                                            ca_key_password=ca_key_password))

    def create_ui(self, *hosts: str, ca_key: str | os.PathLike[str],
                  key_type: KeyType = "rsa", key_size: int | None = None,
                  lifetime: Lifetime | None = None, overwrite: bool = False,
                  backup: bool = False) -> Outcome:
        """`create-ui`: ui.crt/ui.key for the hosts browsers use to open the DB Console,
        signed by ca-ui.crt, else ca.crt."""
        spec = LeafSpec(BY_NAME["ui"], hosts=hosts, key=KeySpec.of(key_type, key_size),
                        lifetime=lifetime or Lifetime())
        return self.issue(spec, self.target(ca_key, overwrite=overwrite, backup=backup))

    def create_tenant_client(self, tenant_id: int, *hosts: str, ca_key: str | os.PathLike[str],
                             key_type: KeyType = "rsa", key_size: int | None = None,
                             lifetime: Lifetime | None = None, overwrite: bool = False,
                             backup: bool = False, ocsp_urls: tuple[str, ...] = (),
                             ledger: str | None = "",
                             ca_key_password: Password = None) -> Outcome:
        """`create-tenant-client`: no hosts means cockroach's local defaults."""
        kind = BY_NAME["tenant-client"]
        spec = LeafSpec(kind, name=str(tenant_id), hosts=hosts or kind.default_hosts,
                        key=KeySpec.of(key_type, key_size), lifetime=lifetime or Lifetime(),
                        ocsp_urls=ocsp_urls)
        return self.issue(spec, self.target(ca_key, overwrite=overwrite, backup=backup,
                                            ledger=ledger, ca_key_password=ca_key_password))

    # --- writing what the in-memory API made ----------------------------------------

    def write_ca(self, ca: CA, ca_key: str | os.PathLike[str], *, overwrite: bool = False,
                 backup: bool = False, ca_key_password: bytes | None = None) -> Outcome:
        """Installs an in-memory CA as its kind's bundle (replacing it only with `overwrite`)
        and `ca_key` (0600, encrypted with `ca_key_password` if given); missing directories
        on the way are made 0700."""
        key_path = os.fspath(ca_key)
        bundle = join(self.path, ca.kind.cert_file())
        items = [Planned(key_path, ca_key_pem(ca.key, ca_key_password), 0o600,
                         "could not write CA key to file"),
                 Planned(bundle, ca.cert_pem, 0o644, "could not write CA certificate file")]
        with _made_dirs(os.path.dirname(os.path.normpath(self.path)),
                        os.path.dirname(key_path)):
            install(self.target(overwrite=overwrite, backup=backup), lambda: items)
        fields = ca.fields
        return Outcome(ca.kind, items, ca.cert, fields=fields, certs={bundle: fields})

    def write(self, issued: Issued, *, pkcs8: bool = False, overwrite: bool = False,
              backup: bool = False) -> Outcome:
        """Installs an in-memory certificate and key under cockroach's names and modes."""
        kind, name = issued.kind, issued.name
        if kind.named:
            check_safe_filename(name)  # the name is part of a path: it must stay inside
        items = [planned(kind, "cert", self.path, kind.cert_file(name), issued.cert_pem, 0o644)]
        if issued.key is not None:
            items.append(planned(kind, "key", self.path, kind.key_file(name), issued.key_pem,
                                 0o600))
        if pkcs8 and issued.key is not None:
            items.append(planned(kind, "pk8", self.path, kind.key_file(name) + ".pk8",
                                 issued.key_pkcs8, 0o600))
        install(self.target(overwrite=overwrite, backup=backup), lambda: items)
        fields = issued.fields
        return Outcome(kind, items, issued.cert, fields=fields, certs={items[0].path: fields})

    # --- the lifecycle: renew, rotate, prune (docs/lifecycle.md) -----------------------

    def renew(self, kind: str, *names: str, ca_key: str | os.PathLike[str],
              within: str | Threshold | None = None, reuse_key: bool = False,
              strict: bool = False,
              lifetime: Lifetime | None = None, out_dir: str = "", dry_run: bool = False,
              backup: bool = False, pkcs8: bool = False,
              ocsp_urls: tuple[str, ...] | None = None, ledger: str | None = "",
              ca_key_password: Password = None) -> RenewResult:
        """`pycert renew node` / `renew client alice bob`: re-issued from what they say
        (`ocsp_urls` replaces their AIA OCSP URLs; None keeps each one's)."""
        # lazy: only renew needs it
        from pycert.certdir import renew

        picks = [renew.pick(kind, name) for name in names or ("",)]
        return renew.renew(self.target(ca_key, out_dir=out_dir, dry_run=dry_run, backup=backup,
                                       pkcs8=pkcs8, ledger=ledger,
                                       ca_key_password=ca_key_password),
                           picks, _renew_options(within, reuse_key, strict, lifetime, ocsp_urls))

    def renew_all(self, *kinds: str, ca_key: str | os.PathLike[str],
                  within: str | Threshold | None = None, reuse_key: bool = False,
                  strict: bool = False,
                  lifetime: Lifetime | None = None, out_dir: str = "", dry_run: bool = False,
                  backup: bool = False, pkcs8: bool = False,
                  ocsp_urls: tuple[str, ...] | None = None, ledger: str | None = "",
                  ca_key_password: Password = None) -> RenewResult:
        """`pycert renew --all [kind...]`: every node, client and tenant client certificate
        (or those of `kinds`), in one commit."""
        # lazy: only renew needs it
        from pycert.certdir import renew

        rows_ = tuple(renew.renewable_kind(k) for k in kinds)
        return renew.renew(self.target(ca_key, out_dir=out_dir, dry_run=dry_run, backup=backup,
                                       pkcs8=pkcs8, ledger=ledger,
                                       ca_key_password=ca_key_password),
                           None, _renew_options(within, reuse_key, strict, lifetime, ocsp_urls),
                           kinds=rows_)

    def rotate_ca(self, new_ca_key: str | os.PathLike[str], *, kind: str = "ca",
                  key_type: KeyType | None = None, key_size: int | None = None,
                  lifetime: Lifetime | None = None, reuse_key: bool = False,
                  dry_run: bool = False, backup: bool = False, crl_sign: bool = False,
                  ledger: str | None = "", ca_key_password: Password = None) -> Rotation:
        """`pycert rotate-ca` (`kind="client-ca"`...): stage 1, a new CA key at
        `new_ca_key` (encrypted with `ca_key_password`, if bytes) and its certificate first
        in the bundle; the old key is not touched. The new CA may sign CRLs if `crl_sign`
        or the current one may."""
        # lazy: only rotate-* needs it
        from pycert.certdir.rotate import rotate_ca

        return rotate_ca(BY_NAME[kind], self.target(new_ca_key, dry_run=dry_run, backup=backup,
                                                    ledger=ledger,
                                                    ca_key_password=ca_key_password),
                         key_type, key_size, lifetime, reuse_key, crl_sign)

    def prune_ca(self, *, kind: str = "ca", unused: bool = False, dry_run: bool = False,
                 backup: bool = False) -> Pruning:
        """`pycert prune-ca`: stage 3, expired (and, with `unused`, unused) CA certificates
        out of the bundle; never the first one."""
        # lazy: only prune-* needs it
        from pycert.certdir.prune import prune_ca

        return prune_ca(BY_NAME[kind], self.target(dry_run=dry_run, backup=backup),
                        unused=unused)

    # --- Kubernetes manifests (docs/kubernetes.md) -------------------------------------

    def k8s_secret(self, what: str, user: str = "", *, name: str, namespace: str = "",
                   layout: Layout = "files") -> Manifest:
        """`pycert k8s secret node | client USER`: the pair and ca.crt as a Secret, as
        `kubectl create secret generic` makes it; `.to_yaml()`, `.write(path)`."""
        if what not in ("node", "client") or (what == "client") != bool(user):
            raise CertError(f"a Secret is made of the node pair or of a client's, not "
                            f"{' '.join(filter(None, (what, user)))!r}: "
                            "give node, or client <user>")
        # lazy: only k8s needs it
        from pycert.certdir.k8s import leaf_secret

        kind = BY_NAME[what]
        return leaf_secret(self.path, kind, client_username(user) if user else "", name,
                           namespace, layout)

    def k8s_config_map(self, *, name: str, namespace: str = "") -> Manifest:
        """`pycert k8s configmap ca`: ca.crt as a ConfigMap, as `kubectl create configmap`
        makes it (the operator's caConfigMapName)."""
        # lazy: only k8s needs it
        from pycert.certdir.k8s import ca_config_map

        return ca_config_map(self.path, name, namespace)

    # --- trust stores (docs/console.md) ------------------------------------------------

    def trust(self, action: Action, *, paths: TrustPaths,
              stores: tuple[StoreName, ...] | list[StoreName] | None = None,
              ca_cert: str | os.PathLike[str] = "", dry_run: bool = False) -> TrustResult:
        """`pycert trust install|uninstall|status`: `ca_cert` (default ca-ui.crt, else
        ca.crt, here) in the stores `paths` locate (all of them unless `stores`); the result
        says what each holds."""
        # lazy: only trust needs it
        from pycert.certdir.trust import actions
        from pycert.certdir.trust.model import STORES  # lazy: as above

        ca_file = os.fspath(ca_cert) or actions.default_ca_file(self.path)
        return actions.trust(action, ca_file, paths, STORES if stores is None else stores,
                             dry_run=dry_run)

    # --- reading --------------------------------------------------------------------

    def load_ca(self, ca_key: str | os.PathLike[str], *, kind: str = "ca",
                ca_key_password: Password = None) -> CA:
        """The CA of this directory (first cert of its bundle) with its key, to issue more."""
        ca_kind = BY_NAME[kind]
        return load_ca(ca_kind, join(self.path, ca_kind.cert_file()), os.fspath(ca_key),
                       ca_key_password)

    def load(self, *, strict: bool = True, tick: Tick | None = None) -> list[CertFile]:
        """The certificate files as cockroach's loader accepts them, under a shared lock;
        `tick(what, steps, total)` hears of progress."""
        with dir_lock(self.path, shared=True):
            return load_dir(self.path, strict=strict, key_permissions=self.key_permissions,
                            tick=tick)

    def records(self, *, tick: Tick | None = None, ca_key: str | os.PathLike[str] = "",
                ledger: str = "") -> list[Record]:
        """One record per certificate, signers linked: `list --format=json` prints each
        `record.to_json(now)`; with a ledger (`ledger`, or index.txt beside `ca_key` if it
        exists), each carries its `revocation`."""
        found = records.from_files(self.load(tick=tick))
        book = ledgers.find(os.fspath(ca_key), ledger)
        if book:
            # lazy: revocation's modules cost every create command ~5 ms
            from pycert.certdir.revocation import annotate

            annotate(found, ledgers.read(book))
        return found

    def rows(self, *, show_all: bool = False, tick: Tick | None = None) -> list[Row]:
        """`list`'s rows (one per file, cockroach's order and notes); `show_all` adds the
        tenant files cockroach loads but does not show."""
        return rows(records.from_files(self.load(tick=tick), chains=False), show_all)

    def check(self, *, hosts: Iterable[str] = (), warn_within: str | Threshold = "30d",
              fail_within: str | Threshold = "7d", principal_map: dict[str, str] | None = None,
              ca_key: str | os.PathLike[str] = "", now: dt.datetime | None = None,
              tick: Tick | None = None, ledger: str = "", crl: str = "") -> Result:
        """Would a CockroachDB node accept this directory? See `pycert check`. A ledger
        (`ledger`, or index.txt beside `ca_key`) or a CRL file (`crl`) adds the revoked rule."""
        # lazy: only check (and metrics) needs it
        from pycert.certdir import check

        opts = check.Options(self.path, list(hosts), _threshold(warn_within),
                             _threshold(fail_within), principal_map or {},
                             os.fspath(ca_key), self.node_user, self.key_permissions,
                             ledgers.find(os.fspath(ca_key), ledger), crl)
        return check.run(opts, now or utcnow(), tick)

    def observe(self, *, hosts: Iterable[str] = (), warn_within: str | Threshold = "30d",
                fail_within: str | Threshold = "7d",
                principal_map: dict[str, str] | None = None, now: dt.datetime | None = None,
                tick: Tick | None = None) -> Result | Unchecked:
        """`check`, but a directory it cannot read at all (missing, not a directory,
        unreadable) is an `Unchecked` rather than an error: what `pycert metrics` reports."""
        # lazy: only metrics needs it
        from pycert.certdir.metrics import Unchecked

        now = now or utcnow()
        try:
            return self.check(hosts=hosts, warn_within=warn_within, fail_within=fail_within,
                              principal_map=principal_map, now=now, tick=tick)
        except CertError as exc:
            return Unchecked(self.path, exc.message, now)

    def metric_families(self, **check_options: Any) -> list[Family]:
        """`pycert metrics` for this directory: CockroachDB's certificate gauges and
        pycert's own families (`observe`'s options); `certdir.metrics.families` merges
        several directories."""
        # lazy: only metrics needs it
        from pycert.certdir.metrics import families

        return families([self.observe(**check_options)])

    # --- revocation: the ledger, CRLs, OCSP (docs/revocation.md) ----------------------

    def ledger(self, *, ca_key: str | os.PathLike[str] = "", ledger: str = "") -> Ledger:
        """The ledger beside `ca_key` (or at `ledger`), as read: `.entries`, `.by_serial`."""
        return ledgers.read(ledgers.path_for(os.fspath(ca_key), ledger) or _no_ledger())

    def import_ledger(self, *paths: str, ca_key: str | os.PathLike[str] = "",
                      ledger: str = "") -> Imported:
        """`ledger import`: records every certificate a CA of this directory signed (here
        and in `paths`, files or directories) that the ledger does not hold yet."""
        # lazy: revocation's modules cost every create command ~5 ms
        from pycert.certdir import revocation

        return revocation.import_certs(
            self.path, ledgers.path_for(os.fspath(ca_key), ledger) or _no_ledger(), paths,
            key_permissions=self.key_permissions)

    def revoke(self, kind: str = "", name: str = "", *, file: str = "",
               serial: str | int | None = None, reason: str | None = None,
               ca_key: str | os.PathLike[str] = "", ledger: str = "") -> Revocation:
        """`revoke`: by kind and name (`"client", "alice"`), certificate `file` or `serial`
        (hex text or int), with an RFC 5280 `reason` (OpenSSL's names, e.g. keyCompromise)."""
        # lazy: revocation's modules cost every create command ~5 ms
        from pycert.certdir import revocation

        if kind:
            row = revocation.revocable_kind(kind)
            if row.named and not name:
                raise CertError(f"revoke {row.name} needs the name in {row.cert_file('<name>')}")
            file = join(self.path, row.cert_file(name))
        number = revocation.parse_serial(serial) if isinstance(serial, str) else serial
        path = ledgers.path_for(os.fspath(ca_key), ledger) or _no_ledger()
        return revocation.revoke(self.path, path, file=file, serial=number, reason=reason)

    def create_crl(self, out: str | os.PathLike[str], *, ca_key: str | os.PathLike[str],
                   issuer: str = "ca", next_update: str | dt.timedelta = "7d",
                   der: bool = False, ledger: str = "",
                   ca_key_password: Password = None) -> Crl:
        """`create-crl`: the ledger's revocations as a CRL signed by `issuer`'s CA (which
        needs cRLSign: `create_ca(crl_sign=True)`), written atomically to `out`."""
        # lazy: revocation's modules cost every create command ~5 ms
        from pycert.certdir.crls import create_crl

        span = next_update if isinstance(next_update, dt.timedelta) else \
            dt.timedelta(microseconds=parse_duration(next_update) // 1000)
        return create_crl(BY_NAME[issuer], self.target(ca_key, ledger=ledger,
                                                       ca_key_password=ca_key_password),
                          os.fspath(out), span, der=der)

    def create_ocsp_signer(self, *, ca_key: str | os.PathLike[str], issuer: str = "ca",
                           lifetime: Lifetime | None = None, key_type: KeyType = "ecdsa",
                           out_dir: str = "", ledger: str = "",
                           key: PendingKey | None = None,
                           ca_key_password: Password = None) -> Outcome:
        """`create-ocsp-signer`: the responder's certificate and key (`<CA key>.ocsp.pem`,
        0600), issued by `issuer`'s CA for 7 days unless `lifetime` says otherwise."""
        return issue.create_ocsp_signer(
            BY_NAME[issuer], self.target(ca_key, out_dir=out_dir, ledger=ledger,
                                         ca_key_password=ca_key_password),
            lifetime or Lifetime(), key or PendingKey(KeySpec.of(key_type)))

    def ocsp_responder(self, *, ca_key: str | os.PathLike[str] = "", ledger: str = "",
                       signer_dir: str = "", next_update: dt.timedelta | None = None) -> Responder:
        """The OCSP responder of `ocsp-responder`, without HTTP: `.answer(request_der)`.
        Reads the ledger and the `*.ocsp.pem` signers (beside `ca_key` unless `signer_dir`),
        never the CA key."""
        # lazy: revocation's modules cost every create command ~5 ms
        from pycert.certdir.responder import Responder

        key = os.fspath(ca_key)
        path = ledgers.path_for(key, ledger) or _no_ledger()
        where = signer_dir or os.path.dirname(key if key else path) or "."
        return Responder(self.path, path, where, next_update=next_update or dt.timedelta(hours=1))


def _ignore(index: int, row: batch.Row) -> None:
    """No progress display."""


def _no_ledger() -> str:
    raise CertError("no ledger: give the CA key (the ledger is index.txt beside it) or the "
                    "ledger's path (--ledger)")


def _threshold(value: str | Threshold) -> Threshold:
    return parse_threshold(value) if isinstance(value, str) else value


def _renew_options(within: str | Threshold | None, reuse_key: bool, strict: bool,
                   lifetime: Lifetime | None,
                   ocsp_urls: tuple[str, ...] | None = None) -> RenewOptions:
    """`within` as `30d`, `10%` or a parsed Threshold (the CLI's flag type)."""
    # lazy: only renew needs it
    from pycert.certdir.renew import RenewOptions

    window = _threshold(within) if within is not None else None
    return RenewOptions(window, reuse_key, strict, lifetime or Lifetime(), ocsp_urls)


@contextlib.contextmanager
def _made_dirs(*directories: str) -> Iterator[None]:
    """Makes missing directories (0700), and removes the ones it made if the body fails."""
    made: list[str] = []
    try:
        for directory in directories:
            missing = []
            while directory and not os.path.isdir(directory):
                missing.append(directory)
                directory = os.path.dirname(directory)
            for path in reversed(missing):
                try:
                    os.mkdir(path, 0o700)
                except OSError as exc:
                    raise CertError(f"could not create directory {path}: {exc.strerror}") from exc
                made.append(path)
        yield
    except BaseException:
        for path in reversed(made):
            with contextlib.suppress(OSError):
                os.rmdir(path)
        raise
