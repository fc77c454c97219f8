"""`gen man`: a man page per command, written atomically, that renders without a warning."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import click
import pytest

from conftest import command_contexts, need_tool, pycert


def _commands() -> dict[str, list[str]]:
    """`pycert-cert-create-node` -> its visible long flags, for every command path."""
    return {ctx.command_path.replace(" ", "-"): [
        o for p in ctx.command.params if isinstance(p, click.Option) and not p.hidden
        for o in p.opts if o.startswith("--")] for ctx in command_contexts()}


@pytest.fixture(scope="module")
def man_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("man")
    res = pycert("gen", "man", cwd=work)
    assert (res.code, res.err) == (0, ""), res.err
    assert res.out == "Generated pycert man pages in man/man1/\n"
    return work / "man" / "man1"


def test_a_page_for_every_command_and_nothing_else(man_dir: Path) -> None:
    names = sorted(p.name for p in man_dir.iterdir())
    assert names == sorted(f"{slug}.1" for slug in _commands())
    assert {"pycert.1", "pycert-cert-create-node.1", "pycert-mt-cert-create-tenant-client.1",
            "pycert-gen-man.1", "pycert-version.1", "pycert-help.1"} <= set(names)
    assert all(p.stat().st_mode & 0o777 == 0o644 for p in man_dir.iterdir())


def test_every_flag_appears_on_its_page(man_dir: Path) -> None:
    for slug, flags in _commands().items():
        page = (man_dir / f"{slug}.1").read_text()
        assert page.startswith(f'.TH "{slug.upper().replace("-", chr(92) + "-")}" "1" ')
        for flag in flags:
            assert "\\fB" + flag.replace("-", "\\-") in page, (slug, flag)


def test_every_subcommand_is_listed_and_linked(man_dir: Path) -> None:
    page = (man_dir / "pycert-cert.1").read_text()
    for name in ("create-ca", "create-node", "create-client", "list"):
        assert f"\\fB{name.replace('-', chr(92) + '-')}\\fR" in page
        assert f".BR pycert\\-cert\\-{name.replace('-', chr(92) + '-')} (1)" in page


@pytest.mark.parametrize(("tool", "package", "argv"), [
    ("mandoc", "mandoc", ["-T", "lint", "-W", "warning"]),
    ("groff", "groff-base", ["-man", "-ww", "-z"]),
])
def test_every_page_renders_without_a_warning(man_dir: Path, tool: str, package: str,
                                              argv: list[str]) -> None:
    path = need_tool(tool, package)
    for page in sorted(man_dir.iterdir()):
        proc = subprocess.run([path, *argv, str(page)], capture_output=True, text=True)
        assert (proc.returncode, proc.stdout + proc.stderr) == (0, ""), page.name


def test_pages_render_as_text_with_the_help_text(man_dir: Path) -> None:
    mandoc = need_tool("mandoc", "mandoc")
    text = subprocess.run([mandoc, "-T", "utf8", str(man_dir / "pycert-cert-create-node.1")],
                          capture_output=True, text=True, check=True).stdout
    plain = re.sub(".\b", "", text)
    assert "pycert-cert-create-node - create node certificate and key" in plain
    assert "--certs-dir=<path to cockroach certs dir>" in " ".join(plain.split())
    assert "COCKROACH_CERTS_DIR" in plain


def test_path_flag_and_rerun_overwrite_atomically(tmp_path: Path) -> None:
    for _ in range(2):
        res = pycert("gen", "man", "--path=out/pages", cwd=tmp_path)
        assert res.code == 0 and res.out == "Generated pycert man pages in out/pages/\n"
    files = sorted(p.name for p in (tmp_path / "out" / "pages").iterdir())
    assert len(files) == len(_commands()) and all(f.endswith(".1") for f in files)
    assert not any("pycert-tmp" in f for f in files)


def test_unwritable_path_fails_clearly_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    res = pycert("gen", "man", "--path=file/man1", cwd=tmp_path)
    assert res.code == 1 and res.out == ""
    assert res.err == "ERROR: mkdir file/man1: not a directory\nFailed running \"gen man\"\n"


def test_pages_are_named_after_the_program_typed(tmp_path: Path) -> None:
    import os
    import sys

    launcher = tmp_path / "cockroach"
    launcher.write_text(f"#!{sys.executable}\nfrom pycert.cli import main\nmain()\n")
    launcher.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith("COCKROACH_")}
    proc = subprocess.run([str(launcher), "gen", "man", "--path=m"], cwd=tmp_path, env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "m" / "cockroach-cert-create-node.1").exists()
    assert (tmp_path / "m" / "cockroach.1").read_text().startswith('.TH "COCKROACH" "1"')
