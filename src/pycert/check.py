"""`pycert check`: will a CockroachDB node (and its clients) accept this certs directory?

Each rule yields Problems naming the file, the rule and the command that fixes it; the
exit code says the worst severity found (0 good, 1 warnings, 2 failures, 3 unusable).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
import shlex
from dataclasses import dataclass, field

from pycert.errors import CertError
from pycert.report import Entry

EXIT_OK, EXIT_WARN, EXIT_FAIL, EXIT_USAGE = 0, 1, 2, 3
CA_KEY_PLACEHOLDER = "<path-to-ca-key>"
_CA_COMMANDS = {"ca": "create-ca", "client-ca": "create-client-ca",
                "tenant-client-ca": "create-tenant-client-ca"}
_DAYS = re.compile(r"^(\d+(?:\.\d*)?|\.\d+)d$")


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
    """Go durations plus a `d` (24h) unit, or a percentage; ValueError on anything else."""
    from pycert.durations import DurationError, parse_duration

    if text.endswith("%"):
        value = float(text[:-1])
        if not 0 <= value <= 100:
            raise ValueError(f"percentage {text} is not between 0% and 100%")
        return Threshold(percent=value)
    match = _DAYS.match(text)
    if match:
        return Threshold(seconds=float(match.group(1)) * 86400)
    try:
        return Threshold(seconds=parse_duration(text) / 1e9)
    except DurationError as exc:
        raise ValueError(str(exc)) from None


@dataclass
class Options:
    certs_dir: str
    hosts: list[str] = field(default_factory=list)
    warn_within: Threshold = Threshold(seconds=30 * 86400)
    fail_within: Threshold = Threshold(seconds=7 * 86400)
    principal_map: dict[str, str] = field(default_factory=dict)
    ca_key: str = ""


@dataclass
class Problem:
    severity: str  # "fail", "warn" or "info"
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


def run(opts: Options, now: dt.datetime) -> Result:
    """Loads the directory leniently (problems are reported, not raised) and checks it."""
    from pycert.loader import load_dir
    from pycert.report import entries_from_dir

    if not os.path.isdir(opts.certs_dir):
        raise CertError(f"certs directory {opts.certs_dir} does not exist or is not a directory",
                        exit_code=EXIT_USAGE)
    try:
        os.listdir(opts.certs_dir)
    except OSError as exc:
        raise CertError(f"cannot read certs directory {opts.certs_dir}: {exc.strerror}",
                        exit_code=EXIT_USAGE) from None
    files = load_dir(opts.certs_dir, strict=False)
    entries = entries_from_dir(files)
    checker = _Checker(opts, entries, now)
    checker.check_all({f.filename: f for f in files})
    return Result(opts.certs_dir, entries, checker.problems)


class _Checker:
    def __init__(self, opts: Options, entries: list[Entry], now: dt.datetime) -> None:
        self.opts, self.entries, self.now = opts, entries, now
        self.problems: list[Problem] = []

    def add(self, severity: str, check: str, entry: Entry | str, message: str,
            fix: str = "") -> None:
        file, index = (entry, None) if isinstance(entry, str) else (entry.file, entry.index)
        self.problems.append(Problem(severity, check, file, message, fix, index))

    def check_all(self, files: dict[str, object]) -> None:
        firsts = [e for e in self.entries if e.index in (0, None)]
        if "ca.crt" not in files:
            self.add("fail", "ca-missing", "ca.crt", "no ca.crt: nodes cannot start without it",
                     self.cmd("create-ca"))
        if "node.crt" not in files:
            severity = "fail" if self.opts.hosts else "info"
            self.add(severity, "node-missing", "node.crt",
                     "no node.crt: this directory can serve clients only",
                     self.cmd("create-node", *(self.opts.hosts or ["<host>"])))
        for entry in firsts:
            self.check_file(entry)
        for entry in self.entries:
            if entry.cert is not None:
                self.check_expiry(entry)

    # --- per file -------------------------------------------------------------------

    def check_file(self, entry: Entry) -> None:
        """Load errors, then the rules of the file's kind (first certificate only)."""
        kind = entry.kind.name if entry.kind else ""
        if entry.error:
            self.load_error(entry)
        if entry.cert is None:
            return
        if kind == "node":
            self.check_node(entry)
        elif kind == "client":
            self.check_client(entry)
        elif kind == "tenant-client":
            self.check_chain(entry, ("ca-client-tenant.crt", "ca-client.crt", "ca.crt"))
        if entry.kind is not None and not entry.kind.is_ca and not entry.error:
            self.check_key_match(entry)

    def load_error(self, entry: Entry) -> None:
        error = entry.error
        key_path = self.key_path(entry)
        if entry.cert is None:
            self.add("fail", "cert-unreadable", entry, error, self.recreate(entry))
        elif "has permissions" in error:
            self.add("fail", "key-permissions", entry, error, f"chmod 600 {shlex.quote(key_path)}")
        elif "could not stat key file" in error:
            self.add("fail", "key-missing", entry, error, self.recreate(entry))
        else:
            self.add("fail", "key-unreadable", entry, error, self.recreate(entry))

    def check_node(self, entry: Entry) -> None:
        from pycert.certdir import node_user
        from pycert.report import eku_names, sans

        assert entry.cert is not None
        user = node_user()
        names = sans(entry.cert)
        cn = _cn(entry)
        principals = [self.opts.principal_map.get(p, p) for p in [cn, *names["dns"]]]
        if user not in principals:
            self.add("fail", "node-principal", entry,
                     f"node certificate principals {principals} do not include {user!r} "
                     "(CN, DNS SANs, after --cert-principal-map)", self.recreate(entry))
        ekus = eku_names(entry.cert)
        if ekus is not None and not {"serverAuth", "clientAuth"} <= set(ekus):
            self.add("fail", "node-eku", entry,
                     f"extended key usage {ekus} lacks serverAuth and/or clientAuth",
                     self.recreate(entry))
        self.check_chain(entry, ("ca.crt",))
        for host in self.opts.hosts:
            if not host_covered(host, names["dns"], names["ip"]):
                self.add("fail", "host-not-covered", entry,
                         f"host {host!r} is not among the certificate's SANs "
                         f"{names['dns'] + names['ip']}", self.recreate(entry))

    def check_client(self, entry: Entry) -> None:
        from pycert.report import eku_names

        assert entry.cert is not None
        cn = _cn(entry)
        if cn != entry.name:
            self.add("fail", "client-cn", entry,
                     f"certificate CN is {cn!r} but the file name says user {entry.name!r}",
                     self.recreate(entry))
        ekus = eku_names(entry.cert)
        if ekus is not None and "clientAuth" not in ekus:
            self.add("fail", "client-eku", entry,
                     f"extended key usage {ekus} lacks clientAuth", self.recreate(entry))
        self.check_chain(entry, ("ca-client.crt", "ca.crt"))

    def check_chain(self, entry: Entry, ca_files: tuple[str, ...]) -> None:
        """Signed by a certificate of one of `ca_files`; a non-first CA cert only warns."""
        signer = entry.signer
        if signer is None or signer.file not in ca_files:
            found = f"signed by {signer.file} #{signer.index}" if signer else "signed by none"
            self.add("fail", "chain", entry,
                     f"not signed by any certificate in {' or '.join(ca_files)} ({found} of the "
                     "certificates in this directory)", self.recreate(entry))
        elif signer.index:
            self.add("warn", "signed-by-old-ca", entry,
                     f"signed by certificate #{signer.index} of {signer.file}, not by the "
                     "current (first) CA; re-sign before that CA is removed or expires",
                     self.recreate(entry))

    def check_key_match(self, entry: Entry) -> None:
        from pycert.keys import parse_key_der
        from pycert.pem import blocks
        from pycert.pki import same_public_key

        assert entry.cert is not None
        path = self.key_path(entry)
        try:
            with open(path, "rb") as handle:
                found = [b for b in blocks(handle.read()) if b.type.endswith("PRIVATE KEY")]
            key = parse_key_der(found[0].der) if found else None
        except (OSError, ValueError) as exc:
            self.add("fail", "key-unreadable", entry, f"key file {path}: {exc}",
                     self.recreate(entry))
            return
        if key is None:
            self.add("fail", "key-unreadable", entry, f"key file {path} holds no private key",
                     self.recreate(entry))
        elif not same_public_key(entry.cert, key):
            self.add("fail", "key-mismatch", entry,
                     f"key file {path} does not match the certificate's public key",
                     self.recreate(entry))

    # --- expiry ---------------------------------------------------------------------

    def check_expiry(self, entry: Entry) -> None:
        """Not yet valid, expired, or inside --fail-within / --warn-within, on the chain."""
        from pycert.report import effective_not_after, rfc3339

        assert entry.cert is not None
        before = entry.cert.not_valid_before_utc
        after = effective_not_after(entry) or entry.cert.not_valid_after_utc
        fix = self.recreate(entry)
        limited = "" if after == entry.cert.not_valid_after_utc else self.limiter(entry, after)
        if before > self.now:
            self.add("fail", "not-yet-valid", entry,
                     f"not valid before {rfc3339(before)} ({_ago(before - self.now)} from now)",
                     fix)
            return
        remaining = (after - self.now).total_seconds()
        lifetime = (entry.cert.not_valid_after_utc - before).total_seconds()
        if entry.index and not any(e.signer is entry for e in self.entries):
            if remaining <= 0:  # an old CA kept in a rotated bundle that signs nothing now
                self.add("info", "expired-unused-ca", entry,
                         f"expired {_ago(self.now - after)} ago and signs none of the "
                         "certificates here; it can be removed from the bundle")
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
        node = entry.signer
        while node is not None and node.cert is not None:
            if node.cert.not_valid_after_utc == after:
                return f", limited by its CA {node.file} #{node.index}"
            node = node.signer
        return ""

    # --- fixes ----------------------------------------------------------------------

    def key_path(self, entry: Entry) -> str:
        from pycert.loader import go_join

        assert entry.kind is not None
        return go_join(self.opts.certs_dir, entry.kind.key_file(entry.name))

    def cmd(self, command: str, *args: str, ca_key: bool = True) -> str:
        parts = ["pycert", command, *[_q(a) for a in args]]
        parts.append(f"--certs-dir={_q(self.opts.certs_dir)}")
        if ca_key:
            key = _q(self.opts.ca_key) if self.opts.ca_key else CA_KEY_PLACEHOLDER
            parts.append(f"--ca-key={key}")
        return " ".join(parts)

    def recreate(self, entry: Entry) -> str:
        """The pycert command that writes a fresh, correct version of this file."""
        from pycert.report import sans

        kind = entry.kind.name if entry.kind else ""
        names = sans(entry.cert) if entry.cert is not None else {"dns": [], "ip": []}
        hosts = names["dns"] + names["ip"]
        hosts += [h for h in self.opts.hosts if h not in hosts and kind == "node"]
        if kind in _CA_COMMANDS:
            # Same key, new certificate prepended: what it signed keeps verifying.
            return self.cmd(_CA_COMMANDS[kind]) + " --allow-ca-key-reuse --overwrite"
        if kind == "node":
            return self.cmd("create-node", *(hosts or ["<host>"])) + " --overwrite"
        if kind == "client":
            return self.cmd("create-client", entry.name) + " --overwrite"
        if kind == "tenant-client":
            return self.cmd("create-tenant-client", entry.name, *hosts) + " --overwrite"
        if kind == "tenant-signing":
            return self.cmd("create-tenant-signing", entry.name, ca_key=False) + " --overwrite"
        return ""


def host_covered(host: str, dns: list[str], ips: list[str]) -> bool:
    """RFC 6125: IPs match IP SANs only; `*.` matches exactly one whole leftmost label."""
    text = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        ip = None
    if ip is not None:
        mapped = getattr(ip, "ipv4_mapped", None) or ip
        return any(str(mapped) == san for san in ips)
    want = host.lower().rstrip(".")
    for pattern in (p.lower().rstrip(".") for p in dns):
        if pattern == want:
            return True
        if pattern.startswith("*.") and "." in want:
            label, rest = want.split(".", 1)
            if label and rest == pattern[2:] and "*" not in rest:
                return True
    return False


def _cn(entry: Entry) -> str:
    from pycert.report import name_fields

    assert entry.cert is not None
    return str(name_fields(entry.cert.subject)["cn"] or "")


def _q(text: str) -> str:
    return shlex.quote(text)


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

