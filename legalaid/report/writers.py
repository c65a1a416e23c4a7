"""Writing what users read: CSV for Excel/WPS (utf-8-sig), one .xlsx, JSON.

Report folders are written through ``legalaid.report.folders.staged_dir`` (all or nothing,
never over the user's files). Text cells that begin with = + - @ are written as text, never as
formulas (no formula injection from user data): in CSV with a leading apostrophe, which the
readers remove again. A table longer than a worksheet holds (1,048,575 rows) is written to its
CSV in full, and its sheet says so instead of silently cutting it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

_FORMULA_START = ("=", "+", "-", "@")
#: Data rows a worksheet holds below its header row (Excel's limit is 1,048,576 rows).
MAX_SHEET_ROWS = 1_048_575
_FIXED_CREATED = dt.datetime(2000, 1, 1)


@dataclass
class Sheet:
    """One table of a report.

    Attributes
    ----------
    name : sheet name and CSV file stem (Chinese, at most 31 characters).
    frame : the table, already with Chinese headers.
    flag : optional boolean mask (same index); True rows are painted red (non-compliant).
    formats : number format per column header; columns not named get ``number_format(header)``.
    """

    name: str
    frame: pd.DataFrame
    flag: pd.Series | None = None
    formats: dict[str, str] | None = None

    def format_of(self, column: str) -> str | None:
        """The number format of a numeric column (None: General)."""
        if self.formats and column in self.formats:
            return self.formats[column]
        if not pd.api.types.is_numeric_dtype(self.frame[column]) or pd.api.types.is_bool_dtype(self.frame[column]):
            return None
        return number_format(str(column), self.frame[column])


#: A Monte Carlo probability is never shown as 0% or 100% (the data cannot support it): an Excel
#: number format with two conditions (the value stays a number for sorting and formulas).
PROBABILITY = '[<0.01]"不足1%";[>0.99]"超过99%";0%'
#: Headers of share columns (fractions 0..1 shown as percentages).
_SHARE_WORDS = ("率", "占比", "概率", "比例")


def number_format(header: str, values: pd.Series) -> str | None:
    """The Excel number format a header implies: 元 as #,##0, shares as 0.0%, counts as #,##0 / #,##0.0."""
    finite = values.dropna()
    if "（元" in header or header.endswith("元）"):
        return "#,##0"
    if "概率" in header and len(finite) and ((np.asarray(finite, dtype=float) >= 0)
                                          & (np.asarray(finite, dtype=float) <= 1)).all():
        return PROBABILITY
    counted = any(unit in header for unit in ("（件", "（百分点", "（人", "（公里", "（km", "（天", "（月"))
    if not counted and any(w in header for w in _SHARE_WORDS) and len(finite) and \
            ((np.asarray(finite, dtype=float) >= 0) & (np.asarray(finite, dtype=float) <= 1.5)).all():
        return "0.0%"
    if len(finite) and (np.asarray(finite, dtype=float) % 1 == 0).all():
        return "#,##0"
    return "#,##0.0"


