"""Stage 3 of a CA rotation: remove from a CA bundle the certificates that can go
(`prune-ca`, `prune-client-ca`, `prune-tenant-client-ca`).

Expired ones always; with `unused`, those that sign none of the certificates in the certs
dir (or whose every certificate another kept CA verifies too). Never the first
certificate, so never the last one left.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field

from pycert import log
from pycert.certdir.files import Planned, read_regular
from pycert.certdir.install import Outcome, Target, install
from pycert.certdir.loader import load_dir
from pycert.certdir.signers import read_bundle
from pycert.errors import CertError
from pycert.gocompat import join
from pycert.kinds import Kind
from pycert.pki.certs import utcnow
from pycert.pki.describe import rfc3339
from pycert.pki.pem import encode
from pycert.pki.reading import CertFields
from pycert.pki.signatures import public_key, verifies


@dataclass
class Verdict:
    """One certificate of the bundle: kept or removed, and why."""

    index: int
    cert: CertFields
    keep: bool
    reason: str
    signs: list[str] = field(default_factory=list)  # files it verifies


@dataclass
class Pruning:
    kind: Kind
    bundle: str
    verdicts: list[Verdict]
    outcome: Outcome | None = None  # None: nothing to remove, nothing written
    backups: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def removed(self) -> list[Verdict]:
        return [v for v in self.verdicts if not v.keep]


def prune_ca(kind: Kind, target: Target, *, unused: bool = False,
             now: dt.datetime | None = None) -> Pruning:
    """The bundle of `kind` without its expired (and, with `unused`, unused) certificates."""
    now = now or utcnow()
    if not os.path.isdir(target.certs_dir):
        raise CertError(f"certs directory {target.certs_dir} does not exist or is not a "
                        "directory: nothing to prune")
    path = join(target.certs_dir, kind.cert_file())
    data, certs = read_bundle(kind, path, f"{path} does not exist: nothing to prune")
    verdicts = _judge(certs, _signed(path, certs, target), unused, now)
    result = Pruning(kind, path, verdicts, dry_run=target.dry_run)
    if not result.removed:
        return result
    kept = b"".join(encode("CERTIFICATE", v.cert.der) for v in verdicts if v.keep)
    items = [Planned(path, kept, 0o644, "could not write CA certificate file")]

    def build() -> list[Planned]:  # under the lock: nobody changed the bundle meanwhile
        try:
            same = read_regular(path) == data
        except OSError:
            same = False
        if not same and not target.dry_run:
            raise CertError(f"{path} changed while {kind.prune_command} ran; nothing was "
                            "written: run it again")
        return items

    result.backups = install(Target(target.certs_dir, overwrite=True, dry_run=target.dry_run,
                                    backup=target.backup), build)
    result.outcome = Outcome(kind, items, certs[0].certificate(), fields=certs[0],
                             certs={path: certs[0]})
    log.info("removed %d certificates from %s", len(result.removed), path)
    return result


def _signed(bundle: str, cas: list[CertFields], target: Target) -> list[list[str]]:
    """For each CA of the bundle, the certificates of the certs dir it verifies."""
    files = load_dir(target.certs_dir, strict=False, key_permissions=target.key_permissions)
    others = [(f.filename if len(f.certs) == 1 else f"{f.filename} #{i}", c)
              for f in files if f.path != bundle for i, c in enumerate(f.certs)]
    others += [(f"{os.path.basename(bundle)} #{i}", c) for i, c in enumerate(cas)]
    others = [(name, c) for name, c in others if not _self_signed(c)]
    out = []
    for ca in cas:
        key = public_key(ca.certificate())
        out.append([name for name, c in others
                    if c.raw_issuer == ca.raw_subject and verifies(c.certificate(), key)])
    return out


def _self_signed(cert: CertFields) -> bool:
    parsed = cert.certificate()
    return cert.raw_issuer == cert.raw_subject and verifies(parsed, public_key(parsed))


def _judge(cas: list[CertFields], signs: list[list[str]], unused: bool,
           now: dt.datetime) -> list[Verdict]:
    """Oldest first (the end of the bundle), so a same-key older copy goes before a newer."""
    out = [Verdict(i, c, True, "", signs[i]) for i, c in enumerate(cas)]
    first = out[0]
    first.reason = "the current CA (the first certificate) is never removed"
    if cas[0].not_after <= now:
        first.reason += f"; it EXPIRED {rfc3339(cas[0].not_after)}: rotate it"
    for v in reversed(out[1:]):
        after = v.cert.not_after
        if after <= now:
            v.keep, v.reason = False, f"expired {rfc3339(after)} ({_days(now - after)} ago)"
            continue
        still = [name for name in v.signs
                 if not any(o.keep and o is not v and name in o.signs for o in out)]
        if still:
            v.reason = f"signs {_names(still)}"
        elif unused:
            v.keep = False
            v.reason = "signs none of the certificates here" if not v.signs else \
                f"every certificate it signs ({_names(v.signs)}) is also signed by a kept CA"
        else:
            v.reason = f"valid until {rfc3339(after)}; signs nothing here that a kept CA " \
                "does not (--unused removes it)"
    return out


def _names(names: list[str]) -> str:
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def _days(span: dt.timedelta) -> str:
    days = span.total_seconds() / 86400
    return f"{days:.0f} days" if days >= 2 else f"{span.total_seconds() / 3600:.0f}h"
