"""`renew`: re-issue a certs dir's certificates from what they say, signed by the current CA.

Nothing is retyped: a renewal keeps its certificate's subject, SANs and key type
(`pki.reissue`), is signed by the first certificate of its kind's CA file (cockroach's
rule, `signers.signer_path`), and every renewed pair goes in one commit, or nothing changes.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field

from pycert import log
from pycert.certdir.files import Planned, dir_lock, read_regular
from pycert.certdir.install import Outcome, Target, install, note_existing, planned
from pycert.certdir.loader import CertFile, load_dir
from pycert.certdir.passwords import KeyPasswordError
from pycert.certdir.signers import ca_copies, load_ca, signer_path
from pycert.certdir.thresholds import Threshold
from pycert.errors import CertError
from pycert.gocompat import errno_text, join
from pycert.identities import normalize_username, parse_tenant_id
from pycert.kinds import BY_NAME, RENEWABLE, Kind
from pycert.pki import keys, reissue
from pycert.pki.authority import CA
from pycert.pki.certs import utcnow
from pycert.pki.describe import rfc3339
from pycert.pki.keys import PrivateKey
from pycert.pki.reading import CertFields
from pycert.pki.reissue import Reissue, reusable
from pycert.pki.signatures import signed_by
from pycert.pki.specs import Lifetime

# Key files written beside a pair (by create-client or export) that hold the same key.
KEY_COPIES = ((".pk8", "der"), (".pk8.pem", "pem"))


@dataclass(frozen=True)
class Pick:
    """One certificate asked for by name: `renew node`, `renew client alice`."""

    kind: Kind
    name: str = ""


def renewable_kind(kind_name: str) -> Kind:
    """The row of a kind `renew` takes by name (node, client, tenant-client)."""
    kind = BY_NAME.get(kind_name)
    if kind is None or not kind.renewable:
        raise CertError(f"cannot renew {kind_name!r}: renew takes "
                        f"{', '.join(k.name + (' <name>' if k.named else '') for k in RENEWABLE)}"
                        " or --all")
    return kind


def pick(kind_name: str, name: str = "") -> Pick:
    """The Pick for `renew <kind> [<name>]`: a user normalised as create-client does it, a
    tenant id as create-tenant-client parses it."""
    kind = renewable_kind(kind_name)
    if kind.named and not name:
        raise CertError(f"renew {kind.name} needs the name in {kind.cert_file('<name>')}")
    if not kind.named and name:
        raise CertError(f"renew {kind.name} takes no name ({kind.cert_file()}), got {name!r}")
    if kind.name_is_tenant_id:
        name = str(parse_tenant_id(name))
    elif kind.named:
        name = normalize_username(name)
    return Pick(kind, name)


@dataclass(frozen=True)
class RenewOptions:
    """How to renew: which are due, which key, how long, how strict."""

    within: Threshold | None = None  # None: everything picked is due
    reuse_key: bool = False
    strict: bool = False
    lifetime: Lifetime = field(default_factory=Lifetime)


@dataclass
class Old:
    """A certificate to renew as it was read, under the directory's shared lock."""

    file: CertFile
    cert: CertFields
    data: bytes = field(repr=False)  # the certificate file, to see it unchanged at install
    signer_kind: Kind | None = None
    signer: str = ""  # the CA file that signs this kind now
    current: CertFields | None = None  # the first certificate of that CA file
    old_signer: str = ""  # which certificate signed it, for reports
    copies: tuple[str, ...] = ()  # suffixes of the key copies beside it (.pk8, .pk8.pem)
    reason: str = ""


@dataclass
class Renewal:
    """One renewed (or, in a dry run, renewable) certificate."""

    path: str  # the certificate file that was renewed
    reason: str  # why it was due
    outcome: Outcome
    warnings: tuple[str, ...] = ()
    reused_key: bool = False


@dataclass
class RenewResult:
    """What `renew` did: the renewals, what was not due (path, why), the backups kept."""

    renewed: list[Renewal]
    not_due: list[tuple[str, str]]
    backups: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def outcomes(self) -> list[Outcome]:
        return [r.outcome for r in self.renewed]


def renew(target: Target, picks: list[Pick] | None, options: RenewOptions, *,
          kinds: tuple[Kind, ...] = (), now: dt.datetime | None = None) -> RenewResult:
    """Renews `picks` (None: every renewable certificate, or those of `kinds`)."""
    if not target.ca_key:
        raise CertError("the path to the CA key is required")
    now = now or utcnow()
    olds = _read(target, picks, kinds)
    verdicts = [_due(old, options.within, now) for old in olds]
    due = [old for old, is_due in zip(olds, verdicts) if is_due]
    not_due = [(old.file.path, old.reason) for old, is_due in zip(olds, verdicts) if not is_due]
    if not due:
        return RenewResult([], not_due, dry_run=target.dry_run)
    cas = _load_cas(due, target)
    plans = [_plan(old, options.strict) for old in due]
    keys = _keys(due, plans, target.certs_dir, options.reuse_key)
    renewals = [_issue(old, plan, key, cas[old.signer], target, options, now)
                for old, plan, key in zip(due, plans, keys)]
    items = [item for r in renewals for item in r.outcome.items]
    if target.out_dir:
        items += _copies(due, target)
    backups = install(Target(target.certs_dir, out_dir=target.out_dir, overwrite=True,
                             dry_run=target.dry_run, backup=target.backup),
                      lambda: _unchanged(due, target, items))
    for r in renewals:
        log.info("renewed %s (%s)", r.path, r.reason)
    return RenewResult(renewals, not_due, backups, target.dry_run)


