"""The JDK's trust store: `$JAVA_HOME/lib/security/cacerts`, through that JDK's keytool.

Neither `java` nor `keytool -cacerts` follows JAVA_HOME (each uses the JDK it belongs
to), so pycert runs `$JAVA_HOME/bin/keytool` on the keystore path itself, as mkcert does.
On Debian that path is a link to /etc/ssl/certs/java/cacerts, which every JDK shares;
keytool writes through it, so the report names the file that changes.
"""

from __future__ import annotations

import os
import re
import subprocess

from pycert.certdir.trust.model import Action, StoreReport, TrustCA, TrustPaths, output, run
from pycert.certdir.trust.model import writable as can_write
from pycert.errors import CertError
from pycert.pki.pem import blocks

STOREPASS = "changeit"  # the JDK's default; a keystore with another password fails clearly
_ALIAS = re.compile(rb"^Alias name: (.*)$", re.MULTILINE)


def keystore(java_home: str) -> str:
    """The keystore the JDK's default trust manager reads: `jssecacerts` if it exists,
    else `cacerts`; Java 8's `jre/lib/security` first. "" if there is none."""
    for security in ("jre/lib/security", "lib/security"):
        directory = os.path.join(java_home, security)
        for name in ("jssecacerts", "cacerts"):
            path = os.path.join(directory, name)
            if os.path.isfile(path):
                return path
    return ""


def act(action: Action, ca: TrustCA, paths: TrustPaths, dry_run: bool) -> StoreReport:
    """The JDK's keystore after `action` for one CA."""
    if not paths.java_home:
        return StoreReport("java", "", ca, "absent", note="JAVA_HOME is not set (pycert "
                           "changes the trust store of the JDK it names, never a guess)")
    store = keystore(paths.java_home)
    if not store:
        return StoreReport("java", paths.java_home, ca, "absent",
                           note=f"no cacerts under {paths.java_home}/lib/security")
    keytool = os.path.join(paths.java_home, "bin", "keytool")
    report = StoreReport("java", store, ca, "not-trusted")
    if not os.access(keytool, os.X_OK):
        return report.undone("needs-tool", f"{keytool} is missing",
                             "set JAVA_HOME to a JDK (it has bin/keytool)")
    real = os.path.realpath(store)
    shared = f" (a link to {real}: every JDK sharing it changes)" if real != store else ""
    aliases = _aliases(keytool, store)
    holders = [alias for alias, ders in aliases.items() if ca.fields.der in ders]
    ours = ca.name in holders
    report.entry = ca.name if ours else holders[0] if holders else ""
    report.ours, report.state = ours, "trusted" if holders else "not-trusted"
    others = [h for h in holders if h != ca.name]
    report.note = f"alias {others[0]!r} (not pycert's) holds it" if others else ""
    wanted = action == "install"
    if action == "status" or (wanted and holders) or (not wanted and not ours):
        report.note = report.note or ("already trusted" if wanted else
                                      "not installed" if action == "uninstall" else "")
        report.note += f"; {shared.strip(' ()')}" if shared and report.note else \
            shared.strip(" ()")
        return report
    if not can_write(store):
        return report.undone("needs-root", f"{real} is not writable by this user{shared}")
    report.changed = True
    if dry_run:
        report.state = "trusted" if wanted else "not-trusted"
        report.note = f"would {'import' if wanted else 'delete'} alias {ca.name!r}{shared}"
        return report
    if wanted:
        proc = _keytool(keytool, store, "-importcert", "-noprompt", "-alias", ca.name,
                        stdin=ca.pem)
    else:
        proc = _keytool(keytool, store, "-delete", "-alias", ca.name)
    if proc.returncode:
        return report.undone("failed", f"keytool failed: {output(proc)}")
    if wanted:
        report.state, report.entry, report.ours = "trusted", ca.name, True
        report.note = f"imported alias {ca.name!r}{shared}"
    else:
        report.state = "trusted" if others else "not-trusted"
        report.entry, report.ours = (others[0] if others else ""), False
        report.note = f"deleted alias {ca.name!r}{shared}" + \
            (f"; still trusted through alias {others[0]!r}" if others else "")
    return report


def _keytool(keytool: str, store: str, *args: str, stdin: bytes = b""
             ) -> subprocess.CompletedProcess[bytes]:
    """keytool in English (its messages are parsed), on this keystore."""
    return run([keytool, "-J-Duser.language=en", *args, "-keystore", store,
                "-storepass", STOREPASS], stdin=stdin)


def _aliases(keytool: str, store: str) -> dict[str, set[bytes]]:
    """alias -> the certificates of its entry, from `keytool -list -rfc`."""
    proc = _keytool(keytool, store, "-list", "-rfc")
    if proc.returncode:
        raise CertError(f"keytool could not read {store}: {output(proc)}")
    text = proc.stdout
    starts = [(m.start(), m.group(1).decode("utf-8", "replace").strip())
              for m in _ALIAS.finditer(text)]
    out = {}
    for (start, alias), end in zip(starts, [s for s, _ in starts[1:]] + [len(text)]):
        out[alias] = {b.der for b in blocks(text[start:end]) if b.type == "CERTIFICATE"}
    return out
