"""Private trust stores for the `trust` tests: a system store under a temp root (Debian's
CAs in it, so uninstall is tested on a store holding others), a private JDK home whose
java and keytool use its own cacerts, an NSS database under a temp HOME; and a
fingerprint of the machine's real stores, to prove the tests never touched them.

Facts from docs/console.md: update-ca-certificates must get --hooksdir (its default hooks
rewrite the real Java cacerts); a JDK's java.home follows the real path of bin/java and
lib/server/libjvm.so, so both are real copies (hard links) here; Debian's
lib/security/cacerts is a link into /etc, so the private home gets a real copy.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from conftest import need_tool

REAL_FILES = ("/etc/ssl/certs/ca-certificates.crt", "/etc/ssl/certs/java/cacerts")
REAL_DIRS = ("/usr/local/share/ca-certificates", "/etc/ssl/certs")


def real_stores() -> dict[str, str]:
    """What the machine's own stores hold now: file hashes, directory listings with link
    targets, and whether the real HOME has NSS databases."""
    out: dict[str, str] = {}
    for path in REAL_FILES:
        out[path] = hashlib.sha256(Path(path).read_bytes()).hexdigest() \
            if os.path.exists(path) else "-"
    for directory in REAL_DIRS:
        entries = []
        for name in sorted(os.listdir(directory)) if os.path.isdir(directory) else []:
            path = os.path.join(directory, name)
            entries.append(f"{name}->{os.readlink(path)}" if os.path.islink(path) else
                           f"{name}:{os.path.getsize(path)}")
        out[directory] = "\n".join(entries)
    home = os.path.expanduser("~")
    for db in (".pki/nssdb", ".mozilla/firefox"):
        path = os.path.join(home, db)
        out[path] = "\n".join(sorted(os.listdir(path))) if os.path.isdir(path) else "-"
    return out


def system_root(dest: Path) -> Path:
    """Debian's system store under `dest`: its 142 CAs, their links and the bundle."""
    for sub in ("etc/ssl/certs", "usr/local/share/ca-certificates", "usr/share"):
        (dest / sub).mkdir(parents=True, exist_ok=True)
    shutil.copytree("/usr/share/ca-certificates", dest / "usr/share/ca-certificates",
                    symlinks=True)
    shutil.copy("/etc/ca-certificates.conf", dest / "etc/ca-certificates.conf")
    refresh(dest)
    assert bundle_count(dest) > 100
    return dest


def refresh(dest: Path) -> None:
    """update-ca-certificates on the store under `dest`, as an administrator would run it."""
    tool = need_tool("update-ca-certificates", "ca-certificates")
    proc = subprocess.run(
        [tool, "--certsconf", f"{dest}/etc/ca-certificates.conf",
         "--certsdir", f"{dest}/usr/share/ca-certificates",
         "--localcertsdir", f"{dest}/usr/local/share/ca-certificates",
         "--etccertsdir", f"{dest}/etc/ssl/certs",
         "--hooksdir", f"{dest}/etc/ca-certificates/update.d"],  # absent: no hook runs
        capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def copy_root(template: Path, dest: Path) -> Path:
    """A copy of a prepared root; the `<name>.pem` links point into the copy."""
    shutil.copytree(template, dest, symlinks=True)
    certs = dest / "etc/ssl/certs"
    for link in certs.iterdir():
        if link.is_symlink() and os.readlink(link).startswith(str(template)):
            target = os.readlink(link).replace(str(template), str(dest), 1)
            link.unlink()
            link.symlink_to(target)
    return dest


def bundle(root: Path) -> bytes:
    return (root / "etc/ssl/certs/ca-certificates.crt").read_bytes()


def bundle_count(root: Path) -> int:
    return bundle(root).count(b"-----BEGIN CERTIFICATE-----")


def dangling(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "etc/ssl/certs").iterdir()
                  if p.is_symlink() and not p.exists())


def real_jdk() -> Path:
    """The JDK `java` on PATH belongs to."""
    java = need_tool("java", "default-jdk-headless")
    return Path(os.path.realpath(java)).parent.parent


def private_jdk(dest: Path) -> Path:
    """A JDK home whose java.home is `dest`, with its own cacerts (a real file)."""
    jdk = real_jdk()
    (dest / "lib/security").mkdir(parents=True)
    for name in ("bin", "conf", "release"):
        if (jdk / name).is_dir():
            shutil.copytree(jdk / name, dest / name, symlinks=True)
        elif (jdk / name).exists():
            shutil.copy2(jdk / name, dest / name)
    try:  # hard links when on one file system (fast), else a copy (~50 MB)
        shutil.copytree(jdk / "lib/server", dest / "lib/server", copy_function=os.link)
    except OSError:
        shutil.rmtree(dest / "lib/server", ignore_errors=True)
        shutil.copytree(jdk / "lib/server", dest / "lib/server")
    for entry in (jdk / "lib").iterdir():
        if entry.name not in ("security", "server"):
            (dest / "lib" / entry.name).symlink_to(entry)
    for entry in (jdk / "lib/security").iterdir():
        if entry.name != "cacerts":
            (dest / "lib/security" / entry.name).symlink_to(entry)
    shutil.copyfile(os.path.realpath(jdk / "lib/security/cacerts"),
                    dest / "lib/security/cacerts")
    return dest


def keystore_entries(java_home: Path) -> dict[str, str]:
    """alias -> its certificate (PEM), through the private JDK's keytool."""
    proc = subprocess.run([str(java_home / "bin/keytool"), "-J-Duser.language=en", "-list",
                           "-rfc", "-keystore", str(java_home / "lib/security/cacerts"),
                           "-storepass", "changeit"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    out = {}
    for chunk in proc.stdout.split("Alias name: ")[1:]:
        alias, _, rest = chunk.partition("\n")
        out[alias.strip()] = rest[rest.index("-----BEGIN"):rest.index("-----END")]
    return out


def nss_db(directory: Path) -> Path:
    certutil = need_tool("certutil", "libnss3-tools")
    directory.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run([certutil, "-N", "-d", f"sql:{directory}", "--empty-password"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return directory


def nss_entries(directory: Path) -> dict[str, str]:
    """nickname -> trust flags, from `certutil -L`."""
    proc = subprocess.run(["certutil", "-L", "-d", f"sql:{directory}"], capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stderr
    out = {}
    for line in proc.stdout.splitlines()[3:]:
        name, _, flags = line.rstrip().rpartition(" ")
        if name.strip():
            out[name.strip()] = flags
    return out


def nss_add(directory: Path, nickname: str, pem_file: Path) -> None:
    proc = subprocess.run(["certutil", "-A", "-d", f"sql:{directory}", "-t", "C,,", "-n",
                           nickname, "-i", str(pem_file)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def keytool_add(java_home: Path, alias: str, pem_file: Path) -> None:
    proc = subprocess.run([str(java_home / "bin/keytool"), "-importcert", "-noprompt",
                           "-alias", alias, "-file", str(pem_file), "-keystore",
                           str(java_home / "lib/security/cacerts"), "-storepass", "changeit"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
