"""SIGKILL at any moment of `renew --all`, `rotate-ca` or `prune-ca` (with --backup) leaves
complete files only: each file (and each backup) is a version it really had, and the next
run removes every temp file. The kill machinery is tests/test_reliability.py's."""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from conftest import pycert
from lifecycle import BACKUP_NAME, CERTS, FAST, KEY, ok, public
from pycert.certdir.files import TEMP_MARK
from pycert.certdir.listing import rows
from pycert.certdir.loader import load_dir
from pycert.certdir.records import from_files
from pycert.pki.pem import blocks
from test_reliability import Runner, Tally, calibrate, exec_killed, fork_killed, kill_delay

SEED = 20261201
STEMS = ("node", "client.root", "client.alice", "client.bob")


def _versions(certs: Path, seen: dict[str, set[bytes]]) -> None:
    for path in certs.iterdir():
        if TEMP_MARK not in path.name and not BACKUP_NAME.fullmatch(path.name):
            seen.setdefault(path.name, set()).add(path.read_bytes())


def _check(certs: Path, seen: dict[str, set[bytes]], tally: Tally) -> bool:
    """Every file complete; every backup a version its file had; True if a pair is half new."""
    half = False
    for stem in STEMS:
        crt = x509.load_pem_x509_certificate((certs / f"{stem}.crt").read_bytes())
        key = serialization.load_pem_private_key((certs / f"{stem}.key").read_bytes(), None)
        assert (certs / f"{stem}.key").stat().st_mode & 0o777 == 0o600
        half |= public(crt) != public(key)
    for data in [(certs / "ca.crt").read_bytes()]:
        assert blocks(data) and blocks(data)[-1].end == len(data), "torn bundle"
    for path in certs.iterdir():
        match = BACKUP_NAME.fullmatch(path.name)
        if match and path.read_bytes() not in seen.get(match["name"], set()):
            tally.problems.append(f"{path.name} is no version of {match['name']}")
    files = load_dir(str(certs))
    assert all(TEMP_MARK not in f.filename and ".bak" not in f.filename for f in files)
    assert all(TEMP_MARK not in cell and ".bak" not in cell for r in rows(from_files(files, chains=False)) for cell in r)
    return half


def _ledger_state(work: Path) -> tuple[bytes, list[str]]:
    """The ledger beside the CA key and the temp files there."""
    safe = work / "safe"
    ledger = safe / "index.txt"
    return (ledger.read_bytes() if ledger.exists() else b"",
            sorted(n for n in os.listdir(safe) if TEMP_MARK in n))


def _loop(work: Path, args: list[str], runner: Runner, kills: int, seed: int) -> Tally:
    certs, tally, seen = work / "certs", Tally(), {}
    full = calibrate(runner, args, work)
    for path in certs.iterdir():  # the calibration runs' backups hold unrecorded versions
        if BACKUP_NAME.fullmatch(path.name):
            path.unlink()
    _versions(certs, seen)
    rng = random.Random(seed)
    deadline = time.monotonic() + 90
    while tally.kills < kills and time.monotonic() < deadline:
        for path in [*certs.iterdir(), *(work / "safe").iterdir()]:  # a dead run's temps:
            if TEMP_MARK in path.name and rng.random() < 0.9:  # else the next kill would
                path.unlink()  # count from them (some stay, to prove the next run removes them)
        before = {p.name: p.read_bytes() for p in certs.iterdir()}
        ledger = _ledger_state(work)
        code = runner(args, work, *kill_delay(rng, full))
        _versions(certs, seen)
        half = _check(certs, seen, tally)
        if code is None:
            tally.kills += 1
            after = {p.name: p.read_bytes() for p in certs.iterdir()}
            # temps left, or some files already new; the commit starts with the ledger
            # beside the CA key (docs/revocation.md), so a kill there is inside the write too
            tally.mid_write += after != before or _ledger_state(work) != ledger
            tally.half_pairs += half
        else:
            assert code == 0 and not half
            tally.completed += 1
    return tally


@pytest.mark.parametrize(("runner", "kills"), [(fork_killed, 60), (exec_killed, 8)],
                         ids=["fork", "exec"])
