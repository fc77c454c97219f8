"""bench/revocation.py --quick runs end to end (R1 against the base commit, R2 with the Go
load generator), so the figures in docs/performance.md stay reproducible."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import need_tool

BENCH = Path(__file__).resolve().parents[1] / "bench" / "revocation.py"


def test_revocation_bench_quick_runs() -> None:
    need_tool("go", "golang-go")
    need_tool("git", "git")
    res = subprocess.run([sys.executable, str(BENCH), "--quick", "--base=HEAD"], capture_output=True,
                         text=True, timeout=600, cwd=BENCH.parent.parent)
    assert res.returncode == 0, res.stdout + res.stderr
    lines = res.stdout.splitlines()
    assert sum(line.startswith("R1 create-client") for line in lines) == 2
    assert sum(line.startswith("R2 ") and "failed 0" in line for line in lines) == 4
