"""Shared machinery for the interop suite: make certs with pycert, start peers, reap them."""

from __future__ import annotations

import os
import select
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import need_tool, pycert

HERE = Path(__file__).parent


def make(work: Path, *args: str, certs: str = "certs", ca_key: str = "safe/ca.key") -> None:
    """Runs one pycert command in `work` against its certs dir and CA key; it must succeed."""
    (work / Path(ca_key).parent).mkdir(parents=True, exist_ok=True)
    res = pycert(*args, f"--certs-dir={certs}", f"--ca-key={ca_key}", cwd=work)
    assert res.code == 0, f"pycert {' '.join(args)} failed: {res.err}"


def run(cmd: list[str], timeout: float = 30, **kw: object) -> subprocess.CompletedProcess[str]:
    """Runs a peer command to completion with a bound, capturing text output."""
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,  # type: ignore[call-overload,no-any-return]
                          **kw)


def free_port(host: str = "127.0.0.1") -> int:
    """A loopback port that was free a moment ago (for peers that cannot report theirs)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def need_ipv6() -> None:
    """Skips when the machine has no IPv6 loopback (some containers): a host limit, not a
    missing package, so it skips even under CI=true, saying why."""
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
    except OSError as exc:
        pytest.skip(f"no IPv6 loopback on this machine: {exc}")


def read_line(proc: subprocess.Popen[bytes], timeout: float = 15) -> str:
    """The peer's next stdout line; fails naming its exit status on timeout or EOF."""
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    assert ready, f"peer printed nothing within {timeout}s (exit status {proc.poll()})"
    line = proc.stdout.readline()
    assert line, f"peer closed its output (exit status {proc.wait(timeout=5)})"
    return line.decode().strip()


def eventually(check: Callable[[], bool], timeout: float = 3) -> bool:
    """Polls `check` briefly: a server logs a rejection just after the client sees it."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Terminates a peer and its process group, then proves nothing of it is left."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
    assert proc.returncode is not None
    try:
        os.killpg(proc.pid, 0)
    except ProcessLookupError:
        return
    os.killpg(proc.pid, 9)
    pytest.fail(f"peer {proc.args!r} left processes behind in group {proc.pid}")


@contextmanager
def spawned(cmd: list[str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A peer process in its own session (stderr to `log`), always stopped on exit."""
    with open(log, "wb") as err:
        # Unbuffered, so select() in read_line never misses lines already read ahead.
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, bufsize=0,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        yield proc
    finally:
        stop(proc)


@pytest.fixture(scope="session")
def pg_pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Certs for the PostgreSQL peers: node for localhost/127.0.0.1/::1/*.local, user alice (with
    the .pk8 key JDBC needs), user bob, and an alice from an unrelated CA."""
    work = tmp_path_factory.mktemp("pg")
    make(work, "create-ca")
    make(work, "create-node", "localhost", "127.0.0.1", "::1", "*.local")
    make(work, "create-client", "alice", "--also-generate-pkcs8-key")
    make(work, "create-client", "bob")
    make(work, "create-ca", certs="other", ca_key="other-safe/ca.key")
    make(work, "create-client", "alice", certs="other", ca_key="other-safe/ca.key")
    return work


@pytest.fixture(scope="session")
def pg(pg_pki: Path) -> Iterator[object]:
    """A running PostgreSQL 15 with TLS from pg_pki/certs and `cert` auth; roles alice, bob."""
    from .pgserver import cluster

    with cluster(pg_pki / "certs", ["alice", "bob"]) as running:
        yield running


@pytest.fixture(scope="session")
def peer(tmp_path_factory: pytest.TempPathFactory) -> object:
    """The Go crypto/tls peer, built once per run (Debian golang-go, stdlib only)."""
    from .gopeer import Peer, build

    go = need_tool("go", "golang-go")
    return Peer(build(go, tmp_path_factory.mktemp("gobuild")))


def _children() -> list[str]:
    """Live child processes of this test run, as "pid command" (Linux /proc)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text.rsplit(")", 1)[1].split()
        if int(fields[1]) == os.getpid() and fields[0] != "Z":
            out.append(f"{stat.parent.name} {text.split(')')[0].split('(', 1)[1]}")
    return out


@pytest.fixture(scope="module", autouse=True)
def no_leftover_processes() -> Iterator[None]:
    """After each interop module, every peer it started must be gone."""
    yield
    assert eventually(lambda: not _children()), f"peers left running: {_children()}"
