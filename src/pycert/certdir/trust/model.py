"""What every trust store shares: where the stores are, the CA to trust, a store's report,
and running a store's own tool (certutil, keytool, update-ca-certificates).

The locations come from the caller (the CLI reads HOME, JAVA_HOME, PYCERT_TRUST_ROOT and
PATH); nothing here reads the environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from typing import Literal

from pycert.certdir.signers import read_bundle
from pycert.errors import CertError
from pycert.kinds import BY_NAME
from pycert.pki.describe import fingerprint
from pycert.pki.pem import encode
from pycert.pki.reading import CertFields

StoreName = Literal["system", "nss", "java"]
STORES: tuple[StoreName, ...] = ("system", "nss", "java")
Action = Literal["install", "uninstall", "status"]
# The state of one store location after the action (or, in a dry run, as it would be).
State = Literal[
    "trusted",  # the CA is trusted there
    "not-trusted",  # it is not
    "absent",  # no such store on this machine: skipped
    "needs-root",  # this user cannot write it: `fix` says what to run
    "needs-tool",  # the store's tool is missing: `fix` says what to install
    "unsupported",  # a store pycert does not manage (another OS family): `fix` has the steps
    "failed",  # the store's tool failed: `note` has its message
]
NOT_DONE: frozenset[State] = frozenset({"needs-root", "needs-tool", "unsupported", "failed"})
TOOL_TIMEOUT = 120.0  # seconds: update-ca-certificates --fresh on a big store takes a few


@dataclass(frozen=True)
class TrustPaths:
    """Where the stores are: `home` for the NSS databases, `java_home` for the JDK whose
    cacerts changes, `root` prefixing every system path (as DESTDIR does), and `path`, the
    directories searched for certutil and update-ca-certificates."""

    home: str = ""
    java_home: str = ""
    root: str = ""
    path: str = ""

    def system(self, path: str) -> str:
        """An absolute system path under `root`."""
        return self.root.rstrip("/") + path if self.root else path

    def tool(self, name: str) -> str:
        """The tool's path found on `path`, or ""."""
        return shutil.which(name, path=self.path) or ""


@dataclass(frozen=True)
class TrustCA:
    """One CA certificate to trust, and the name pycert gives its entry in every store."""

    fields: CertFields
    path: str  # the CA file it was read from
    index: int  # its place in that file

    @property
    def source(self) -> str:
        return f"{self.path} #{self.index}"

    @property
    def name(self) -> str:
        """NSS nickname, Java alias and (with .crt) system file name: unique per CA, so two
        CAs never collide and uninstall removes exactly this one."""
        return "pycert-ca-" + self.fields.sha256_hex[:16]

    @property
    def pem(self) -> bytes:
        return encode("CERTIFICATE", self.fields.der)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.fields)

    @property
    def subject(self) -> str:
        return self.fields.subject.cn or ""


@dataclass
class StoreReport:
    """One location of one store (a bundle, an NSS database, a keystore) for one CA."""

    store: StoreName
    location: str
    ca: TrustCA
    state: State
    changed: bool = False  # installed or removed now (in a dry run: would be)
    entry: str = ""  # what trusts the CA there: a file, nickname or alias
    ours: bool = False  # that entry is the one pycert adds
    note: str = ""  # for people: why, what else
    fix: str = ""  # a command to run for a store left undone (`needs-*`, `unsupported`)

    def undone(self, state: State, note: str, fix: str = "") -> StoreReport:
        """This report, for a store left as it was: why, and what to run instead."""
        self.state, self.note, self.fix = state, note, fix
        return self

    def to_json(self) -> dict[str, object]:
        return {"store": self.store, "location": self.location, "ca": self.ca.name,
                "state": self.state, "changed": self.changed, "entry": self.entry or None,
                "pycert_entry": self.ours, "note": self.note or None, "fix": self.fix or None}


@dataclass
class TrustResult:
    """What `trust install|uninstall|status` found or did, store by store."""

    action: Action
    ca_file: str
    cas: list[TrustCA]
    reports: list[StoreReport]
    dry_run: bool = False

    @property
    def exit_code(self) -> int:
        """0 done (or trusted, for status); 1 a store left undone; 2 status: not trusted."""
        if any(r.state in NOT_DONE for r in self.reports):
            return 1
        if self.action == "status" and any(r.state == "not-trusted" for r in self.reports):
            return 2
        return 0

    def to_json(self) -> dict[str, object]:
        return {
            "action": self.action, "dry_run": self.dry_run, "ca_file": self.ca_file,
            "certificates": [{"name": ca.name, "source": ca.source, "subject": ca.subject,
                              "sha256": ca.fingerprint} for ca in self.cas],
            "stores": [r.to_json() for r in self.reports], "exit_code": self.exit_code,
        }


def read_cas(path: str) -> list[TrustCA]:
    """Every certificate of a CA file (a rotated bundle holds the old CAs after the new
    one); a leaf such as ui.crt is refused, since trusting it would trust nothing else."""
    _, certs = read_bundle(BY_NAME["ui-ca"], path, f"no CA file {path}")
    cas = []
    for index, fields in enumerate(certs):
        if not fields.is_ca:
            raise CertError(f"{path}: certificate #{index} (CN={fields.subject.cn or ''}) is not "
                            "a CA certificate; pass the CA's file (ca-ui.crt or ca.crt), not a "
                            "server certificate such as ui.crt")
        cas.append(TrustCA(fields, path, index))
    return cas


def run(argv: list[str], *, stdin: bytes = b"",
        timeout: float = TOOL_TIMEOUT) -> subprocess.CompletedProcess[bytes]:
    """A store's tool, its output captured; an OS failure or a hang is a CertError."""
    try:
        return subprocess.run(argv, input=stdin, capture_output=True, timeout=timeout,
                              check=False)
    except subprocess.TimeoutExpired as exc:
        raise CertError(f"{os.path.basename(argv[0])} did not finish within {timeout:.0f}s: "
                        f"{' '.join(argv)}") from exc
    except OSError as exc:
        raise CertError(f"could not run {argv[0]}: {exc.strerror}") from exc


def output(proc: subprocess.CompletedProcess[bytes]) -> str:
    """A tool's stdout and stderr as text, for messages and parsing."""
    return (proc.stdout + proc.stderr).decode("utf-8", "replace").strip()


def writable(path: str) -> bool:
    """Whether this process may change `path` (a file, through links, or a directory)."""
    return os.access(os.path.realpath(path), os.W_OK)