def _read(target: Target, picks: list[Pick] | None, kinds: tuple[Kind, ...]) -> list[Old]:
    """The certificates to consider and their signers, read under a shared lock."""
    certs_dir = target.certs_dir
    if not certs_dir:
        raise CertError("the path to the certs directory is required")
    if not os.path.isdir(certs_dir):
        raise CertError(f"certs directory {certs_dir} does not exist or is not a directory: "
                        "nothing to renew")
    with dir_lock(certs_dir, shared=True):
        files = load_dir(certs_dir, strict=False, key_permissions=target.key_permissions)
        by_name = {f.filename: f for f in files}
        chosen = _choose(files, picks, kinds, certs_dir)
        return [_old(f, by_name, certs_dir) for f in chosen]


def _choose(files: list[CertFile], picks: list[Pick] | None, kinds: tuple[Kind, ...],
            certs_dir: str) -> list[CertFile]:
    if picks is None:
        return [f for f in files if f.kind.renewable and (not kinds or f.kind in kinds)]
    found = {(f.kind.name, f.name): f for f in files}
    out: dict[str, CertFile] = {}
    for pick in picks:
        f = found.get((pick.kind.name, pick.name))
        if f is None:
            path = join(certs_dir, pick.kind.cert_file(pick.name))
            raise CertError(f"{path} does not exist: nothing to renew; create it with "
                            f"pycert {pick.kind.command}")
        out.setdefault(f.filename, f)
    return list(out.values())


def _old(f: CertFile, by_name: dict[str, CertFile], certs_dir: str) -> Old:
    if not f.certs:
        raise CertError(f"cannot renew {f.path}: {f.error}; restore it from a backup "
                        f"({f.filename}.*.bak) or make a new one with pycert {f.kind.command} "
                        "--overwrite")
    try:
        data = read_regular(f.path)
    except OSError as exc:
        raise CertError(f"cannot renew {f.path}: {errno_text(exc)}") from exc
    old = Old(f, f.certs[0], data)
    old.signer_kind, old.signer = signer_path(f.kind, certs_dir)
    bundle = by_name.get(os.path.basename(old.signer))
    bundle_certs = bundle.certs if bundle is not None else []
    old.current = bundle_certs[0] if bundle_certs else None
    cert = old.cert.certificate()
    index = next((i for i, ca in enumerate(bundle_certs)
                  if signed_by(cert, ca.certificate())), None)
    old.old_signer = f"{old.signer} #{index}" if index is not None else "none of " + old.signer
    key = join(certs_dir, f.kind.key_file(f.name))
    old.copies = tuple(suffix for suffix, _ in KEY_COPIES if os.path.lexists(key + suffix))
    return old


def _due(old: Old, within: Threshold | None, now: dt.datetime) -> bool:
    """Due: asked for (no `within`), expiring within it, or not signed by the current CA."""
    after = old.cert.not_after
    left = (after - now).total_seconds()
    when = f"expired {_days(-left)} ago" if left <= 0 else \
        f"expires {rfc3339(after)} (in {_days(left)})"
    current = old.current.certificate() if old.current is not None else None
    if not signed_by(old.cert.certificate(), current):
        old.reason = f"signed by {old.old_signer}, not by the current CA ({old.signer} #0)"
        return True
    if within is None:
        old.reason = f"asked for; {when}"
        return True
    lifetime = (after - old.cert.not_before).total_seconds()
    due = within.hit(left, lifetime)
    old.reason = f"{when}, inside --within" if due else \
        f"{when}, after --within, and signed by the current CA"
    return due


def _days(seconds: float) -> str:
    days = seconds / 86400
    return f"{days:.0f} days" if days >= 2 else f"{seconds / 3600:.0f}h"


def _load_cas(due: list[Old], target: Target) -> dict[str, CA]:
    """The CA of each signing file, all with the one --ca-key."""
    signers = {old.signer: old.signer_kind for old in due}
    out = {}
    for path, kind in signers.items():
        assert kind is not None
        try:
            out[path] = load_ca(kind, path, target.ca_key, target.ca_key_password)
        except KeyPasswordError:
            raise  # the right key, locked: no advice about which key to use
        except CertError as exc:
            advice = f"--ca-key must be the key of the first certificate of {path}"
            if len(signers) > 1:
                advice += (" (these certificates are signed by different CA files: renew each "
                           "kind with its own CA key, e.g. pycert renew --all node)")
            raise CertError(f"{exc.message}; {advice}") from exc
    return out


