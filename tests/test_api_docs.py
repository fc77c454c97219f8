"""Every ```python block of docs/api.md runs, each in a fresh directory, so the docs cannot rot.

A block whose first line is `# test_<name>.py` is a pytest file, run with the plugin; a
`# conftest.py` block goes beside the next such file (and loads the plugin itself).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

DOC = Path(__file__).parent.parent / "docs" / "api.md"
FILE_LINE = re.compile(r"# ((?:test_\w+|conftest)\.py)\n")


@dataclass
class Block:
    heading: str
    code: str
    conftest: str = ""  # the `# conftest.py` block that goes with a pytest file


def blocks() -> list[Block]:
    """The runnable blocks in page order, each named after the section it is in."""
    out: list[Block] = []
    heading, conftest = "top", ""
    for match in re.finditer(r"^(#+ [^\n]*)$|^```python\n(.*?)^```$", DOC.read_text(),
                             re.MULTILINE | re.DOTALL):
        if match.group(1):
            heading = match.group(1).lstrip("# ").strip()
            continue
        code = match.group(2)
        if code.startswith("# conftest.py\n"):
            conftest = code
            continue
        out.append(Block(heading, code, conftest if FILE_LINE.match(code) else ""))
        if FILE_LINE.match(code):
            conftest = ""
    return out


BLOCKS = blocks()
IDS = [f"{i}-{re.sub(r'[^a-z0-9]+', '-', b.heading.lower()).strip('-')}"
       for i, b in enumerate(BLOCKS)]


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("COCKROACH_", "PYTEST_"))}
    return env


@pytest.mark.parametrize("block", BLOCKS, ids=IDS)
def test_doc_block_runs(block: Block, tmp_path: Path) -> None:
    named = FILE_LINE.match(block.code)
    if named is None:
        (tmp_path / "example.py").write_text(block.code)
        res = subprocess.run([sys.executable, "example.py"], cwd=tmp_path, env=clean_env(),
                             capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, f"{block.heading}:\n{res.stdout}{res.stderr}"
        return
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / named.group(1)).write_text(block.code)
    args = ["-p", "pycert.testing"]
    if block.conftest:
        (tmp_path / "conftest.py").write_text(block.conftest)
        args = []
    res = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          *args, named.group(1)], cwd=tmp_path, env=clean_env(),
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, f"{block.heading}:\n{res.stdout}{res.stderr}"
    assert re.search(r"\b\d+ passed\b", res.stdout) and "skipped" not in res.stdout, res.stdout


def test_the_page_covers_what_it_promises() -> None:
    headings = {b.heading for b in BLOCKS}
    assert headings >= {"An in-memory CA, trustme style", "Writing a cockroach-ready certs dir",
                        "Issuing like the CLI", "Loading an existing CA and issuing more",
                        "Reading: records", "Checking a directory", "Errors",
                        "The pytest plugin", "TLS contexts without files"}
    plugin = [b for b in BLOCKS if b.heading == "The pytest plugin"]
    assert len(plugin) == 2 and plugin[0].conftest.strip() == (
        '# conftest.py\npytest_plugins = ["pycert.testing"]')
    assert "test_mutual_tls" in plugin[1].code  # run with -p pycert.testing
