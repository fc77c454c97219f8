"""bench/renew.py still runs end to end (20 certs). No timing is asserted: the figures come
from full runs on a quiet machine and go to docs/performance.md."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"


def test_renew_benchmark_quick_run(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, str(BENCH / "renew.py"), "--quick", "--build-dir",
                           str(tmp_path)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    summary = proc.stdout.split("\nsummary\n", 1)[1]
    assert summary.startswith("  renew: ratio ") and "peak RSS" in summary
    assert (tmp_path / "renew-20" / ".complete").exists()
