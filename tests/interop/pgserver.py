"""A throwaway PostgreSQL 15 cluster on loopback, with `cert` auth over TLS, for peer tests."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import IN_CI, need_tool

from .conftest import free_port


def _bin_dir() -> Path:
    """Debian keeps server binaries off PATH: PYCERT_PG_BIN, else 15, else the newest."""
    if "PYCERT_PG_BIN" in os.environ:
        return Path(os.environ["PYCERT_PG_BIN"])
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                   key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    preferred = Path("/usr/lib/postgresql/15/bin")
    return preferred if preferred.is_dir() or not found else found[-1].parent


BIN = _bin_dir()
SUPERUSER = "pgadmin"


@dataclass
class Cluster:
    """What a client needs to reach the running cluster."""
    port: int
    data: Path
    log: Path


def _tool(name: str) -> str:
    """A server binary (not on PATH in Debian); skips or fails like conftest.need_tool."""
    path = BIN / name
    if path.is_file():
        return str(path)
    if IN_CI:
        pytest.fail(f"{path} is missing in CI: install the Debian package postgresql")
    pytest.skip(f"{path} not installed: apt-get install postgresql")


def _server_user() -> pwd.struct_passwd:
    """PostgreSQL refuses to run as root: use `postgres` (or create `pycert-pg`) when root."""
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid())
    for name in ("postgres", "pycert-pg"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    res = subprocess.run(["useradd", "--system", "--no-create-home", "--shell",
                          "/usr/sbin/nologin", "pycert-pg"], capture_output=True, text=True,
                         timeout=30)
    assert res.returncode == 0, f"cannot create user pycert-pg: {res.stderr}"
    return pwd.getpwnam("pycert-pg")


def _as(user: pwd.struct_passwd, cmd: list[str], timeout: float = 60) -> str:
    """Runs a server-side command as `user` (a plain call when that is us); it must succeed."""
    kw: dict[str, object] = {}
    if os.geteuid() != user.pw_uid:
        kw = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "HOME": "/tmp"}
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env,
                         cwd="/", **kw)  # type: ignore[call-overload]
    assert res.returncode == 0, f"{cmd[0]} failed: {res.stdout}{res.stderr}"
    return str(res.stdout)


def _config(top: Path, port: int, certs: Path) -> None:
    """Copies node cert/key and CA into the cluster and switches on TLS with `cert` auth."""
    tls = top / "tls"
    tls.mkdir()
    for name in ("node.crt", "node.key", "ca.crt"):
        shutil.copy(certs / name, tls / name)
    (tls / "node.key").chmod(0o600)
    data = top / "data"
    with open(data / "postgresql.conf", "a") as conf:
        conf.write(f"""
listen_addresses = '127.0.0.1,::1'
port = {port}
unix_socket_directories = '{top}'
ssl = on
ssl_cert_file = '{tls}/node.crt'
ssl_key_file = '{tls}/node.key'
ssl_ca_file = '{tls}/ca.crt'
fsync = off
""")
    (data / "pg_hba.conf").write_text(
        f"local all {SUPERUSER} trust\n"
        "hostssl all all 127.0.0.1/32 cert\n"
        "hostssl all all ::1/128 cert\n")


@contextmanager
def cluster(certs: Path, roles: list[str]) -> Iterator[Cluster]:
    """initdb + pg_ctl start as a non-root user; always stopped, and its postmaster gone."""
    initdb, pg_ctl, psql = _tool("initdb"), _tool("pg_ctl"), need_tool("psql", "postgresql")
    user = _server_user()
    top = Path(tempfile.mkdtemp(prefix="pycert-pg-"))
    try:
        os.chown(top, user.pw_uid, user.pw_gid)
        _as(user, [initdb, "-D", str(top / "data"), "-U", SUPERUSER, "--no-sync",
                   "--auth=trust", "--no-instructions", "-E", "UTF8"])
        port = free_port()
        _config(top, port, certs)
        for path in [top / "tls", *(top / "tls").iterdir()]:
            os.chown(path, user.pw_uid, user.pw_gid)
        log = top / "server.log"
        _as(user, [pg_ctl, "-D", str(top / "data"), "-l", str(log), "-w", "-t", "30", "start"])
        try:
            for role in roles:
                _as(user, [psql, "-h", str(top), "-p", str(port), "-U", SUPERUSER,
                           "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-qc",
                           f'CREATE ROLE "{role}" LOGIN'])
            yield Cluster(port, top / "data", log)
        finally:
            _stop(user, pg_ctl, top / "data")
    finally:
        shutil.rmtree(top, ignore_errors=True)


def use_crl(pg: Cluster, crl: Path) -> None:
    """Installs `crl` as the server's ssl_crl_file and reloads it (`pg_ctl reload`: SIGHUP
    re-reads the TLS files, no restart), as an operator would after `pycert create-crl`."""
    user = _server_user()
    target = pg.data.parent / "tls" / "crl.pem"
    shutil.copy(crl, target)
    os.chown(target, user.pw_uid, user.pw_gid)
    conf = pg.data / "postgresql.conf"
    if f"ssl_crl_file = '{target}'" not in conf.read_text():
        with open(conf, "a") as out:
            out.write(f"ssl_crl_file = '{target}'\n")
    _as(user, [_tool("pg_ctl"), "-D", str(pg.data), "reload"])


def _stop(user: pwd.struct_passwd, pg_ctl: str, data: Path) -> None:
    """Stops the cluster and proves its postmaster is gone (killing it if pg_ctl failed)."""
    pidfile = data / "postmaster.pid"
    pid = int(pidfile.read_text().split()[0]) if pidfile.exists() else None
    try:
        _as(user, [pg_ctl, "-D", str(data), "-m", "fast", "-w", "-t", "20", "stop"])
    finally:
        if pid is not None and _alive(pid, wait=5):
            os.kill(pid, 9)
            pytest.fail(f"postmaster {pid} survived pg_ctl stop")


def _alive(pid: int, wait: float) -> bool:
    """Whether `pid` still runs after `wait` seconds (the postmaster removes its pid file
    a moment before it exits)."""
    deadline = time.monotonic() + wait
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        if time.monotonic() > deadline:
            return True
        time.sleep(0.05)
