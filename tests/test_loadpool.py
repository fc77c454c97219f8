"""Loading a big directory on several cores gives exactly what a serial load gives:
the same entries in the same order, and the same warnings in the same order."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES
from pycert import loader, loadpool


def _odd_dir(root: Path) -> Path:
    """Cockroach's fixtures plus every kind of file the loader warns about or flags."""
    certs = root / "certs"
    shutil.copytree(FIXTURES, certs)
    for key in certs.glob("*.key"):
        key.chmod(0o600)
    good = (certs / "client.root.crt").read_bytes()
    for i in range(40):  # enough files that every worker gets several slices
        (certs / f"client.u{i:03d}.crt").write_bytes(good)
        if i % 3:
            key = certs / f"client.u{i:03d}.key"
            key.write_bytes(b"k")
            key.chmod(0o600 if i % 5 else 0o644)  # some keys too open, some missing
    (certs / "bogus.x.crt").write_bytes(good)  # bad prefix
    (certs / "client.crt").write_bytes(good)  # client without a user
    (certs / "client.empty.crt").write_bytes(b"")
    (certs / "client.junk.crt").write_bytes(b"junk")
    (certs / "client.dir.crt").mkdir()
    os.symlink("/", certs / "client.link.crt")  # reading it fails: a warning
    return certs


def _load(certs: Path, caplog: pytest.LogCaptureFixture) -> tuple[list[object], list[str]]:
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="pycert"):
        files = loader.load_dir(str(certs))
    rows = [(f.kind.name, f.name, f.filename, f.path, f.ders, f.key_filename, f.error)
            for f in files]
    return rows, [f"{r.levelname} {r.lineno} {r.getMessage()}" for r in caplog.records]


def test_parallel_load_equals_serial_load(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    certs = _odd_dir(tmp_path)
    serial = _load(certs, caplog)
    monkeypatch.setattr(loadpool, "MIN_FILES", 1)
    monkeypatch.setattr(loadpool, "workers_for", lambda count: 3)
    parallel = _load(certs, caplog)
    assert len(serial[1]) > 10  # the comparison covers warnings, not just entries
    assert parallel == serial


def test_small_dirs_and_threaded_processes_load_serially() -> None:
    assert loadpool.workers_for(loadpool.MIN_FILES - 1) == 1
