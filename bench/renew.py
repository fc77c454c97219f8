"""Measures `pycert renew --all` on a directory of N client certs against N
`pycert create-client <user> --overwrite` processes (the way to do it without renew).

Paired, alternating runs as in run.py, each on a fresh copy of the same directory; wall
time, CPU time and peak RSS come from wait4. The figures go to docs/performance.md.
Usage: python bench/renew.py [--count 1000] [--pairs 2] [--quick] [--python PY]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from run import Run, Series, paired, run_cmd

HERE = Path(__file__).resolve().parent
FLAGS = ["--certs-dir=certs", "--ca-key=safe/ca.key"]
MAKE_DIR = """
import sys
import pycert
from pycert.pki import keys
from pycert.pki.specs import KeySpec, LeafSpec
from pycert.kinds import CLIENT

count = int(sys.argv[1])
certs = pycert.CertsDir("certs")
certs.create_ca("safe/ca.key")
ca = certs.load_ca("safe/ca.key")
key = keys.generate(KeySpec())  # one key for every client: only renew's work is measured
for i in range(count):
    certs.write(ca.issue(LeafSpec(CLIENT, name=f"user{i:05d}"), key=key))
"""


def template(python: str, build: Path, count: int) -> Path:
    """certs/ (a CA and `count` client certs) and safe/ca.key, cached in the build dir."""
    path = build / f"renew-{count}"
    if not (path / ".complete").exists():
        shutil.rmtree(path, ignore_errors=True)
        (path / "safe").mkdir(parents=True)
        subprocess.run([python, "-c", MAKE_DIR, str(count)], cwd=path, check=True)
        (path / ".complete").touch()
    return path


class Work:
    """Fresh copies of the template, one per measured run."""

    def __init__(self, source: Path) -> None:
        self.source = source
        self.tmp = Path(tempfile.mkdtemp(prefix="pycert-renew-bench-"))
        self.n = 0

    def fresh(self) -> str:
        self.n += 1
        dest = self.tmp / f"w{self.n}"
        shutil.copytree(self.source, dest, symlinks=True)
        return str(dest)

    def clean(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)


def renew_all(pycert: str, work: Work) -> Run:
    where = work.fresh()
    run = run_cmd([pycert, "renew", "--all", *FLAGS], where)
    check(pycert, where)
    shutil.rmtree(where)
    return run


def create_each(pycert: str, work: Work, count: int) -> Run:
    """What an operator runs without renew: one create-client --overwrite per user."""
    where = work.fresh()
    runs = [run_cmd([pycert, "create-client", f"user{i:05d}", "--overwrite", *FLAGS], where)
            for i in range(count)]
    check(pycert, where)
    shutil.rmtree(where)
    return Run(sum(r.wall for r in runs), sum(r.cpu for r in runs), max(r.rss_kib for r in runs))


def check(pycert: str, where: str) -> None:
    """The measured run really re-issued every certificate: all distinct keys now."""
    keys = {(Path(where) / "certs" / n).read_bytes() for n in os.listdir(Path(where) / "certs")
            if n.endswith(".key")}
    users = sum(n.endswith(".key") for n in os.listdir(Path(where) / "certs"))
    if len(keys) != users:
        raise SystemExit(f"{where}: {users - len(keys) + 1} clients kept the shared key")
    res = subprocess.run([pycert, "check", "--certs-dir=certs"], cwd=where, capture_output=True)
    if res.returncode not in (0,):
        raise SystemExit(f"check after the run: exit {res.returncode}\n{res.stdout.decode()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--pairs", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="20 certs, 1 pair: a smoke run")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--build-dir", default=str(HERE / ".build"))
    args = parser.parse_args()
    if args.quick:
        args.count, args.pairs = 20, 1
    pycert = str(Path(args.python).parent / "pycert")
    build = Path(args.build_dir).resolve()
    build.mkdir(parents=True, exist_ok=True)
    subprocess.run([args.python, "-m", "compileall", "-q",
                    str(Path(__file__).resolve().parent.parent / "src")], check=False)
    work = Work(template(args.python, build, args.count))
    try:
        print(f"renew --all on {args.count} client certs vs {args.count} create-client "
              "--overwrite processes", flush=True)
        run_cmd([pycert, "--help"])  # warm the page cache for both sides
        a, b = paired(args.pairs, lambda: create_each(pycert, work, args.count),
                      lambda: renew_all(pycert, work),
                      (f"{args.count} x create-client --overwrite", "renew --all"), warmup=0)
        report(a, b)
    finally:
        work.clean()


def report(a: Series, b: Series) -> None:
    ratio = b.median() / a.median()
    rss_a = max(r.rss_kib for r in a.runs) / 1024
    rss_b = max(r.rss_kib for r in b.runs) / 1024
    print(f"  {a.text()}\n  {b.text()}")
    print(f"  peak RSS: {a.name} {rss_a:.1f} MiB (largest process); {b.name} {rss_b:.1f} MiB")
    print(f"summary\n  renew: ratio {ratio:.3f} ({1 / ratio:.1f}x faster); CPU-time ratio "
          f"{b.cpu() / a.cpu():.3f}; peak RSS {rss_b:.1f} MiB vs {rss_a:.1f} MiB", flush=True)


if __name__ == "__main__":
    main()
