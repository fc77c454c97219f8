"""Records streamed on two cores are the records, byte for byte: the JSON writer is
json.dumps's text, a forked half is the half this process would have made, and a child
that fails changes nothing but the time taken."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import pycert
from pycert import halves
from pycert.certdir.directory import CertsDir
from pycert.cli import render

BENCH = Path(__file__).resolve().parent.parent / "bench"
SPLIT = 2 * halves.MIN_ITEMS  # certificates: the second half is made by a forked child

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text()
    | st.floats(allow_nan=False),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(value=json_values, depth=st.integers(min_value=0, max_value=3))
def test_indented_is_json_dumps_text(value: Any, depth: int) -> None:
    indent = "  " * depth
    want = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + indent)
    assert render.indented(value, indent) == want


def test_control_characters_and_lone_surrogates_are_json_dumps_text() -> None:
    """File names that are not UTF-8 reach the records as lone surrogates."""
    value = {"file": "client.\udcff\x01\u2028\"\\.crt", "index": None, "o": ["\x7f"]}
    assert render.indented(value) == json.dumps(value, indent=2, ensure_ascii=False)


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """More certificates than the fork threshold, with a few problems among them."""
    path = tmp_path_factory.mktemp("split") / "certs"
    subprocess.run([sys.executable, str(BENCH / "gen_certs.py"), str(path), str(SPLIT)],
                   check=True)
    (path / "client.user00010.key").chmod(0o644)  # in the first half
    (path / f"client.user{SPLIT - 3:05d}.key").unlink()  # in the second
    (path / f"client.user{SPLIT - 5:05d}.crt").write_text("not a certificate\n")
    return path


def _without_days(record: dict[str, Any]) -> dict[str, Any]:
    """Runs seconds apart may cross midnight: the day counts are left out of comparisons."""
    return {k: v for k, v in record.items() if not k.endswith("days_left")}


def test_list_json_made_on_two_cores_is_the_api_records(big: Path) -> None:
    res = pycert("list", "--format=json", f"--certs-dir={big}")
    assert res.code == 0, res.err
    records = json.loads(res.out)
    assert res.out == json.dumps(records, indent=2, ensure_ascii=False) + "\n"
    assert len(records) == SPLIT + 2
    api = CertsDir(big).records()
    assert [_without_days(r) for r in records] == [_without_days(r) for r in api]
    assert [r["signed_by"] for r in records].count({"file": "ca.crt", "index": 0}) == SPLIT


def test_ndjson_lines_are_the_json_records(big: Path) -> None:
    lines = pycert("list", "--format=ndjson", f"--certs-dir={big}").out.splitlines()
    records = json.loads(pycert("list", "--format=json", f"--certs-dir={big}").out)
    assert [json.loads(line) for line in lines] == records
    assert all(line == json.dumps(json.loads(line), ensure_ascii=False, separators=(",", ":"))
               for line in lines)


def test_check_made_on_two_cores_finds_what_the_api_finds(big: Path) -> None:
    res = pycert("check", "--format=json", f"--certs-dir={big}")
    assert res.code == 2, res.err
    report = json.loads(res.out)
    assert res.out == json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    api = CertsDir(big).check()
    assert [(p["check"], p["file"]) for p in report["problems"]] == \
        [(p.check, p.file) for p in api.problems]
    assert {(p.check, p.file) for p in api.problems} >= {
        ("key-permissions", "client.user00010.crt"),
        ("key-missing", f"client.user{SPLIT - 3:05d}.crt"),
        ("cert-unreadable", f"client.user{SPLIT - 5:05d}.crt")}
    assert [_without_days(r) for r in report["certificates"]] == \
        [_without_days(r) for r in CertsDir(big).records()]


def test_a_child_that_fails_leaves_the_answer_unchanged(capfd: pytest.CaptureFixture[str]
                                                        ) -> None:
    parent = os.getpid()

    def compute(start: int, stop: int) -> list[int]:
        if os.getpid() != parent:
            raise RuntimeError("the child dies")  # it exits 1; the parent does its half
        return [i * i for i in range(start, stop)]

    assert halves.map_halves(compute, 2000) == [i * i for i in range(2000)]

    def render_text(start: int, stop: int) -> list[bytes]:
        if os.getpid() != parent:
            os._exit(3)
        return [f"{i}\n".encode() for i in range(start, stop)]

    out: list[bytes] = []
    halves.text_halves(render_text, 2000, out.append)
    assert b"".join(out) == b"".join(f"{i}\n".encode() for i in range(2000))


def test_a_child_does_the_second_half_in_another_process() -> None:
    pids = halves.map_halves(lambda start, stop: [os.getpid()] * (stop - start), 1000)
    assert pids[:500] == [os.getpid()] * 500
    assert len(set(pids[500:])) == 1 and pids[500] != os.getpid()
    assert halves.map_halves(lambda start, stop: [os.getpid()] * (stop - start), 10) == \
        [os.getpid()] * 10  # small work stays here


def test_json_head_and_items_are_the_whole_document() -> None:
    head = {"schema_version": 1, "problems": [{"a": None}]}
    items = [{"x": [1, "y"]}, {}]
    text = render.json_head(head, "certificates") + "".join(
        render.json_item(r, i, "  ") for i, r in enumerate(items)) + render.json_close(2, "  ")
    assert text + "\n}\n" == render.render_json({**head, "certificates": items})
    empty = render.json_head({}, "certificates") + render.json_close(0, "  ") + "\n}\n"
    assert empty == render.render_json({"certificates": []})


def test_records_stream_through_a_closed_pipe_quietly(big: Path) -> None:
    """`pycert list --format=json | head -1`: no traceback from either process."""
    proc = subprocess.run(f"{sys.executable} -m pycert list --format=json "
                          f"--certs-dir={big} | head -c 100 >/dev/null", shell=True,
                          capture_output=True, text=True, timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr

