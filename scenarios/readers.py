"""Reading one input file into raw cells: CSV (UTF-8, UTF-8 with BOM, GB18030) or Excel.

No interpretation happens here beyond finding the header row: cells keep the type the file
gives them (text from CSV; numbers, dates, booleans or text from Excel). Files that cannot be
read (missing, empty, wrong encoding, content not matching the extension) raise one
``InputError`` with a Chinese sentence, never a traceback.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from scenarios.errors import InputError, InputIssue
from scenarios.excel import BadCell, read_workbook

#: Extensions read as text (CSV) and as Excel workbooks.
CSV_SUFFIXES = (".csv", ".txt")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
#: How many non-empty rows from the top may hold the header (title rows above it are skipped).
HEADER_SEARCH = 10

_MAGIC = (
    (b"PK\x03\x04", "xlsx", "Excel工作簿（.xlsx）或其他压缩文件"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "xls", "旧版Excel工作簿（.xls）"),
    (b"%PDF", "pdf", "PDF文件"),
    (b"\x89PNG", "png", "图片"),
    (b"\xff\xd8\xff", "jpg", "图片"),
)


@dataclass
class RawTable:
    """The cells of one file below its header row.

    Attributes
    ----------
    file : the file as the user named it (used in messages).
    headers : header cells as written (stripped), one per column position.
    frame : data cells, columns numbered 0..n-1, index = row number as Excel shows it;
        completely empty rows are dropped. Empty cells are None.
    issues : problems found while reading (data under an empty header).
    header_row : row number of the header as Excel shows it (1 unless title rows are above).
    notes : what was done reading it that is not an error (findings: sheet chosen, merged cells).
    """

    file: str
    headers: list[str]
    frame: pd.DataFrame
    issues: list[InputIssue]
    header_row: int = 1
    notes: list = field(default_factory=list)


def is_blank(value: object) -> bool:
    """True for None, NaN, NaT and text that is only whitespace."""
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.replace("\u3000", " ").strip()


def cell_text(value: object) -> str:
    """A cell as the user sees it: 12.0 -> "12", a date -> "2023-03-05", blank -> ""."""
    if is_blank(value):
        return ""
    if isinstance(value, BadCell):
        return value.text
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        stamp = pd.Timestamp(value)
        return stamp.date().isoformat() if stamp == stamp.normalize() else stamp.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).replace("\u3000", " ").strip()


def read_raw(path: str | os.PathLike, header_score: Callable[[list[str]], int] | None = None,
             sheet: str | None = None) -> RawTable:
    """Read ``path`` (CSV or Excel, by extension) into a ``RawTable``; InputError if unreadable.

    ``header_score`` counts the known headers in a row; the header is the best-scoring of the
    first ``HEADER_SEARCH`` non-empty rows (so a title row above it is skipped), else the first.
    In a workbook the sheet is ``sheet``, else the one whose header scores best
    (``scenarios.excel``).
    """
    file = str(path)
    p = Path(path)
    suffix = p.suffix.lower()

    def fail(expected: str) -> InputError:
        return InputError([InputIssue(file, None, None, None, expected)])

    if p.is_dir():
        raise fail("这是一个文件夹，不是文件")
    if suffix not in CSV_SUFFIXES + EXCEL_SUFFIXES:
        raise fail(f"不支持的文件类型“{p.suffix or '（无扩展名）'}”；请提供 CSV（.csv）或 Excel（.xlsx、.xls）文件")
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise fail("找不到该文件，请检查路径和文件名") from None
    except IsADirectoryError:
        raise fail("这是一个文件夹，不是文件") from None
    except PermissionError:
        raise fail("没有读取该文件的权限") from None
    except OSError as exc:
        raise fail(f"无法读取该文件（{exc.strerror or exc}）") from None
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise fail("文件为空（没有表头，也没有数据）")
    kind = next(((k, label) for magic, k, label in _MAGIC if data.startswith(magic)), None)
    if suffix in CSV_SUFFIXES:
        if kind is not None:
            hint = "请在Excel/WPS中另存为CSV，或把扩展名改为 .xlsx/.xls" if kind[0] in ("xlsx", "xls") else "请提供CSV文件"
            raise fail(f"扩展名是{suffix}，但内容是{kind[1]}；{hint}")
        rows, notes = _csv_rows(data, fail), []
    else:
        _check_excel_magic(data, suffix, kind, fail)
        book = read_workbook(p, fail, header_score, sheet, HEADER_SEARCH)
        rows, notes = book.rows, book.notes
    raw = _to_raw(file, rows, fail, header_score)
    raw.notes = notes
    return raw


def _check_excel_magic(data: bytes, suffix: str, kind, fail) -> None:
    want = "xls" if suffix == ".xls" else "xlsx"
    if "EncryptedPackage".encode("utf-16-le") in data:
        raise fail("Excel文件设置了打开密码，无法读取；请取消密码后重新保存")
    if kind is not None and kind[0] == want:
        return
    if kind is not None and kind[0] in ("xlsx", "xls"):
        other = ".xls" if kind[0] == "xls" else ".xlsx"
        raise fail(f"扩展名是{suffix}，但内容是{kind[1]}；请把扩展名改为{other}，或在Excel/WPS中另存为{suffix}")
    if kind is not None:
        raise fail(f"扩展名是{suffix}，但内容是{kind[1]}，不是Excel工作簿")
    head = data[:512].lstrip().lower()
    if head.startswith((b"<html", b"<!doctype", b"<table", b"<?xml")):
        raise fail(f"扩展名是{suffix}，但内容是网页/XML文本（一些系统导出的“Excel”其实是网页）；"
                   "请用Excel/WPS打开后另存为 .xlsx")
    if _decode(data) is not None:
        raise fail(f"扩展名是{suffix}，但内容是文本（可能是CSV）；请把扩展名改为 .csv，或在Excel/WPS中另存为 .xlsx")
    raise fail(f"扩展名是{suffix}，但内容不是Excel工作簿（文件可能已损坏）")


def _utf16(data: bytes) -> str | None:
    """Text of UTF-16 data (Excel's "Unicode 文本" export: BOM, tabs), else None."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    if len(data) >= 4 and data[1::2].count(0) > len(data) // 4 and data[0::2].count(0) == 0:
        try:
            return data.decode("utf-16-le")
        except UnicodeDecodeError:
            return None
    return None


def _decode(data: bytes) -> str | None:
    """Text of ``data`` as UTF-16 (with BOM), UTF-8 (BOM optional) or GB18030; None if not text."""
    wide = _utf16(data)
    if wide is not None:
        return wide
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\t\r\n")
        return text if controls == 0 else None
    return None


def _csv_rows(data: bytes, fail) -> list[list[object]]:
    text = _decode(data)
    if text is None:
        raise fail("无法按文本读取：既不是UTF-8也不是GB18030编码的CSV，或含有二进制内容；"
                   "请在Excel/WPS中另存为“CSV UTF-8（逗号分隔）”")
    first = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max((",", "\t", ";", "，"), key=first.count)
    if first.count(delimiter) == 0:
        delimiter = ","
    try:
        return [[_unescape(v) for v in row] for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise fail(f"CSV格式有误，无法解析（{exc}）") from None


def _unescape(cell: str) -> str:
    """Undo the formula guard of this tool's CSV output: "'=x" is read back as "=x"."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in ("=", "+", "-", "@") else cell


def _to_raw(file: str, rows: list[list[object]], fail, header_score) -> RawTable:
    """Find the header row and keep the rows below it as numbered in Excel."""
    filled = [i for i, row in enumerate(rows) if any(not is_blank(v) for v in row)]
    if not filled:
        raise fail("文件为空（没有表头，也没有数据）")
    top = filled[0]
    if header_score is not None:
        scores = [(header_score([cell_text(v) for v in rows[i]]), -i) for i in filled[:HEADER_SEARCH]]
        best = max(scores)
        top = -best[1] if best[0] > 0 else top
    header = [cell_text(v) for v in rows[top]]
    width = max(len(row) for row in rows)
    header += [""] * (width - len(header))
    body: dict[int, list[object]] = {}
    extra: list[InputIssue] = []
    for i in range(top + 1, len(rows)):
        row = [None if is_blank(v) else v for v in rows[i]] + [None] * (width - len(rows[i]))
        if all(v is None for v in row):
            continue
        body[i + 1] = row
        stray = [j for j, v in enumerate(row) if v is not None and not header[j]]
        if stray:
            extra.append(InputIssue(file, i + 1, None, cell_text(row[stray[0]]),
                                    f"第{stray[0] + 1}列没有表头，却有数据（多了分隔符或错位了？）"))
    frame = pd.DataFrame.from_dict(body, orient="index", columns=range(width), dtype=object) if body else \
        pd.DataFrame(columns=range(width), dtype=object)
    keep = [j for j in range(width) if header[j]]
    frame = frame[keep]
    frame.columns = range(len(keep))
    return RawTable(file, [header[j] for j in keep], frame, extra, top + 1)
