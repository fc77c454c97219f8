"""create-nodes: one all-or-nothing install for the whole batch, keys made on every core,
the same files, modes and order as `create-node --out-dir` in a loop."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from conftest import pycert, snapshot
from pycert.certdir.files import TEMP_MARK

CA = ("--certs-dir=certs", "--ca-key=safe/ca.key")
FAST = ("--key-size=1024",)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def _nodes(work: Path, count: int, name: str = "n.csv") -> list[str]:
    names = [f"n{i}" for i in range(count)]
    (work / name).write_text("".join(f"{n},{n}.db 10.0.0.{i + 1}\n" for i, n in enumerate(names)))
    return names


def test_a_new_out_dir_appears_whole_with_exact_modes(ca_dir: Path) -> None:
    names = _nodes(ca_dir, 5)
    res = pycert("create-nodes", *CA, *FAST, "--from=n.csv", "--out-dir=deploy/nodes",
                 cwd=ca_dir)
    assert res.code == 0, res.err
    base = ca_dir / "deploy/nodes"
    assert _mode(ca_dir / "deploy") == 0o700 and _mode(base) == 0o700
    assert sorted(os.listdir(base)) == names
    ca = x509.load_pem_x509_certificate((ca_dir / "certs/ca.crt").read_bytes())
    keys = set()
    for i, name in enumerate(names):
        node = base / name
        assert _mode(node) == 0o700
        assert {p.name: _mode(p) for p in node.iterdir()} == {
            "node.crt": 0o644, "node.key": 0o600, "ca.crt": 0o644}
        cert = x509.load_pem_x509_certificate((node / "node.crt").read_bytes())
        key = serialization.load_pem_private_key((node / "node.key").read_bytes(), None)
        cert.verify_directly_issued_by(ca)
        assert cert.public_key() == key.public_key()
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert [str(v) for v in sans.get_values_for_type(x509.DNSName)] == [f"{name}.db"]
        assert [str(v) for v in sans.get_values_for_type(x509.IPAddress)] == [f"10.0.0.{i + 1}"]
        keys.add(key.public_key().public_numbers().n)  # type: ignore[union-attr]
    assert len(keys) == len(names)  # one fresh key per node
    assert not [n for n in os.listdir(ca_dir / "deploy") if TEMP_MARK in n]


def test_the_manifest_lists_the_nodes_in_row_order(ca_dir: Path) -> None:
    names = _nodes(ca_dir, 6)
    res = pycert("create-nodes", *CA, *FAST, "--from=n.csv", "--out-dir=out", "--json",
                 cwd=ca_dir)
    assert res.code == 0, res.err
    paths = [f["path"] for f in json.loads(res.out)["files"]]
    assert paths == [f"out/{n}/{f}" for n in names for f in ("node.crt", "node.key", "ca.crt")]


def test_a_failure_on_the_last_node_leaves_every_node_as_it_was(ca_dir: Path) -> None:
    """One commit for the batch: node 3's failure undoes nodes 1 and 2, new and replaced."""
    _nodes(ca_dir, 3)
    assert pycert("create-nodes", *CA, *FAST, "--from=n.csv", "--out-dir=out",
                  cwd=ca_dir).code == 0
    (ca_dir / "n2.csv").write_text("n0,n0.db\nnew,new.db\nn2,n2.db\n")
    (ca_dir / "out/n2/node.key").unlink()
    (ca_dir / "out/n2/node.key").mkdir()  # cannot be replaced: the install fails there
    (ca_dir / "out/n2/node.key/x").write_text("x")
    before = snapshot(ca_dir)
    res = pycert("create-nodes", *CA, *FAST, "--from=n2.csv", "--out-dir=out", "--overwrite",
                 cwd=ca_dir)
    assert res.code == 1
    assert "out/n2/node.key" in res.err and "Traceback" not in res.err
    assert snapshot(ca_dir) == before  # n0 keeps its old pair, `new` was never created
    assert not (ca_dir / "out/new").exists()
    assert not [n for n in os.listdir(ca_dir / "out/n0") if TEMP_MARK in n]


def test_an_error_in_the_batch_names_the_row(ca_dir: Path) -> None:
    _nodes(ca_dir, 2)
    res = pycert("create-nodes", *CA, *FAST, "--from=n.csv", "--out-dir=out",
                 "--lifetime=100000h", cwd=ca_dir)
    assert res.code == 1
    assert ("ERROR: failed to generate node certificate and key: node list n.csv, node 1 "
            "('n0'): error creating node server certificate and key: CA lifetime is") in res.err
    assert not (ca_dir / "out").exists()


def test_a_stage_left_by_a_dead_process_is_removed_and_a_live_ones_kept(ca_dir: Path) -> None:
    _nodes(ca_dir, 2)
    dead = ca_dir / f".out{TEMP_MARK}.999999999.0badf00d"
    live = ca_dir / f".out{TEMP_MARK}.{os.getpid()}.0000beef"
    for stage in (dead, live):
        (stage / "n0").mkdir(parents=True)
        (stage / "n0/node.crt").write_text("half")
    lookalike = ca_dir / f".out{TEMP_MARK}.999999999.notmine"  # not pycert's shape: kept
    lookalike.mkdir()
    res = pycert("create-nodes", *CA, *FAST, "--from=n.csv", "--out-dir=out", cwd=ca_dir)
    assert res.code == 0, res.err
    assert not dead.exists() and live.exists() and lookalike.exists()


def test_dry_run_builds_the_batch_and_writes_nothing(ca_dir: Path) -> None:
    _nodes(ca_dir, 3)
    before = snapshot(ca_dir)
    res = pycert("create-nodes", *CA, *FAST, "--from=n.csv", "--out-dir=out", "--dry-run",
                 cwd=ca_dir)
    assert res.code == 0, res.err
    assert res.out.count("dry run: nothing was written") == 3
    assert snapshot(ca_dir) == before and not (ca_dir / "out").exists()
