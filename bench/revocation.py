"""Revocation benchmarks (issue 22), figures for docs/performance.md:

R1  the ledger's cost to a create command: `create-client` of this tree against the same
    command of a base commit without the ledger (`git archive`), paired and alternating,
    with a fresh ledger and with one of 10,000 lines. Target: median difference <= 5 ms.
R2  `pycert ocsp-responder` pinned to one core (taskset -c 0), a ledger of 10,000
    certificates, asked by bench/go/ocspload (Go's net/http, as CockroachDB asks: POST,
    SHA-256 CertIDs, keep-alive; and a new connection per request, as openssl's client)
    on the other core. Targets: >= 1,000 answers a second, median latency < 5 ms.

Usage: python bench/revocation.py [--quick] [--only R1|R2] [--base main] [--pairs 30]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"


def _env(src: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COCKROACH_", "PYTHON"))}
    env["PYTHONPATH"] = str(src)
    return env


def _pycert(src: Path, cwd: Path, *args: str) -> tuple[float, float]:
    """Runs `python -m pycert` from `src` in `cwd`: (wall, CPU) seconds, CPU from wait4's
    rusage (it must succeed)."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "pycert", *args], cwd=cwd, env=_env(src),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    took = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode == 0, err.decode()
    return took, usage.ru_utime + usage.ru_stime


def _compile(src: Path) -> None:
    """Byte-compiles a tree once, as a wheel install does: no run pays for compiling."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(src)], check=True,
                   env=_env(src))


def _base_src(build: Path, rev: str) -> Path:
    """The base commit's src/, unpacked once (its .pyc are written on the warm-up run)."""
    out = build / f"base-{rev.replace('/', '_')}"
    if not (out / "src/pycert").is_dir():
        out.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", rev, "src"], cwd=HERE.parent,
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(out)], input=archive, check=True)
    return out / "src"


def _fill_ledger(path: Path, count: int, rng: random.Random) -> list[int]:
    """Appends `count` V lines (every 20th revoked) with random serials; returns them."""
    serials = [rng.getrandbits(127) | 1 << 126 for _ in range(count)]
    lines = []
    for i, serial in enumerate(serials):
        text = format(serial, "X")
        text = "0" + text if len(text) % 2 else text
        if i % 20 == 0:
            lines.append(f"R\t311211225013Z\t261207225016Z,keyCompromise\t{text}\tunknown\t"
                         f"/O=Cockroach/CN=user{i:05d}\n")
        else:
            lines.append(f"V\t311211225013Z\t\t{text}\tunknown\t/O=Cockroach/CN=user{i:05d}\n")
    with open(path, "a") as out:
        out.write("".join(lines))
    return serials


def r1(build: Path, base_rev: str, pairs: int) -> None:
    base = _base_src(build, base_rev)
    for src in (base, SRC):
        _compile(src)
    for size in (0, 10_000):
        work = {}
        for side, src in (("base", base), ("ledger", SRC)):
            w = build / f"r1-{side}-{size}"
            shutil.rmtree(w, ignore_errors=True)
            (w / "safe").mkdir(parents=True)
            _pycert(src, w, "create-ca", "--certs-dir=certs", "--ca-key=safe/ca.key",
                    "--key-type=ecdsa")  # also writes the base's bytecode
            if side == "ledger" and size:
                _fill_ledger(w / "safe/index.txt", size, random.Random(1))
            work[side] = (src, w)
        times: dict[str, list[tuple[float, float]]] = {"base": [], "ledger": []}
        for i in range(pairs + 1):  # pair 0 warms both up (page cache): dropped
            order = ("base", "ledger") if i % 2 else ("ledger", "base")
            for side in order:
                src, w = work[side]
                took = _pycert(src, w, "create-client", f"u{i}", "--certs-dir=certs",
                               "--ca-key=safe/ca.key", "--key-type=ecdsa")
                if i:
                    times[side].append(took)
        lines = len((work["ledger"][1] / "safe/index.txt").read_text().splitlines())

        def ms(values: list[float]) -> str:
            return f"{statistics.median(values) * 1000:.1f}"

        walls = {side: [t[0] for t in runs] for side, runs in times.items()}
        cpus = {side: [t[1] for t in runs] for side, runs in times.items()}
        wall_diff = [b - a for a, b in zip(walls["base"], walls["ledger"])]
        cpu_diff = [b - a for a, b in zip(cpus["base"], cpus["ledger"])]
        print(f"R1 create-client --key-type=ecdsa, ledger of {size} lines before ({lines} "
              f"after): wall median base {ms(walls['base'])} ms, with ledger "
              f"{ms(walls['ledger'])} ms, paired difference {float(ms(wall_diff)):+.1f} ms; "
              f"CPU median base {ms(cpus['base'])} ms, with ledger {ms(cpus['ledger'])} ms, "
              f"paired difference {float(ms(cpu_diff)):+.1f} ms (n={pairs}; target <= +5 ms)")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _go_build(build: Path) -> Path:
    out = build / "ocspload"
    source = HERE / "go" / "ocspload" / "main.go"
    if not out.exists() or out.stat().st_mtime < source.stat().st_mtime:
        env = dict(os.environ, GOPROXY="off", GOFLAGS="-mod=mod", GOTOOLCHAIN="local",
                   CGO_ENABLED="0", GOCACHE=str(build / "gocache"))
        subprocess.run(["go", "build", "-o", str(out), "."], cwd=HERE / "go" / "ocspload",
                       env=env, check=True)
    return out


