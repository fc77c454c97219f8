"""`pycert check`: will a CockroachDB node (and its clients) accept this certs directory?

Each rule yields Problems naming the file, the rule and the command that fixes it; the
exit code says the worst severity found (0 good, 1 warnings, 2 failures, 3 unusable).
"""

from __future__ import annotations

import datetime as dt
import os
import shlex
from dataclasses import dataclass, field
from typing import Any, Literal

from pycert.certdir.files import dir_lock, read_regular
from pycert.certdir.fixes import Fixes
from pycert.certdir.ledger import Verdict
from pycert.certdir.ledger import read as read_ledger
from pycert.certdir.loader import CertFile, Tick, bad_tenant_id, join_prefix, load_dir
from pycert.certdir.records import Record, from_files
from pycert.certdir.thresholds import Threshold
from pycert.errors import CertError
from pycert.gocompat import errno_text
from pycert.hosts import host_covered
from pycert.kinds import BY_NAME, CA, NODE, Kind
from pycert.pki import keys
from pycert.pki.describe import rfc3339
from pycert.pki.pem import blocks
from pycert.pki.revocation import can_sign_crls

EXIT_OK, EXIT_WARN, EXIT_FAIL, EXIT_USAGE = 0, 1, 2, 3
Severity = Literal["fail", "warn", "info"]


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
    ledger: str = ""  # a ledger to check revocation against ("" for none)
    crl: str = ""  # a CRL file to check revocation against ("" for none)


@dataclass
class Problem:
    severity: Severity
    check: str  # stable rule id, e.g. "key-permissions"
    file: str
    message: str
    fix: str = ""
    index: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"severity": self.severity, "check": self.check, "file": self.file,
                "index": self.index, "message": self.message, "fix": self.fix or None}


STATUS = {EXIT_OK: "ok", EXIT_WARN: "warn", EXIT_FAIL: "fail"}


@dataclass
class Result:
    certs_dir: str
    records: list[Record]
    problems: list[Problem]
    checked_at: dt.datetime

    @property
    def exit_code(self) -> int:
        severities = {p.severity for p in self.problems}
        return EXIT_FAIL if "fail" in severities else EXIT_WARN if "warn" in severities else EXIT_OK

    def to_json(self, *, certificates: bool = True) -> dict[str, Any]:
        """The report of docs/schema/check-report.schema.json; without `certificates`, all
        but that last member (a writer can then stream the records after it)."""
        doc: dict[str, Any] = {
            "schema_version": 1, "certs_dir": self.certs_dir,
            "checked_at": rfc3339(self.checked_at), "status": STATUS[self.exit_code],
            "exit_code": self.exit_code, "problems": [p.to_json() for p in self.problems],
        }
        if certificates:
            doc["certificates"] = [r.to_json(self.checked_at) for r in self.records]
        return doc


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
    with dir_lock(opts.certs_dir, shared=True):  # never see a pair half-installed
        files = load_dir(opts.certs_dir, strict=False, key_permissions=opts.key_permissions,
                         tick=tick)
    records = from_files(files)
    checker = _Checker(opts, records, now, tick)
    checker.check_all({f.filename: f for f in files})
    if opts.ledger or opts.crl:
        checker.check_revocation()
    return Result(opts.certs_dir, records, checker.problems, now)


