"""DataFrames as the pages show them: headers, rows of text, optional row flags and CSS classes."""

from __future__ import annotations

import io
import math
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from flask import send_file


@dataclass
class HtmlTable:
    """A table ready for the ``table`` macro of ``templates/macros.html``."""

    headers: list[str]
    rows: list[list[str]]
    flags: list[str] = field(default_factory=list)   # a CSS class per row ("" for none)
    id: str = ""


def cell(value: object) -> str:
    """A cell as text: no 'nan', whole numbers without '.0', thousands not separated (ids)."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return f"{value:.0f}" if value.is_integer() else f"{value:g}" if abs(value) < 1e6 else f"{value:,.2f}"
    if value is pd.NaT:
        return ""
    return str(value)


def money(value: object) -> str:
    """An amount in 元 with thousands separators (no decimals when whole)."""
    if isinstance(value, int | float) and not (isinstance(value, float) and math.isnan(value)):
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    return cell(value)


def html_table(frame: pd.DataFrame, flags=None, table_id: str = "") -> HtmlTable:
    """``frame`` as an ``HtmlTable``; ``flags`` a boolean mask (red rows) or a list of classes."""
    from legalaid.report.projection import percent as chance
    from legalaid.report.writers import PROBABILITY, number_format

    def percent(value: object) -> str:
        return "" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.1%}"

    def pick(column) -> object:
        if "元" in str(column):
            return money
        numeric = pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(frame[column])
        shown = number_format(str(column), frame[column]) if numeric else None
        if shown == PROBABILITY:
            return lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) else chance(v)
        return percent if shown == "0.0%" else cell

    formats = [pick(c) for c in frame.columns]
    rows = [[f(v) for f, v in zip(formats, row, strict=True)] for row in frame.itertuples(index=False)]
    if flags is None:
        classes = [""] * len(rows)
    else:
        classes = [("bad" if f is True else "" if f is False else str(f)) for f in list(flags)]
    return HtmlTable([str(c) for c in frame.columns], rows, classes, table_id)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def send_workbook(sheets, name: str):
    """Write ``legalaid.report`` sheets to an .xlsx (the CLI's writer) and send it as ``name``."""
    from legalaid.report.writers import write_xlsx

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "book.xlsx")
        write_xlsx(path, sheets)
        data = path.read_bytes()
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=name)
