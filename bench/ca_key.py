"""What an encrypted CA key costs: opening it in-process, and `pycert create-node` with an
encrypted CA key against the same command with the key in the clear.

The unlock is timed in-process (`signers.read_ca_key`, median of --repeat) for the key in
the clear, pycert's encryption (PBES2: PBKDF2-HMAC-SHA256, 600 000 rounds, AES-256-CBC)
and, for reference, what openssl writes by default (PBKDF2, 2048 rounds) and with
`-scrypt` (N=16384, r=8, p=1). The commands run as paired, alternating processes as in
run.py; an RSA leaf key is made on a second core while the CA key opens, an ECDSA one
takes microseconds, so the second pair shows the unlock's full cost.
Usage: python bench/ca_key.py [--pairs 20] [--repeat 15] [--quick] [--python PY]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from run import Series, paired, run_cmd

PASSWORD = b"bench password\n"
UNLOCK = """
import statistics, sys, time
from pycert.certdir.signers import read_ca_key
password = open("pw", "rb").read().split(b"\\n")[0]
for name in sys.argv[2:]:
    times = []
    for _ in range(int(sys.argv[1])):
        start = time.perf_counter()
        read_ca_key(name, None if name == "plain.key" else password)
        times.append(time.perf_counter() - start)
    print(f"{name} {statistics.median(times) * 1000:.1f} {min(times) * 1000:.1f}")
"""


def setup(pycert: str, where: Path) -> None:
    """certs/ with a CA; plain.key, pycert.key (pycert's encryption) and openssl's forms."""
    (where / "pw").write_bytes(PASSWORD)
    (where / "pw").chmod(0o600)
    run_cmd([pycert, "create-ca", "--certs-dir=certs", "--ca-key=plain.key"], str(where))
    shutil.copy(where / "plain.key", where / "pycert.key")
    run_cmd([pycert, "ca-key", "encrypt", "--ca-key=pycert.key", "--ca-key-password-file=pw"],
            str(where))
    for name, extra in (("openssl-2048.key", ["-v2", "aes-256-cbc"]),
                        ("openssl-scrypt.key", ["-scrypt"])):
        subprocess.run(["openssl", "pkcs8", "-topk8", "-in", "plain.key", "-out", name,
                        "-passout", "file:pw", *extra], cwd=where, check=True)
        os.chmod(where / name, 0o600)


def unlock_times(python: str, where: Path, repeat: int) -> list[tuple[str, float, float]]:
    names = ["plain.key", "pycert.key", "openssl-2048.key", "openssl-scrypt.key"]
    out = subprocess.run([python, "-c", UNLOCK, str(repeat), *names], cwd=where, check=True,
                         capture_output=True, text=True).stdout
    return [(n, float(med), float(low)) for n, med, low in (line.split() for line in
                                                             out.splitlines())]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--quick", action="store_true", help="2 pairs, 3 repeats: a smoke run")
    parser.add_argument("--python", default=sys.executable)
    args = parser.parse_args()
    if args.quick:
        args.pairs, args.repeat = 2, 3
    pycert = str(Path(args.python).parent / "pycert")
    where = Path(tempfile.mkdtemp(prefix="pycert-cakey-bench-"))
    try:
        setup(pycert, where)
        print(f"load average before: {os.getloadavg()[0]:.2f}")
        print(f"unlock, in-process (median / min of {args.repeat}):")
        for name, med, low in unlock_times(args.python, where, args.repeat):
            print(f"  {name:20} {med:7.1f} ms / {low:.1f} ms")
        for label, extra in (("RSA-2048 leaf", []), ("ECDSA leaf", ["--key-type=ecdsa"])):
            def node(key: str, extra: list[str] = extra) -> object:
                flags = [] if key == "plain.key" else ["--ca-key-password-file=pw"]
                return run_cmd([pycert, "create-node", "localhost", "--certs-dir=certs",
                                f"--ca-key={key}", "--overwrite", *flags, *extra], str(where))

            a, b = paired(args.pairs, lambda: node("plain.key"), lambda: node("pycert.key"),
                          ("CA key in the clear", "CA key encrypted"))
            report(f"create-node, {label}", a, b)
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    finally:
        shutil.rmtree(where, ignore_errors=True)


def report(what: str, a: Series, b: Series) -> None:
    diff = statistics.median(r.wall for r in b.runs) - statistics.median(r.wall for r in a.runs)
    print(f"{what}:\n  {a.text()}\n  {b.text()}\n  ratio {b.median() / a.median():.3f}, "
          f"+{diff * 1000:.0f} ms wall; CPU-time ratio {b.cpu() / a.cpu():.3f}", flush=True)


if __name__ == "__main__":
    main()
