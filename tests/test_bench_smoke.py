"""The benchmark suite still runs end to end (tiny sizes). No timing is asserted here:
figures come from `bench/run.py` on a quiet machine and go to docs/performance.md."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import need_tool

BENCH = Path(__file__).resolve().parent.parent / "bench"


def test_benchmark_quick_run_measures_every_target(tmp_path: Path) -> None:
    need_tool("openssl", "openssl")
    need_tool("go", "golang-go")
    proc = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--quick", "--build-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    summary = proc.stdout.split("\nsummary\n", 1)[1]
    for key in ("P1", "P2", "P3", "P4", "P5", "P6", "P7 list", "P7 create",
                "P8 list --format=json", "P8 check", "P9 list", "P9 list --format=json",
                "P9 check", "P9 Go certread", "P10", "P10 cores", "P11 list --format=json",
                "P11 check", "P11 Go certread", "P12", "P12 --output"):
        assert f"  {key}: " in summary, proc.stdout
    assert (tmp_path / "certgen").exists()  # the Go peers were built from bench/go
    assert (tmp_path / "certread").exists()
    assert (tmp_path / "clients-12" / "client.user00011.key").exists()  # P8's own dir


def test_distinct_key_dir_and_go_reader_agree_with_pycert(tmp_path: Path) -> None:
    """gen_dir.py makes cockroach-shaped client dirs with a key per client, and the Go reader
    (P8's yardstick) writes the same values as pycert's records for the fields it has."""
    need_tool("go", "golang-go")
    certs, pool = tmp_path / "certs", tmp_path / "pool.pem"
    subprocess.run([sys.executable, str(BENCH / "gen_dir.py"), str(certs), "6",
                    f"--pool={pool}"], check=True)
    subprocess.run([sys.executable, str(BENCH / "gen_dir.py"), str(tmp_path / "more"), "9",
                    f"--pool={pool}"], check=True)  # grows the pool, reuses its first six
    names = sorted(p.name for p in certs.iterdir())
    assert names == ["ca.crt"] + [f"client.user{i:05d}.{ext}" for i in range(6)
                                  for ext in ("crt", "key")]
    assert (tmp_path / "certs.ca.key").stat().st_mode & 0o777 == 0o600  # outside the dir
    keys = [p.read_bytes() for p in certs.glob("*.key")]
    assert len(set(keys)) == 6 and all(p.stat().st_mode & 0o777 == 0o600
                                       for p in certs.glob("*.key"))
    assert keys[0].startswith(b"-----BEGIN RSA PRIVATE KEY-----")
    check = subprocess.run([sys.executable, "-m", "pycert", "check", f"--certs-dir={certs}"],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr  # every key matches its cert

    env = dict(os.environ, GOPROXY="off", GOTOOLCHAIN="local", CGO_ENABLED="0",
               GOFLAGS="-mod=mod")
    if not os.access(os.environ.get("HOME", "/nonexistent"), os.W_OK):
        env["GOCACHE"] = str(tmp_path / "gocache")
    reader = tmp_path / "certread"
    subprocess.run(["go", "build", "-o", str(reader), "."], cwd=BENCH / "go" / "certread",
                   env=env, check=True)
    go = [json.loads(line) for line in subprocess.run(
        [str(reader), str(certs)], capture_output=True, check=True).stdout.splitlines()]
    mine = json.loads(subprocess.run(
        [sys.executable, "-m", "pycert", "list", f"--certs-dir={certs}", "--format=json"],
        capture_output=True, check=True).stdout)
    assert len(go) == len(mine) == 7
    for theirs, ours in zip(go, mine):
        assert theirs == {key: ours[key] for key in theirs}, theirs["file"]
    assert len({r["not_after"] for r in go}) == 7  # dates spread out: none shared
    assert go[1]["signed_by"] == {"file": "ca.crt", "index": 0} and go[1]["eku"] == ["clientAuth"]


def test_openssl_workflow_makes_cockroach_shaped_certs(tmp_path: Path) -> None:
    """The openssl peer does the same work as pycert: pycert's own `list` reads its output."""
    need_tool("openssl", "openssl")
    subprocess.run(["sh", str(BENCH / "openssl_workflow.sh"), "certs", "ca.key", "root",
                    "localhost", "127.0.0.1"], cwd=tmp_path, check=True)
    out = subprocess.run([sys.executable, "-m", "pycert", "list", "--certs-dir=certs"],
                         cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()[2:]
    assert [line.split("\t")[0] for line in lines] == ["CA", "Node", "Client"]
    assert "addresses: localhost,127.0.0.1" in lines[1] and "user: root" in lines[2]
    assert all(line.endswith("\t") for line in lines)  # no row has an error


def test_ca_key_bench_quick_run_measures_both_pairs() -> None:
    need_tool("openssl", "openssl")
    proc = subprocess.run([sys.executable, str(BENCH / "ca_key.py"), "--quick"],
                          capture_output=True, text=True, timeout=600, cwd=BENCH)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for line in ("plain.key", "pycert.key", "openssl-2048.key", "openssl-scrypt.key",
                 "create-node, RSA-2048 leaf:", "create-node, ECDSA leaf:"):
        assert line in proc.stdout, proc.stdout
    assert proc.stdout.count("\n  ratio ") == 2
