"""The operating system's store: on Debian and Ubuntu an anchor in
/usr/local/share/ca-certificates and `update-ca-certificates`; other systems get the steps.

update-ca-certificates exits 0 after ignoring a flag it does not know, and leaves the
`<name>.pem` link and its hash link dangling when an anchor goes, so every change is
checked in the bundle it rebuilt and pycert removes the links of its own anchor itself.
Under a root prefix (PYCERT_TRUST_ROOT) every directory, the hooks' included, is passed
to the tool, so the machine's own store and the JDK hook never run.
"""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass

from pycert.certdir.files import Planned, commit, read_regular
from pycert.certdir.trust.model import (
    Action,
    StoreReport,
    TrustCA,
    TrustPaths,
    output,
    run,
    writable,
)
from pycert.errors import CertError
from pycert.gocompat import errno_text
from pycert.pki.pem import blocks

ANCHORS = "/usr/local/share/ca-certificates"
ETC_CERTS = "/etc/ssl/certs"
BUNDLE = "ca-certificates.crt"
BUNDLE_CAP = 64 << 20  # the bundle holds every CA of the system: far above one file's cap
# Other families, as mkcert finds them (first directory that exists): anchor dir, the
# file suffix the tool reads, the command that rebuilds the store.
OTHERS = (
    ("Fedora/RHEL", "/etc/pki/ca-trust/source/anchors", ".pem", "update-ca-trust extract"),
    ("Arch", "/etc/ca-certificates/trust-source/anchors", ".crt", "trust extract-compat"),
    ("openSUSE", "/usr/share/pki/trust/anchors", ".pem", "update-ca-certificates"),
)


@dataclass(frozen=True)
class Debian:
    """Debian's store under the paths' root: anchors, the links and bundle it makes."""

    paths: TrustPaths

    @property
    def anchors(self) -> str:
        return self.paths.system(ANCHORS)

    @property
    def etc(self) -> str:
        return self.paths.system(ETC_CERTS)

    @property
    def bundle(self) -> str:
        return os.path.join(self.etc, BUNDLE)

    def anchor(self, ca: TrustCA) -> str:
        return os.path.join(self.anchors, ca.name + ".crt")

    def refresh_command(self, tool: str) -> list[str]:
        if not self.paths.root:
            return [tool]
        system = self.paths.system
        return [tool, "--certsconf", system("/etc/ca-certificates.conf"),
                "--certsdir", system("/usr/share/ca-certificates"),
                "--localcertsdir", self.anchors, "--etccertsdir", self.etc,
                "--hooksdir", system("/etc/ca-certificates/update.d")]


def act(action: Action, ca: TrustCA, paths: TrustPaths, dry_run: bool) -> StoreReport:
    """The system store after `action` for one CA."""
    if sys.platform == "darwin":
        return StoreReport("system", "System.keychain", ca, "unsupported",
                           note="pycert manages Linux stores only",
                           fix=_mac_fix(action, ca))
    debian_dir = paths.system(ANCHORS)
    for family, anchors, suffix, refresh in OTHERS[:1]:  # mkcert looks here first
        if os.path.isdir(paths.system(anchors)):
            return _other(action, ca, paths, family, anchors, suffix, refresh)
    if os.path.isdir(debian_dir):
        return _debian(action, ca, Debian(paths), dry_run)
    for family, anchors, suffix, refresh in OTHERS[1:]:
        if os.path.isdir(paths.system(anchors)):
            return _other(action, ca, paths, family, anchors, suffix, refresh)
    return StoreReport("system", paths.system(ANCHORS), ca, "absent",
                       note="no system store pycert knows here (Debian's "
                       f"{ANCHORS}, nor Fedora's, Arch's or openSUSE's anchor directory)")


def _debian(action: Action, ca: TrustCA, store: Debian, dry_run: bool) -> StoreReport:
    found = _found(ca, store)
    report = StoreReport("system", store.bundle, ca, "trusted" if found.trusted else
                         "not-trusted", entry=found.entry, ours=found.ours)
    if action == "status":
        report.note = found.note
        return report
    wanted = action == "install"
    if wanted and found.trusted:
        report.note = "already trusted" + (f": {found.note}" if found.note else "")
        return report
    if not wanted and not (found.ours or found.leftovers):
        report.note = found.note or "not installed"
        return report
    tool = store.paths.tool("update-ca-certificates")
    if not tool:
        return report.undone("needs-tool", "update-ca-certificates is not installed",
                       "apt-get install ca-certificates")
    if not (writable(store.anchors) and writable(store.etc)):
        return report.undone("needs-root", f"{store.anchors} and {store.etc} are not "
                       "writable by this user")
    report.changed = True
    if dry_run:
        return _would(report, wanted, store.anchor(ca))
    if wanted:
        return _install(ca, store, tool, report, found)
    return _uninstall(ca, store, tool, report)


@dataclass
class _Found:
    trusted: bool  # the bundle holds the CA
    ours: bool  # pycert's anchor holds it
    entry: str = ""  # the anchor that trusts it
    note: str = ""
    leftovers: bool = False  # links of pycert's anchor that outlived it


def _found(ca: TrustCA, store: Debian) -> _Found:
    trusted = ca.fields.der in _ders(store.bundle)
    mine = store.anchor(ca)
    ours = ca.fields.der in _ders(mine)
    others = [p for p in _anchor_files(store.anchors) if p != mine
              and ca.fields.der in _ders(p)]
    found = _Found(trusted, ours, mine if ours else others[0] if others else "")
    if others:
        found.note = f"{others[0]} (not pycert's) also holds it"
    elif trusted and not ours:
        found.note = f"{store.bundle} holds it (from the distribution's own CAs?)"
    found.leftovers = bool(_our_links(ca, store)) and not ours
    return found


def _install(ca: TrustCA, store: Debian, tool: str, report: StoreReport,
             found: _Found) -> StoreReport:
    anchor = store.anchor(ca)
    wrote = not found.ours
    if wrote:
        commit([Planned(anchor, ca.pem, 0o644, "could not write the trust anchor")],
               overwrite=False)
    proc = run(store.refresh_command(tool))
    if ca.fields.der not in _ders(store.bundle):
        if wrote:
            with contextlib.suppress(OSError):
                os.unlink(anchor)
        return report.undone("failed", f"{os.path.basename(tool)} (exit {proc.returncode}) "
                       f"did not add it to {store.bundle}: {output(proc) or 'no output'}")
    report.state, report.entry, report.ours = "trusted", anchor, True
    report.note = f"installed {anchor}; {os.path.basename(tool)} rebuilt the bundle"
    return report


def _uninstall(ca: TrustCA, store: Debian, tool: str, report: StoreReport) -> StoreReport:
    anchor = store.anchor(ca)
    try:
        os.unlink(anchor)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise CertError(f"could not remove {anchor}: {errno_text(exc)}") from exc
    proc = run(store.refresh_command(tool))
    for link in _our_links(ca, store):  # dangling now: the tool leaves them behind
        with contextlib.suppress(FileNotFoundError):
            os.unlink(link)
    found = _found(ca, store)
    report.entry, report.ours = found.entry, False
    if found.trusted and not found.entry:
        return report.undone("failed", f"{os.path.basename(tool)} (exit "
                       f"{proc.returncode}) left it in {store.bundle} (it rewrites the bundle "
                       f"only while some CA remains): {output(proc) or 'no output'}")
    report.state = "trusted" if found.trusted else "not-trusted"
    report.note = f"removed {anchor}" + (f"; still trusted: {found.note}" if found.note else "")
    return report


def _our_links(ca: TrustCA, store: Debian) -> list[str]:
    """`<name>.pem` in /etc/ssl/certs and the hash links (`459d2e8e.N`) pointing at it,
    when its anchor is gone: every cockroach CA shares one subject hash, so the link
    is found by its target, never by its number."""
    pem = ca.name + ".pem"
    if os.path.exists(os.path.join(store.etc, pem)):
        return []
    try:
        names = os.listdir(store.etc)
    except OSError:
        return []
    links = []
    for name in names:
        path = os.path.join(store.etc, name)
        try:
            target = os.readlink(path)
        except OSError:
            continue
        if name == pem or os.path.basename(target) == pem:
            links.append(path)
    return sorted(links, key=lambda p: os.path.basename(p) == pem)  # hash links first


def _anchor_files(directory: str) -> list[str]:
    """Every `*.crt` update-ca-certificates reads below the anchor directory."""
    found = []
    for top, _, names in os.walk(directory, followlinks=True):
        found += [os.path.join(top, n) for n in sorted(names) if n.endswith(".crt")]
    return found


def _ders(path: str) -> set[bytes]:
    """The certificates of a PEM file (none if it cannot be read)."""
    try:
        data = read_regular(path, cap=BUNDLE_CAP)
    except OSError:
        return set()
    return {b.der for b in blocks(data) if b.type == "CERTIFICATE"}


def _would(report: StoreReport, wanted: bool, anchor: str) -> StoreReport:
    report.state = "trusted" if wanted else "not-trusted"
    report.note = f"would {'install' if wanted else 'remove'} {anchor} and run " \
        "update-ca-certificates"
    return report


def _other(action: Action, ca: TrustCA, paths: TrustPaths, family: str, anchors: str,
           suffix: str, refresh: str) -> StoreReport:
    """A family pycert does not manage: the two commands that do what was asked."""
    anchor = f"{paths.system(anchors)}/{ca.name}{suffix}"
    fix = {"install": f"sudo install -m 0644 {ca.path} {anchor} && sudo {refresh}",
           "uninstall": f"sudo rm -f {anchor} && sudo {refresh}", "status": ""}[action]
    return StoreReport("system", paths.system(anchors), ca, "unsupported",
                       note=f"pycert manages Debian's store only; this is {family}'s", fix=fix)


def _mac_fix(action: Action, ca: TrustCA) -> str:
    if action == "install":
        return ("sudo security add-trusted-cert -d -r trustRoot -k "
                f"/Library/Keychains/System.keychain {ca.path}")
    return f"sudo security remove-trusted-cert -d {ca.path}" if action == "uninstall" else ""