class _Checker:
    def __init__(self, opts: Options, records: list[Record], now: dt.datetime,
                 tick: Tick | None = None) -> None:
        self.opts, self.records, self.now, self.tick = opts, records, now, tick
        self.problems: list[Problem] = []
        self.fixes = Fixes(opts.certs_dir, opts.ca_key, opts.hosts, records)
        self.key_data: dict[int, bytes | OSError] = {}  # id(record) -> its key file, read
        self.prefix = join_prefix(opts.certs_dir)
        self.present: set[str] = set()  # the certificate files of the directory

    def add(self, severity: Severity, check: str, entry: Record | str, message: str,
            fix: str = "") -> None:
        file, index = (entry, None) if isinstance(entry, str) else (entry.file, entry.index)
        self.problems.append(Problem(severity, check, file, message, fix, index))

    def check_all(self, files: dict[str, CertFile]) -> None:
        firsts = [r for r in self.records if r.index in (0, None)]
        self.present = set(files)
        for f in files.values():
            if bad_tenant_id(f):  # cockroach's loader refuses the whole directory
                self.add("fail", "tenant-id", f.filename,
                         f"invalid tenant id {f.name}: CockroachDB (and every cert command) "
                         "refuses to load this directory", f"rename or remove {f.filename}")
        if CA.cert_file() not in files:
            self.add("fail", "ca-missing", CA.cert_file(),
                     f"no {CA.cert_file()}: nodes cannot start without it",
                     self.fixes.cmd(CA.command))
        if NODE.cert_file() not in files:
            severity: Severity = "fail" if self.opts.hosts else "info"
            self.add(severity, "node-missing", NODE.cert_file(),
                     f"no {NODE.cert_file()}: this directory can serve clients only",
                     self.fixes.cmd(NODE.command, *(self.opts.hosts or ["<host>"])))
        for start in range(0, len(firsts), 64):
            chunk = firsts[start : start + 64]
            # Key files read a chunk at a time, then checked: a read between two key
            # checks costs ~20 us more a file (measured on 10,000).
            self.key_data = {id(r): self.read_key(r) for r in chunk if self.wants_key(r)}
            for record in chunk:
                self.check_file(record)
            if self.tick is not None:
                self.tick("checking", len(chunk), len(firsts))
        signing = {id(r.signer) for r in self.records if r.signer is not None}  # who signs any
        for record in self.records:
            if record.cert is not None:
                self.check_expiry(record, id(record) in signing)

    # --- per file -------------------------------------------------------------------

    def check_file(self, entry: Record) -> None:
        """Load errors, then the rules of the file's kind (first certificate only)."""
        if entry.error:
            self.load_error(entry)
        kind = entry.kind
        if entry.cert is None or kind is None:
            return
        if kind.cn == "node-user":
            self.check_principals(entry)
        if kind.named and kind.cn == "name":
            self.check_user_cn(entry)
        if kind.eku:
            self.check_eku(entry, kind)
        if kind.signers and kind.browser_facing:
            self.check_browser_chain(entry, kind)
        elif kind.signers:
            self.check_chain(entry, tuple(BY_NAME[s].cert_file() for s in kind.signers))
        if kind.host_checked:
            self.check_hosts(entry)
        if self.wants_key(entry):
            self.check_key_match(entry)

    @staticmethod
    def wants_key(entry: Record) -> bool:
        """A leaf whose certificate read and whose key file passed the loader's checks."""
        return entry.cert is not None and entry.kind is not None and not entry.kind.is_ca \
            and not entry.error

    def read_key(self, entry: Record) -> bytes | OSError:
        try:
            return read_regular(self.key_path(entry))
        except OSError as exc:
            return exc

    def load_error(self, entry: Record) -> None:
        error = entry.error
        key_path = self.key_path(entry)
        if entry.cert is None:
            self.add("fail", "cert-unreadable", entry, error, self.fixes.recreate(entry))
        elif "has permissions" in error:
            self.add("fail", "key-permissions", entry, error, f"chmod 600 {shlex.quote(key_path)}")
        elif "could not stat key file" in error:
            self.add("fail", "key-missing", entry, error, self.fixes.recreate(entry))
        else:
            self.add("fail", "key-unreadable", entry, error, self.fixes.recreate(entry))

    def check_principals(self, entry: Record) -> None:
        assert entry.cert is not None
        user = self.opts.node_user
        cn = entry.cert.subject.cn or ""  # Go's CommonName: the last CN
        principals = [self.opts.principal_map.get(p, p) for p in [cn, *entry.cert.dns]]
        if user not in principals:
            self.add("fail", "node-principal", entry,
                     f"node certificate principals {principals} do not include {user!r} "
                     "(CN, DNS SANs, after --cert-principal-map)", self.fixes.recreate(entry))

    def check_hosts(self, entry: Record) -> None:
        assert entry.cert is not None
        dns, ips = list(entry.cert.dns), list(entry.cert.ip)
        for host in self.opts.hosts:
            if not host_covered(host, dns, ips):
                self.add("fail", "host-not-covered", entry,
                         f"host {host!r} is not among the certificate's SANs "
                         f"{dns + ips}", self.fixes.recreate(entry))

    def check_user_cn(self, entry: Record) -> None:
        assert entry.cert is not None
        cn = entry.cert.subject.cn or ""  # what cockroach authenticates: the last CN
        if cn != entry.name:
            self.add("fail", "client-cn", entry,
                     f"certificate CN is {cn!r} but the file name says user {entry.name!r}",
                     self.fixes.recreate(entry))

    def check_eku(self, entry: Record, kind: Kind) -> None:
        assert entry.cert is not None
        ekus = entry.cert.eku
        missing = [usage for usage in kind.eku if ekus is not None and usage not in ekus]
        if missing:
            self.add("fail", f"{kind.name}-eku", entry,
                     f"extended key usage {list(ekus or ())} lacks {' and '.join(missing)}",
                     self.fixes.recreate(entry))

    def check_chain(self, entry: Record, ca_files: tuple[str, ...]) -> None:
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

    def check_browser_chain(self, entry: Record, kind: Kind) -> None:
        """ui.crt: signed by the CA cockroach's HTTP clients and `pycert trust` use (the
        first of its signer files that exists); a warning only, since a certificate from a
        public CA is fine for browsers and cockroach does not check it."""
        files = [BY_NAME[s].cert_file() for s in kind.signers]
        trusted = next((f for f in files if f in self.present), files[-1])
        signer = entry.signer
        if signer is not None and signer.file == trusted:
            if signer.index:
                self.add("warn", "signed-by-old-ca", entry,
                         f"signed by certificate #{signer.index} of {signer.file}, not by the "
                         "current (first) CA; re-issue it before that CA is removed or expires",
                         self.fixes.recreate(entry))
            return
        found = f"signed by {signer.file} #{signer.index}" if signer else \
            "signed by no certificate in this directory"
        self.add("warn", "chain", entry,
                 f"not signed by {trusted} ({found}): browsers trust it only if its issuer is "
                 f"in their stores some other way (a public CA), and cockroach's own HTTP "
                 f"clients, which trust {trusted}, refuse it", self.fixes.recreate(entry))

    def check_key_match(self, entry: Record) -> None:
        assert entry.cert is not None
        path = self.key_path(entry)
        data = self.key_data.pop(id(entry), None)
        try:
            if data is None:
                data = self.read_key(entry)
            if isinstance(data, OSError):
                raise data
            found = [b for b in blocks(data) if keys.is_key_block(b.type)]
            # CRT values checked, primality not: OpenSSL's full check takes ~40 ms a key
            matches = keys.matches_certificate(found[0].der, entry.cert.certificate()) \
                if found else None
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

    # --- revocation -----------------------------------------------------------------

    def check_revocation(self) -> None:
        """`revoked`: a certificate the ledger or the CRL marks revoked; `crl-unusable`: a
        CRL that TLS peers would refuse (and with it every certificate of its CA)."""
        # lazy: revocation's modules cost every create command ~5 ms
        from pycert.certdir.revocation import annotate

        if self.opts.ledger:
            try:
                annotate(self.records, read_ledger(self.opts.ledger))
            except CertError as exc:
                raise CertError(exc.message, hint=exc.hint, exit_code=EXIT_USAGE) from exc
        if self.opts.crl:
            self.check_crl(self.opts.crl)
        for record in self.records:
            verdict = record.revocation
            if verdict is not None and verdict.status == "revoked" and record.cert is not None:
                when = rfc3339(verdict.revoked_at) if verdict.revoked_at else "?"
                why = f" ({verdict.reason})" if verdict.reason else ""
                self.add("fail", "revoked", record,
                         f"serial {record.cert.serial_hex} was revoked at {when}{why}: peers "
                         "that check revocation refuse it", self.fixes.renew_fix(record))

    def check_crl(self, path: str) -> None:
        # lazy: revocation's modules cost every create command ~5 ms
        from pycert.certdir.crls import crl_signer, read_crl

        # lazy: revocation's modules cost every create command ~5 ms
        from pycert.certdir.revocation import crl_reason

        try:
            crl = read_crl(path)
        except CertError as exc:
            raise CertError(exc.message, exit_code=EXIT_USAGE) from exc
        cas = [r for r in self.records if r.cert is not None and r.kind and r.kind.is_ca]
        signer = crl_signer(crl, [r.cert for r in cas if r.cert is not None])
        if signer is None:
            self.add("fail", "crl-unusable", path,
                     "no CA certificate in this directory signed this CRL")
            return
        ca = next(r for r in cas if r.cert is signer)
        if not can_sign_crls(signer.certificate()):
            self.add("fail", "crl-unusable", path,
                     f"signed by {ca.file} #{ca.index}, whose key usage lacks cRLSign: "
                     "OpenSSL-based peers (PostgreSQL) would refuse every certificate it "
                     "issued", self.fixes.rotate_fix(ca.kind) + " --crl-sign"
                     if ca.kind is not None and ca.kind.rotate_command else "")
        after = crl.next_update_utc
        if after is not None and after <= self.now:
            self.add("fail", "crl-unusable", path,
                     f"expired at {rfc3339(after)} (its next update): peers refuse every "
                     f"certificate of {ca.file} until a new one is installed",
                     f"pycert create-crl --out={path} --certs-dir={self.opts.certs_dir} "
                     f"--ca-key={self.opts.ca_key or '<path-to-ca-key>'}")
        for record in self.records:
            cert = record.cert
            if cert is None or record.signer is not ca or record.kind is None:
                continue
            entry = crl.get_revoked_certificate_by_serial_number(cert.serial)
            if entry is not None:
                record.revocation = Verdict("revoked", entry.revocation_date_utc,
                                            crl_reason(entry))
            elif record.revocation is None:
                record.revocation = Verdict("good")

    # --- expiry ---------------------------------------------------------------------

    def check_expiry(self, entry: Record, signs: bool) -> None:
        """Not yet valid, expired, or inside --fail-within / --warn-within, on the chain;
        `signs`: some certificate here is signed by this one."""
        assert entry.cert is not None
        before, own = entry.cert.not_before, entry.cert.not_after
        after = entry.effective_not_after or own
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

    def limiter(self, entry: Record, after: dt.datetime) -> str:
        node, seen = entry.signer, {id(entry)}
        while node is not None and node.cert is not None and id(node) not in seen:
            seen.add(id(node))
            if node.cert.not_after == after:
                return f", limited by its CA {node.file} #{node.index}"
            node = node.signer
        return ""

    # --- fixes ----------------------------------------------------------------------

    def key_path(self, entry: Record) -> str:
        """gocompat.join(certs dir, key file), as the loader forms it (names hold no "/")."""
        assert entry.kind is not None
        return self.prefix + entry.kind.key_file(entry.name)


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

