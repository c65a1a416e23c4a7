"""Turning raw cells into a canonical table, collecting every problem of the file.

Each cell is parsed by its column's kind (``scenarios.schema.Column.kind``); what cannot be
parsed becomes an ``InputIssue`` naming the row as Excel numbers it, the header as written in
the file, the value and what was expected (Chinese). Ranges and uniqueness are then checked
declaratively with a pandera schema on the parsed frame (lazy, so all failures come back at
once) and its failure cases are turned into the same issues.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Callable

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from scenarios.delegations import merge_delegations
from scenarios.errors import InputIssue
from scenarios.excel import BadCell
from scenarios.plans import Plan
from scenarios.progress_checks import history_issues, progress_issues, to_monthly
from scenarios.readers import RawTable, cell_text, is_blank
from scenarios.schema import NO, TABLE_LABELS, TABLES, YES, Column
from scenarios.vocab import Finding

#: Canonical dtypes of each column kind (pandas ``str`` is the default string dtype).
KIND_DTYPES = {"id": str, "region": str, "enum": str, "text": str, "bool": bool, "int": "int64",
               "money": "float64", "date": "datetime64[s]"}

_NUMBER = re.compile(r"[+-]?(\d+|\d{1,3}(,\d{3})+)(\.\d+)?")
_CN_DIGITS = set("零〇一二三四五六七八九十百千万亿两壹贰叁肆伍陆柒捌玖拾佰仟")
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_DATE_TIME = re.compile(r"\d{4}-\d{1,2}-\d{1,2}[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?")
_TOTALS = {"合计", "总计", "小计", "全市合计", "市区小计", "县级小计", "合计数", "total", "sum"}
_MAX_COUNT = 10**9  # far above any count of cases (件); guards int64 conversion
_NEGATIVE = "不能为负数"
_MONTH_RANGE = "月份应为1到12之间的整数"


class Bad(ValueError):
    """A cell that cannot be parsed; the message says what was expected (Chinese)."""


def norm(text: object) -> str:
    """Header/value key: full-width folded (NFKC), no whitespace or '*', lower case."""
    folded = unicodedata.normalize("NFKC", cell_text(text))
    return re.sub(r"\s+", "", folded).strip("*").lower()


def did_you_mean(text: str, spellings: dict[str, str]) -> str:
    """' 是否要填“X”？' for the closest spelling (key -> display), or ''."""
    hit = difflib.get_close_matches(norm(text), list(spellings), n=1, cutoff=0.5)
    return f"是否要填“{spellings[hit[0]]}”？" if hit else ""


# --- cell parsers ---------------------------------------------------------------------------
def parse_number(value: object, *, integer: bool, suffix: str = "") -> float | int:
    """A count (件, ``integer``) or an amount (元); text numbers, units and fractions are Bad."""
    what = "整数（阿拉伯数字，如 12）" if integer else "金额数字（元，如 120000）"
    if isinstance(value, bool | dt.date | dt.time):
        raise Bad(f"应为{what}")
    if isinstance(value, int | float):
        number = value
    else:
        text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))
        if suffix and text.endswith(suffix):
            text = text[: -len(suffix)]
        if not integer:
            text = text.lstrip("¥")
        if not _NUMBER.fullmatch(text):
            if any(ch in _CN_DIGITS for ch in text):
                raise Bad(f"应为{what}，不能用汉字书写数字")
            if re.fullmatch(r"[+-]?[\d.,]+", text):
                raise Bad(f"应为{what}，千位分隔符或小数点位置不对")
            if re.match(r"[+-]?\d", text):
                raise Bad(f"应为{what}，不能带单位或其他文字")
            raise Bad(f"应为{what}")
        number = float(text.replace(",", ""))
    if integer:
        if not float(number).is_integer():
            raise Bad("应为整数，件数不能有小数")
        if abs(number) >= _MAX_COUNT:
            raise Bad(f"数字过大（应小于{_MAX_COUNT:,}）")
        return int(number)
    return float(number)


def parse_date(value: object) -> pd.Timestamp:
    """A date from Excel or text (2023-03-05, 2023/3/5, 2023年3月5日, 20230305)."""
    if isinstance(value, dt.date):
        return pd.Timestamp(value)
    text = cell_text(value)
    try:
        if m := _DATE.fullmatch(text) or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text):
            return pd.Timestamp(dt.date(int(m[1]), int(m[2]), int(m[3])))
        if _DATE_TIME.fullmatch(text):
            return pd.Timestamp(text)
    except ValueError:
        raise Bad("不是有效的日期（月份或日期超出范围）") from None
    raise Bad("应为日期，如 2023-03-05")


def choice_parser(column: Column) -> Callable[[object], str]:
    """Parser for an enum column: any accepted spelling -> canonical value."""
    lookup = {norm(s): canon for canon, spellings in column.choices for s in (canon, *spellings)}
    labels = {canon: next((s for s in spellings if not s.isascii()), canon) for canon, spellings in column.choices}
    shown = {key: labels[canon] for key, canon in lookup.items()}
    accepted = "、".join(f"{labels[c]}（{c}）" for c, _ in column.choices)

    def parse(value: object) -> str:
        canon = lookup.get(norm(value))
        if canon is None:
            raise Bad(f"应为{accepted}之一；{did_you_mean(cell_text(value), shown)}".rstrip("；"))
        return canon

    return parse


def parse_bool(value: object) -> bool:
    """是/否 (yes/no, true/false, 1/0, √/×) -> bool."""
    if isinstance(value, bool):
        return value
    key = norm(value)
    if key in {norm(y) for y in YES}:
        return True
    if key in {norm(n) for n in NO}:
        return False
    raise Bad("应为 是 或 否（yes/no）")


def region_parser(plan: Plan) -> Callable[[object], str]:
    """Parser for region cells: id, full or short name, delegated township -> region id."""
    last = plan.regions[-1]
    example = f"（也可写简称或ID，如 {(*last.short, last.name)[0]}、{last.id}）"

    def parse(value: object) -> str:
        text = cell_text(value)
        region = plan.resolve_region(text) or plan.resolve_region(unicodedata.normalize("NFKC", text))
        if region is None:
            hint = plan.suggest_region(cell_text(value))
            guess = f"是否要填“{hint[0]}”？" if hint else ""
            raise Bad(f"不是{plan.city}的地区；{guess}可选：{plan.region_choices()}{example}")
        return region

    return parse


def cell_parser(column: Column, plan: Plan) -> Callable[[object], object]:
    """The parser for one column kind."""
    if column.kind == "region":
        return region_parser(plan)
    if column.kind == "enum":
        return choice_parser(column)
    if column.kind == "bool":
        return parse_bool
    if column.kind == "int":
        return lambda v: parse_number(v, integer=True, suffix="月" if column.name == "month" else "")
    if column.kind == "money":
        return lambda v: parse_number(v, integer=False)
    if column.kind == "date":
        return parse_date
    return cell_text


# --- headers ---------------------------------------------------------------------------------
def header_score(table: str) -> Callable[[list[str]], int]:
    """Counts how many cells of a row are known headers of ``table`` (to find the header row)."""
    known = {norm(a) for c in TABLES[table] for a in (c.name, c.label, *c.aliases)}
    return lambda cells: sum(norm(cell) in known for cell in cells)


def map_headers(raw: RawTable, table: str) -> tuple[dict[str, int], list[InputIssue]]:
    """Canonical column -> position in the file; issues for missing and doubled columns."""
    aliases = {norm(a): c.name for c in TABLES[table] for a in (c.name, c.label, *c.aliases)}
    found: dict[str, int] = {}
    issues = []
    for j, header in enumerate(raw.headers):
        name = aliases.get(norm(header))
        if name is None:
            continue
        if name in found:
            first = raw.headers[found[name]]
            issues.append(InputIssue(raw.file, raw.header_row, header, None,
                                     f"与列“{first}”表示同一项（{name}），只能保留一列"))
            continue
        found[name] = j
    missing = [c for c in TABLES[table] if c.required and c.name not in found]
    if missing:
        need = "、".join(f"“{c.label}”（{c.name}）" for c in missing)
        have = "、".join(f"“{h}”" for h in raw.headers)
        issues.append(InputIssue(raw.file, None, None, None,
                                 f"{TABLE_LABELS[table]}缺少必需的列：{need}；文件中的列为：{have}"))
    return found, issues


# --- whole table -------------------------------------------------------------------------------
def parse_table(raw: RawTable, table: str, plan: Plan, *, as_of_month: int | None = None,
                cumulative: bool = False) -> tuple[pd.DataFrame, list[InputIssue], list[Finding]]:
    """Parse every cell and run the declarative checks (and ``progress_issues`` for progress).

    ``cumulative``: the progress counts are year to date; they are turned into monthly counts
    before the checks.

    Returns
    -------
    frame : parsed values (nullable dtypes; NA where a cell was bad or a column missing),
        index = Excel row numbers, columns = canonical names.
    issues : every problem found, in file order.
    notes : what was done that is not an error (total rows skipped).
    """
    positions, issues = map_headers(raw, table)
    issues = list(raw.issues) + issues
    raw, notes = _drop_total_rows(raw, positions, plan)
    data = {column.name: _parse_column(raw, column, positions, plan, issues) for column in TABLES[table]}
    frame = pd.DataFrame(data, index=raw.frame.index)
    for column in TABLES[table]:
        if column.kind == "int":
            frame[column.name] = pd.array(frame[column.name].tolist(), dtype="Int64")
        elif column.kind == "money":
            frame[column.name] = pd.array(frame[column.name].tolist(), dtype="Float64")
    if "region" in positions:
        if table == "cases":
            frame["township"] = _townships(raw.frame[positions["region"]], plan, frame["township"])
        frame, merged = merge_delegations(frame, raw.frame[positions["region"]], plan, table, raw.file)
        notes += merged
    issues += schema_issues(frame, raw, table, positions, plan)
    if table == "progress":
        if cumulative and not issues:
            frame = to_monthly(frame)
        headers = {name: raw.headers[j] for name, j in positions.items()}
        issues += progress_issues(frame, plan, as_of_month=as_of_month, file=raw.file, rows=list(frame.index),
                                  headers=headers)
    if table == "history":
        headers = {name: raw.headers[j] for name, j in positions.items()}
        issues += history_issues(frame, plan, file=raw.file, rows=list(frame.index), headers=headers)
    return frame, issues, notes


def _townships(texts: pd.Series, plan: Plan, given: pd.Series) -> pd.Series:
    """A case registered at a delegated township (安庆2023 §6(5)) keeps the township's name (代办乡镇),
    so counts for §6(5) compensation survive the mapping to its district."""
    names = texts.map(lambda t: getattr(plan.delegation_of(cell_text(t)), "name", "")).reindex(given.index)
    return names.where(names.fillna("") != "", given).fillna("")


def is_total_row(text: object, plan: Plan) -> bool:
    """A region cell that names a total: 合计/小计/总计 (also "安庆市合计"), 全市, or a plan subtotal."""
    key = norm(text)
    if key in _TOTALS or key in {norm(s.name) for s in plan.subtotals} or key in ("全市", norm(f"{plan.city}全市")):
        return True
    return key.endswith(("合计", "小计", "总计")) and plan.resolve_region(cell_text(text)) is None


def _drop_total_rows(raw: RawTable, positions: dict[str, int], plan: Plan) -> tuple[RawTable, list[Finding]]:
    """Rows whose region names a total are skipped (the tool adds up itself), with a note."""
    if "region" not in positions:
        return raw, []
    cells = raw.frame[positions["region"]]
    mask = cells.map(lambda v: is_total_row(v, plan)).to_numpy(dtype=bool)
    if not mask.any():
        return raw, []
    rows = tuple(str(int(r)) for r in raw.frame.index[mask])
    note = Finding("total_rows_skipped", rows, {"file": raw.file, "values": tuple(cell_text(v) for v in cells[mask])})
    return RawTable(raw.file, raw.headers, raw.frame[~mask], raw.issues, raw.header_row), [note]


#: What a user should do about a cell that shows no usable value.
BAD_CELLS = {
    "error": "是Excel错误值（公式出错或引用的数据缺失），请填写实际数值",
    "formula": "是公式，但文件中没有保存计算结果（文件可能由程序生成、未在Excel中保存过）；"
               "请在Excel/WPS中打开并保存后再试，或直接填写数值",
}


def _parse_column(raw: RawTable, column: Column, positions: dict[str, int], plan: Plan,
                  issues: list[InputIssue]) -> pd.Series:
    """One column's parsed values (None where bad), recording every problem in ``issues``."""
    if column.name not in positions:
        return pd.Series(_default(column), index=raw.frame.index, dtype=object)
    header = raw.headers[positions[column.name]]
    parse, cache = cell_parser(column, plan), {}
    values = []
    for row, value in raw.frame[positions[column.name]].items():
        if isinstance(value, BadCell):
            issues.append(InputIssue(raw.file, int(row), header, value.text, f"该单元格{BAD_CELLS[value.kind]}"))
            values.append(None)
            continue
        if is_blank(value):
            if column.required:
                issues.append(InputIssue(raw.file, int(row), header, None, f"不能为空，应填写{column.label}"))
            values.append(None if column.required else _default(column))
            continue
        key = (type(value), value)
        if key not in cache:
            try:
                cache[key] = (parse(value), None)
            except Bad as exc:
                cache[key] = (None, str(exc))
        parsed, problem = cache[key]
        if problem:
            issues.append(InputIssue(raw.file, int(row), header, cell_text(value), problem))
        values.append(parsed)
    return pd.Series(values, index=raw.frame.index, dtype=object)


