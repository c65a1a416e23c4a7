"""Regenerate the golden copies of the monthly brief (run on purpose, when an output is meant to change).

    python3 tests/golden/regenerate.py

For each plan in ``PLANS`` it runs ``legalaid run`` with ``ARGS`` and keeps every CSV, 摘要.txt and
a dump of every workbook cell (``cells.json``: sheet → rows of values as openpyxl reads them) under
``tests/golden/<plan>/``. ``tests/test_golden.py`` compares a fresh run against these copies.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PLANS = ("anqing-2023", "luan-2025")
ARGS = ("--month", "6", "--seed", "0", "--runs", "60", "--workers", "1")


def workbook_cells(path: Path) -> dict[str, list[list[object]]]:
    """Every cell value of every sheet (None for blank), rows in order."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def run_brief(plan: str, out: Path) -> int:
    """``legalaid run`` for ``plan`` into ``out``; returns its exit status."""
    from legalaid.cli import main

    return main(["run", "--plan", plan, "--out", str(out), *ARGS])


def outputs(folder: Path) -> dict[str, bytes]:
    """The files a golden copy holds: every CSV, 摘要.txt and cells.json."""
    files = {p.name: p.read_bytes() for p in sorted(folder.glob("*.csv"))}
    files["摘要.txt"] = (folder / "摘要.txt").read_bytes()
    cells = workbook_cells(folder / "月通报.xlsx")
    files["cells.json"] = (json.dumps(cells, ensure_ascii=False, indent=0, default=str) + "\n").encode("utf-8")
    return files


def main() -> int:
    for plan in PLANS:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "brief"
            if run_brief(plan, out) != 0:
                print(f"legalaid run failed for {plan}", file=sys.stderr)
                return 1
            target = HERE / plan
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir()
            for name, data in outputs(out).items():
                (target / name).write_bytes(data)
        print(f"golden copy written: {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
