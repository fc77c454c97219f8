"""`pycert trust install|uninstall|status` on real stores of every kind, kept private: a
Debian system store under PYCERT_TRUST_ROOT, NSS databases under a temp HOME (Chromium's
and a Firefox profile's), a private JDK's cacerts under JAVA_HOME. Each store already
holds other CAs, one of them a cockroach CA with the same subject as ours."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import IN_CI, Result, need_tool, pycert, snapshot
from truststores import (
    bundle_count,
    copy_root,
    dangling,
    keystore_entries,
    keytool_add,
    nss_add,
    nss_db,
    nss_entries,
    private_jdk,
    real_stores,
    refresh,
    system_root,
)

FLAGS = ("--certs-dir=certs",)


@pytest.fixture(scope="module", autouse=True)
def real_stores_untouched() -> Iterator[None]:
    before = real_stores()
    yield
    assert real_stores() == before


@pytest.fixture(scope="module")
def root_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return system_root(tmp_path_factory.mktemp("template") / "root")


@pytest.fixture(scope="module")
def jdk_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    need_tool("keytool", "default-jdk-headless")
    return private_jdk(tmp_path_factory.mktemp("jdk-template") / "jdk")


@dataclass
class Stores:
    work: Path
    root: Path
    home: Path
    jdk: Path
    chromium: Path
    firefox: Path

    @property
    def env(self) -> dict[str, str]:
        return {"HOME": str(self.home), "JAVA_HOME": str(self.jdk),
                "PYCERT_TRUST_ROOT": str(self.root)}

    def run(self, *args: str, env: dict[str, str] | None = None) -> Result:
        return pycert("trust", *args, *FLAGS, cwd=self.work, env={**self.env, **(env or {})})

    def state(self) -> dict[str, str]:
        """Everything the stores hold, as their own tools list it: a digest per file of
        the system store, per NSS nickname and per Java alias."""
        out = {f"system:{path}": hashlib.sha256(data + b"%o" % mode).hexdigest()[:16]
               for path, (data, mode) in snapshot(self.root).items()}
        out.update({f"chromium:{n}": t for n, t in nss_entries(self.chromium).items()})
        out.update({f"firefox:{n}": t for n, t in nss_entries(self.firefox).items()})
        out.update({f"java:{a}": hashlib.sha256(pem.encode()).hexdigest()[:16]
                    for a, pem in keystore_entries(self.jdk).items()})
        return out


def changes(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """The entries added (+), removed (-) or changed (~) between two states."""
    return sorted([f"+{k}" for k in after.keys() - before.keys()]
                  + [f"-{k}" for k in before.keys() - after.keys()]
                  + [f"~{k}" for k in before.keys() & after.keys() if before[k] != after[k]])


def make_ca(work: Path, name: str, kind: str = "create-ui-ca") -> Path:
    res = pycert(kind, f"--certs-dir={name}", f"--ca-key={name}.key", cwd=work)
    assert res.code == 0, res.err
    return work / name / ("ca-ui.crt" if kind == "create-ui-ca" else "ca.crt")


@pytest.fixture
def stores(tmp_path: Path, root_template: Path, jdk_template: Path) -> Stores:
    need_tool("certutil", "libnss3-tools")
    make_ca(tmp_path, "certs")
    other = make_ca(tmp_path, "other")  # "Cockroach CA" too: the same subject as ours
    home = tmp_path / "home"
    chromium = nss_db(home / ".pki/nssdb")
    firefox = nss_db(home / ".mozilla/firefox/abcd1234.default-release")
    root = copy_root(root_template, tmp_path / "root")
    jdk = tmp_path / "jdk"
    shutil.copytree(jdk_template, jdk, symlinks=True, copy_function=os.link)
    (jdk / "lib/security/cacerts").unlink()  # its own file, never a link to the template's
    shutil.copyfile(jdk_template / "lib/security/cacerts", jdk / "lib/security/cacerts")
    nss_add(chromium, "someone's cockroach CA", other)
    nss_add(firefox, "someone's cockroach CA", other)
    keytool_add(jdk, "someones-cockroach-ca", other)
    return Stores(tmp_path, root, home, jdk, chromium, firefox)


def lines(res: Result) -> list[list[str]]:
    """The store lines of the text report: [store, state words..., location]."""
    return [line.split() for line in res.out.splitlines()
            if line.split()[:1] in (["system"], ["nss"], ["java"])]


def states(res: Result) -> list[tuple[str, str, bool]]:
    doc = json.loads(res.out)
    return [(s["store"], s["state"], s["changed"]) for s in doc["stores"]]


def test_install_then_uninstall_leaves_every_store_as_it_was(stores: Stores) -> None:
    before = stores.state()
    count = bundle_count(stores.root)
    status = stores.run("status", "--json")
    assert status.code == 2, status.err
    assert states(status) == [("system", "not-trusted", False), ("nss", "not-trusted", False),
                              ("nss", "not-trusted", False), ("java", "not-trusted", False)]
    res = stores.run("install")
    assert res.code == 0, res.out + res.err
    assert [line[:2] for line in lines(res)] == [["system", "installed"], ["nss", "installed"],
                                                 ["nss", "installed"], ["java", "installed"]]
    name = res.out.split("entry name ")[1].split()[0]
    assert name.startswith("pycert-ca-")
    anchor = stores.root / f"usr/local/share/ca-certificates/{name}.crt"
    assert anchor.stat().st_mode & 0o777 == 0o644
    assert bundle_count(stores.root) == count + 1
    assert nss_entries(stores.chromium)[name] == "C,,"
    assert nss_entries(stores.firefox)[name] == "C,,"
    assert name in keystore_entries(stores.jdk)
    installed = stores.state()

    again = stores.run("install", "--json")  # idempotent: nothing changes
    assert again.code == 0
    assert {changed for _, _, changed in states(again)} == {False}
    assert changes(installed, stores.state()) == []
    assert stores.run("status").code == 0

    gone = stores.run("uninstall")
    assert gone.code == 0, gone.out + gone.err
    assert [line[:2] for line in lines(gone)] == [["system", "removed"], ["nss", "removed"],
                                                  ["nss", "removed"], ["java", "removed"]]
    assert changes(before, stores.state()) == []  # byte for byte: bundle, links, others
    assert dangling(stores.root) == []
    assert stores.run("uninstall").code == 0  # nothing left to remove
    assert changes(before, stores.state()) == []


def test_uninstall_leaves_entries_pycert_did_not_add(stores: Stores) -> None:
    ca = stores.work / "certs/ca-ui.crt"
    shutil.copy(ca, stores.root / "usr/local/share/ca-certificates/by-hand.crt")
    refresh(stores.root)
    nss_add(stores.chromium, "by hand", ca)
    keytool_add(stores.jdk, "by-hand", ca)
    before = stores.state()
    res = stores.run("install", "--json")
    assert res.code == 0
    doc = json.loads(res.out)
    chromium = next(s for s in doc["stores"] if s["location"] == str(stores.chromium))
    assert (chromium["entry"], chromium["pycert_entry"], chromium["changed"]) == \
        ("by hand", False, False)
    java = next(s for s in doc["stores"] if s["store"] == "java")
    assert (java["entry"], java["pycert_entry"]) == ("by-hand", False)
    gone = stores.run("uninstall")
    assert gone.code == 0
    assert changes(before, stores.state()) == []  # Firefox's got pycert's entry and lost it
    status = stores.run("status", "--json")
    assert [s for _, s, _ in states(status)] == ["trusted", "trusted", "not-trusted", "trusted"]


def test_two_cockroach_cas_with_one_subject_come_and_go_separately(stores: Stores) -> None:
    second = make_ca(stores.work, "second")  # keytool finds aliases by name: system, nss here
    assert stores.run("install", "--store=system,nss").code == 0
    assert stores.run("install", "--store=system,nss", "--ca-cert=second/ca-ui.crt").code == 0
    links = [p.name for p in (stores.root / "etc/ssl/certs").iterdir()
             if p.name.startswith("459d2e8e.")]
    assert len(links) >= 2  # one OpenSSL subject hash for every cockroach CA: .0, .1, …
    assert stores.run("uninstall", "--store=system,nss").code == 0
    status = stores.run("status", "--store=system,nss", "--ca-cert=second/ca-ui.crt", "--json")
    assert status.code == 0, status.out
    assert stores.run("status", "--store=system,nss").code == 2
    assert dangling(stores.root) == []
    assert stores.run("uninstall", "--store=system,nss", f"--ca-cert={second}").code == 0
    assert dangling(stores.root) == []


def test_every_certificate_of_a_rotated_bundle_is_trusted(stores: Stores) -> None:
    res = pycert("create-ui-ca", "--certs-dir=certs", "--ca-key=new.key", "--overwrite",
                 cwd=stores.work)
    assert res.code == 0, res.err
    out = stores.run("install", "--store=nss")
    assert out.code == 0, out.out
    assert out.out.count("CA certs/ca-ui.crt #") == 2
    assert sum(n.startswith("pycert-ca-") for n in nss_entries(stores.chromium)) == 2
    assert stores.run("uninstall", "--store=java", "--store=nss").code == 0  # repeatable
    assert not any(n.startswith("pycert-ca-") for n in nss_entries(stores.chromium))


def test_dry_run_says_what_would_change_and_changes_nothing(stores: Stores) -> None:
    before = stores.state()
    res = stores.run("install", "--dry-run")
    assert res.code == 0, res.out
    assert [line[:3] for line in lines(res)] == [["system", "would", "install"]] + \
        [["nss", "would", "install"]] * 2 + [["java", "would", "install"]]
    assert res.out.rstrip().endswith("4 would install (exit 0)"), res.out
    assert changes(before, stores.state()) == []
    assert stores.run("install").code == 0
    installed = stores.state()
    dry = stores.run("uninstall", "--dry-run")
    assert [line[:3] for line in lines(dry)][0] == ["system", "would", "remove"]
    assert "4 would remove (exit 0)" in dry.out, dry.out
    assert changes(installed, stores.state()) == []


def test_chromiums_database_is_made_when_home_has_none(stores: Stores) -> None:
    shutil.rmtree(stores.home / ".pki")
    dry = stores.run("install", "--store=nss", "--dry-run")
    assert "would create" in dry.out and not (stores.home / ".pki").exists()
    res = stores.run("install", "--store=nss")
    assert res.code == 0, res.out
    assert "created the database" in res.out
    assert (stores.home / ".pki/nssdb").stat().st_mode & 0o777 == 0o700
    assert any(n.startswith("pycert-ca-") for n in nss_entries(stores.home / ".pki/nssdb"))


def test_absent_stores_are_skipped_with_a_note(tmp_path: Path) -> None:
    make_ca(tmp_path, "certs", "create-ca")
    (tmp_path / "home").mkdir()
    (tmp_path / "root").mkdir()
    env = {"HOME": str(tmp_path / "home"), "PYCERT_TRUST_ROOT": str(tmp_path / "root"),
           "JAVA_HOME": ""}
    res = pycert("trust", "status", *FLAGS, cwd=tmp_path, env=env)
    assert res.code == 0, res.out
    assert [line[:2] for line in lines(res)] == [["system", "skipped"], ["nss", "skipped"],
                                                 ["java", "skipped"]]
    assert "CA certs/ca.crt #0" in res.out  # no ca-ui.crt: ca.crt
    assert "no system store pycert knows here" in res.out
    assert "JAVA_HOME is not set" in res.out
    assert "no NSS database" in res.out
    uninstall = pycert("trust", "uninstall", *FLAGS, cwd=tmp_path, env=env)
    assert uninstall.code == 0 and list((tmp_path / "home").iterdir()) == []


def test_a_refresh_that_does_nothing_is_caught_and_undone(stores: Stores) -> None:
    """update-ca-certificates prints its usage and exits 0 on a flag it does not know, as
    an older script would on --hooksdir: pycert checks the bundle, not the exit code."""
    real = need_tool("update-ca-certificates", "ca-certificates")
    wrapper = stores.work / "bin/update-ca-certificates"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\nexec {real} --no-such-flag "$@"\n')
    wrapper.chmod(0o755)
    before = snapshot(stores.root)
    res = stores.run("install", "--store=system",
                     env={"PATH": f"{wrapper.parent}:{os.environ['PATH']}"})
    assert res.code == 1
    assert lines(res)[0][:2] == ["system", "FAILED"]
    assert "did not add it to" in res.out
    assert snapshot(stores.root) == before


def test_a_store_this_user_cannot_write_says_what_to_run(stores: Stores) -> None:
    """The stores made read-only (bind mounts in a mount namespace of this test's own, so
    even root cannot write them, as a user could not write /etc): the report names the
    command to run as root, and nothing changes."""
    unshare = need_tool("unshare", "util-linux")
    cacerts = stores.jdk / "lib/security/cacerts"
    script = "; ".join(f"mount --bind {p} {p} && mount -o remount,bind,ro {p}"
                       for p in (stores.root, cacerts)) + '; exec "$@"'
    before = stores.state()
    proc = subprocess.run([unshare, "--mount", "sh", "-c", script, "sh", sys.executable, "-m",
                           "pycert", "trust", "install", "--store=system,java", *FLAGS],
                          cwd=stores.work, env={**os.environ, **stores.env},
                          capture_output=True, text=True)
    if "mount" in proc.stderr and proc.returncode not in (0, 1) and not IN_CI:
        pytest.skip(f"no mount namespace here: {proc.stderr.strip()}")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "system  NEEDS ROOT" in proc.stdout and "java    NEEDS ROOT" in proc.stdout
    ca = stores.work / "certs/ca-ui.crt"
    assert (f"run: sudo PYCERT_TRUST_ROOT={stores.root} pycert trust install --store=system "
            f"--ca-cert={ca}") in proc.stdout
    assert f"run: sudo JAVA_HOME={stores.jdk} pycert trust install --store=java" in proc.stdout
    assert changes(before, stores.state()) == []


def test_bad_input_is_one_clear_line(stores: Stores) -> None:
    assert pycert("create-ui", "localhost", "--certs-dir=certs", "--ca-key=certs.key",
                  cwd=stores.work).code == 0
    leaf = stores.run("install", "--ca-cert=certs/ui.crt")
    assert (leaf.code, leaf.out) == (1, "")
    assert "ERROR: certs/ui.crt: certificate #0 (CN=localhost) is not a CA certificate" in leaf.err
    missing = pycert("trust", "status", "--certs-dir=nowhere", cwd=stores.work, env=stores.env)
    assert missing.code == 1
    assert "no CA to trust: neither nowhere/ca-ui.crt nor nowhere/ca.crt exists" in missing.err
    bad = stores.run("install", "--store=system,chrome")
    assert bad.code == 4
    assert ('ERROR: invalid argument "system,chrome" for "--store" flag: invalid trust store: '
            'chrome (possible values: system, nss, java)') in bad.err
    assert "Traceback" not in leaf.err + missing.err + bad.err


def test_help_documents_where_the_stores_are() -> None:
    for args in (("trust",), ("trust", "install"), ("trust", "uninstall"), ("trust", "status")):
        res = pycert(*args, "--help", env={"COLUMNS": "200"})
        assert res.code == 0
        for variable in ("HOME", "JAVA_HOME", "PYCERT_TRUST_ROOT"):
            assert variable in res.out, (args, variable)
    flat = " ".join(pycert("trust", "status", "--help").out.split())
    assert "One of: system, nss, java." in flat
    assert pycert("trust").code == 0  # bare: its help
    assert "trust" in pycert("--help").out
