"""cockroach lines replayed through pycert that used to fail: `--logtostderr=true`, `help`,
bare `pycert`, a flag missing its value, help text that splits words, `--version`, labels."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import pycert

KEY = "--ca-key=safe/ca.key"
INFO_LINE = re.compile(r"^I\d{6} \d\d:\d\d:\d\d\.\d{6} \d+ \S+:\d+  (.*)$", re.M)


def _cockroach(tmp_path: Path) -> Path:
    """A `cockroach` symlink to a launcher of this checkout's pycert, as a user makes one."""
    launcher = tmp_path / "bin" / "pycert-launcher"
    launcher.parent.mkdir(exist_ok=True)
    launcher.write_text(f"#!{sys.executable}\nfrom pycert.cli import main\nmain()\n")
    launcher.chmod(0o755)
    link = tmp_path / "bin" / "cockroach"
    link.symlink_to(launcher)
    return link


def _run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COCKROACH_")}
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


# --- 1. --logtostderr takes cockroach's severities --------------------------------------

@pytest.mark.parametrize("value", ["true", "TRUE", "True", "INFO", "info", "1", "+1", "-7",
                                   "01", "4294967297"])
def test_logtostderr_values_that_mean_info(ca_dir: Path, value: str) -> None:
    """`true` is INFO; numbers are severities (1 = INFO, lower shows everything; Go's int32
    conversion wraps 2^32 + 1 to 1)."""
    res = pycert("create-node", "h", "--certs-dir=certs", KEY, f"--logtostderr={value}",
                 cwd=ca_dir)
    assert res.code == 0, res.err
    assert INFO_LINE.findall(res.err) == ["generated node certificate: certs/node.crt",
                                          "generated node key: certs/node.key"]


@pytest.mark.parametrize("value", ["false", "FALSE", "NONE", "5", "99", "FATAL", "4"])
def test_logtostderr_values_that_hide_warnings(ca_dir: Path, value: str) -> None:
    (ca_dir / "certs" / "client.bad.crt").write_text("junk")
    res = pycert("list", "--certs-dir=certs", f"--logtostderr={value}", cwd=ca_dir)
    assert (res.code, res.err) == (0, "")


@pytest.mark.parametrize("value", ["WARNING", "2", "DEFAULT", "6", "0", "UNKNOWN"])
def test_logtostderr_values_that_mean_warning(ca_dir: Path, value: str) -> None:
    """DEFAULT/6 (what a bare --logtostderr sets) and UNKNOWN/0 ("not set") are the
    client commands' default."""
    (ca_dir / "certs" / "client.bad.crt").write_text("junk")
    res = pycert("list", "--certs-dir=certs", f"--logtostderr={value}", cwd=ca_dir)
    assert res.code == 0 and "could not parse certificate" in res.err
    assert "certificates in" not in res.err  # no INFO line


@pytest.mark.parametrize(("value", "why"), [
    ("foo", 'strconv.Atoi: parsing "foo": invalid syntax'),
    ("", 'strconv.Atoi: parsing "": invalid syntax'),
    ("0x1", 'strconv.Atoi: parsing "0x1": invalid syntax'),
    ("1_0", 'strconv.Atoi: parsing "1_0": invalid syntax'),
    (" 1", 'strconv.Atoi: parsing " 1": invalid syntax'),
    ("1.0", 'strconv.Atoi: parsing "1.0": invalid syntax'),
    ("yes", 'strconv.Atoi: parsing "yes": invalid syntax'),
    ("99999999999999999999", 'strconv.Atoi: parsing "99999999999999999999": value out of range'),
])
def test_logtostderr_refuses_what_cockroach_refuses(ca_dir: Path, value: str, why: str) -> None:
    res = pycert("create-node", "h", "--certs-dir=certs", KEY, f"--logtostderr={value}",
                 cwd=ca_dir)
    assert res.code == 4 and res.err.startswith("Usage: pycert create-node")
    assert res.err.endswith(f"\n\nERROR: invalid argument \"{value}\" for \"--logtostderr\" "
                            f"flag: {why}\nFailed running \"cert create-node\"\n")
    assert not (ca_dir / "certs" / "node.crt").exists()


def test_old_deployment_docs_line_runs(tmp_path: Path) -> None:
    """`cockroach cert create-ca --certs-dir=certs --ca-key=... --logtostderr=true`."""
    (tmp_path / "safe").mkdir()
    res = pycert("cert", "create-ca", "--certs-dir=certs", KEY, "--logtostderr=true",
                 cwd=tmp_path)
    assert res.code == 0, res.err
    assert INFO_LINE.findall(res.err) == ["generated CA key safe/ca.key",
                                          "wrote 1 certificates to certs/ca.crt"]


