"""`trust install|uninstall|status`: the CA file's certificates, store by store.

Each store is independent: one that cannot be changed (no root, no tool, a tool that
fails) is reported with what to run, and the others still are done.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from pycert.certdir.signers import signer_path
from pycert.certdir.trust import java, nss, system
from pycert.certdir.trust.model import (
    STORES,
    Action,
    StoreName,
    StoreReport,
    TrustCA,
    TrustPaths,
    TrustResult,
    read_cas,
)
from pycert.errors import CertError
from pycert.kinds import BY_NAME


def default_ca_file(certs_dir: str) -> str:
    """ca-ui.crt if it exists, else ca.crt: the CA that signs ui.crt (create-ui's order)."""
    kind = BY_NAME["ui"]
    _, path = signer_path(kind, certs_dir)
    if not os.path.lexists(path):
        files = " nor ".join(os.path.join(certs_dir, BY_NAME[s].cert_file())
                             for s in kind.signers)
        raise CertError(f"no CA to trust: neither {files} exists; create one with pycert "
                        "create-ui-ca (or create-ca), or name the file with --ca-cert")
    return path


def trust(action: Action, ca_file: str, paths: TrustPaths,
          stores: Iterable[StoreName] = STORES, *, dry_run: bool = False) -> TrustResult:
    """Every certificate of `ca_file` installed into, removed from, or looked up in each of
    `stores`; the result's reports say what each store holds afterwards."""
    if action not in ("install", "uninstall", "status"):
        raise CertError(f"unknown trust action {action!r}: install, uninstall or status")
    chosen = [s for s in STORES if s in set(stores)]
    cas = read_cas(ca_file)
    reports: list[StoreReport] = []
    for store in chosen:
        for ca in cas:
            reports += _store(store, action, ca, paths, dry_run and action != "status")
    return TrustResult(action, ca_file, cas, reports, dry_run and action != "status")


def _store(store: StoreName, action: Action, ca: TrustCA, paths: TrustPaths,
           dry_run: bool) -> list[StoreReport]:
    try:
        if store == "system":
            return [system.act(action, ca, paths, dry_run)]
        if store == "nss":
            return nss.act(action, ca, paths, dry_run)
        return [java.act(action, ca, paths, dry_run)]
    except CertError as exc:  # this store fails; the others still run
        return [StoreReport(store, "", ca, "failed", note=exc.message)]
