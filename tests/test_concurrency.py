"""Promises 2 and 3 of issue 5: keys never readable by others; parallel runs lose nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from conftest import pycert
from pycert import CertsDir, Lifetime
from pycert.certdir import files as atomic
from pycert.certdir.files import TEMP_MARK
from pycert.pki.pem import blocks

FAST = "--key-size=1024"


def _pub(obj: object) -> bytes:
    key = obj.public_key()  # type: ignore[attr-defined]
    return key.public_bytes(serialization.Encoding.DER,  # type: ignore[no-any-return]
                            serialization.PublicFormat.SubjectPublicKeyInfo)


def _pair_matches(certs: Path, stem: str) -> bool:
    cert = x509.load_pem_x509_certificate((certs / f"{stem}.crt").read_bytes())
    key = serialization.load_pem_private_key((certs / f"{stem}.key").read_bytes(), None)
    return _pub(cert) == _pub(key)


def _is_secret(name: str) -> bool:
    """Keys, PKCS#8 keys, and every temp or backup file of one."""
    base = name.split(TEMP_MARK)[0]
    return base.endswith((".key", ".pk8"))


class Watcher(threading.Thread):
    """Polls a directory as fast as it can, recording any secret with group/other bits."""

    def __init__(self, directory: Path) -> None:
        super().__init__(daemon=True)
        self.directory = directory
        self.stop = threading.Event()
        self.exposed: list[str] = []
        self.polls = 0
        self.temp_secrets_seen = 0

    def run(self) -> None:
        while not self.stop.is_set():
            self.polls += 1
            try:
                names = os.listdir(self.directory)
            except FileNotFoundError:
                continue
            for name in names:
                if not _is_secret(name):
                    continue
                try:
                    mode = os.lstat(self.directory / name).st_mode
                except FileNotFoundError:
                    continue
                if TEMP_MARK in name:
                    self.temp_secrets_seen += 1
                if mode & 0o077:
                    self.exposed.append(f"{name} {oct(mode)}")


def test_umask_000_never_shows_a_key_or_its_temp_file_to_others(ca_dir: Path) -> None:
    certs = ca_dir / "certs"
    watcher = Watcher(certs)
    old = os.umask(0)
    watcher.start()
    try:
        for i in range(100):
            CertsDir(certs).create_client(f"user{i}", ca_key=ca_dir / "safe/ca.key", key_size=1024,
                                          lifetime=Lifetime(3600 * 10**9), pkcs8=i % 2 == 0)
    finally:
        os.umask(old)
        watcher.stop.set()
        watcher.join()
    print(f"\nwatcher: {watcher.polls} polls, {watcher.temp_secrets_seen} key temp sightings")
    assert watcher.exposed == []
    assert watcher.temp_secrets_seen > 0, "the watcher never saw a write in flight: proves nothing"
    keys = list(certs.glob("*.key")) + list(certs.glob("*.pk8"))
    assert len(keys) == 150
    assert all(k.stat().st_mode & 0o777 == 0o600 for k in keys)
    assert all(c.stat().st_mode & 0o777 == 0o644 for c in certs.glob("client.*.crt"))


def test_umask_000_cli_run_makes_0600_keys_0700_dir_and_0600_logs(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COCKROACH_")}
    (tmp_path / "safe").mkdir()
    for args in (["create-ca", "--ca-key=safe/ca.key"], ["create-node", "--ca-key=safe/ca.key",
                                                         "localhost"]):
        proc = subprocess.run([sys.executable, "-m", "pycert", *args, "--certs-dir=certs", FAST,
                               "--log-dir=logs"], cwd=tmp_path, env=env, umask=0,
                              capture_output=True)
        assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "safe/ca.key").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "certs/node.key").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "certs").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "logs").stat().st_mode & 0o777 == 0o700
    logs = list((tmp_path / "logs").iterdir())
    assert len(logs) == 2 and all(p.stat().st_mode & 0o777 == 0o600 for p in logs)


def test_overwrite_turns_a_world_readable_client_key_into_0600(ca_dir: Path) -> None:
    args = ("create-client", "alice", "--certs-dir=certs", "--ca-key=safe/ca.key", FAST)
    assert pycert(*args, cwd=ca_dir).code == 0
    key = ca_dir / "certs/client.alice.key"
    key.chmod(0o644)
    res = pycert(*args, "--overwrite", cwd=ca_dir)
    assert res.code == 0, res.err
    assert key.stat().st_mode & 0o777 == 0o600


def test_overwrite_turns_a_world_readable_node_key_into_0600(ca_dir: Path) -> None:
    """A 0644 node.key stops every command, as in cockroach, unless the check is skipped."""
    args = ("create-node", "localhost", "--certs-dir=certs", "--ca-key=safe/ca.key", FAST)
    assert pycert(*args, cwd=ca_dir).code == 0
    key = ca_dir / "certs/node.key"
    key.chmod(0o644)
    refused = pycert(*args, "--overwrite", cwd=ca_dir)
    assert refused.code == 1 and "has permissions -rw-r--r--, exceeds" in refused.err
    res = pycert(*args, "--overwrite", cwd=ca_dir,
                 env={"COCKROACH_SKIP_KEY_PERMISSION_CHECK": "true"})
    assert res.code == 0, res.err
    assert key.stat().st_mode & 0o777 == 0o600


