"""Measures pycert against its peers (P1-P7), against a compiled reader of the same
records (P8, issue 19), at scale (P9-P11), and `metrics` against `check` (P12), with
paired, alternating runs.

Each pair runs the peer and pycert back to back, alternating which goes first, so load
from other processes hits both sides alike; the ratio of the medians is reported.
Usage: python bench/run.py [--quick] [--pairs N] [--only P1,P3,P8,P12] [--python PY]
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
HOSTS = ("localhost", "127.0.0.1", "::1")
TARGETS = {"P1": 4.5, "P2": 4.5, "P3": 0.7, "P4": 1.25, "P5": 1.0,
           "P8 list --format=json": 2.0, "P8 check": 2.5, "P9": 1.1,
           "P10": 0.3, "P10 cores": 1.6, "P11": 60.0, "P12": 1.2, "P12 --output": 1.2}


@dataclass
class Run:
    """One process tree's wall time, CPU time and peak RSS (KiB)."""

    wall: float
    cpu: float
    rss_kib: int


@dataclass
class Series:
    name: str
    runs: list[Run] = field(default_factory=list)

    def median(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    def cpu(self) -> float:
        return statistics.median(r.cpu for r in self.runs)

    def text(self) -> str:
        walls = [r.wall for r in self.runs]
        return (f"{self.name}: median {self.median() * 1000:.1f} ms "
                f"(min {min(walls) * 1000:.1f}, max {max(walls) * 1000:.1f}, n={len(walls)}; "
                f"CPU median {self.cpu() * 1000:.1f} ms)")


def run_cmd(argv: list[str], cwd: str | None = None, expect: int = 0) -> Run:
    """Runs argv with stdout piped (and drained) and returns its cost, from wait4's rusage."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.stdout.read(), proc.stderr.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stdout.close()  # type: ignore[union-attr]
    proc.stderr.close()  # type: ignore[union-attr]
    if proc.returncode != expect:
        raise SystemExit(f"{argv}: exit {proc.returncode}, expected {expect}\n{err.decode()}")
    del out
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)


def run_seq(steps: list[list[str]], cwd: str) -> Run:
    """A workflow of several processes: summed times, the largest peak RSS."""
    runs = [run_cmd(s, cwd) for s in steps]
    return Run(sum(r.wall for r in runs), sum(r.cpu for r in runs), max(r.rss_kib for r in runs))


def paired(pairs: int, a: Callable[[], Run], b: Callable[[], Run], names: tuple[str, str],
           warmup: int = 1) -> tuple[Series, Series]:
    """Alternating A/B then B/A; a warm-up pair first so caches are hot for both."""
    sa, sb = Series(names[0]), Series(names[1])
    for _ in range(warmup):
        a(), b()
    for i in range(pairs):
        if i % 2:
            rb, ra = b(), a()
        else:
            ra, rb = a(), b()
        sa.runs.append(ra)
        sb.runs.append(rb)
    return sa, sb


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.python = args.python
        self.pycert = str(Path(self.python).parent / "pycert")
        self.build = Path(args.build_dir).resolve()
        self.build.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(tempfile.mkdtemp(prefix="pycert-bench-"))
        self.results: dict[str, str] = {}
        self.counter = 0

    def fresh(self) -> str:
        self.counter += 1
        work = self.tmp / f"w{self.counter}"
        work.mkdir()
        return str(work)

    def report(self, key: str, a: Series, b: Series, target: float | None) -> None:
        ratio = b.median() / a.median()
        cpu = b.cpu() / a.cpu() if a.cpu() else float("nan")
        verdict = "" if target is None else (" ok" if ratio <= target else " MISSED")
        wanted = "" if target is None else f" (target <= {target})"
        line = f"{key}: ratio {ratio:.2f}{wanted}{verdict}; CPU-time ratio {cpu:.2f}"
        print(f"  {a.text()}\n  {b.text()}\n  {line}", flush=True)
        self.results[key] = f"{ratio:.2f}x{verdict} (CPU {cpu:.2f}x)"

    # -- the peers ---------------------------------------------------------------------
    def pycert_create(self) -> Run:
        work = self.fresh()
        flags = ["--certs-dir=certs", "--ca-key=ca.key"]
        return run_seq([[self.pycert, "create-ca", *flags],
                        [self.pycert, "create-node", *flags, *HOSTS],
                        [self.pycert, "create-client", *flags, "root"]], work)

    def openssl_create(self) -> Run:
        work = self.fresh()
        return run_cmd(["sh", str(HERE / "openssl_workflow.sh"), "certs", "ca.key", "root",
                        *HOSTS], work)

    def go_create(self) -> Run:
        work = self.fresh()
        go = str(self.go_binary("certgen"))
        flags = ["--certs-dir=certs", "--ca-key=ca.key"]
        return run_seq([[go, "create-ca", *flags], [go, "create-node", *flags, *HOSTS],
                        [go, "create-client", *flags, "root"]], work)

    def go_binary(self, program: str) -> Path:
        """bench/go/<program>, built once into the build dir (standard library only)."""
        out = self.build / program
        if not out.exists():
            env = dict(os.environ, GOPROXY="off", GOFLAGS="-mod=mod", GOTOOLCHAIN="local",
                       CGO_ENABLED="0")
            if not os.access(os.environ.get("HOME", "/nonexistent"), os.W_OK):
                env["GOCACHE"] = str(self.build / "gocache")
            subprocess.run(["go", "build", "-o", str(out), "."], cwd=HERE / "go" / program,
                           env=env, check=True)
        return out

    def certs_dir(self, count: int) -> str:
        """A generated dir of `count` client certs sharing one key (P5-P7), cached."""
        path = self.build / f"certs-{count}"
        if not (path / ".complete").exists():
            shutil.rmtree(path, ignore_errors=True)
            subprocess.run([self.python, str(HERE / "gen_certs.py"), str(path), str(count)],
                           check=True)
            (path / ".complete").touch()
        return str(path)

    def clients_dir(self, count: int) -> str:
        """A dir of `count` client certs, each with its own RSA-2048 key (gen_dir.py), cached
        in the build dir; the keys come from a pool there, generated once on every core."""
        path = self.build / f"clients-{count}"
        if not (path / ".complete").exists():
            shutil.rmtree(path, ignore_errors=True)
            subprocess.run([self.python, str(HERE / "gen_dir.py"), str(path), str(count),
                            f"--pool={self.build / 'rsa2048-pool.pem'}"], check=True)
            (path / ".complete").touch()
        return str(path)

    # -- the measurements --------------------------------------------------------------
    def p1_p2(self) -> None:
        n = self.args.pairs_startup
        base = [self.python, "-c", "pass"]
        print("P1 pycert --help vs python -c pass", flush=True)
        a, b = paired(n, lambda: run_cmd(base), lambda: run_cmd([self.pycert, "--help"]),
                      ("python -c pass", "pycert --help"))
        self.report("P1", a, b, TARGETS["P1"])
        print("P2 usage error (create-node, no host) vs python -c pass", flush=True)
        bad = [self.pycert, "create-node", "--certs-dir=x", "--ca-key=y"]
        a, b = paired(n, lambda: run_cmd(base), lambda: run_cmd(bad, expect=1),
                      ("python -c pass", "pycert create-node (no host)"))
        self.report("P2", a, b, TARGETS["P2"])
        print("P1/P2 floor: python -c 'import click' vs python -c pass", flush=True)
        a, b = paired(n, lambda: run_cmd(base),
                      lambda: run_cmd([self.python, "-c", "import click"]),
                      ("python -c pass", "python -c 'import click'"))
        self.report("click floor", a, b, None)

    def p3_p4(self) -> None:
        n = self.args.pairs
        print("P3 create-ca + create-node + create-client vs the openssl CLI", flush=True)
        a, b = paired(n, self.openssl_create, self.pycert_create, ("openssl CLI", "pycert"))
        self.report("P3", a, b, TARGETS["P3"])
        print("P4 the same vs the Go standard-library program", flush=True)
        self.go_binary("certgen")
        a, b = paired(n, self.go_create, self.pycert_create, ("Go crypto/x509", "pycert"))
        self.report("P4", a, b, TARGETS["P4"])

    def p5_p6(self) -> None:
        big, small = self.args.big, self.args.small
        big_dir, small_dir = self.certs_dir(big), self.certs_dir(small)
        n = self.args.pairs_list
        print(f"P5 list on {big} client certs vs a naive cryptography loop", flush=True)
        naive = [self.python, str(HERE / "naive_list.py"), big_dir]
        mine = [self.pycert, "list", f"--certs-dir={big_dir}"]
        a, b = paired(n, lambda: run_cmd(naive), lambda: run_cmd(mine),
                      ("naive loop", "pycert list"))
        self.report("P5", a, b, TARGETS["P5"])
        print(f"P6 marginal list cost per cert: (t({big}) - t({small})) / {big - small}",
              flush=True)
        few = [self.pycert, "list", f"--certs-dir={small_dir}"]
        s, m = paired(n, lambda: run_cmd(few), lambda: run_cmd(mine),
                      (f"list {small}", f"list {big}"))
        per = (m.median() - s.median()) / (big - small) * 1e6
        print(f"  {s.text()}\n  {m.text()}\n  P6: {per:.1f} us/cert (target <= 100)", flush=True)
        self.results["P6"] = f"{per:.1f} us/cert" + (" ok" if per <= 100 else " MISSED")
        rss = max(r.rss_kib for r in m.runs) / 1024
        self.results["P7 list"] = f"{rss:.1f} MiB" + (" ok" if rss <= 50 else " MISSED")

    def p7(self) -> None:
        print("P7 peak RSS of create-* (max over runs)", flush=True)
        worst = 0
        for _ in range(max(3, self.args.pairs // 10)):
            worst = max(worst, self.pycert_create().rss_kib)
        rss = worst / 1024
        print(f"  create-*: {rss:.1f} MiB (target <= 35)", flush=True)
        self.results["P7 create"] = f"{rss:.1f} MiB" + (" ok" if rss <= 35 else " MISSED")


    # -- records against a compiled reader (P8, P11), at scale (P9) ----------------------
    def p8_p11(self) -> None:
        count = self.args.big
        directory = self.clients_dir(count)
        go = [str(self.go_binary("certread")), directory]
        n = self.args.pairs_list
        worst: dict[str, float] = {}
        for name, argv in (("list --format=json",
                            [self.pycert, "list", f"--certs-dir={directory}", "--format=json"]),
                           ("check", [self.pycert, "check", f"--certs-dir={directory}"])):
            print(f"P8 {name} vs the Go reader (certread), {count} client certs with "
                  "distinct keys", flush=True)
            a, b = paired(n, lambda: run_cmd(go), lambda argv=argv: run_cmd(argv),
                          ("Go certread", f"pycert {name}"))
            self.report(f"P8 {name}", a, b, TARGETS[f"P8 {name}"])
            worst[name] = max(r.rss_kib for r in b.runs) / 1024
            worst["Go certread"] = max(worst.get("Go certread", 0),
                                       max(r.rss_kib for r in a.runs) / 1024)
        print("P11 peak RSS (max over the P8 runs)", flush=True)
        for name in ("list --format=json", "check"):
            rss = worst[name]
            ok = " ok" if rss <= TARGETS["P11"] else " MISSED"
            print(f"  {name}: {rss:.1f} MiB (target <= {TARGETS['P11']:.0f})", flush=True)
            self.results[f"P11 {name}"] = f"{rss:.1f} MiB{ok}"
        print(f"  Go certread: {worst['Go certread']:.1f} MiB (the yardstick, no target)",
              flush=True)
        self.results["P11 Go certread"] = f"{worst['Go certread']:.1f} MiB (no target)"

    def p9(self) -> None:
        sizes = [int(x) for x in self.args.growth.split(",")]
        dirs = {size: self.clients_dir(size) for size in sizes}
        go = str(self.go_binary("certread"))
        commands: dict[str, Callable[[str], list[str]]] = {
            "list": lambda d: [self.pycert, "list", f"--certs-dir={d}"],
            "list --format=json": lambda d: [self.pycert, "list", f"--certs-dir={d}",
                                             "--format=json"],
            "check": lambda d: [self.pycert, "check", f"--certs-dir={d}"],
            "Go certread": lambda d: [go, d],
        }
        print(f"P9 growth over {sizes} client certs with distinct keys: t = c * n^k, k fitted",
              flush=True)
        for name, argv_for in commands.items():
            times: dict[int, list[float]] = {size: [] for size in sizes}
            for i in range(self.args.pairs_list + 1):  # sizes interleaved: load hits all
                order = sizes if i % 2 else sizes[::-1]
                for size in order:
                    run = run_cmd(argv_for(dirs[size]))
                    if i:  # the first round warms caches
                        times[size].append(run.wall)
            medians = [statistics.median(times[size]) for size in sizes]
            k = fitted_exponent(sizes, medians)
            shown = ", ".join(f"{size}: {t * 1000:.0f} ms" for size, t in zip(sizes, medians))
            if name.startswith("Go"):  # the yardstick's own growth, for reference
                print(f"  {name}: {shown}; k = {k:.2f} (no target)", flush=True)
                self.results[f"P9 {name}"] = f"k={k:.2f} (no target; {shown})"
                continue
            ok = " ok" if k <= TARGETS["P9"] else " MISSED"
            print(f"  {name}: {shown}; k = {k:.2f} (target <= {TARGETS['P9']})", flush=True)
            self.results[f"P9 {name}"] = f"k={k:.2f}{ok} ({shown})"

    def nodes_ca(self) -> str:
        """A CA (certs/ca.crt, ca.key) for the create-node(s) runs, made once."""
        path = self.build / "nodes-ca"
        if not (path / ".complete").exists():
            shutil.rmtree(path, ignore_errors=True)
            path.mkdir()
            run_cmd([self.pycert, "create-ca", "--certs-dir=certs", "--ca-key=ca.key"],
                    str(path))
            (path / ".complete").touch()
        return str(path)

    def p10(self) -> None:
        count = self.args.nodes
        ca = self.nodes_ca()
        rows = [(f"n{i}", f"n{i}.db", f"10.0.{i // 250}.{i % 250 + 1}") for i in range(count)]
        flags = [f"--certs-dir={ca}/certs", f"--ca-key={ca}/ca.key"]

        def loop() -> Run:
            work = self.fresh()
            return run_seq([[self.pycert, "create-node", *flags, host, ip,
                             f"--out-dir=out/{name}"] for name, host, ip in rows], work)

        def batch() -> Run:
            work = self.fresh()
            Path(work, "nodes.csv").write_text("".join(f"{n},{h} {ip}\n" for n, h, ip in rows))
            return run_cmd([self.pycert, "create-nodes", *flags, "--from=nodes.csv",
                            "--out-dir=out"], work)

        print(f"P10 create-nodes --from ({count} nodes) vs {count} create-node processes",
              flush=True)
        a, b = paired(self.args.pairs_nodes, loop, batch,
                      (f"{count} x create-node", "create-nodes"))
        self.report("P10", a, b, TARGETS["P10"])
        cores = statistics.median(r.cpu / r.wall for r in b.runs)
        ok = " ok" if cores >= TARGETS["P10 cores"] else " MISSED"
        print(f"  create-nodes CPU time / wall: {cores:.2f} (target >= 1.6)", flush=True)
        self.results["P10 cores"] = f"{cores:.2f}{ok}"


    def p12(self) -> None:
        count = self.args.big
        directory = self.clients_dir(count)
        n = self.args.pairs_list
        check = [self.pycert, "check", f"--certs-dir={directory}"]
        out = self.tmp / "textfile"
        out.mkdir()
        metrics = [self.pycert, "metrics", f"--certs-dir={directory}"]
        for key, argv in (("P12", metrics),
                          ("P12 --output", [*metrics, f"--output={out / 'pycert.prom'}"])):
            print(f"{key} metrics{key[3:]} vs check, {count} client certs with distinct keys",
                  flush=True)
            a, b = paired(n, lambda: run_cmd(check), lambda argv=argv: run_cmd(argv),
                          ("pycert check", f"pycert metrics{key[3:]}"))
            self.report(key, a, b, TARGETS[key])


def fitted_exponent(sizes: list[int], times: list[float]) -> float:
    """Least-squares slope of log t against log n."""
    xs, ys = [math.log(n) for n in sizes], [math.log(t) for t in times]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def machine() -> str:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{os.cpu_count()} CPUs, {cpu}, Python {platform.python_version()}, "
            f"load {load:.2f}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run, no figures")
    ap.add_argument("--pairs", type=int, default=30, help="pairs where RSA keys are generated")
    ap.add_argument("--pairs-startup", type=int, default=60, help="pairs for P1/P2")
    ap.add_argument("--pairs-list", type=int, default=10, help="pairs for P5/P6")
    ap.add_argument("--big", type=int, default=10_000,
                    help="client certs for P5/P6/P7 (one shared key) and P8/P11 (distinct keys)")
    ap.add_argument("--small", type=int, default=100, help="client certs, P6 baseline")
    ap.add_argument("--pairs-nodes", type=int, default=5, help="pairs for P10")
    ap.add_argument("--nodes", type=int, default=100, help="nodes for P10")
    ap.add_argument("--growth", default="1000,3000,10000",
                    help="client certs (distinct keys) for P9")
    ap.add_argument("--only", default="P1,P3,P5,P7,P8,P9,P10,P12",
                    help="groups: P1 (P1+P2), P3 (P3+P4), P5 (P5+P6+P7 list), P7 (create "
                    "RSS), P8 (P8+P11: records vs Go), P9 (growth), P10 (create-nodes), "
                    "P12 (metrics vs check)")
    ap.add_argument("--build-dir", default=str(HERE / ".build"),
                    help="where the Go binaries, the key pool and generated certs dirs are "
                    "cached")
    ap.add_argument("--python", default=sys.executable,
                    help="the venv's python; the pycert script must sit next to it")
    args = ap.parse_args(argv)
    if args.quick:
        args.pairs, args.pairs_startup, args.pairs_list = 2, 2, 2
        args.big, args.small = 12, 2
        args.pairs_nodes, args.nodes, args.growth = 1, 3, "4,8,16"
    return args


def compile_pycert(python: str) -> None:
    """Byte-compiles pycert as a wheel install would, so no run pays for compiling it
    (an editable install under PYTHONDONTWRITEBYTECODE=1 would recompile on every run)."""
    code = "import os, pycert; print(os.path.dirname(pycert.__file__))"
    where = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True)
    subprocess.run([python, "-m", "compileall", "-q", where.stdout.strip()], check=True,
                   env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"})


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    compile_pycert(args.python)
    bench = Bench(args)
    print(machine() + (" [--quick: a smoke run, figures mean nothing]" if args.quick else ""),
          flush=True)
    groups = {"P1": bench.p1_p2, "P3": bench.p3_p4, "P5": bench.p5_p6, "P7": bench.p7,
              "P8": bench.p8_p11, "P9": bench.p9, "P10": bench.p10, "P12": bench.p12}
    try:
        for key in args.only.split(","):
            groups[key.strip()]()
    finally:
        shutil.rmtree(bench.tmp, ignore_errors=True)
    print("\nsummary")
    for key, value in bench.results.items():
        print(f"  {key}: {value}")
    if hasattr(os, "getloadavg"):  # the load the figures were taken under, at both ends
        print("  load average at the end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