def r2(build: Path, quick: bool) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509 import ocsp

    work = build / "r2"
    shutil.rmtree(work, ignore_errors=True)
    (work / "safe").mkdir(parents=True)
    args = ("--certs-dir=certs", "--ca-key=safe/ca.key")
    _pycert(SRC, work, "create-ca", *args, "--crl-sign")  # RSA 2048, as cockroach's
    _pycert(SRC, work, "create-ocsp-signer", *args)
    count = 1000 if quick else 10_000
    serials = _fill_ledger(work / "safe/index.txt", count - 2, random.Random(2))
    ca = x509.load_pem_x509_certificate((work / "certs/ca.crt").read_bytes())
    probe = ocsp.OCSPRequestBuilder().add_certificate(ca, ca, hashes.SHA256()).build()
    rng = random.Random(3)
    asked = rng.sample(serials, min(1900, len(serials))) + [rng.getrandbits(120)
                                                            for _ in range(100)]
    with open(work / "requests.txt", "w") as out:
        for serial in asked:
            req = ocsp.OCSPRequestBuilder().add_certificate_by_hash(
                probe.issuer_name_hash, probe.issuer_key_hash, serial, hashes.SHA256()).build()
            out.write(base64.b64encode(req.public_bytes(serialization.Encoding.DER)).decode()
                      + "\n")
    load = _go_build(build)
    pin = ["taskset", "-c", "0"] if shutil.which("taskset") and os.cpu_count() and \
        os.cpu_count() > 1 else []  # type: ignore[operator]
    client_pin = ["taskset", "-c", "1"] if pin else []
    proc = subprocess.Popen([*pin, sys.executable, "-m", "pycert", "ocsp-responder", *args,
                             "--listen=127.0.0.1:0"], cwd=work, env=_env(SRC),
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().decode().split()[-1]
        print(f"R2 responder {'pinned to core 0' if pin else 'not pinned'}, ledger of "
              f"{count} lines, signer ECDSA P-256, CA RSA 2048; load average before: "
              f"{os.getloadavg()[0]:.2f}")
        # (clients, new connection each, requests, requests a second or 0 for flat out)
        runs = [(16, False, 400 if quick else 20_000, 0), (16, True, 200 if quick else 5_000, 0),
                (1, False, 200 if quick else 3_000, 0),
                (16, False, 300 if quick else 10_000, 1000)]
        subprocess.run([*client_pin, str(load), "-url", url, "-requests",
                        str(work / "requests.txt"), "-n", "500", "-c", "4"],
                       capture_output=True, check=True)  # warm-up
        for concurrency, close, n, rate in runs:
            cpu0 = _cpu_seconds(proc.pid)
            res = subprocess.run([*client_pin, str(load), "-url", url, "-requests",
                                  str(work / "requests.txt"), "-n", str(n), "-c",
                                  str(concurrency), "-rate", str(rate),
                                  *(["-close"] if close else [])],
                                 capture_output=True, text=True, check=True)
            cpu = _cpu_seconds(proc.pid) - cpu0
            doc = json.loads(res.stdout)
            print(f"R2 {n} requests, {concurrency} clients, "
                  f"{f'{rate} a second' if rate else 'flat out'}, "
                  f"{'new connection each' if close else 'keep-alive'}: "
                  f"{doc['per_second']:.0f}/s wall, {n / cpu:.0f}/s per responder CPU "
                  f"second, latency p50 {doc['p50_ms']:.2f} ms p90 {doc['p90_ms']:.2f} "
                  f"p99 {doc['p99_ms']:.2f} max {doc['max_ms']:.1f}; failed {doc['failed']}; "
                  f"load average {os.getloadavg()[0]:.2f}")
            assert doc["failed"] == 0
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: checks it works")
    parser.add_argument("--only", choices=("R1", "R2"))
    parser.add_argument("--base", default="07f1480", help="the commit R1 compares against: "
                        "one without the ledger (default: main as revocation last merged it)")
    parser.add_argument("--pairs", type=int, default=30)
    parser.add_argument("--build-dir", default=str(HERE / ".build"))
    opts = parser.parse_args()
    build = Path(opts.build_dir) if not opts.quick else Path(tempfile.mkdtemp())
    build.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, load average "
          f"{os.getloadavg()[0]:.2f}")
    if opts.only in (None, "R1"):
        r1(build, opts.base, 3 if opts.quick else opts.pairs)
    if opts.only in (None, "R2"):
        r2(build, opts.quick)
    if opts.quick:
        shutil.rmtree(build, ignore_errors=True)


if __name__ == "__main__":
    main()
