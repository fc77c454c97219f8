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


def test_no_import_cycles_anywhere_in_the_package() -> None:
    """Every import, inside functions and TYPE_CHECKING blocks too (grimp sees them all):
    no module reaches itself again, inside a package or across the layers."""
    import grimp

    graph = grimp.build_graph("pycert")
    cycles = sorted(
        f"{importer} -> {imported}"
        for importer in graph.modules
        for imported in graph.find_modules_directly_imported_by(importer)
        if graph.chain_exists(importer=imported, imported=importer))
    assert cycles == []


def function_imports(source: str) -> list[tuple[int, str]]:
    """(line, module) of every import inside a function that carries no `# lazy:` reason
    on its line or in the comment lines right above it."""
    lines = source.splitlines()
    found = []
    for func in ast.walk(ast.parse(source)):
        if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(func):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                above = node.lineno - 2
                while above >= 0 and lines[above].lstrip().startswith("#"):
                    above -= 1
                near = "\n".join(lines[above + 1 : node.lineno])
                if "# lazy:" not in near:
                    name = node.module if isinstance(node, ast.ImportFrom) else \
                        node.names[0].name
                    found.append((node.lineno, name or ""))
    return found


def test_imports_below_the_cli_are_at_module_top_unless_marked_lazy() -> None:
    """The CLI's command callbacks (and the pytest plugin's fixtures, its twin at the top
    layer) are the one lazy boundary, so `--help` never loads cryptography; anywhere else
    a lazy import says why, in a `# lazy:` comment."""
    found = [f"{p.relative_to(SRC)}:{line} {name}" for p in _modules()
             if "cli" not in p.relative_to(SRC).parts
             and p.name not in ("__init__.py", "testing.py")
             for line, name in function_imports(p.read_text())]
    assert found == []


def test_function_imports_sees_an_unmarked_one() -> None:
    source = ("def f():\n    import json\n\n\ndef g():\n"
              "    # lazy: only g needs it\n    import csv\n")
    assert function_imports(source) == [(2, "json")]