def test_an_unset_logtostderr_does_not_clash_with_log(ca_dir: Path) -> None:
    """cockroach counts --logtostderr=0 (UNKNOWN) as not given, so --log may come with it."""
    res = pycert("create-node", "h", "--certs-dir=certs", KEY, "--logtostderr=0",
                 "--log=sinks: {stderr: {filter: INFO}}", cwd=ca_dir)
    assert res.code == 0, res.err
    assert INFO_LINE.findall(res.err)[-1] == "generated node key: certs/node.key"
    res = pycert("list", "--certs-dir=certs", "--logtostderr=WARNING", "--log=", cwd=ca_dir)
    assert res.code == 1 and "incompatible with legacy discrete logging flags" in res.err


# --- 2. help [command] -------------------------------------------------------------------

@pytest.mark.parametrize(("args", "usage"), [
    (["help", "create-node"], "Usage: pycert create-node --certs-dir="),
    (["help", "cert", "create-node"], "Usage: pycert cert create-node --certs-dir="),
    (["help", "mt", "cert", "create-tenant-client"],
     "Usage: pycert mt cert create-tenant-client --certs-dir="),
    (["help", "cert"], "Usage: pycert cert [OPTIONS] COMMAND"),
    (["help", "cert", "nope"], "Usage: pycert cert [OPTIONS] COMMAND"),  # cobra: cert's help
    (["help", "gen", "man"], "Usage: pycert gen man [flags]"),
    (["help"], "Usage: pycert [OPTIONS] COMMAND"),
    (["help", "help"], "Usage: pycert help [command]"),
])
def test_help_prints_the_commands_help(args: list[str], usage: str) -> None:
    res = pycert(*args)
    assert (res.code, res.err) == (0, "")
    assert res.out.startswith(usage)


def test_help_of_a_command_equals_its_dash_dash_help() -> None:
    assert pycert("help", "cert", "create-node").out == \
        pycert("cert", "create-node", "--help").out


def test_help_with_an_unknown_topic_is_cobras() -> None:
    res = pycert("help", "nope", "x")
    assert (res.code, res.out) == (0, "")
    assert res.err.startswith("Unknown help topic [`nope` `x`]\nUsage: pycert [OPTIONS]")


def test_cockroach_help_cert_create_node_through_a_symlink(tmp_path: Path) -> None:
    res = _run([str(_cockroach(tmp_path)), "help", "cert", "create-node"], tmp_path)
    assert (res.returncode, res.stderr) == (0, "")
    assert res.stdout.startswith("Usage: cockroach cert create-node --certs-dir=")
    assert "--certs-dir <path>" in res.stdout


# --- 3. bare pycert is `cockroach cert` --------------------------------------------------

def test_bare_pycert_fails_like_cert_alone() -> None:
    res = pycert()
    cert = pycert("cert")
    assert (res.code, res.out) == (1, "")
    assert res.err.startswith("Usage: pycert [OPTIONS] COMMAND [ARGS]...")
    assert res.err.endswith('\nERROR: unknown sub-command: ""\nFailed running "cert"\n')
    assert cert.err.endswith('\nERROR: unknown sub-command: ""\nFailed running "cert"\n')


def test_bare_cockroach_through_a_symlink(tmp_path: Path) -> None:
    res = _run([str(_cockroach(tmp_path))], tmp_path)
    assert (res.returncode, res.stdout) == (1, "")
    assert res.stderr.startswith("Usage: cockroach [OPTIONS]")
    assert res.stderr.endswith('ERROR: unknown sub-command: ""\nFailed running "cert"\n')


def test_dash_dash_help_still_succeeds_on_stdout() -> None:
    res = pycert("--help")
    assert (res.code, res.err) == (0, "") and res.out.startswith("Usage: pycert [OPTIONS]")


def test_unknown_top_level_command_names_cert() -> None:
    res = pycert("nope")
    assert res.code == 1
    assert res.err.endswith('ERROR: unknown command "nope" for "pycert"\nFailed running "cert"\n')


# --- 4. a flag missing its value at the end of the line ----------------------------------

@pytest.mark.parametrize(("args", "path", "flag"), [
    (["create-ca", "--ca-key=k", "--certs-dir"], "create-ca", "--certs-dir"),
    (["cert", "create-node", "h", "--certs-dir=c", "--ca-key"], "create-node", "--ca-key"),
    (["list", "--certs-dir"], "list", "--certs-dir"),
    (["cert", "create-client", "root", "--tenant-scope"], "create-client", "--tenant-scope"),
])
def test_missing_value_prints_usage_first(tmp_path: Path, args: list[str], path: str,
                                          flag: str) -> None:
    res = pycert(*args, cwd=tmp_path)
    assert (res.code, res.out) == (4, "")
    assert res.err.startswith("Usage: pycert")
    assert f"\n\nERROR: flag needs an argument: {flag}\n" in res.err
    assert list(tmp_path.iterdir()) == []
    assert res.err.startswith(f"Usage: pycert {'cert ' if args[0] == 'cert' else ''}{path}")
    assert res.err.endswith(f'Failed running "cert {path}"\n')


