"""The benchmark suite still runs end to end (tiny sizes). No timing is asserted here:
figures come from `bench/run.py` on a quiet machine and go to docs/performance.md."""

from __future__ import annotations

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
                "P8 list --format=json", "P8 list --format=ndjson", "P8 check",
                "P9 list", "P9 list --format=json", "P9 check", "P10", "P10 cores",
                "P11 list --format=json", "P11 check"):
        assert f"  {key}: " in summary, proc.stdout
    assert (tmp_path / "certgen").exists()  # the Go peer was built from bench/go


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
