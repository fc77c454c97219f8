"""`pycert gen autocomplete`: scripts written like cockroach's, loaded in the real shells."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import need_tool, pycert


def shell_env() -> dict[str, str]:
    """PATH with this interpreter's bin first, so the scripts call back into this pycert."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COCKROACH_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def run(argv: list[str], cwd: Path) -> str:
    proc = subprocess.run(argv, cwd=cwd, env=shell_env(), capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize("args,path", [([], "pycert.bash"), (["bash"], "pycert.bash"),
                                       (["zsh"], "_pycert"), (["fish"], "pycert.fish")])
def test_default_file_names_follow_cockroach(tmp_path: Path, args: list[str], path: str) -> None:
    res = pycert("gen", "autocomplete", *args, cwd=tmp_path)
    assert res.code == 0, res.err
    shell = args[0] if args else "bash"
    assert res.out == f"Generated {shell} completion file: {path}\n"
    text = (tmp_path / path).read_text()
    assert "_PYCERT_COMPLETE" in text
    assert (tmp_path / path).stat().st_mode & 0o777 == 0o644


def test_out_flag_and_stdout(tmp_path: Path) -> None:
    res = pycert("gen", "autocomplete", "zsh", "--out=sub.zsh", cwd=tmp_path)
    assert res.out == "Generated zsh completion file: sub.zsh\n"
    assert (tmp_path / "sub.zsh").read_text().startswith("#compdef pycert")
    res = pycert("gen", "autocomplete", "fish", "--out=-", cwd=tmp_path)
    assert res.code == 0 and "complete --no-files --command pycert" in res.out


def test_unknown_shell_is_refused(tmp_path: Path) -> None:
    res = pycert("gen", "autocomplete", "ksh", cwd=tmp_path)
    assert res.code == 1
    assert res.err == ('ERROR: invalid argument "ksh" for "pycert gen autocomplete"\n'
                       'Failed running "gen autocomplete"\n')
    assert list(tmp_path.iterdir()) == []


def bash_complete(tmp_path: Path, words: list[str]) -> list[str]:
    need_tool("bash", "bash")
    run([sys.executable, "-m", "pycert", "gen", "autocomplete", "bash"], tmp_path)
    quoted = " ".join(f"'{w}'" for w in words)
    code = (f"source ./pycert.bash; COMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}; "
            "compopt() { echo \"compopt $*\"; }; _pycert_completion pycert; "
            'printf "%s\\n" "${COMPREPLY[@]}"')
    return run(["bash", "--norc", "-c", code], tmp_path).split()


def test_bash_completes_subcommands_flags_and_paths(tmp_path: Path) -> None:
    assert bash_complete(tmp_path, ["pycert", "cert", "create-t"]) == [
        "create-tenant-client-ca", "create-tenant-client", "create-tenant-signing"]
    assert bash_complete(tmp_path, ["pycert", "create-client", "--tenant-"]) == [
        "--tenant-name-scope", "--tenant-scope"]
    # cobra order: flags before the subcommand still resolve it
    assert bash_complete(tmp_path, ["pycert", "cert", "--certs-dir=c", "create-n"]) == [
        "create-node"]
    assert bash_complete(tmp_path, ["pycert", "create-node", "--certs-dir", ""]) == [
        "compopt", "-o", "dirnames"]
    assert bash_complete(tmp_path, ["pycert", "create-node", "--ca-key", "x"]) == [
        "compopt", "-o", "default"]


def test_zsh_script_loads_and_completes(tmp_path: Path) -> None:
    need_tool("zsh", "zsh")
    run([sys.executable, "-m", "pycert", "gen", "autocomplete", "zsh"], tmp_path)
    # The completion system's output builtins are replaced by printers; the rest is real zsh.
    code = ("autoload -U compinit; compinit -u -d ./zcompdump; source ./_pycert; "
            "print registered=$_comps[pycert]; "
            '_describe() { print -l -- "${(@P)3}" }; compadd() { print -- "compadd $*" }; '
            '_path_files() { print -- "_path_files $*" }; '
            "words=(pycert cert create-t); CURRENT=3; _pycert_completion; "
            "words=(pycert create-node --certs-dir ''); CURRENT=4; _pycert_completion; "
            "words=(pycert create-ca --ca-key ''); CURRENT=4; _pycert_completion")
    out = run(["zsh", "-f", "-c", code], tmp_path).splitlines()
    assert out == ["registered=_pycert_completion",
                   "create-tenant-client-ca:create tenant client CA certificate and key",
                   "create-tenant-client:create tenant client certificate and key",
                   "create-tenant-signing:create tenant signing certificate and key",
                   "_path_files -/", "_path_files -f"]


def test_fish_script_loads_and_completes(tmp_path: Path) -> None:
    need_tool("fish", "fish")
    run([sys.executable, "-m", "pycert", "gen", "autocomplete", "fish"], tmp_path)
    (tmp_path / "safe").mkdir()
    (tmp_path / "safe/ca.key").write_text("")
    out = run(["fish", "--no-config", "-c",
               "source pycert.fish; complete -C 'pycert cert create-c'"], tmp_path)
    assert [line.split("\t")[0] for line in out.splitlines()] == [
        "create-ca", "create-client", "create-client-ca"]
    out = run(["fish", "--no-config", "-c",
               "source pycert.fish; complete -C 'pycert create-ca --ca-key safe/'"], tmp_path)
    assert out.split("\t")[0].strip() == "safe/ca.key"
    out = run(["fish", "--no-config", "-c",
               "source pycert.fish; complete -C 'pycert list --certs-dir sa'"], tmp_path)
    assert out.split("\t")[0].strip() == "safe/"


def test_cockroach_symlink_gets_a_cockroach_script(tmp_path: Path) -> None:
    link = tmp_path / "cockroach"
    link.symlink_to(Path(sys.executable).parent / "pycert")
    out = run(["./cockroach", "gen", "autocomplete"], tmp_path)
    assert out == "Generated bash completion file: cockroach.bash\n"
    text = (tmp_path / "cockroach.bash").read_text()
    assert "_COCKROACH_COMPLETE=bash_complete" in text and "complete -o nosort -F" in text