# --- 5. help text keeps paths, flags, variables and defaults whole ----------------------

LONG_HOME = "/home/" + "a" * 45 + "/" + "b-c" * 12


def _help(*args: str, columns: str = "40") -> str:
    res = pycert(*args, "--help", env={"HOME": LONG_HOME, "COLUMNS": columns})
    assert res.code == 0, res.err
    return res.out


def _flag_names() -> dict[str, list[str]]:
    """Every visible long flag of every command under its top-level name."""
    import click

    from pycert.cli.app import root

    ctx = click.Context(root, info_name="pycert")
    out = {}
    for name in root.list_commands(ctx):
        cmd = root.get_command(ctx, name)
        if cmd is not None and not isinstance(cmd, click.Group):
            out[name] = [o for p in cmd.params if isinstance(p, click.Option) and not p.hidden
                         for o in p.opts if o.startswith("--")]
    return out


@pytest.mark.parametrize("columns", ["40", "60", "200"])
def test_list_help_keeps_the_default_certs_dir_on_one_line(columns: str) -> None:
    out = _help("list", columns=columns)
    assert f"[default: {LONG_HOME}/.cockroach-certs]" in out
    assert "COCKROACH_CERTS_DIR" in out


@pytest.mark.parametrize(("command", "flags"), sorted(_flag_names().items()))
def test_every_flag_name_is_whole_in_narrow_help(command: str, flags: list[str]) -> None:
    out = _help(command)
    words = set(re.findall(r"--[a-z0-9-]+", out))
    assert set(flags) <= words, set(flags) - words
    for line in out.splitlines():
        assert not re.search(r"[A-Za-z0-9]-$", line), line  # no word broken at a hyphen
        assert not line.rstrip().endswith("(pycert"), line


def test_tenant_scope_is_found_by_grep_as_cockroachs_test_helpers_do() -> None:
    out = _help("cert", "create-client")
    assert [line for line in out.splitlines() if "--tenant-scope" in line]
    assert "<path to cockroach certs dir>" in out.splitlines()[0] + " ".join(out.splitlines())


def test_usage_placeholders_are_not_split() -> None:
    out = _help("cert", "create-node")
    usage = out.split("\n\n")[0]
    assert "<path to cockroach certs dir>" in usage and "<path-to-ca-key>" in usage
    assert "<host 1>" in usage and "<host N>" in usage


# --- 6. --version and version ------------------------------------------------------------

def _versions() -> str:
    import cryptography
    from cryptography.hazmat.backends.openssl.backend import backend

    import pycert as package

    return (f"pycert {package.__version__}\ncryptography {cryptography.__version__}\n"
            f"{backend.openssl_version_text()}\n")


@pytest.mark.parametrize("args", [["--version"], ["version"]])
def test_version_lines(args: list[str]) -> None:
    res = pycert(*args)
    assert (res.code, res.err, res.out) == (0, "", _versions())
    assert res.out.splitlines()[2].startswith(("OpenSSL ", "LibreSSL ", "BoringSSL"))


def test_version_build_tag_and_extra_args() -> None:
    import pycert as package

    assert pycert("version", "--build-tag").out == f"{package.__version__}\n"
    res = pycert("version", "x")
    assert res.code == 1 and 'ERROR: unknown command "x" for "cockroach version"' in res.err


# --- 8. one label for pycert's own commands ----------------------------------------------

def _command_rows(help_text: str) -> dict[str, str]:
    """name -> short help (joined over its wrapped lines) of a help's Commands section."""
    rows: dict[str, str] = {}
    name = ""
    for line in help_text.split("Commands:\n", 1)[1].splitlines():
        if re.match(r"^  \S", line):
            name, _, text = line.strip().partition(" ")
            rows[name] = text.strip()
        elif name:
            rows[name] += " " + line.strip()
    return rows


def test_one_label_for_extensions() -> None:
    out = pycert("--help").out
    assert "(pycert)" not in out
    rows = _command_rows(out)
    for name in ("sign-csr", "create-nodes", "export", "check", "inspect"):
        assert rows[name].endswith(" (pycert extension)"), rows[name]
    for name in ("create-ca", "list", "cert", "mt", "gen", "version", "help"):
        assert "pycert" not in rows[name], rows[name]
