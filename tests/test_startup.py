"""What start-up pays for (issue 6): which modules a run imports, and how the process ends.

No timings here (those live in bench/); these pin the causes the benchmark found.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import pycert

BENCH = Path(__file__).parent.parent / "bench"


def _modules_after(args: list[str], watch: tuple[str, ...]) -> dict[str, bool]:
    """Runs the CLI in a fresh interpreter and reports which of `watch` got imported."""
    code = ("import sys\nfrom pycert import cli\n"
            f"try:\n    cli.main({args!r})\nexcept SystemExit:\n    pass\n"
            f"print(*[m in sys.modules for m in {watch!r}])")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    flags = proc.stdout.strip().splitlines()[-1].split()
    return dict(zip(watch, [f == "True" for f in flags]))


def test_help_imports_neither_cryptography_nor_logging() -> None:
    seen = _modules_after(["--help"], ("click", "cryptography", "logging"))
    assert seen == {"click": True, "cryptography": False, "logging": False}


def test_help_and_version_flag_help_import_no_optional_library() -> None:
    """`--version` exists on the root, yet `--help` still imports none of its libraries."""
    seen = _modules_after(["--help"], ("cryptography", "tabulate", "wcwidth", "yaml"))
    assert not any(seen.values()), seen


def test_piped_list_and_creates_never_import_tabulate_or_yaml(tmp_path: Path) -> None:
    certs = str(tmp_path / "certs")
    watch = ("tabulate", "wcwidth", "yaml")
    create = ["create-ca", f"--certs-dir={certs}", f"--ca-key={certs}/ca.key"]
    assert _modules_after(create, watch) == dict.fromkeys(watch, False)
    node = ["create-node", "h", f"--certs-dir={certs}", f"--ca-key={certs}/ca.key"]
    assert _modules_after(node, watch) == dict.fromkeys(watch, False)
    for fmt in ("tsv", "csv", "json", "records"):  # the piped default is tsv
        seen = _modules_after(["list", f"--certs-dir={certs}", f"--format={fmt}"], watch)
        assert seen == dict.fromkeys(watch, False), fmt
    assert _modules_after(["list", f"--certs-dir={certs}"], watch) == dict.fromkeys(watch, False)


FAMILIES = ("pycert.certdir.trust.actions", "pycert.certdir.k8s", "pycert.certdir.metrics",
            "pycert.certdir.check", "pycert.certdir.renew", "pycert.certdir.rotate",
            "pycert.certdir.prune", "pycert.certdir.export", "pycert.certdir.batch",
            "pycert.certdir.responder", "tempfile")


def test_list_and_creates_import_no_other_command_familys_modules(tmp_path: Path) -> None:
    """Every command imports `CertsDir`; what only trust, k8s, metrics, check, the lifecycle,
    export or create-nodes need stays out of `list` and create-* (≈ 35 ms, bench/)."""
    certs, key = f"--certs-dir={tmp_path}/certs", f"--ca-key={tmp_path}/ca.key"
    for args in (["create-ca", certs, key], ["create-node", "h", certs, key],
                 ["create-client", "root", certs, key], ["list", certs]):
        seen = _modules_after(args, FAMILIES)
        assert not any(seen.values()), (args[0], seen)
    assert _modules_after(["check", certs], FAMILIES)["pycert.certdir.check"]


def test_tabulate_and_yaml_are_imported_where_they_work(tmp_path: Path) -> None:
    certs = str(tmp_path / "certs")
    assert pycert("create-ca", f"--certs-dir={certs}", f"--ca-key={certs}/ca.key").code == 0
    table = _modules_after(["list", f"--certs-dir={certs}", "--format=table"],
                           ("tabulate", "yaml"))
    assert table == {"tabulate": True, "yaml": False}
    logged = _modules_after(["list", f"--certs-dir={certs}", "--log=sinks: {}"],
                            ("tabulate", "yaml"))
    assert logged == {"tabulate": False, "yaml": True}
    dry = _modules_after(["create-node", "h", f"--certs-dir={certs}", f"--ca-key={certs}/ca.key",
                          "--dry-run"], ("tabulate",))
    assert dry == {"tabulate": True}


def test_help_does_not_import_uuid_and_click_stays_below_8_4() -> None:
    """click 8.4+ imports uuid and platform up front (+5 ms); pyproject keeps click < 8.4.

    click 8.1 (the newest release for Python 3.9) imports them too: there, only the bound holds.
    """
    from importlib.metadata import version

    major, minor = (int(p) for p in version("click").split(".")[:2])
    assert (major, minor) < (8, 4), "pyproject.toml bounds click below 8.4 (docs/performance.md)"
    if (major, minor) >= (8, 2):
        assert _modules_after(["--help"], ("uuid", "platform")) == {"uuid": False,
                                                                   "platform": False}


def test_a_quiet_create_never_imports_logging(tmp_path: Path) -> None:
    certs = str(tmp_path / "certs")
    args = ["create-ca", f"--certs-dir={certs}", f"--ca-key={certs}/ca.key"]
    assert _modules_after(args, ("cryptography", "logging")) == {"cryptography": True,
                                                                 "logging": False}
    assert (tmp_path / "certs" / "ca.crt").exists()


def test_info_lines_still_come_once_asked_for(tmp_path: Path) -> None:
    certs = tmp_path / "certs"
    res = pycert("create-ca", f"--certs-dir={certs}", f"--ca-key={certs}/ca.key",
                 "--logtostderr=INFO")
    assert res.code == 0, res.err
    assert "pycert/certdir/issue.py:" in res.err and f"generated CA key {certs}/ca.key" in res.err


@pytest.mark.parametrize("unbuffered", [False, True])
def test_a_reader_that_stops_early_gets_a_silent_exit_1(tmp_path: Path, unbuffered: bool) -> None:
    """Like click (cockroach dies of SIGPIPE instead): no traceback, the same code either way."""
    certs = tmp_path / "certs"
    subprocess.run([sys.executable, str(BENCH / "gen_certs.py"), str(certs), "600"],
                   check=True, capture_output=True)
    env = {**_buffered_env(), **({"PYTHONUNBUFFERED": "1"} if unbuffered else {})}
    proc = subprocess.Popen([sys.executable, "-m", "pycert", "list", f"--certs-dir={certs}",
                             "--format=json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.read(100)  # the output (~200 KB) is far bigger than a pipe's buffer
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 1
    assert first.startswith(b"[")
    assert err == ""


def _buffered_env() -> dict[str, str]:
    """The environment of a shell pipeline: stdout block-buffered, as CI runs it."""
    return {k: v for k, v in os.environ.items()
            if k != "PYTHONUNBUFFERED" and not k.startswith("COCKROACH_")}


def test_everything_written_reaches_a_file(tmp_path: Path) -> None:
    """os._exit skips the interpreter's own flush: pycert's must have happened by then."""
    certs = tmp_path / "certs"
    subprocess.run([sys.executable, str(BENCH / "gen_certs.py"), str(certs), "300"],
                   check=True, capture_output=True)
    out = tmp_path / "list.txt"
    with out.open("wb") as handle:
        code = subprocess.run([sys.executable, "-m", "pycert", "list", f"--certs-dir={certs}"],
                              stdout=handle, stderr=subprocess.PIPE, env=_buffered_env()).returncode
    assert code == 0
    lines = out.read_text().splitlines()
    assert len(lines) == 2 + 302 and lines[-1].count("\t") == 5


def test_a_line_left_in_stdout_buffer_is_still_printed(tmp_path: Path) -> None:
    """`gen autocomplete` writes its last line without flushing; the exit path flushes it."""
    proc = subprocess.run([sys.executable, "-m", "pycert", "gen", "autocomplete", "fish"],
                          cwd=tmp_path, capture_output=True, text=True, env=_buffered_env())
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "Generated fish completion file: pycert.fish\n"