def test_sigkill_during_renew_all_with_backups(tmp_path: Path, runner: Runner,
                                               kills: int) -> None:
    work = tmp_path
    (work / "safe").mkdir()
    ok(work, "create-ca", CERTS, KEY, FAST)
    ok(work, "create-node", "localhost", CERTS, KEY, FAST)
    for user in ("root", "alice", "bob"):
        ok(work, "create-client", user, CERTS, KEY, FAST)
    tally = _loop(work, ["renew", "--all", CERTS, KEY, "--backup"], runner, kills, SEED)
    print(f"\nrenew --all kills ({runner.__name__}): {tally}")
    assert not tally.problems, tally.problems
    assert tally.kills == kills and tally.mid_write >= kills // 4, tally
    res = pycert("renew", "--all", CERTS, KEY, cwd=work)  # the next run cleans up
    assert res.code == 0, res.err
    for directory in ("certs", "safe"):
        assert [n for n in os.listdir(work / directory) if TEMP_MARK in n] == [], directory


def _ders(path: Path) -> list[bytes]:
    data = path.read_bytes()
    found = blocks(data)
    assert found and found[-1].end == len(data), "a torn bundle"
    for block in found:
        x509.load_der_x509_certificate(block.der)
    return [b.der for b in found]


def test_sigkill_during_rotate_and_prune(tmp_path: Path) -> None:
    """A killed rotate-ca leaves the old bundle, or the new one with its key complete on disk
    (the key goes in first: at worst a new key that signs nothing yet, which a rerun with
    --allow-ca-key-reuse puts to use)."""
    work, certs = tmp_path, tmp_path / "certs"
    (work / "safe").mkdir()
    ok(work, "create-ca", CERTS, KEY, FAST)
    ok(work, "create-node", "localhost", CERTS, KEY, FAST)
    tally, versions = Tally(), {(certs / "ca.crt").read_bytes()}
    rng = random.Random(SEED + 1)
    full = calibrate(fork_killed, ["rotate-ca", CERTS, "--ca-key=safe/cal{}.key", FAST], work)
    versions.add((certs / "ca.crt").read_bytes())
    for path in certs.iterdir():
        if BACKUP_NAME.fullmatch(path.name):
            path.unlink()
    for i in range(50):
        for path in [*certs.iterdir(), *(work / "safe").iterdir()]:
            if TEMP_MARK in path.name:  # a dead run's: the next kill must not count from it
                path.unlink()
        key = work / f"safe/r{i}.key"
        old = _ders(certs / "ca.crt")
        code = fork_killed(["rotate-ca", CERTS, f"--ca-key=safe/{key.name}", FAST, "--backup"],
                           work, *kill_delay(rng, full))
        new = _ders(certs / "ca.crt")
        versions.add((certs / "ca.crt").read_bytes())
        if key.exists():
            private = serialization.load_pem_private_key(key.read_bytes(), None)
            assert key.stat().st_mode & 0o777 == 0o600
        if new != old:
            assert new[1:] == old, "not the old bundle with one certificate in front"
            assert public(x509.load_der_x509_certificate(new[0])) == public(private)
        elif key.exists():
            tally.half_pairs += 1  # the key is in, the bundle not yet
        for path in certs.iterdir():
            if BACKUP_NAME.fullmatch(path.name) and path.read_bytes() not in versions:
                tally.problems.append(f"{path.name} is no version of ca.crt")
        tally.kills += code is None
        tally.completed += code == 0
        tally.mid_write += code is None and (new != old or key.exists())
    print(f"\nrotate-ca kills: {tally}")
    assert not tally.problems and tally.kills >= 10 and tally.mid_write >= 3, tally
    assert ok(work, "list", CERTS).err == ""
    res = pycert("prune-ca", CERTS, "--unused", "--backup", cwd=work)
    assert res.code == 0, res.err
    node = x509.load_pem_x509_certificate((certs / "node.crt").read_bytes())
    cas = [x509.load_der_x509_certificate(d) for d in _ders(certs / "ca.crt")]
    assert len(cas) == 2 and any(node.issuer == c.subject and public(c) != public(cas[0])
                                 for c in cas[1:])  # the first, and the one node.crt needs
    node.verify_directly_issued_by(cas[1])
    assert [n for n in (p.name for p in certs.iterdir()) if TEMP_MARK in n] == []
