"""Progress bars: click's, on stderr, only when stderr is a terminal and the work is big
(2,000 certificates, or any create-nodes batch); never in piped output, never with --json.
Each case runs the real binary with stderr on a pseudo-terminal (or a pipe)."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import pycert
from pycert.cli.progress import BIG

BENCH = Path(__file__).resolve().parent.parent / "bench"
CA = ("--certs-dir=certs", "--ca-key=safe/ca.key")


def on_terminal(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    """(exit code, stdout through a pipe, what the terminal on stderr showed)."""
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("COCKROACH_")}
    proc = subprocess.Popen([sys.executable, "-m", "pycert", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=follower)
    os.close(follower)
    shown: list[bytes] = []

    def drain() -> None:  # a terminal reads as the bar is drawn; a full pty would block it
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                return
            if not chunk:
                return
            shown.append(chunk)

    reader = threading.Thread(target=drain)
    reader.start()
    assert proc.stdout is not None
    out = proc.stdout.read()
    proc.wait(timeout=300)
    reader.join(timeout=30)
    os.close(leader)
    return proc.returncode, out.decode(), b"".join(shown).decode()


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bar") / "certs"
    subprocess.run([sys.executable, str(BENCH / "gen_certs.py"), str(path), str(BIG)],
                   check=True)
    return path


def _bars(shown: str, label: str) -> list[str]:
    return [frame for frame in shown.split("\r") if frame.lstrip("\x1b[?25l").startswith(label)]


@pytest.mark.parametrize(("args", "labels"), [
    (("list",), ("reading",)),
    (("list", "--format=json"), ("reading", "writing")),
    (("list", "--format=ndjson"), ("reading", "writing")),
    (("check",), ("reading", "checking")),
    (("check", "--format=json"), ("reading", "checking", "writing")),
], ids=["list", "list-json", "list-ndjson", "check", "check-json"])
def test_a_big_directory_shows_a_bar_per_phase_on_a_terminal(big: Path, args: tuple[str, ...],
                                                             labels: tuple[str, ...]) -> None:
    code, out, shown = on_terminal(*args, f"--certs-dir={big}")
    assert code == 0, shown
    total = BIG + 2
    for label in labels:
        frames = _bars(shown, label)
        assert len(frames) >= 10, (label, shown[-500:])
        assert f"{total}/{total}" in frames[-1]  # ends full
    assert shown.endswith("\x1b[?25h\r\n")  # the cursor is given back, then a newline
    assert "\x1b" not in out and "reading" not in out  # stdout carries the output only
    if "--format=json" in args:
        json.loads(out)


@pytest.mark.parametrize("args", [("list",), ("list", "--format=json"), ("check",),
                                  ("check", "--format=json")], ids=" ".join)
def test_piped_stderr_gets_no_bar(big: Path, args: tuple[str, ...]) -> None:
    res = pycert(*args, f"--certs-dir={big}", timeout=300)
    assert res.code == 0
    assert res.err == ""
    assert "\x1b" not in res.out and "\r" not in res.out


def test_a_small_directory_shows_no_bar(full_dir: Path) -> None:
    for args in (("list",), ("check",), ("list", "--format=json")):
        code, _, shown = on_terminal(*args, "--certs-dir=certs", cwd=full_dir)
        assert code == 0 and shown == "", (args, shown)


def test_create_nodes_shows_a_bar_on_a_terminal_but_not_with_json(ca_dir: Path) -> None:
    (ca_dir / "n.csv").write_text("".join(f"n{i},n{i}.db\n" for i in range(3)))
    code, out, shown = on_terminal("create-nodes", *CA, "--from=n.csv", "--out-dir=a",
                                   "--key-size=1024", cwd=ca_dir)
    assert code == 0, shown
    assert "issuing  [####################################]  3/3" in shown
    assert out == "issued 3 node certificates into a/{n0,n1,n2}\n"
    code, out, shown = on_terminal("create-nodes", *CA, "--from=n.csv", "--out-dir=b",
                                   "--key-size=1024", "--json", cwd=ca_dir)
    assert code == 0 and shown == ""
    assert len(json.loads(out)["files"]) == 3 * 3  # node.crt, node.key and ca.crt, per node
