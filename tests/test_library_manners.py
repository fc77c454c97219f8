"""The library leaves its caller alone: reading and checking a big directory from Python
forks nothing, leaves the collector and the signal handlers as they were, starts no
thread that outlives the call, and keeps nothing behind in module globals."""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import pycert
from pycert.certdir import chains, loader, records
from pycert.pki import reading, tbs

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """More certificates than the old forked reader's threshold (500)."""
    path = tmp_path_factory.mktemp("manners") / "certs"
    subprocess.run([sys.executable, str(BENCH / "gen_certs.py"), str(path), "1200"],
                   check=True)
    return path


def _module_state() -> dict[str, int]:
    """The size of every dict, list and set held in a module global of the reading path."""
    out = {}
    for module in (reading, tbs, loader, records, chains):
        for name, value in vars(module).items():
            if isinstance(value, (dict, list, set)):
                out[f"{module.__name__}.{name}"] = len(value)
    return out


def test_records_and_check_leave_the_process_as_they_found_it(big: Path) -> None:
    forks: list[int] = []
    os.register_at_fork(before=lambda: forks.append(os.getpid()))
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD)}
    frozen, threads = gc.get_freeze_count(), threading.active_count()
    state = _module_state()

    certs = pycert.CertsDir(big)
    assert len(certs.records()) == 1202
    assert certs.check().exit_code == 0
    assert len(certs.rows()) == 1202

    assert forks == []
    assert gc.get_freeze_count() == frozen and gc.isenabled()
    assert {s: signal.getsignal(s) for s in handlers} == handlers
    assert threading.active_count() == threads
    assert _module_state() == state  # no cache that grows with use