def _default(column: Column) -> object:
    if column.default is not None:
        return column.default
    return {"text": "", "date": pd.NaT, "bool": True, "money": None}.get(column.kind)


def table_schema(table: str) -> pa.DataFrameSchema:
    """pandera checks on the parsed frame: no negative counts/money, month 1-12, unique keys.

    Unique keys: case_id, lawyer_id, funds region (a repeated progress month is reported by
    ``progress_issues``, which also serves frames built in code).
    """
    columns = {}
    for c in TABLES[table]:
        checks = []
        if c.name == "month":
            checks.append(pa.Check.in_range(1, 12, error=_MONTH_RANGE))
        elif c.kind in ("int", "money"):
            checks.append(pa.Check.ge(0, error=_NEGATIVE))
        unique = c.kind == "id" or (table == "funds" and c.name == "region")
        columns[c.name] = pa.Column(nullable=True, required=False, checks=checks, unique=unique,
                                    report_duplicates="exclude_first")
    return pa.DataFrameSchema(columns)


def schema_issues(frame: pd.DataFrame, raw: RawTable, table: str, positions: dict[str, int],
                  plan: Plan) -> list[InputIssue]:
    """Run ``table_schema`` lazily and turn each failure case into an InputIssue."""
    try:
        table_schema(table).validate(frame, lazy=True)
        return []
    except SchemaErrors as exc:
        cases = exc.failure_cases
    issues, seen = [], set()
    for case in cases.itertuples(index=False):
        row, name, check = case.index, case.column, case.check
        if row is None or pd.isna(row) or name not in positions or (row, name) in seen:
            continue
        seen.add((row, name))
        row = int(row)
        value = cell_text(raw.frame.at[row, positions[name]])
        if check in (_NEGATIVE, _MONTH_RANGE):
            expected = check
        else:
            first = int(frame.index[(frame[name] == frame.at[row, name]).to_numpy()][0])
            if name == "region":
                expected = f"{plan.region(frame.at[row, 'region']).name}已在第{first}行出现，每个地区只能有一行"
            else:
                expected = f"编号重复（与第{first}行相同），每个编号只能出现一次"
        issues.append(InputIssue(raw.file, row, raw.headers[positions[name]], value, expected))
    return issues
