"""Shared helpers: run the real `pycert` binary in a subprocess, and make CA directories."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click
import pytest

FIXTURES = Path(__file__).parent / "data" / "cockroach-test-certs"
IN_CI = os.environ.get("CI", "").lower() == "true"
# `pytest -m quick` (README): the modules that run in seconds and need no peer, for a
# developer's edit-and-run loop; the whole suite is still what CI and the README run.
QUICK = {"test_pki", "test_go_reading", "test_tables", "test_architecture",
         "test_json_output", "test_loader_reads", "test_pem_fastpath", "test_first_minutes",
         "test_library_manners", "test_go_reading_cli", "test_api"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.stem in QUICK:
            item.add_marker(pytest.mark.quick)


@dataclass
class Result:
    code: int
    out: str
    err: str


def pycert(*args: str, cwd: Path | str | None = None, env: dict[str, str] | None = None,
           timeout: float = 60) -> Result:
    """Runs `python -m pycert` as a user would, with a clean environment by default."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("COCKROACH_")}
    full_env.update(env or {})
    proc = subprocess.run([sys.executable, "-m", "pycert", *args], cwd=cwd, env=full_env,
                          capture_output=True, timeout=timeout)
    return Result(proc.returncode, proc.stdout.decode("utf-8", "surrogateescape"),
                  proc.stderr.decode("utf-8", "surrogateescape"))


def command_contexts() -> Iterator[click.Context]:
    """A click context for every command of the CLI tree, the root first."""
    from pycert.cli.app import root

    def walk(ctx: click.Context) -> Iterator[click.Context]:
        yield ctx
        if isinstance(ctx.command, click.Group):
            for name in ctx.command.list_commands(ctx):
                sub = ctx.command.get_command(ctx, name)
                if sub is not None:
                    yield from walk(click.Context(sub, info_name=name, parent=ctx))

    return walk(click.Context(root, info_name="pycert"))


def without_hints(err: str) -> str:
    """stderr as cockroach prints it: pycert's added `HINT:` lines (the fix) left out."""
    return "".join(line for line in err.splitlines(keepends=True)
                   if not line.startswith("HINT: "))


def need_tool(name: str, package: str) -> str:
    """Path of a peer tool; skips on a dev machine, fails under CI=true."""
    path = shutil.which(name)
    if path:
        return path
    if IN_CI:
        pytest.fail(f"{name} is missing in CI: install the Debian package {package}")
    pytest.skip(f"{name} not installed: apt-get install {package}")


@contextlib.contextmanager
def read_only(directory: Path) -> Iterator[None]:
    """Root ignores permission bits, so root gets a read-only bind mount (or a skip)."""
    if os.geteuid() != 0:
        directory.chmod(0o555)
        try:
            yield
        finally:
            directory.chmod(0o700)
        return
    mounted = subprocess.run(["mount", "--bind", "-o", "ro", str(directory), str(directory)],
                             capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("running as root and cannot bind-mount read-only here: "
                    + mounted.stderr.decode(errors="replace").strip())
    try:
        yield
    finally:
        subprocess.run(["umount", str(directory)], check=True)


def snapshot(directory: Path) -> dict[str, tuple[bytes, int]]:
    """Every file below `directory` with its bytes and mode, to prove nothing changed.

    Symlinks are recorded by target, never followed: a link to /dev/zero must not hang us.
    """
    out = {}
    for path in sorted(directory.rglob("*")):
        if path.is_symlink():
            out[str(path.relative_to(directory))] = (b"-> " + os.fsencode(os.readlink(path)),
                                                     path.lstat().st_mode)
        elif path.is_file():
            out[str(path.relative_to(directory))] = (path.read_bytes(), path.lstat().st_mode)
    return out


@pytest.fixture
def ca_dir(tmp_path: Path) -> Path:
    """A work dir holding certs/ca.crt and safe/ca.key made by pycert."""
    (tmp_path / "safe").mkdir()
    res = pycert("create-ca", "--certs-dir=certs", "--ca-key=safe/ca.key", cwd=tmp_path)
    assert res.code == 0, res.err
    return tmp_path


@pytest.fixture
def full_dir(ca_dir: Path) -> Path:
    """ca_dir plus node (localhost, 127.0.0.1, ::1) and client root certs."""
    for args in (["create-node", "localhost", "127.0.0.1", "::1"], ["create-client", "root"]):
        res = pycert(*args, "--certs-dir=certs", "--ca-key=safe/ca.key", cwd=ca_dir)
        assert res.code == 0, res.err
    return ca_dir


@pytest.fixture
def fixture_copy(tmp_path: Path) -> Path:
    """A private copy of cockroach's own test certs, keys chmod 0600."""
    dest = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, dest)
    for key in dest.glob("*.key"):
        key.chmod(0o600)
    (dest / "README.md").unlink(missing_ok=True)
    return dest
