"""Promise 1 of issue 5: SIGKILL at any moment leaves only complete old or new files.

`create-node --overwrite` and `create-ca --overwrite` (a new CA key each time) run again
and again, each run killed after a seeded random delay (half of them counted from the
moment the run's first temp file appears, so that many kills land inside the write);
after every kill the directory is checked file by file. Most runs are forked from this
already-started interpreter (the real CLI entry point in a real process, minus ~0.3 s of
Python start-up that writes nothing); a smaller batch kills real `python -m pycert`
processes.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from conftest import pycert
from pycert.certdir.files import TEMP_MARK
from pycert.certdir.listing import rows
from pycert.certdir.loader import load_dir
from pycert.certdir.records import from_files
from pycert.cli import app as cli_app
from pycert.pki.pem import blocks

SEED = 20261127
FORK_KILLS = 100  # per command: 200 kills of forked runs
EXEC_KILLS = 10  # per command: 20 kills of `python -m pycert` processes
BUDGET_S = 90.0  # hard stop per loop; a healthy machine needs a fraction of it
FAST = ("--key-size=1024",)
BATCH_NODES = ("out/n0", "out/n1", "out/n2", "out/n3")  # the nodes of the batch loops
Runner = Callable[[list[str], Path, float, bool], "int | None"]


@dataclass
class Tally:
    """What one loop saw; the test asserts on it and prints it for the closing note."""

    kills: int = 0
    completed: int = 0
    mid_write: int = 0  # kills after which temp files or a new file proved the write had begun
    half_pairs: int = 0  # node.crt new, node.key still old: the documented in-between state
    problems: list[str] = field(default_factory=list)


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("COCKROACH_")}


def _wait_for_write(cwd: Path, finished: Callable[[], bool]) -> None:
    """Returns once a pycert temp file (or a batch's staged directory) shows up below cwd
    (or the run is over)."""
    limit = time.monotonic() + 30
    while time.monotonic() < limit and not finished():
        for sub in (".", "certs", "safe", "out", *BATCH_NODES):
            with contextlib.suppress(FileNotFoundError):
                if any(TEMP_MARK in n for n in os.listdir(cwd / sub)):
                    return
        time.sleep(0.0002)


def _fork_killed(args: list[str], cwd: Path, delay: float, after_write: bool = False
                 ) -> int | None:
    """Forks a child that runs the CLI; SIGKILLs it `delay` s after its start (or after its
    first temp file appeared) unless it finished."""
    pid = os.fork()
    if pid == 0:  # child: the CLI exactly as `main` runs it, output discarded
        code = 70
        try:
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.dup2(null, 2)
            os.chdir(cwd)
            code = cli_app.run(args)
        finally:
            os._exit(code)
    result: list[int] = []

    def finished() -> bool:
        if not result:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                result.append(os.waitstatus_to_exitcode(status))
        return bool(result)

    if after_write:
        _wait_for_write(cwd, finished)
    end = time.monotonic() + delay
    while True:
        if finished():
            return result[0]
        left = end - time.monotonic()
        if left <= 0:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return None
        time.sleep(min(left, 0.001))


def _exec_killed(args: list[str], cwd: Path, delay: float, after_write: bool = False
                 ) -> int | None:
    """Starts pycert, SIGKILLs it after `delay` s (counted from its first temp file if
    `after_write`); the exit code if it finished first."""
    proc = subprocess.Popen([sys.executable, "-m", "pycert", *args], cwd=cwd, env=_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        if after_write:
            _wait_for_write(cwd, lambda: proc.poll() is not None)
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return None
    finally:
        if proc.stderr:
            err = proc.stderr.read()
            proc.stderr.close()
            assert b"Traceback" not in err, err
    return proc.returncode


def _calibrate(runner: Runner, args: list[str], cwd: Path) -> float:
    """Longest of 5 full runs (`{}` in args: a fresh name each time, so a CA run generates
    its key as the measured runs will): kills are spread over it. RSA key generation time
    varies a lot; too short a window would kill every run before it writes."""
    times = []
    for i in range(5):
        start = time.monotonic()
        assert runner([a.format(i) for a in args], cwd, 600, False) == 0
        times.append(time.monotonic() - start)
    return max(times)


def _delay(rng: random.Random, full: float) -> tuple[float, bool]:
    """Half the kills anywhere in the run; half within 15 ms after its first temp file
    appeared, so that many land while files are written, fsynced and renamed."""
    if rng.random() < 0.5:
        return rng.uniform(0, full), False
    return rng.uniform(0, 0.015), True


def _temps(directory: Path) -> list[str]:
    names = [n for n in os.listdir(directory) if TEMP_MARK in n]
    for name in names:
        assert name.startswith(".") and not name.endswith(".crt"), name
    return names


def _listing_ignores_temps(certs: Path) -> None:
    """What `list` reads: temp files never become rows, and loading never fails."""
    files = load_dir(str(certs))
    assert all(TEMP_MARK not in f.filename for f in files)
    assert all(TEMP_MARK not in cell for row in rows(from_files(files, chains=False)) for cell in row)


def _pub(obj: x509.Certificate | object) -> bytes:
    key = obj.public_key()  # type: ignore[attr-defined]
    return key.public_bytes(serialization.Encoding.DER,  # type: ignore[no-any-return]
                            serialization.PublicFormat.SubjectPublicKeyInfo)


def _node_state(certs: Path) -> tuple[bytes, bytes]:
    crt, key = (certs / "node.crt").read_bytes(), (certs / "node.key").read_bytes()
    x509.load_pem_x509_certificate(crt)  # complete: a torn file does not parse
    serialization.load_pem_private_key(key, None)
    assert (certs / "node.key").stat().st_mode & 0o777 == 0o600
    assert (certs / "node.crt").stat().st_mode & 0o777 == 0o644
    return crt, key


def _node_loop(work: Path, tally: Tally, seed: int, runner: Runner, kills: int) -> None:
    certs = work / "certs"
    args = ["create-node", "--certs-dir=certs", "--ca-key=safe/ca.key", "--overwrite", *FAST,
            "localhost", "127.0.0.1"]
    full = _calibrate(runner, args, work)
    ca = x509.load_pem_x509_certificate((certs / "ca.crt").read_bytes())
    rng = random.Random(seed)
    prev = _node_state(certs)
    deadline = time.monotonic() + BUDGET_S
    while tally.kills < kills and time.monotonic() < deadline:
        code = runner(args, work, *_delay(rng, full))
        cur = _node_state(certs)
        cert = x509.load_pem_x509_certificate(cur[0])
        key = serialization.load_pem_private_key(cur[1], None)
        cert.verify_directly_issued_by(ca)
        matched = _pub(cert) == _pub(key)
        if code is not None:
            assert code == 0 and matched, "an unkilled run must finish with a matching pair"
            tally.completed += 1
        else:
            tally.kills += 1
            if cur != prev or _temps(certs):
                tally.mid_write += 1
        if not matched and cur != prev:  # allowed: a new cert is in, the old key still there
            if cur[1] != prev[1]:
                tally.problems.append(f"node pair mixed the wrong way after kill {tally.kills}")
            tally.half_pairs += 1
        elif cur[1] != prev[1] and cur[0] == prev[0]:
            tally.problems.append(f"new key with old cert after kill {tally.kills}")
        _listing_ignores_temps(certs)
        prev = cur


def _ca_state(certs: Path) -> list[bytes]:
    data = (certs / "ca.crt").read_bytes()
    found = blocks(data)
    assert found and all(b.type == "CERTIFICATE" for b in found)
    assert found[-1].end == len(data), "trailing bytes: a torn bundle"
    for block in found:
        x509.load_der_x509_certificate(block.der)
    return [b.der for b in found]


def _ca_loop(work: Path, tally: Tally, seed: int, runner: Runner, kills: int) -> None:
    certs, safe = work / "certs", work / "safe"
    full = _calibrate(runner, ["create-ca", "--certs-dir=certs", "--ca-key=safe/cal{}.key",
                               "--overwrite", *FAST], work)
    rng = random.Random(seed)
    prev = _ca_state(certs)
    deadline = time.monotonic() + BUDGET_S
    i = 0
    while tally.kills < kills and time.monotonic() < deadline:
        i += 1
        key_path = safe / f"ca-{i}.key"
        args = ["create-ca", "--certs-dir=certs", f"--ca-key=safe/{key_path.name}",
                "--overwrite", *FAST]
        code = runner(args, work, *_delay(rng, full))
        cur = _ca_state(certs)
        if key_path.exists():
            key = serialization.load_pem_private_key(key_path.read_bytes(), None)
            assert key_path.stat().st_mode & 0o777 == 0o600
        if cur == prev:
            assert code is None, "a finished create-ca must have prepended its cert"
        elif len(cur) == len(prev) + 1 and cur[1:] == prev:
            first = x509.load_der_x509_certificate(cur[0])
            if not key_path.exists() or _pub(first) != _pub(key):
                tally.problems.append(f"ca.crt's new cert has no matching key (run {i})")
        else:
            tally.problems.append(f"ca.crt is neither old nor old+1 after run {i}")
        if code is None:
            tally.kills += 1
            if cur != prev or key_path.exists() or _temps(certs) or _temps(safe):
                tally.mid_write += 1
        else:
            assert code == 0
            tally.completed += 1
        _listing_ignores_temps(certs)
        prev = cur


def _batch_state(base: Path) -> dict[str, tuple[bytes, bytes]] | None:
    """Each node's pair, complete and matching its modes; None when `base` is absent."""
    if not base.exists():
        return None
    found = {}
    for node in sorted(base.iterdir()):
        assert TEMP_MARK not in node.name, node
        found[node.name] = _node_state(node)
        x509.load_pem_x509_certificate((node / "ca.crt").read_bytes())
        _temps(node)
    return found


def _batch_new_dirs_loop(work: Path, tally: Tally, seed: int, runner: Runner,
                         kills: int) -> None:
    """create-nodes into a new --out-dir each run: after a kill, all nodes or none."""
    (work / "n.csv").write_text("".join(f"{n.split('/')[1]},{n.split('/')[1]}.db\n"
                                        for n in BATCH_NODES))
    args = ["create-nodes", "--certs-dir=certs", "--ca-key=safe/ca.key", "--from=n.csv",
            *FAST, "--out-dir=new{}"]
    full = _calibrate(runner, args, work)
    rng = random.Random(seed)
    deadline = time.monotonic() + BUDGET_S
    i = 0
    while tally.kills < kills and time.monotonic() < deadline:
        i += 1
        base = work / f"run{i}"
        code = runner([*args[:-1], f"--out-dir={base.name}"], work, *_delay(rng, full))
        state = _batch_state(base)
        if code is not None:
            assert code == 0 and state is not None and len(state) == len(BATCH_NODES)
            tally.completed += 1
            continue
        tally.kills += 1
        staged = [n for n in os.listdir(work) if TEMP_MARK in n]
        if state is not None or staged:
            tally.mid_write += 1
        if state is not None and len(state) != len(BATCH_NODES):
            tally.problems.append(f"run {i}: {len(state)} of {len(BATCH_NODES)} nodes")


def _batch_overwrite_loop(work: Path, tally: Tally, seed: int, runner: Runner,
                          kills: int) -> None:
    """create-nodes --overwrite into the same --out-dir: every file complete, old or new."""
    args = ["create-nodes", "--certs-dir=certs", "--ca-key=safe/ca.key", "--from=n.csv",
            *FAST, "--out-dir=out", "--overwrite"]
    full = _calibrate(runner, args, work)
    rng = random.Random(seed)
    prev = _batch_state(work / "out")
    deadline = time.monotonic() + BUDGET_S
    while tally.kills < kills and time.monotonic() < deadline:
        ledger = (work / "safe/index.txt").read_bytes()
        code = runner(args, work, *_delay(rng, full))
        cur = _batch_state(work / "out")
        assert cur is not None and prev is not None and sorted(cur) == sorted(prev)
        if code is not None:
            assert code == 0 and all(cur[n] != prev[n] for n in cur)
            tally.completed += 1
        else:
            tally.kills += 1
            # the commit starts with the ledger beside the CA key (docs/revocation.md)
            if cur != prev or any(_temps(work / n) for n in (*BATCH_NODES, "safe")) \
                    or (work / "safe/index.txt").read_bytes() != ledger:
                tally.mid_write += 1
        prev = cur


@pytest.mark.parametrize(("runner", "kills"), [(_fork_killed, FORK_KILLS // 4),
                                               (_exec_killed, EXEC_KILLS // 2)],
                         ids=["fork", "exec"])
def test_sigkill_during_a_batch_leaves_all_nodes_or_none(tmp_path: Path, runner: Runner,
                                                         kills: int) -> None:
    work = tmp_path / "batch"
    _prepare(work)
    tallies = {"new dirs": Tally(), "overwrite": Tally()}
    _batch_new_dirs_loop(work, tallies["new dirs"], SEED + 2, runner, kills)
    _batch_overwrite_loop(work, tallies["overwrite"], SEED + 3, runner, kills)
    print(f"\nSIGKILL batch tallies ({runner.__name__}): {tallies}")
    for name, tally in tallies.items():
        assert not tally.problems, tally.problems
        assert tally.kills == kills, f"{name}: only {tally.kills} kills within budget"
        assert tally.mid_write >= kills // 4, f"{name}: {tally}"
    res = pycert("create-nodes", "--certs-dir=certs", "--ca-key=safe/ca.key", "--from=n.csv",
                 *FAST, "--out-dir=out", "--overwrite", cwd=work)
    assert res.code == 0, res.err  # the next run cleans what the killed ones left
    assert [n for n in os.listdir(work) if TEMP_MARK in n] == []
    assert all(_temps(work / n) == [] for n in BATCH_NODES)


def _prepare(work: Path) -> None:
    (work / "safe").mkdir(parents=True)
    res = pycert("create-ca", "--certs-dir=certs", "--ca-key=safe/ca.key", *FAST, cwd=work)
    assert res.code == 0, res.err


@pytest.mark.parametrize(("runner", "kills"), [(_fork_killed, FORK_KILLS),
                                               (_exec_killed, EXEC_KILLS)], ids=["fork", "exec"])
def test_sigkill_at_random_moments_never_leaves_torn_files(tmp_path: Path, runner: Runner,
                                                          kills: int) -> None:
    node_work, ca_work = tmp_path / "node", tmp_path / "ca"
    for work in (node_work, ca_work):
        _prepare(work)
    res = pycert("create-node", "--certs-dir=certs", "--ca-key=safe/ca.key", *FAST, "localhost",
                 cwd=node_work)
    assert res.code == 0, res.err
    tallies = {"node": Tally(), "ca": Tally()}
    _node_loop(node_work, tallies["node"], SEED, runner, kills)
    _ca_loop(ca_work, tallies["ca"], SEED + 1, runner, kills)
    print(f"\nSIGKILL tallies ({runner.__name__}): {tallies}")
    for name, tally in tallies.items():
        assert not tally.problems, tally.problems
        assert tally.kills == kills, f"{name}: only {tally.kills} kills within budget"
        # kills that never landed inside a write would prove nothing
        assert tally.mid_write >= kills // 4, f"{name}: {tally}"
    _next_run_cleans_up(node_work, ["create-node", "--overwrite", *FAST, "localhost"])
    _next_run_cleans_up(ca_work, ["create-ca", "--overwrite", *FAST])


def _next_run_cleans_up(work: Path, args: list[str]) -> None:
    """After the storm: one clean run removes every stale temp; `list` is clean."""
    key = "safe/final.key" if args[0] == "create-ca" else "safe/ca.key"  # new key: safe/ cleaned
    res = pycert(args[0], "--certs-dir=certs", f"--ca-key={key}", *args[1:], cwd=work)
    assert res.code == 0, res.err
    assert _temps(work / "certs") == [] and _temps(work / "safe") == []
    listed = pycert("list", "--certs-dir=certs", cwd=work)
    assert listed.code == 0 and "Traceback" not in listed.err and TEMP_MARK not in listed.out


# The kill machinery, reused by tests/test_lifecycle_kills.py for renew, rotate and prune.
fork_killed, exec_killed, calibrate, kill_delay = _fork_killed, _exec_killed, _calibrate, _delay
