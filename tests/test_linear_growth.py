"""Every command over a certs dir does work linear in its size, counted, not timed.

The quadratic path (every certificate sorting every other one to find its signer) took
35 s for `list --format=json` on 10,000 certificates. These tests count what the code
does for n and 2n certificates — signature verifications, and every Python and C call
the interpreter makes — and hold the growth to linear, whatever the machine's speed.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from pycert.certdir import check
from pycert.certdir.directory import CertsDir
from pycert.certdir.inspect import read_certificates
from pycert.certdir.listing import HEADERS
from pycert.certdir.loader import load_dir
from pycert.certdir.records import from_files, link
from pycert.cli import render

BENCH = Path(__file__).resolve().parent.parent / "bench"
SMALL = 150
NOW = dt.datetime.now(dt.timezone.utc)


@pytest.fixture(scope="module")
def dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """A CA, a node and n client certificates, for n and 2n (bench/gen_certs.py)."""
    out = {}
    for n in (SMALL, 2 * SMALL):
        path = tmp_path_factory.mktemp(f"certs{n}")
        subprocess.run([sys.executable, str(BENCH / "gen_certs.py"), str(path), str(n)],
                       check=True)
        out[n] = path
    return out


def _calls(work: Callable[[], object]) -> int:
    """Every function call (Python and C) the interpreter makes while `work` runs."""
    count = 0

    def profile(frame: object, event: str, arg: object) -> None:
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    work()  # warm caches and imports, so both sizes are counted alike
    sys.setprofile(profile)
    try:
        work()
    finally:
        sys.setprofile(None)
    return count


def _linear(work: Callable[[Path], object], dirs: dict[int, Path]) -> tuple[int, int]:
    small, big = (_calls(lambda n=n: work(dirs[n])) for n in (SMALL, 2 * SMALL))
    assert big <= 2.2 * small, f"{SMALL} certs: {small} calls, {2 * SMALL}: {big}"
    return small, big


def test_signers_are_found_with_one_verification_per_certificate(dirs: dict[int, Path]) -> None:
    for n, path in dirs.items():
        entries = from_files(load_dir(str(path)), chains=False)
        index = link(entries)
        signers = [e.signer for e in entries]
        assert len(entries) == n + 2  # ca.crt, node.crt and the clients
        assert [s.file if s else None for s in signers] == [None] + ["ca.crt"] * (n + 1)
        # ca.crt checks its self-signature; each leaf is verified once, against ca.crt
        assert index.checks == n + 2, (n, index.checks)


def test_a_leaf_whose_issuer_is_not_here_costs_no_verification(tmp_path: Path,
                                                              dirs: dict[int, Path]) -> None:
    path = dirs[SMALL]
    entries = [e for e in from_files(load_dir(str(path)), chains=False) if e.file != "ca.crt"]
    index = link(entries)
    assert all(e.signer is None and e.self_signed is False for e in entries)
    assert index.checks == 0


def test_list_json_work_grows_linearly(dirs: dict[int, Path]) -> None:
    def list_json(path: Path) -> None:
        records = CertsDir(path).records()
        text = "".join(render.batched(render.record_texts(records, NOW, "json")))
        assert text.count('"schema_version"') == len(records)

    _linear(list_json, dirs)


def test_ndjson_work_grows_linearly(dirs: dict[int, Path]) -> None:
    def ndjson(path: Path) -> None:
        records = CertsDir(path).records()
        lines = "".join(render.record_texts(records, NOW, "ndjson")).splitlines()
        assert len(lines) == len(records)

    _linear(ndjson, dirs)


def test_check_work_grows_linearly(dirs: dict[int, Path]) -> None:
    def run_check(path: Path) -> None:
        result = check.run(check.Options(str(path)), NOW)
        assert result.exit_code == 0, result.problems

    _linear(run_check, dirs)


def test_check_json_records_work_grows_linearly(dirs: dict[int, Path]) -> None:
    _linear(lambda path: [r.to_json(NOW) for r in CertsDir(path).check(now=NOW).records],
            dirs)


def test_plain_list_work_grows_linearly(dirs: dict[int, Path]) -> None:
    _linear(lambda path: render.render_rows("tsv", HEADERS, CertsDir(path).rows()), dirs)


def test_inspect_of_many_files_work_grows_linearly(dirs: dict[int, Path]) -> None:
    def inspect(path: Path) -> None:
        records = read_certificates(sorted(str(p) for p in path.glob("*.crt")))
        assert sum(r.signer is not None for r in records) == len(records) - 1

    _linear(inspect, dirs)
