"""The house rules: who imports whom, what engines may use, how large a file or function may grow.

- ``scenarios`` (the domain) imports no engine and not the front door; engines never import each
  other; no module under allocation/, simulation/ or scenarios/ imports ``legalaid``,
  ``xlsxwriter`` or ``matplotlib`` (presentation lives in ``legalaid.report``);
- the notebooks import nothing but ``legalaid``;
- no project file is over 400 lines; no function in the engines is over 80 lines;
- the allocation engine writes no Chinese sentence (reasons, rules and findings are codes).
"""

import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRESENTATION = {"legalaid", "xlsxwriter", "matplotlib"}
FORBIDDEN = {
    "scenarios": {"allocation", "simulation"} | PRESENTATION,
    "allocation": {"simulation"} | PRESENTATION,
    "simulation": {"allocation"} | PRESENTATION,
}
ENGINES = ("allocation", "simulation", "scenarios")
SOURCE_DIRS = ("allocation", "simulation", "scenarios", "legalaid", "tests", "benchmarks", "scripts")
CJK = re.compile(r"[\u4e00-\u9fff]")


def imported_top_levels(source: str) -> set[str]:
    tree = ast.parse(source)
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_respect_layers(package):
    """No module of a layer imports a package it must not depend on."""
    files = list((ROOT / package).rglob("*.py"))
    assert files, f"{package} has no modules"
    offenders = {}
    for f in files:
        bad = imported_top_levels(f.read_text(encoding="utf-8")) & FORBIDDEN[package]
        if bad:
            offenders[str(f.relative_to(ROOT))] = sorted(bad)
    assert offenders == {}


def notebook_code(path: Path) -> str:
    """A notebook's code cells as Python (IPython magics dropped)."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    lines = [line for c in cells if c["cell_type"] == "code" for line in "".join(c["source"]).splitlines()]
    return "\n".join(line for line in lines if not line.lstrip().startswith(("%", "!")))


def test_notebooks_import_only_legalaid():
    """Every notebook imports ``legalaid`` and nothing else (the Python API is the one door)."""
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks
    for path in notebooks:
        assert imported_top_levels(notebook_code(path)) == {"legalaid"}, path.name


def test_no_file_over_400_lines():
    """Small files: no Python file of the project is over 400 lines."""
    long = {str(f.relative_to(ROOT)): n for d in SOURCE_DIRS for f in (ROOT / d).rglob("*.py")
            if (n := len(f.read_text(encoding="utf-8").splitlines())) > 400}
    assert long == {}


def test_no_engine_function_over_80_lines():
    """Small functions: no function or method in allocation/, simulation/ or scenarios/ is over 80 lines."""
    long = {}
    for package in ENGINES:
        for f in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    n = node.end_lineno - node.lineno + 1
                    if n > 80:
                        long[f"{f.relative_to(ROOT)}:{node.name}"] = n
    assert long == {}


def string_literals(source: str) -> list[tuple[int, str]]:
    """(line, text) of every string constant that is not a docstring."""
    tree = ast.parse(source)
    docs = {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return [(n.lineno, n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs]


def test_allocation_writes_no_chinese():
    """The dispatch engine returns codes and numbers; every Chinese word is in ``legalaid.report``."""
    found = {}
    for f in (ROOT / "allocation").rglob("*.py"):
        hits = [line for line, text in string_literals(f.read_text(encoding="utf-8")) if CJK.search(text)]
        if hits:
            found[str(f.relative_to(ROOT))] = hits
    assert found == {}
