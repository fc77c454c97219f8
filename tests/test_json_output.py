"""The JSON of `list`, `check` and `inspect` is the standard library's text of the API's
records: the same objects, written by `json`, one record at a time; indented on a
terminal, one record a line when piped."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import pycert
from pycert.certdir.directory import CertsDir
from pycert.cli import render

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A few hundred certificates with a few problems among them."""
    path = tmp_path_factory.mktemp("json") / "certs"
    subprocess.run([sys.executable, str(BENCH / "gen_certs.py"), str(path), "300"],
                   check=True)
    (path / "client.user00010.key").chmod(0o644)
    (path / "client.user00297.key").unlink()
    (path / "client.user00295.crt").write_text("not a certificate\n")
    return path


def _without_days(record: dict[str, Any]) -> dict[str, Any]:
    """Runs seconds apart may cross midnight: the day counts are left out of comparisons."""
    return {k: v for k, v in record.items() if not k.endswith("days_left")}


def lines_text(records: list[dict[str, Any]], indent: str = "") -> str:
    """A records array as pycert writes it into a pipe: a record a line, nested."""
    if not records:
        return "[]"
    inner = indent + "  "
    return ("[\n" + ",\n".join(inner + json.dumps(r, ensure_ascii=False) for r in records)
            + "\n" + indent + "]")


def _api_records(path: Path) -> list[dict[str, Any]]:
    return [_without_days(r.to_json()) for r in CertsDir(path).records()]


def test_list_json_is_json_dumps_of_the_api_records(big: Path) -> None:
    res = pycert("list", "--format=json", f"--certs-dir={big}")
    assert res.code == 0, res.err
    records = json.loads(res.out)
    assert res.out == lines_text(records) + "\n"
    assert len(records) == 300 + 2
    assert [_without_days(r) for r in records] == _api_records(big)
    assert [r["signed_by"] for r in records].count({"file": "ca.crt", "index": 0}) == 300


def test_ndjson_lines_are_the_json_records(big: Path) -> None:
    lines = pycert("list", "--format=ndjson", f"--certs-dir={big}").out.splitlines()
    records = json.loads(pycert("list", "--format=json", f"--certs-dir={big}").out)
    assert [json.loads(line) for line in lines] == records
    assert all(line == json.dumps(json.loads(line), ensure_ascii=False, separators=(",", ":"))
               for line in lines)


def test_check_json_is_json_dumps_of_the_api_report(big: Path) -> None:
    res = pycert("check", "--format=json", f"--certs-dir={big}")
    assert res.code == 2, res.err
    report = json.loads(res.out)
    head = json.dumps({k: v for k, v in report.items() if k != "certificates"}, indent=2,
                      ensure_ascii=False)
    assert res.out == head[:-2] + ',\n  "certificates": ' + \
        lines_text(report["certificates"], "  ") + "\n}\n"
    api = CertsDir(big).check()
    assert [(p["check"], p["file"]) for p in report["problems"]] == \
        [(p.check, p.file) for p in api.problems]
    assert {(p.check, p.file) for p in api.problems} >= {
        ("key-permissions", "client.user00010.crt"),
        ("key-missing", "client.user00297.crt"),
        ("cert-unreadable", "client.user00295.crt")}
    assert [_without_days(r) for r in report["certificates"]] == _api_records(big)
    head = {k: v for k, v in api.to_json().items() if k not in ("checked_at", "certificates")}
    assert {k: v for k, v in report.items() if k not in ("checked_at", "certificates")} == head


def test_a_document_written_in_pieces_is_the_whole_document(big: Path) -> None:
    records = CertsDir(big).records()[:3]
    now = dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)
    head = {"schema_version": 1, "problems": [{"a": None, "b": "\u2028\udcff"}]}
    text = "".join(render.document_texts(head, "certificates", records, now))
    whole = {**head, "certificates": [r.to_json(now) for r in records]}
    assert text == json.dumps(whole, indent=2, ensure_ascii=False) + "\n"  # on a terminal
    empty = "".join(render.document_texts({}, "certificates", [], now))
    assert empty == json.dumps({"certificates": []}, indent=2) + "\n"


def test_json_on_a_terminal_is_indented(big: Path) -> None:
    import pty

    main, child = pty.openpty()
    proc = subprocess.run([sys.executable, "-m", "pycert", "inspect", "--format=json",
                           str(big / "ca.crt")], stdout=child, stderr=subprocess.PIPE,
                          timeout=60)
    os.close(child)
    out = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.close(main)
    assert proc.returncode == 0, proc.stderr
    text = out.decode().replace("\r\n", "\n")
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"


def test_records_stream_through_a_closed_pipe_quietly(big: Path) -> None:
    """`pycert list --format=json | head -c 100`: no traceback."""
    proc = subprocess.run(f"{sys.executable} -m pycert list --format=json "
                          f"--certs-dir={big} | head -c 100 >/dev/null", shell=True,
                          capture_output=True, text=True, timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
