"""The NSS databases Chromium and Firefox read on Linux, through NSS's `certutil`.

mkcert's list of databases: `~/.pki/nssdb` (Chromium, Chrome), the snap Chromium's, the
CentOS 7 system database and every Firefox profile. Every cockroach CA has the same
subject, and certutil prints all certificates of a subject for one nickname, so pycert
looks for its own entry by its nickname first and decides by certificate, never by name.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass

from pycert.certdir.trust.model import Action, StoreReport, TrustCA, TrustPaths, output, run
from pycert.certdir.trust.model import writable as can_write
from pycert.errors import CertError
from pycert.pki.pem import blocks

CHROMIUM_DB = ".pki/nssdb"  # under HOME; Chromium reads it but creates it only when it must
TRUST = "C,,"  # a CA trusted to issue server certificates


@dataclass(frozen=True)
class Database:
    directory: str
    prefix: str  # "sql:" (cert9.db) or "dbm:" (cert8.db, legacy)

    @property
    def spec(self) -> str:
        return self.prefix + self.directory


def databases(paths: TrustPaths) -> list[Database]:
    """The NSS databases of this user (and the system's, under the paths' root)."""
    home = paths.home
    candidates = [os.path.join(home, CHROMIUM_DB),
                  os.path.join(home, "snap/chromium/current", CHROMIUM_DB),
                  paths.system("/etc/pki/nssdb")]
    for pattern in (".mozilla/firefox/*", "snap/firefox/common/.mozilla/firefox/*"):
        candidates += sorted(glob.glob(os.path.join(glob.escape(home), pattern)))
    found = []
    for directory in candidates:
        if os.path.isfile(os.path.join(directory, "cert9.db")):
            found.append(Database(directory, "sql:"))
        elif os.path.isfile(os.path.join(directory, "cert8.db")):
            found.append(Database(directory, "dbm:"))
    return found


def act(action: Action, ca: TrustCA, paths: TrustPaths, dry_run: bool) -> list[StoreReport]:
    """Every NSS database after `action` for one CA."""
    if not paths.home:
        return [StoreReport("nss", "", ca, "absent", note="HOME is not set: no NSS database "
                            "to look for")]
    certutil = paths.tool("certutil")
    created = ""
    if action == "install" and certutil:
        created = _chromium_db(paths.home, certutil, dry_run)
    found = databases(paths)
    if not found and not created:
        return [StoreReport("nss", os.path.join(paths.home, CHROMIUM_DB), ca, "absent",
                            note="no NSS database: Chromium and Firefox make theirs on first "
                            "use; `pycert trust install` makes Chromium's")]
    if not certutil:
        return [StoreReport("nss", db.directory, ca, "needs-tool", note="certutil is not "
                            "installed", fix="apt-get install libnss3-tools (Fedora: nss-tools, "
                            "openSUSE: mozilla-nss-tools)") for db in found]
    reports = [_one(action, ca, db, certutil, dry_run) for db in found]
    if created and dry_run:
        reports.append(StoreReport("nss", created, ca, "trusted", changed=True,
                                   note=f"would create {created} and trust the CA there"))
    elif created:
        for report in reports:
            if report.location == created:
                report.note = f"created the database; {report.note}"
    return reports


def _chromium_db(home: str, certutil: str, dry_run: bool) -> str:
    """Makes Chromium's database when HOME has none (headless Chromium never makes it);
    returns its directory if made (or, in a dry run, if it would be)."""
    directory = os.path.join(home, CHROMIUM_DB)
    if not os.path.isdir(home) or any(os.path.isfile(os.path.join(directory, name))
                                      for name in ("cert9.db", "cert8.db")):
        return ""
    if dry_run:
        return directory
    try:
        os.makedirs(directory, 0o700, exist_ok=True)
    except OSError as exc:
        raise CertError(f"could not create {directory}: {exc.strerror}") from exc
    proc = run([certutil, "-N", "-d", "sql:" + directory, "--empty-password"])
    if proc.returncode:
        raise CertError(f"certutil could not create the NSS database {directory}: "
                        f"{output(proc)}")
    return directory


def _one(action: Action, ca: TrustCA, db: Database, certutil: str,
         dry_run: bool) -> StoreReport:
    holder, trusted = _holder(ca, db, certutil)
    ours = holder == ca.name
    report = StoreReport("nss", db.directory, ca, "trusted" if trusted else "not-trusted",
                         entry=holder, ours=ours)
    if holder and not ours:
        report.note = f"nickname {holder!r} (not pycert's) holds it"
    wanted = action == "install"
    if action == "status" or (wanted and trusted) or (not wanted and not ours):
        if wanted or not holder:
            report.note = report.note or ("already trusted" if wanted else "not installed")
        return report
    if not can_write(db.directory):
        return report.undone("needs-root", f"{db.directory} is not writable by this user")
    report.changed = True
    if dry_run:
        report.state = "trusted" if wanted else "not-trusted"
        report.note = f"would {'add' if wanted else 'delete'} nickname {ca.name!r}"
        return report
    if wanted:
        argv = [certutil, "-A", "-d", db.spec, "-t", TRUST, "-n", ca.name]
    else:
        argv = [certutil, "-D", "-d", db.spec, "-n", ca.name]
    proc = run(argv, stdin=ca.pem if wanted else b"")
    if proc.returncode:
        return report.undone("failed", f"certutil {argv[1]} failed: {output(proc)}")
    holder, trusted = _holder(ca, db, certutil)
    report.entry, report.ours = holder, holder == ca.name
    if trusted != wanted:
        return report.undone("failed", f"certutil {argv[1]} exited 0 but the CA is "
                             f"{'not ' if wanted else ''}trusted in {db.directory}")
    report.state = "trusted" if trusted else "not-trusted"
    report.note = f"added nickname {ca.name!r}" if wanted else \
        f"deleted nickname {ca.name!r}" + (f"; still trusted through {holder!r}" if holder else "")
    return report


def _holder(ca: TrustCA, db: Database, certutil: str) -> tuple[str, bool]:
    """(the nickname holding the CA, whether it is trusted as a CA there): pycert's own
    nickname first, since certutil prints every same-subject certificate for a nickname."""
    proc = run([certutil, "-L", "-d", db.spec])
    if proc.returncode:
        raise CertError(f"certutil could not list {db.directory}: {output(proc)}")
    entries = _entries(proc.stdout.decode("utf-8", "replace"))
    names = sorted(entries, key=lambda n: (n != ca.name, n))
    for name in names:
        if (name != ca.name and "C" not in entries[name]) or not _holds(ca, db, certutil, name):
            continue
        return name, "C" in entries[name]
    return "", False


def _entries(listing: str) -> dict[str, str]:
    """nickname -> its SSL trust flags, from `certutil -L` (nicknames may hold spaces)."""
    out = {}
    for line in listing.splitlines()[3:]:  # a blank line and two header lines
        parts = line.rstrip().rsplit(None, 1)
        if len(parts) == 2 and "," in parts[1]:
            out[parts[0].strip()] = parts[1].split(",")[0]
    return out


def _holds(ca: TrustCA, db: Database, certutil: str, name: str) -> bool:
    proc = run([certutil, "-L", "-d", db.spec, "-n", name, "-a"])
    return proc.returncode == 0 and any(b.der == ca.fields.der for b in blocks(proc.stdout))