def _plan(old: Old, strict: bool) -> Reissue:
    plan = reissue.read(old.file.kind, old.file.name, old.cert.certificate())
    extra = len(old.file.certs) - 1
    if extra:
        dropped = f"the {extra} certificate(s) after the first in {old.file.filename} (a chain)"
        plan = reissue.Reissue(plan.kind, plan.name, plan.subject, plan.sans, plan.key,
                               plan.key_text, (*plan.dropped, dropped))
    if strict and plan.dropped:
        raise CertError(f"refusing to renew {old.file.path} (--strict): "
                        f"{'; '.join(plan.dropped)} cannot be carried over; renew without "
                        "--strict to leave them out")
    return plan


def _keys(due: list[Old], plans: list[Reissue], certs_dir: str,
          reuse: bool) -> list[PrivateKey]:
    for old, plan in zip(due, plans):
        if not reusable(old.cert.certificate()):
            raise CertError(f"cannot renew {old.file.path}: pycert can neither make nor use "
                            f"its key ({plan.key_text}); make a new pair with pycert "
                            f"{old.file.kind.command} … --overwrite")
    if reuse:
        return [_own_key(old, certs_dir) for old in due]
    for old, plan in zip(due, plans):
        if plan.key is None:
            raise CertError(f"cannot renew {old.file.path}: its key ({plan.key_text}) is of a "
                            "type or size pycert cannot make; renew with --reuse-key to keep it")
    try:
        return keys.generate_many([plan.key for plan in plans if plan.key is not None])
    except ValueError as exc:
        raise CertError(f"could not generate new keys: {exc}") from exc


def _own_key(old: Old, certs_dir: str) -> PrivateKey:
    """--reuse-key: the pair's own key, which must match its certificate."""
    path = join(certs_dir, old.file.kind.key_file(old.file.name))
    why = f"cannot reuse the key of {old.file.path}"
    try:
        # Unvalidated (OpenSSL's RSA check takes ~40 ms a key); the CRT values are checked,
        # and the key must match the certificate and make signatures that verify.
        key = keys.parse_single(read_regular(path), validate=False)
        keys.check_signs(key)
    except OSError as exc:
        raise CertError(f"{why}: open {path}: {errno_text(exc)}; renew without --reuse-key "
                        "for a new key") from exc
    except ValueError as exc:
        raise CertError(f"{why}: {path}: {exc}; renew without --reuse-key for a new key") \
            from exc
    if not keys.same_public_key(old.cert.certificate(), key):
        raise CertError(f"{why}: {path} does not match it; renew without --reuse-key for a "
                        "new key")
    return key


def _issue(old: Old, plan: Reissue, key: PrivateKey, ca: CA, target: Target,
           options: RenewOptions, now: dt.datetime) -> Renewal:
    kind, name = old.file.kind, old.file.name
    try:
        issued = ca.reissue(plan, key, options.lifetime, now)
    except CertError as exc:
        raise exc.wrap(f"could not renew {old.file.path}") from exc
    where = target.directory
    items = [planned(kind, "cert", where, kind.cert_file(name), issued.cert_pem, 0o644),
             planned(kind, "key", where, kind.key_file(name), issued.key_pem, 0o600)]
    copies = [(suffix, encoding) for suffix, encoding in KEY_COPIES
              if suffix in old.copies or suffix == ".pk8" and target.pkcs8
              and kind.texts.get("pk8")]
    for suffix, encoding in copies:
        items.append(planned(kind, "pk8", where, kind.key_file(name) + suffix,
                             keys.pkcs8(key, encoding), 0o600))
    warnings = issued.warnings + _stale_bundles(old)
    fields = issued.fields
    outcome = note_existing(Outcome(kind, items, issued.cert, old.signer, ca.fields, fields,
                                    {items[0].path: fields}), target)
    return Renewal(old.file.path, old.reason, outcome, warnings, options.reuse_key)


def _stale_bundles(old: Old) -> tuple[str, ...]:
    """A PKCS#12 file beside the pair holds the old certificate: say so (it needs a password)."""
    kind, name = old.file.kind, old.file.name
    p12 = join(os.path.dirname(old.file.path), kind.stem(name) + ".p12")
    if not os.path.lexists(p12):
        return ()
    args = " ".join([kind.name, *([name] if name else [])])
    return (f"{p12} still holds the old certificate: export it again with pycert export "
            f"{args} --pkcs12",)


def _copies(due: list[Old], target: Target) -> list[Planned]:
    """--out-dir: the CA bundles each renewed kind needs beside it, once each."""
    out: dict[str, Planned] = {}
    for old in due:
        for item in ca_copies(old.file.kind, target.certs_dir, target.out_dir)[0]:
            out.setdefault(item.path, item)
    return list(out.values())


def _unchanged(due: list[Old], target: Target, items: list[Planned]) -> list[Planned]:
    """Under the exclusive lock: nobody replaced a certificate since it was read."""
    if target.out_dir or target.dry_run:
        return items
    for old in due:
        try:
            now = read_regular(old.file.path)
        except OSError:
            now = b""
        if now != old.data:
            raise CertError(f"{old.file.path} changed while it was being renewed; nothing was "
                            "written: run pycert renew again")
    return items
