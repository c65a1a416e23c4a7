"""The table of assignments already made (已指派表): case id → lawyer id, kept by a dispatch."""

from __future__ import annotations

import os

import pandas as pd

from scenarios.errors import InputError, InputIssue
from scenarios.readers import cell_text, read_raw
from scenarios.schema import TABLES

_CASE_ID = next(c for c in TABLES["cases"] if c.name == "case_id").aliases
_LAWYER_ID = next(c for c in TABLES["lawyers"] if c.name == "lawyer_id").aliases


def _columns_of(headers: list[str]) -> dict[str, int]:
    """Positions of the case-id and lawyer-id columns (the bare "id"/"编号" headers are ambiguous here)."""
    found = {}
    for j, h in enumerate(headers):
        key = h.strip().lower()
        if "case_id" not in found and key in {a.lower() for a in _CASE_ID if a not in ("id", "编号")}:
            found["case_id"] = j
        elif "lawyer_id" not in found and key in {a.lower() for a in _LAWYER_ID if a not in ("id", "编号")}:
            found["lawyer_id"] = j
    return found


def read_pinned(path: str | os.PathLike) -> pd.DataFrame:
    """Read assignments already made (CSV/Excel with columns case_id/案件编号, lawyer_id/律师编号).

    Returns columns case_id, lawyer_id and _row (row number as Excel shows it); the file name is
    kept in ``frame.attrs["file"]`` for messages. Unknown ids are reported by the dispatch.
    """
    raw = read_raw(path, lambda row: len(_columns_of(row)))
    cols = _columns_of(raw.headers)
    if len(cols) < 2:
        raise InputError([InputIssue(raw.file, raw.header_row, None, None,
                                     "已指派表需要列 案件编号（case_id）和 律师编号（lawyer_id）；表头为："
                                     + ("、".join(raw.headers) or "（空）"))])
    issues = list(raw.issues)
    rows = []
    for row_no, values in raw.frame.iterrows():
        case_id, lawyer_id = cell_text(values[cols["case_id"]]), cell_text(values[cols["lawyer_id"]])
        for name, value in (("case_id", case_id), ("lawyer_id", lawyer_id)):
            if not value:
                issues.append(InputIssue(raw.file, int(row_no), raw.headers[cols[name]], None, "编号不能为空"))
        rows.append((case_id, lawyer_id, int(row_no)))
    if issues:
        raise InputError(issues)
    frame = pd.DataFrame(rows, columns=["case_id", "lawyer_id", "_row"])
    frame.attrs["file"] = raw.file
    return frame
