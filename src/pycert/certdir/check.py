"""`pycert check`: will a CockroachDB node (and its clients) accept this certs directory?

Each rule yields Problems naming the file, the rule and the command that fixes it; the
exit code says the worst severity found (0 good, 1 warnings, 2 failures, 3 unusable).
"""

from __future__ import annotations

import datetime as dt
import os
import shlex
from dataclasses import dataclass, field
from typing import Literal, Optional

from pycert.certdir.files import read_regular
from pycert.certdir.fixes import Fixes
from pycert.certdir.loader import CertFile, Tick, load_dir
from pycert.certdir.records import Entry, effective_not_after, entries_from_dir
from pycert.errors import CertError
from pycert.gocompat import GoSyntaxError, errno_text, join, parse_duration
from pycert.halves import map_halves
from pycert.hosts import host_covered
from pycert.kinds import BY_NAME, CA, NODE, Kind
from pycert.pki import keys
from pycert.pki.pem import blocks

EXIT_OK, EXIT_WARN, EXIT_FAIL, EXIT_USAGE = 0, 1, 2, 3
Severity = Literal["fail", "warn", "info"]


@dataclass(frozen=True)
class Threshold:
    """`30d`/`720h` (time left) or `10%` (share of the certificate's lifetime left)."""

    seconds: float | None = None
    percent: float | None = None

    def hit(self, remaining: float, lifetime: float) -> bool:
        if self.percent is not None:
            return remaining < lifetime * self.percent / 100
        return self.seconds is not None and remaining < self.seconds


def parse_threshold(text: str) -> Threshold:
    """pycert's duration grammar (Go's units, `d`, `y`), or a percentage; else ValueError."""
    if text.endswith("%"):
        try:
            value = float(text[:-1])
        except ValueError:
            raise ValueError(f"percentage {text} is not a number") from None
        if not 0 <= value <= 100:
            raise ValueError(f"percentage {text} is not between 0% and 100%")
        return Threshold(percent=value)
    try:
        return Threshold(seconds=parse_duration(text) / 1e9)
    except GoSyntaxError as exc:
        raise ValueError(str(exc)) from exc


@dataclass
class Options:
    certs_dir: str
    hosts: list[str] = field(default_factory=list)
    warn_within: Threshold = Threshold(seconds=30 * 86400)
    fail_within: Threshold = Threshold(seconds=7 * 86400)
    principal_map: dict[str, str] = field(default_factory=dict)
    ca_key: str = ""
    node_user: str = "node"
    key_permissions: bool = True


@dataclass
class Problem:
    severity: Severity
    check: str  # stable rule id, e.g. "key-permissions"
    file: str
    message: str
    fix: str = ""
    index: int | None = None


@dataclass
class Result:
    certs_dir: str
    entries: list[Entry]
    problems: list[Problem]

    @property
    def exit_code(self) -> int:
        severities = {p.severity for p in self.problems}
        return EXIT_FAIL if "fail" in severities else EXIT_WARN if "warn" in severities else EXIT_OK


def run(opts: Options, now: dt.datetime, tick: Tick | None = None) -> Result:
    """Loads the directory leniently (problems are reported, not raised) and checks it;
    `tick(what, steps, total)` hears of progress: files "reading", then "checking"."""
    if not os.path.isdir(opts.certs_dir):
        raise CertError(f"certs directory {opts.certs_dir} does not exist or is not a directory",
                        exit_code=EXIT_USAGE)
    try:
        os.listdir(opts.certs_dir)
    except OSError as exc:
        raise CertError(f"cannot read certs directory {opts.certs_dir}: {exc.strerror}",
                        exit_code=EXIT_USAGE) from None
    files = load_dir(opts.certs_dir, strict=False, key_permissions=opts.key_permissions,
                     tick=tick)
    entries = entries_from_dir(files)
    checker = _Checker(opts, entries, now, tick)
    checker.check_all({f.filename: f for f in files})
    return Result(opts.certs_dir, entries, checker.problems)


# problems, self-signed, signer's position, (NotBefore, NotAfter)
_FileVerdict = tuple[list[Problem], Optional[bool], Optional[int],
                     Optional[tuple[dt.datetime, dt.datetime]]]


