"""What drawing `list`'s table costs on a terminal: `pycert list` with stdout on a pty (the
table, through tabulate) against `pycert list --format=tsv` on the same pty, paired and
alternating, for a small and a large certs dir. Figures go to docs/performance.md.

Usage: python bench/list_terminal.py [--pairs N] [--big N]
"""

from __future__ import annotations

import argparse
import os
import pty
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import Run, paired  # noqa: E402 - bench/ is not a package


def on_pty(argv: list[str]) -> Run:
    """Runs argv with stdout on a fresh pty, drained; wall and CPU time from wait4."""
    leader, follower = pty.openpty()
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=follower, stderr=subprocess.DEVNULL)
    os.close(follower)
    while True:
        try:
            if not os.read(leader, 1 << 16):
                break
        except OSError:
            break
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    os.close(leader)
    assert os.waitstatus_to_exitcode(status) == 0, argv
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pairs", type=int, default=30)
    ap.add_argument("--big", type=int, default=1000, help="client certs in the large dir")
    args = ap.parse_args()
    pycert = str(Path(sys.executable).parent / "pycert")
    tmp = Path(tempfile.mkdtemp(prefix="pycert-bench-list-"))
    for n in (1, args.big):
        certs = tmp / f"certs-{n}"
        subprocess.run([sys.executable, str(HERE / "gen_certs.py"), str(certs), str(n)],
                       check=True, capture_output=True)
        base = [pycert, "list", f"--certs-dir={certs}"]
        tsv, table = paired(args.pairs, lambda b=base: on_pty([*b, "--format=tsv"]),
                            lambda b=base: on_pty(b), (f"tsv, {n + 2} rows",
                                                       f"table, {n + 2} rows"))
        print(tsv.text())
        print(table.text())
        print(f"  table - tsv: {(table.median() - tsv.median()) * 1000:+.1f} ms wall, "
              f"{(table.cpu() - tsv.cpu()) * 1000:+.1f} ms CPU; "
              f"ratio {table.median() / tsv.median():.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
