"""Workbooks as offices make them: the right sheet, merged cells, error cells, formulas without values.

- The table is on the sheet whose header row fits best (an empty first sheet or a cover sheet
  is skipped), or on the sheet the user names.
- A merged cell (a region written once beside several rows) is read as Excel shows it: every
  row of the merge gets the value.
- An error cell (#N/A, #DIV/0!, #VALUE! …) and a formula whose result was never saved (a file
  written by a program and never opened in Excel) are not "empty": they come back as
  ``BadCell`` so the message names them.

Values are read with python-calamine (fast); the kinds of the cells calamine reads as blank
are looked up with openpyxl (streaming, .xlsx only), which knows error and formula cells.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from scenarios.errors import InputError
from scenarios.vocab import Finding


@dataclass(frozen=True)
class BadCell:
    """A cell that shows no usable value: an Excel error or a formula without a saved result."""

    kind: str  # "error" or "formula"
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass
class Sheet:
    """The cells of one worksheet (rows × columns as Excel numbers them, from A1) and what was done."""

    name: str
    rows: list[list[object]]
    notes: list[Finding]


def _score(rows: list[list[object]], header_score: Callable[[list[str]], int] | None, search: int) -> int:
    from scenarios.readers import cell_text, is_blank

    filled = [row for row in rows if any(not is_blank(v) for v in row)][:search]
    if not filled:
        return -1
    if header_score is None:
        return 0
    return max(header_score([cell_text(v) for v in row]) for row in filled)


def read_workbook(path: Path, fail, header_score=None, sheet: str | None = None, search: int = 10) -> Sheet:
    """The sheet holding the table (``sheet`` by name, else the best header), cells as Excel shows them."""
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        names = list(book.sheet_names)
        if sheet is not None and sheet not in names:
            raise fail(f"工作簿中没有名为“{sheet}”的工作表（有：{'、'.join(names)}）")
        candidates = [sheet] if sheet is not None else names
        loaded = {name: book.get_sheet_by_name(name) for name in candidates}
        cells = {name: s.to_python(skip_empty_area=False) for name, s in loaded.items()}
    except InputError:
        raise
    except Exception:  # calamine raises its own error types for every kind of damage
        raise fail("无法读取Excel文件（文件可能已损坏，或不是Excel保存的工作簿）；请用Excel/WPS打开后另存为 .xlsx") from None
    scores = {name: _score(rows, header_score, search) for name, rows in cells.items()}
    chosen = max(candidates, key=lambda n: (scores[n], -candidates.index(n)))
    rows = [list(row) for row in cells[chosen]]
    notes = []
    if chosen != names[0] and sheet is None and scores[chosen] >= 0:
        notes.append(Finding("sheet_chosen", (), {"file": str(path), "sheet": chosen}))
    merged = _fill_merged(rows, loaded[chosen].merged_cell_ranges or [])
    if merged:
        notes.append(Finding("merged_cells_filled", (), {"file": str(path), "sheet": chosen, "cells": merged}))
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        _mark_bad_cells(path, chosen, rows)
    return Sheet(chosen, rows, notes)


def _fill_merged(rows: list[list[object]], ranges) -> int:
    """Copy each merged range's top-left value into its other cells; returns the cells filled."""
    filled = 0
    for (r0, c0), (r1, c1) in ranges:
        if r0 >= len(rows):
            continue
        value = rows[r0][c0] if c0 < len(rows[r0]) else ""
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            for c in range(c0, c1 + 1):
                if (r, c) == (r0, c0):
                    continue
                while len(rows[r]) <= c:
                    rows[r].append("")
                if rows[r][c] in ("", None):
                    rows[r][c] = value
                    filled += 1
    return filled


def _mark_bad_cells(path: Path, sheet: str, rows: list[list[object]]) -> None:
    """Replace blank cells that are really error cells or formulas without values by ``BadCell``."""
    blanks = {(i, j) for i, row in enumerate(rows) for j, v in enumerate(row) if v in ("", None)}
    if not blanks:
        return
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
        ws = book[sheet]
        for i, row in enumerate(ws.iter_rows(max_row=len(rows))):
            for cell in row:
                j = getattr(cell, "column", None)
                if j is None or (i, j - 1) not in blanks:
                    continue
                if cell.data_type == "e":
                    rows[i][j - 1] = BadCell("error", str(cell.value))
                elif cell.data_type == "f":
                    rows[i][j - 1] = BadCell("formula", str(cell.value))
        book.close()
    except Exception:  # openpyxl cannot read every workbook calamine reads; the values stand
        return