class _Checker:
    def __init__(self, opts: Options, entries: list[Entry], now: dt.datetime,
                 tick: Tick | None = None) -> None:
        self.opts, self.entries, self.now, self.tick = opts, entries, now, tick
        self.problems: list[Problem] = []
        self.fixes = Fixes(opts.certs_dir, opts.ca_key, opts.hosts, entries)

    def add(self, severity: Severity, check: str, entry: Entry | str, message: str,
            fix: str = "") -> None:
        file, index = (entry, None) if isinstance(entry, str) else (entry.file, entry.index)
        self.problems.append(Problem(severity, check, file, message, fix, index))

    def check_all(self, files: dict[str, CertFile]) -> None:
        firsts = [e for e in self.entries if e.index in (0, None)]
        if CA.cert_file() not in files:
            self.add("fail", "ca-missing", CA.cert_file(),
                     f"no {CA.cert_file()}: nodes cannot start without it",
                     self.fixes.cmd(CA.command))
        if NODE.cert_file() not in files:
            severity: Severity = "fail" if self.opts.hosts else "info"
            self.add(severity, "node-missing", NODE.cert_file(),
                     f"no {NODE.cert_file()}: this directory can serve clients only",
                     self.fixes.cmd(NODE.command, *(self.opts.hosts or ["<host>"])))
        found = map_halves(lambda start, stop: self.check_files(firsts, start, stop), len(firsts))
        for entry, (problems, self_signed, signer, dates) in zip(firsts, found):
            self.problems += problems
            entry.settle(self_signed, None if signer is None else self.entries[signer])
            if dates is not None:
                entry.settle_dates(dates)
        signing = {id(e.signer) for e in self.entries if e.der is not None}  # who signs any
        for entry in self.entries:
            if entry.der is not None:
                self.check_expiry(entry, id(entry) in signing)
                entry.release()

    # --- per file -------------------------------------------------------------------

    def check_files(self, firsts: list[Entry], start: int, stop: int) -> list[_FileVerdict]:
        """Each file's problems and signer, as plain data: half of them may be found by
        a forked child (pycert.halves) and sent back. Only the first half, this process's,
        moves the progress bar, for both."""
        position = {id(e): i for i, e in enumerate(self.entries)}
        out: list[_FileVerdict] = []
        tick = self.tick if start == 0 else None
        for n, entry in enumerate(firsts[start:stop], 1):
            if tick is not None and n % 64 == 0:
                tick("checking", 64 * len(firsts) // stop, len(firsts))
            mark = len(self.problems)
            self.check_file(entry)
            found = self.problems[mark:]
            del self.problems[mark:]
            signer = entry.signer
            out.append((found, entry.self_signed, None if signer is None else position[id(signer)],
                        entry.dates() if entry.der is not None else None))
            entry.release()  # one parsed certificate at a time, not 10,000
        return out

    def check_file(self, entry: Entry) -> None:
        """Load errors, then the rules of the file's kind (first certificate only)."""
        if entry.error:
            self.load_error(entry)
        kind = entry.kind
        if entry.der is None or kind is None:
            return
        if kind.cn == "node-user":
            self.check_principals(entry)
        if kind.named and kind.cn == "name":
            self.check_user_cn(entry)
        if kind.eku:
            self.check_eku(entry, kind)
        if kind.signers:
            self.check_chain(entry, tuple(BY_NAME[s].cert_file() for s in kind.signers))
        if kind.cn == "node-user":
            self.check_hosts(entry)
        if not kind.is_ca and not entry.error:
            self.check_key_match(entry)

    def load_error(self, entry: Entry) -> None:
        error = entry.error
        key_path = self.key_path(entry)
        if entry.der is None:
            self.add("fail", "cert-unreadable", entry, error, self.fixes.recreate(entry))
        elif "has permissions" in error:
            self.add("fail", "key-permissions", entry, error, f"chmod 600 {shlex.quote(key_path)}")
        elif "could not stat key file" in error:
            self.add("fail", "key-missing", entry, error, self.fixes.recreate(entry))
        else:
            self.add("fail", "key-unreadable", entry, error, self.fixes.recreate(entry))

    def check_principals(self, entry: Entry) -> None:
        user = self.opts.node_user
        names = entry.view.sans()
        cn = entry.view.common_name()
        principals = [self.opts.principal_map.get(p, p) for p in [cn, *names["dns"]]]
        if user not in principals:
            self.add("fail", "node-principal", entry,
                     f"node certificate principals {principals} do not include {user!r} "
                     "(CN, DNS SANs, after --cert-principal-map)", self.fixes.recreate(entry))

    def check_hosts(self, entry: Entry) -> None:
        names = entry.view.sans()
        for host in self.opts.hosts:
            if not host_covered(host, names["dns"], names["ip"]):
                self.add("fail", "host-not-covered", entry,
                         f"host {host!r} is not among the certificate's SANs "
                         f"{names['dns'] + names['ip']}", self.fixes.recreate(entry))

    def check_user_cn(self, entry: Entry) -> None:
        cn = entry.view.common_name()
        if cn != entry.name:
            self.add("fail", "client-cn", entry,
                     f"certificate CN is {cn!r} but the file name says user {entry.name!r}",
                     self.fixes.recreate(entry))

    def check_eku(self, entry: Entry, kind: Kind) -> None:
        ekus = entry.view.eku()
        if ekus is not None and not set(kind.eku) <= set(ekus):
            self.add("fail", f"{kind.name}-eku", entry,
                     f"extended key usage {ekus} lacks {' and/or '.join(kind.eku)}",
                     self.fixes.recreate(entry))

    def check_chain(self, entry: Entry, ca_files: tuple[str, ...]) -> None:
        """Signed by a certificate of one of `ca_files`; a non-first CA cert only warns."""
        signer = entry.signer
        if signer is None or signer.file not in ca_files:
            found = f"signed by {signer.file} #{signer.index}" if signer else "signed by none"
            self.add("fail", "chain", entry,
                     f"not signed by any certificate in {' or '.join(ca_files)} ({found} of the "
                     "certificates in this directory)", self.fixes.renew_fix(entry))
        elif signer.index:
            self.add("warn", "signed-by-old-ca", entry,
                     f"signed by certificate #{signer.index} of {signer.file}, not by the "
                     "current (first) CA; re-sign before that CA is removed or expires",
                     self.fixes.renew_fix(entry))

    def check_key_match(self, entry: Entry) -> None:
        path = self.key_path(entry)
        try:
            found = [b for b in blocks(read_regular(path)) if keys.is_key_block(b.type)]
            # CRT values checked, primality not: OpenSSL's full check takes ~40 ms a key
            matches = keys.matches_certificate(found[0].der, entry.view) if found else None
        except OSError as exc:
            self.add("fail", "key-unreadable", entry, f"key file {path}: {errno_text(exc)}",
                     self.fixes.recreate(entry))
            return
        except ValueError as exc:
            self.add("fail", "key-unreadable", entry, f"key file {path}: {exc}",
                     self.fixes.recreate(entry))
            return
        if matches is None:
            self.add("fail", "key-unreadable", entry, f"key file {path} holds no private key",
                     self.fixes.recreate(entry))
        elif not matches:
            self.add("fail", "key-mismatch", entry,
                     f"key file {path} does not match the certificate's public key",
                     self.fixes.recreate(entry))

    # --- expiry ---------------------------------------------------------------------

    def check_expiry(self, entry: Entry, signs: bool) -> None:
        """Not yet valid, expired, or inside --fail-within / --warn-within, on the chain;
        `signs`: some certificate here is signed by this one."""
        from pycert.pki.fields import rfc3339

        before, own = entry.dates()
        after = effective_not_after(entry) or own
        if before > self.now:
            self.add("fail", "not-yet-valid", entry,
                     f"not valid before {rfc3339(before)} ({_ago(before - self.now)} from now)",
                     self.fixes.expiry_fix(entry, after))
            return
        remaining = (after - self.now).total_seconds()
        lifetime = (own - before).total_seconds()
        if remaining > 0 and not (self.opts.fail_within.hit(remaining, lifetime)
                                  or self.opts.warn_within.hit(remaining, lifetime)):
            return  # the common case: nothing to report, no fix command to build
        fix = self.fixes.expiry_fix(entry, after)
        limited = "" if after == own else self.limiter(entry, after)
        if entry.index and not signs:
            if remaining <= 0:  # an old CA kept in a rotated bundle that signs nothing now
                self.add("info", "expired-unused-ca", entry,
                         f"expired {_ago(self.now - after)} ago and signs none of the "
                         "certificates here; it can be removed from the bundle",
                         self.fixes.prune_fix(entry))
            return
        if remaining <= 0:
            self.add("fail", "expired", entry,
                     f"expired {_ago(self.now - after)} ago ({rfc3339(after)}){limited}", fix)
        elif self.opts.fail_within.hit(remaining, lifetime):
            self.add("fail", "expires-soon", entry,
                     f"expires in {_ago(after - self.now)} ({rfc3339(after)}){limited}, "
                     "inside --fail-within", fix)
        elif self.opts.warn_within.hit(remaining, lifetime):
            self.add("warn", "expires-soon", entry,
                     f"expires in {_ago(after - self.now)} ({rfc3339(after)}){limited}, "
                     "inside --warn-within", fix)

    def limiter(self, entry: Entry, after: dt.datetime) -> str:
        node, seen = entry.signer, {id(entry)}
        while node is not None and node.der is not None and id(node) not in seen:
            seen.add(id(node))
            if node.dates()[1] == after:
                return f", limited by its CA {node.file} #{node.index}"
            node = node.signer
        return ""

    # --- fixes ----------------------------------------------------------------------

    def key_path(self, entry: Entry) -> str:
        assert entry.kind is not None
        return join(self.opts.certs_dir, entry.kind.key_file(entry.name))


def _ago(delta: dt.timedelta) -> str:
    """`12 days`, `5h3m`, `40s`: coarse enough to read, exact enough to act on."""
    seconds = int(delta.total_seconds())
    if seconds >= 2 * 86400:
        return f"{seconds // 86400} days"
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60}s"
    return f"{seconds}s"