def _safe_text(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(frame: pd.DataFrame, path: str | os.PathLike, formats: dict[str, str] | None = None) -> None:
    """Write ``frame`` as CSV that Excel/WPS opens correctly (utf-8-sig, no index).

    Columns whose format is a percentage are written as "64.1%" (Excel reads that as a number)."""
    safe = frame.copy()
    for col, fmt in (formats or {}).items():
        if fmt == PROBABILITY and col in safe.columns:
            safe[col] = safe[col].map(lambda v: "" if pd.isna(v) else "不足1%" if v < 0.01 else "超过99%" if v > 0.99
                                      else f"{v:.0%}")
        elif fmt.endswith("%") and col in safe.columns:
            digits = len(fmt.split(".")[1]) - 1 if "." in fmt else 0
            safe[col] = safe[col].map(lambda v, d=digits: "" if pd.isna(v) else f"{v:.{d}%}")
    for col in safe.columns:
        if pd.api.types.is_object_dtype(safe[col]) or pd.api.types.is_string_dtype(safe[col]):
            safe[col] = safe[col].map(_safe_text)
    safe.to_csv(path, index=False, encoding="utf-8-sig")


def write_xlsx(path: str | os.PathLike, sheets: list[Sheet]) -> None:
    """Write sheets to one .xlsx: bold header, sized columns, flagged rows in red; text longer than
    the widest column wraps, its row made tall enough (printed pages cut nothing off).

    Strings are never turned into formulas or numbers (xlsxwriter options), so user data
    such as "=1+1" stays text.
    """
    import xlsxwriter

    options = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False,
               "nan_inf_to_errors": True}
    with xlsxwriter.Workbook(str(path), options) as book:
        book.set_properties({"created": _FIXED_CREATED})  # same inputs → same bytes
        header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                  "valign": "vcenter"})
        cached: dict[tuple[str | None, bool, bool], object] = {}

        def cell_format(number: str | None, flagged: bool, wrap: bool = False):  # wrap: a tall row, top-aligned
            key = (number, flagged, wrap)
            if key not in cached:
                spec = {"bg_color": "#FFC7CE", "font_color": "#9C0006"} if flagged else {}
                if number:
                    spec["num_format"] = number
                if wrap:
                    spec.update(text_wrap=True, valign="top")
                cached[key] = book.add_format(spec) if spec else None
            return cached[key]

        for sheet in sheets:
            ws = book.add_worksheet(sheet.name[:31])
            _page_setup(ws, sheet.name)
            frame = sheet.frame
            if len(frame) > MAX_SHEET_ROWS:
                ws.write_string(0, 0, f"本表共 {len(frame):,} 行，超过 Excel 工作表上限 {MAX_SHEET_ROWS:,} 行，"
                                      f"未放入工作簿；完整数据见同一文件夹中的“{sheet.name}.csv”。", header)
                ws.set_column(0, 0, 100)
                continue
            numbers = [sheet.format_of(col) for col in frame.columns]
            widths = [_column_width(str(col), frame[col], numbers[j]) for j, col in enumerate(frame.columns)]
            for j, col in enumerate(frame.columns):
                ws.write_string(0, j, str(col), header)
                ws.set_column(j, j, widths[j])
            ws.set_row(0, 48)  # headers wrap onto up to three lines
            flags = sheet.flag.reindex(frame.index).fillna(False).to_numpy() if sheet.flag is not None else None
            for i, row in enumerate(frame.itertuples(index=False), start=1):
                flagged = bool(flags is not None and flags[i - 1])
                lines = max((_wrapped_lines(value, widths[j]) for j, value in enumerate(row)), default=1)
                for j, value in enumerate(row):
                    _write_cell(ws, i, j, value, cell_format(numbers[j], flagged, lines > 1))
                if lines > 1:
                    ws.set_row(i, ROW_HEIGHT * lines)
            ws.freeze_panes(1, 0)
            if len(frame.columns):
                ws.autofilter(0, 0, max(len(frame), 1), len(frame.columns) - 1)


def _page_setup(ws, title: str) -> None:
    """Print as a bureau prints: A4 landscape, all columns on one page width, the header row on
    every page, centred, the sheet name and page numbers in the header and footer."""
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.center_horizontally()
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_header(f"&C{title.replace('&', '&&')}")
    ws.set_footer("&C第 &P 页，共 &N 页")


def _write_cell(ws, i: int, j: int, value: object, fmt) -> None:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        ws.write_blank(i, j, None, fmt)
    elif isinstance(value, bool | np.bool_):
        ws.write_string(i, j, "是" if value else "否", fmt)
    elif isinstance(value, int | float | np.integer | np.floating):
        ws.write_number(i, j, float(value), fmt)
    elif isinstance(value, pd.Timestamp):
        ws.write_string(i, j, value.strftime("%Y-%m-%d"), fmt)
    else:
        ws.write_string(i, j, str(value), fmt)


def _column_width(header: str, values: pd.Series, number: str | None) -> float:
    """Width that fits the values (as formatted) and the header wrapped on up to three lines."""
    sample = values.head(200)
    if number and pd.api.types.is_numeric_dtype(sample):
        shown = [f"{v:,.1f}" if number != "0.0%" else f"{v:.1%}" for v in sample.dropna()]
    else:
        shown = [str(v) for v in sample if v is not None and not (isinstance(v, float) and np.isnan(v))]
    widest = max([_display_width(v) for v in shown] + [0])
    return float(min(max(widest, -(-_display_width(header) // 3), 6) + 2, 50))


#: Height of one line of text in a row (points, Excel's default for 11-point type).
ROW_HEIGHT = 15.0


def _wrapped_lines(value: object, width: float) -> int:
    """Lines a text cell needs in a column ``width`` characters wide (1 for numbers and short text)."""
    if not isinstance(value, str):
        return 1
    return max(1, -(-_display_width(value) // max(int(width) - 2, 1)))


def _display_width(value: object) -> int:
    text = str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def write_tables(folder: str | os.PathLike, sheets: list[Sheet], workbook: str) -> None:
    """Write each sheet as ``<name>.csv`` and all of them into ``workbook`` inside ``folder``."""
    folder = Path(folder)
    for sheet in sheets:
        formats = {col: sheet.format_of(col) for col in sheet.frame.columns}
        write_csv(sheet.frame, folder / f"{sheet.name}.csv", {k: v for k, v in formats.items() if v})
    write_xlsx(folder / workbook, sheets)


def write_json(data: object, path: str | os.PathLike) -> None:
    """Write JSON with Chinese kept readable and stable key order."""
    Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=_json_default) + "\n",
                          encoding="utf-8")


def _json_default(value: object) -> object:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return str(value)