def _parallel(argvs: list[list[str]], cwd: Path) -> list[tuple[int, str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COCKROACH_")}
    procs = [subprocess.Popen([sys.executable, "-m", "pycert", *a], cwd=cwd, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for a in argvs]
    out = []
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        out.append((proc.returncode, err.decode("utf-8", "replace")))
    return out


def test_16_parallel_create_client_all_succeed(ca_dir: Path) -> None:
    users = [f"user{i}" for i in range(16)]
    results = _parallel([["create-client", u, "--certs-dir=certs", "--ca-key=safe/ca.key", FAST]
                         for u in users], ca_dir)
    assert [code for code, _ in results] == [0] * 16, results
    certs = ca_dir / "certs"
    ca = x509.load_pem_x509_certificate((certs / "ca.crt").read_bytes())
    for user in users:
        assert _pair_matches(certs, f"client.{user}")
        x509.load_pem_x509_certificate((certs / f"client.{user}.crt").read_bytes()
                                       ).verify_directly_issued_by(ca)
    assert not [n for n in os.listdir(certs) if TEMP_MARK in n]
    listed = pycert("list", "--certs-dir=certs", cwd=ca_dir)
    assert listed.code == 0 and listed.out.count("\tuser: user") == 16


def test_2_parallel_create_node_exactly_one_wins(ca_dir: Path) -> None:
    """Repeated, because a race only shows some of the time."""
    for round_ in range(6):
        work = ca_dir.parent / f"round{round_}"
        shutil.copytree(ca_dir, work)
        argv = ["create-node", "localhost", "--certs-dir=certs", "--ca-key=safe/ca.key", FAST]
        results = sorted(_parallel([argv, argv], work))
        assert [code for code, _ in results] == [0, 1], results
        assert "Traceback" not in results[1][1]
        assert ("ERROR: failed to generate node certificate and key: error writing node server "
                "certificate to certs/node.crt: open certs/node.crt: file exists") in results[1][1]
        assert _pair_matches(work / "certs", "node")


def test_8_parallel_create_ca_overwrite_keep_every_certificate(ca_dir: Path) -> None:
    certs = ca_dir / "certs"
    original = (certs / "ca.crt").read_bytes()
    results = _parallel([["create-ca", "--overwrite", "--certs-dir=certs",
                          f"--ca-key=safe/ca{i}.key", FAST] for i in range(8)], ca_dir)
    assert [code for code, _ in results] == [0] * 8, results
    bundle = [x509.load_der_x509_certificate(b.der) for b in blocks((certs / "ca.crt")
                                                                    .read_bytes())]
    assert len(bundle) == 9
    assert bundle[-1] == x509.load_pem_x509_certificate(original)
    keys = {_pub(serialization.load_pem_private_key((ca_dir / f"safe/ca{i}.key").read_bytes(),
                                                    None)) for i in range(8)}
    assert {_pub(c) for c in bundle[:8]} == keys


def _blocked_on_flock(pid: int) -> bool:
    """True once /proc/locks shows `pid` waiting (`->`) for a flock."""
    with open("/proc/locks") as handle:
        return any("->" in line and f" {pid} " in line for line in handle)


def test_readers_wait_until_a_writer_has_installed_the_whole_pair(full_dir: Path) -> None:
    """`list` and a create-*'s load take a shared lock: they never see node.crt without
    its node.key, as they could between the two installs of another process."""
    if not os.path.exists("/proc/locks"):
        import pytest

        pytest.skip("needs /proc/locks (Linux) to see a process waiting for a lock")
    certs = full_dir / "certs"
    spare = full_dir / "spare"
    spare.mkdir()
    for name in ("node.crt", "node.key"):
        os.replace(certs / name, spare / name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("COCKROACH_")}
    with atomic.dir_lock(str(certs)):  # a writer between installing node.crt and node.key
        os.link(spare / "node.crt", certs / "node.crt")
        procs = [subprocess.Popen([sys.executable, "-m", "pycert", *argv, "--certs-dir=certs"],
                                  cwd=full_dir, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
                 for argv in (["list"], ["create-client", "bob", "--ca-key=safe/ca.key", FAST])]
        deadline = time.monotonic() + 60
        while not all(_blocked_on_flock(p.pid) for p in procs):
            assert time.monotonic() < deadline, "readers never queued for the lock"
            assert all(p.poll() is None for p in procs), "a reader ran without waiting"
            time.sleep(0.01)
        os.link(spare / "node.key", certs / "node.key")
    listed, _ = procs[0].communicate(timeout=60)
    assert procs[0].returncode == 0
    assert b"Node\tnode.crt\tnode.key\t" in listed
    _, err = procs[1].communicate(timeout=60)
    assert procs[1].returncode == 0, err
