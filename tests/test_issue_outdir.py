"""Issue 8 item 1: --out-dir on create-node/create-client and create-nodes --from."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from cryptography import x509

from conftest import pycert, snapshot

CA = ("--certs-dir=certs", "--ca-key=safe/ca.key")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _sans(path: Path) -> list[str]:
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    return [str(v.value) for v in
            cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value]


def test_out_dir_gets_pair_and_ca_copy_certs_dir_untouched(ca_dir: Path) -> None:
    before = snapshot(ca_dir / "certs")
    res = pycert("create-node", "n1.db", *CA, "--out-dir=deploy/n1", cwd=ca_dir)
    assert res.code == 0, res.err
    out = ca_dir / "deploy/n1"
    assert sorted(p.name for p in out.iterdir()) == ["ca.crt", "node.crt", "node.key"]
    assert _mode(out) == 0o700 and _mode(ca_dir / "deploy") == 0o700
    assert _mode(out / "node.key") == 0o600 and _mode(out / "node.crt") == 0o644
    assert (out / "ca.crt").read_bytes() == (ca_dir / "certs/ca.crt").read_bytes()
    assert snapshot(ca_dir / "certs") == before


def test_loop_over_nodes_needs_no_rm(ca_dir: Path) -> None:
    for name in ("n1", "n2", "n3"):
        res = pycert("create-node", f"{name}.db", *CA, f"--out-dir=deploy/{name}", cwd=ca_dir)
        assert res.code == 0, res.err
    assert _sans(ca_dir / "deploy/n2/node.crt") == ["n2.db"]


def test_client_out_dir(ca_dir: Path) -> None:
    res = pycert("create-client", "app", *CA, "--out-dir=app", "--also-generate-pkcs8-key",
                 cwd=ca_dir)
    assert res.code == 0, res.err
    names = sorted(p.name for p in (ca_dir / "app").iterdir())
    assert names == ["ca.crt", "client.app.crt", "client.app.key", "client.app.key.pk8"]


def test_out_dir_existing_pair_refused_without_overwrite(ca_dir: Path) -> None:
    assert pycert("create-node", "a", *CA, "--out-dir=o", cwd=ca_dir).code == 0
    before = snapshot(ca_dir)
    res = pycert("create-node", "b", *CA, "--out-dir=o", cwd=ca_dir)
    assert res.code == 1 and "o/node.crt: open o/node.crt: file exists" in res.err
    assert snapshot(ca_dir) == before
    assert pycert("create-node", "b", *CA, "--out-dir=o", "--overwrite", cwd=ca_dir).code == 0
    assert _sans(ca_dir / "o/node.crt") == ["b"]


def test_failed_out_dir_command_leaves_no_directory(ca_dir: Path) -> None:
    res = pycert("create-node", "a b", *CA, "--out-dir=o", cwd=ca_dir)
    assert res.code == 1
    assert not (ca_dir / "o").exists()


def test_create_nodes_from_csv(ca_dir: Path) -> None:
    (ca_dir / "nodes.csv").write_text("name,hosts\n# rack 1\nn1,n1.db 10.0.0.1\n"
                                      "n2, n2.db, 10.0.0.2\n")
    res = pycert("create-nodes", *CA, "--from=nodes.csv", "--out-dir=nodes", cwd=ca_dir)
    assert res.code == 0, res.err
    assert res.out == "issued 2 node certificates into nodes/{n1,n2}\n"
    assert res.err == ""  # no progress bar when stderr is not a terminal
    assert _sans(ca_dir / "nodes/n1/node.crt") == ["n1.db", "10.0.0.1"]
    assert _sans(ca_dir / "nodes/n2/node.crt") == ["n2.db", "10.0.0.2"]
    assert (ca_dir / "nodes/n2/ca.crt").exists()
    assert _mode(ca_dir / "nodes") == 0o700 and _mode(ca_dir / "nodes/n1") == 0o700


def test_create_nodes_from_json(ca_dir: Path) -> None:
    rows = [{"name": "a", "hosts": ["a.db"]}, {"name": "b", "hosts": ["b.db", "::1"]}]
    (ca_dir / "n.json").write_text(json.dumps(rows))
    res = pycert("create-nodes", *CA, "--from=n.json", "--out-dir=out", cwd=ca_dir)
    assert res.code == 0, res.err
    assert _sans(ca_dir / "out/b/node.crt") == ["b.db", "::1"]


def test_create_nodes_checks_every_row_first(ca_dir: Path) -> None:
    (ca_dir / "n.csv").write_text("a,a.db\nb,b.db:26257\n")
    res = pycert("create-nodes", *CA, "--from=n.csv", "--out-dir=out", cwd=ca_dir)
    assert res.code == 1
    assert "node list n.csv, node 2 ('b'): invalid host name \"b.db:26257\"" in res.err
    assert not (ca_dir / "out").exists()


def test_create_nodes_refuses_bad_names_and_duplicates(ca_dir: Path) -> None:
    for text, why in (("../x,h\n", "a node name must be"), ("a,h\na,h2\n", "duplicate node"),
                      ("a\n", "no hosts"), ("", "names no nodes")):
        (ca_dir / "n.csv").write_text(text)
        res = pycert("create-nodes", *CA, "--from=n.csv", "--out-dir=out", cwd=ca_dir)
        assert res.code == 1 and why in res.err, (text, res.err)
        assert "Traceback" not in res.err
    assert not (ca_dir / "out").exists()


def test_create_nodes_needs_from_and_out_dir(ca_dir: Path) -> None:
    res = pycert("create-nodes", *CA, cwd=ca_dir)
    assert res.code == 4 and "create-nodes needs --from=<file> and --out-dir=<dir>" in res.err


def test_create_nodes_progress_bar_on_a_terminal(ca_dir: Path) -> None:
    import os
    import pty
    import subprocess
    import sys

    (ca_dir / "n.csv").write_text("a,a.db\nb,b.db\n")
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("COCKROACH_")}
    proc = subprocess.run([sys.executable, "-m", "pycert", "create-nodes", *CA, "--from=n.csv",
                           "--out-dir=out"], cwd=ca_dir, env=env, stdout=subprocess.PIPE,
                          stderr=follower, timeout=60)
    os.close(follower)
    bar = os.read(leader, 4096).decode()
    os.close(leader)
    assert proc.returncode == 0
    assert "issuing  [##################------------------]  1/2" in bar  # click's bar
    assert "issuing  [####################################]  2/2" in bar


def test_create_nodes_refuses_existing_before_issuing_any(ca_dir: Path) -> None:
    (ca_dir / "n.csv").write_text("a,a.db\nb,b.db\n")
    assert pycert("create-node", "b.db", *CA, "--out-dir=out/b", cwd=ca_dir).code == 0
    before = snapshot(ca_dir)
    res = pycert("create-nodes", *CA, "--from=n.csv", "--out-dir=out", cwd=ca_dir)
    assert res.code == 1 and "out/b/node.crt exists; rerun with --overwrite" in res.err
    assert snapshot(ca_dir) == before and not (ca_dir / "out/a").exists()
    res = pycert("create-nodes", *CA, "--from=n.csv", "--out-dir=out", "--overwrite", cwd=ca_dir)
    assert res.code == 0, res.err
