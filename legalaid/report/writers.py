"""Writing what users read: CSV for Excel/WPS (utf-8-sig), one .xlsx, all or nothing.

Every engine writes its report folder through ``staged_dir``: files are written into a
temporary folder beside the target and moved into place only when all of them are written,
so an interrupted run leaves no half report. Text cells that begin with = + - @ are written
as text, never as formulas (no formula injection from user data).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

_FORMULA_START = ("=", "+", "-", "@")
_FIXED_CREATED = dt.datetime(2000, 1, 1)


@dataclass
class Sheet:
    """One table of a report.

    Attributes
    ----------
    name : sheet name and CSV file stem (Chinese, at most 31 characters).
    frame : the table, already with Chinese headers.
    flag : optional boolean mask (same index); True rows are painted red (non-compliant).
    """

    name: str
    frame: pd.DataFrame
    flag: pd.Series | None = None


@contextlib.contextmanager
def staged_dir(out_dir: str | os.PathLike) -> Iterator[Path]:
    """Yield a fresh temporary folder that replaces ``out_dir`` only if the block succeeds."""
    target = Path(out_dir).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    if target.exists():
        old = target.parent / f".{target.name}.old-{os.getpid()}"
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
    tmp.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _safe_text(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(frame: pd.DataFrame, path: str | os.PathLike) -> None:
    """Write ``frame`` as CSV that Excel/WPS opens correctly (utf-8-sig, no index)."""
    safe = frame.copy()
    for col in safe.columns:
        if pd.api.types.is_object_dtype(safe[col]) or pd.api.types.is_string_dtype(safe[col]):
            safe[col] = safe[col].map(_safe_text)
    safe.to_csv(path, index=False, encoding="utf-8-sig")


def write_xlsx(path: str | os.PathLike, sheets: list[Sheet]) -> None:
    """Write sheets to one .xlsx: bold header, sized columns, flagged rows in red.

    Strings are never turned into formulas or numbers (xlsxwriter options), so user data
    such as "=1+1" stays text.
    """
    import xlsxwriter

    options = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False,
               "nan_inf_to_errors": True}
    with xlsxwriter.Workbook(str(path), options) as book:
        book.set_properties({"created": _FIXED_CREATED})  # same inputs → same bytes
        header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
        red = book.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
        for sheet in sheets:
            ws = book.add_worksheet(sheet.name[:31])
            frame = sheet.frame
            for j, col in enumerate(frame.columns):
                ws.write_string(0, j, str(col), header)
                width = max([_display_width(col)] + [_display_width(v) for v in frame[col].head(200)])
                ws.set_column(j, j, min(max(width + 2, 8), 60))
            flags = sheet.flag.reindex(frame.index).fillna(False).to_numpy() if sheet.flag is not None else None
            for i, row in enumerate(frame.itertuples(index=False), start=1):
                fmt = red if flags is not None and flags[i - 1] else None
                for j, value in enumerate(row):
                    _write_cell(ws, i, j, value, fmt)
            ws.freeze_panes(1, 0)
            if len(frame.columns):
                ws.autofilter(0, 0, max(len(frame), 1), len(frame.columns) - 1)


def _write_cell(ws, i: int, j: int, value: object, fmt) -> None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        ws.write_blank(i, j, None, fmt)
    elif isinstance(value, bool | np.bool_):
        ws.write_string(i, j, "是" if value else "否", fmt)
    elif isinstance(value, int | float | np.integer | np.floating):
        ws.write_number(i, j, float(value), fmt)
    elif isinstance(value, pd.Timestamp):
        ws.write_string(i, j, value.strftime("%Y-%m-%d"), fmt)
    else:
        ws.write_string(i, j, str(value), fmt)


def _display_width(value: object) -> int:
    text = str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def write_tables(folder: str | os.PathLike, sheets: list[Sheet], workbook: str) -> None:
    """Write each sheet as ``<name>.csv`` and all of them into ``workbook`` inside ``folder``."""
    folder = Path(folder)
    for sheet in sheets:
        write_csv(sheet.frame, folder / f"{sheet.name}.csv")
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
