"""The house rules a linter cannot see: private names stay home, light package inits."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).parent.parent / "src" / "pycert"


def _modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def private_imports(source: str) -> list[str]:
    """`module._name` for every private name imported from a pycert module, even lazily."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pycert"):
            found += [f"{node.module}.{a.name}" for a in node.names
                      if a.name.startswith("_") and not a.name.startswith("__")]
    return found


def test_no_module_imports_another_modules_private_names() -> None:
    """ruff's PLC2701 skips first-party imports; this closes that gap."""
    found = [f"{p.relative_to(SRC)}: {name}" for p in _modules()
             for name in private_imports(p.read_text())]
    assert found == []


def test_private_imports_sees_one_inside_a_function() -> None:
    source = "def f():\n    from pycert.certdir.files import _temp_name, TEMP_MARK\n"
    assert private_imports(source) == ["pycert.certdir.files._temp_name"]


def test_package_inits_import_no_cryptography_and_no_click() -> None:
    code = ("import sys, pycert, pycert.certdir, pycert.pki, pycert.cli\n"
            "heavy = [m for m in ('cryptography', 'click') if m in sys.modules]\n"
            "print(heavy)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_the_public_api_is_reachable_from_the_top_package() -> None:
    code = ("import pycert\n"
            "names = [n for n in pycert.__all__ if n != '__version__']\n"
            "missing = [n for n in names if getattr(pycert, n, None) is None]\n"
            "print(missing)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
