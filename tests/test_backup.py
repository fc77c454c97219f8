"""`--backup`: every replaced file is kept as `<name>.<UTC stamp>.bak`, and nothing that
reads a certs dir (pycert's loader, `list`, `check`, cockroach's `*.crt` rule) reads one."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from conftest import pycert, snapshot
from lifecycle import BACKUP_NAME, CERTS, FAST, KEY, backups, fails, ok
from pycert.certdir import files
from pycert.certdir.loader import classify
from pycert.kinds import KINDS


@pytest.fixture
def work(tmp_path: Path) -> Path:
    (tmp_path / "safe").mkdir()
    ok(tmp_path, "create-ca", CERTS, KEY, FAST)
    ok(tmp_path, "create-node", "localhost", CERTS, KEY, FAST)
    return tmp_path


def test_create_node_overwrite_backup_keeps_the_old_pair(work: Path) -> None:
    certs = work / "certs"
    old = {n: (certs / n).read_bytes() for n in ("node.crt", "node.key")}
    start = time.gmtime(time.time() - 1)
    ok(work, "create-node", "db.example.com", CERTS, KEY, FAST, "--overwrite", "--backup")
    kept = backups(certs)
    assert sorted(kept) == ["node.crt", "node.key"]
    for name, (path,) in kept.items():
        assert path.read_bytes() == old[name] != (certs / name).read_bytes()
        assert path.stat().st_mode & 0o777 == (0o644 if name == "node.crt" else 0o600)
        stamp = BACKUP_NAME.fullmatch(path.name)["stamp"]  # type: ignore[index]
        assert time.strftime("%Y%m%dT%H%M%SZ", start) <= stamp
        assert path.name == f"{name}.{stamp}.bak"


def test_create_ca_overwrite_backup_keeps_the_old_bundle(work: Path) -> None:
    old = (work / "certs/ca.crt").read_bytes()
    ok(work, "create-ca", CERTS, "--ca-key=safe/ca2.key", "--overwrite", "--backup", FAST)
    (bak,) = backups(work / "certs")["ca.crt"]
    assert bak.read_bytes() == old and bak.stat().st_mode & 0o777 == 0o644
    assert backups(work / "safe") == {}  # the new CA key replaced nothing


def test_backup_without_overwrite_or_on_new_files_keeps_nothing(work: Path) -> None:
    ok(work, "create-client", "root", CERTS, KEY, FAST, "--backup")
    ok(work, "create-client", "bob", CERTS, KEY, FAST, "--backup", "--overwrite")
    assert backups(work / "certs") == {}


def test_backups_get_exact_modes_whatever_the_umask(work: Path) -> None:
    old = os.umask(0)
    try:
        ok(work, "create-node", "localhost", CERTS, KEY, FAST, "--overwrite", "--backup")
    finally:
        os.umask(old)
    modes = {name: p.stat().st_mode & 0o777 for name, (p,) in backups(work / "certs").items()}
    assert modes == {"node.crt": 0o644, "node.key": 0o600}


def test_a_backup_that_cannot_be_read_stops_the_command_before_anything_changes(
        work: Path) -> None:
    ok(work, "create-client", "root", CERTS, KEY, FAST)
    (work / "certs/client.root.key").unlink()
    os.mkfifo(work / "certs/client.root.key")  # not a regular file: it cannot be backed up
    before = snapshot(work)
    res = fails(work, "create-client", "root", CERTS, KEY, FAST, "--overwrite", "--backup")
    assert "could not back up certs/client.root.key: not a regular file; nothing was " \
        "written" in res.err
    assert snapshot(work) == before


def test_same_second_backups_get_a_counter(work: Path) -> None:
    stamp = files.backup_stamp()
    item = files.Planned(str(work / "certs/node.crt"), b"new", 0o644, "error writing")
    (work / f"certs/node.crt.{stamp}.bak").write_bytes(b"older backup")
    planned = files.plan_backups([item], stamp)
    assert planned[item.path].path == str(work / f"certs/node.crt.{stamp}-2.bak")
    assert planned[item.path].exclusive and planned[item.path].mode == 0o644


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_no_backup_name_is_ever_a_certificate_to_a_loader(kind: object) -> None:
    """cockroach reads only `*.crt` names (spec §7.1); `.bak` ends every backup name, and
    pycert's loader (classify) skips it silently, as it skips every non-.crt name."""
    from pycert.kinds import Kind

    assert isinstance(kind, Kind)
    stamp = files.backup_stamp(0)
    names = [kind.cert_file("root"), kind.key_file("root"), kind.key_file("root") + ".pk8"]
    for name in names:
        for tag in (stamp, f"{stamp}-2"):
            backup = f"{name}.{tag}{files.BACKUP_SUFFIX}"
            assert not backup.endswith(".crt")  # cockroach's rule: never read
            assert classify(backup) is None  # pycert's loader: skipped, not even a warning
            assert BACKUP_NAME.fullmatch(backup)


def test_list_check_and_create_ignore_backups(work: Path) -> None:
    ok(work, "create-client", "root", CERTS, KEY, FAST)
    for _ in range(2):
        ok(work, "create-node", "localhost", CERTS, KEY, FAST, "--overwrite", "--backup")
        ok(work, "create-client", "root", CERTS, KEY, FAST, "--overwrite", "--backup")
    assert len(backups(work / "certs")) == 4
    listed = ok(work, "list", CERTS)
    assert ".bak" not in listed.out and listed.err == ""
    assert len(listed.out.splitlines()) == 5  # header lines, CA, node, client
    checked = pycert("check", CERTS, cwd=work)
    assert checked.code == 0 and ".bak" not in checked.out, checked.out
    ok(work, "create-client", "bob", CERTS, KEY, FAST)  # the directory still loads
