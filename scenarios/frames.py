"""Checks of canonical tables passed as DataFrames (from Python, not from files).

Files are read and validated cell by cell by ``scenarios.tables.read_table``; a caller that
builds the tables in code (a notebook, the web page, the engines' tests) gets the same kind of
Chinese messages from these vectorised checks: unknown regions with a did-you-mean, unknown
kinds, empty or repeated ids, bad counts, pinned pairs that name no known case or lawyer. Each
returns the canonical frame (optional columns filled) and the problems found; at most 50 per
column are listed.
"""

from __future__ import annotations

import difflib
import re

import numpy as np
import pandas as pd

from scenarios.errors import InputError, InputIssue
from scenarios.plans import Plan
from scenarios.progress_checks import cumulative_issues, progress_completeness, progress_issues
from scenarios.schema import OPTIONAL_DISPATCH, TABLES

#: How a table passed as a DataFrame is named in messages.
CASES_LABEL, LAWYERS_LABEL, PINNED_LABEL, PROGRESS_LABEL = "案件表", "律师表", "已指派表", "月度进度表"


def _choices(table: str, column: str) -> dict[str, str]:
    col = next(c for c in TABLES[table] if c.name == column)
    out = {}
    for canon, spellings in col.choices:
        for s in (canon, *spellings):
            out[str(s).strip().lower()] = canon
    return out


def _label(table: str, column: str) -> str:
    return next(c.label for c in TABLES[table] if c.name == column)


def _row(i: int) -> int:
    return i + 2


def _canon_enum(frame: pd.DataFrame, table: str, column: str, file: str, issues: list[InputIssue]) -> pd.Series:
    mapping = _choices(table, column)
    values = frame[column].astype(str).str.strip().str.lower().map(mapping)
    bad = values.isna().to_numpy()
    allowed = "、".join(dict.fromkeys(mapping.values()))
    for i in np.flatnonzero(bad)[:50]:
        issues.append(InputIssue(file, _row(i), _label(table, column), str(frame[column].iloc[i]), f"应为 {allowed} 之一"))
    return values


def _canon_region(frame: pd.DataFrame, table: str, plan: Plan, file: str, issues: list[InputIssue]) -> pd.Series:
    ids = set(plan.region_ids)
    raw = frame["region"].astype(str)
    known = raw.isin(ids).to_numpy()
    resolved = {v: plan.resolve_region(v) or "" for v in pd.unique(raw[~known])}
    out = raw.where(known, raw.map(resolved))
    for i in np.flatnonzero((out == "").to_numpy())[:50]:
        hint = plan.suggest_region(raw.iloc[i])
        expected = f"应为本计划的地区（{plan.region_choices()}）" + (f"，是否为“{hint[0]}”？" if hint else "")
        issues.append(InputIssue(file, _row(i), _label(table, "region"), raw.iloc[i], expected))
    return out


def _ids(frame: pd.DataFrame, table: str, column: str, file: str, issues: list[InputIssue]) -> pd.Series:
    ids = frame[column].astype(str).str.strip()
    for i in np.flatnonzero((ids == "").to_numpy() | frame[column].isna().to_numpy())[:50]:
        issues.append(InputIssue(file, _row(i), _label(table, column), None, "编号不能为空"))
    dup = ids.duplicated(keep="first") & (ids != "")
    for i in np.flatnonzero(dup.to_numpy())[:50]:
        first = int(np.flatnonzero((ids == ids.iloc[i]).to_numpy())[0])
        issues.append(InputIssue(file, _row(i), _label(table, column), ids.iloc[i], f"编号与第{_row(first)}行重复，编号应唯一"))
    return ids


def _need(frame: pd.DataFrame, table: str, required: tuple[str, ...], file: str) -> None:
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputError([InputIssue(file, None, None, None, "缺少列：" + "、".join(
            f"{_label(table, c)}（{c}）" for c in missing))])


def _id_region_kind(given: pd.DataFrame, table: str, required: tuple[str, ...], plan: Plan, file: str):
    """The frame (fresh index), its problems so far, and the canonical id, region and kind columns."""
    _need(given, table, required, file)
    frame = given.reset_index(drop=True)
    issues: list[InputIssue] = []
    out = pd.DataFrame({required[0]: _ids(frame, table, required[0], file, issues)})
    out["region"] = _canon_region(frame, table, plan, file, issues)
    out["kind"] = _canon_enum(frame, table, "kind", file, issues)
    return frame, issues, out


def check_cases(cases: pd.DataFrame, plan: Plan, file: str = CASES_LABEL) -> tuple[pd.DataFrame, list[InputIssue]]:
    """Canonical case table (optional columns filled) and the problems found."""
    frame, issues, out = _id_region_kind(cases, "cases", ("case_id", "region", "kind", "instance"), plan, file)
    out["instance"] = _canon_enum(frame, "cases", "instance", file, issues)
    out["litigation"] = frame["litigation"].astype(bool) if "litigation" in frame else True
    group = frame["group_id"] if "group_id" in frame else pd.Series("", index=frame.index)
    out["group_id"] = group.fillna("").astype(str).str.strip()
    out["received"] = pd.to_datetime(frame["received"]) if "received" in frame else pd.NaT
    _optional(frame, out, "cases", file, issues)
    townships = {t: getattr(plan.delegation_of(t), "name", "") for t in frame["region"].unique()}
    delegated = frame["region"].map(townships)
    out["township"] = delegated.where(delegated != "", out["township"])
    return out, issues


def check_lawyers(lawyers: pd.DataFrame, plan: Plan, file: str = LAWYERS_LABEL) -> tuple[pd.DataFrame, list[InputIssue]]:
    """Canonical lawyer table (optional columns filled) and the problems found."""
    frame, issues, out = _id_region_kind(lawyers, "lawyers", ("lawyer_id", "region", "kind", "handled_this_year"),
                                         plan, file)
    firm = frame["firm"] if "firm" in frame else pd.Series("", index=frame.index)
    out["firm"] = firm.fillna("").astype(str).str.strip()
    handled = pd.to_numeric(frame["handled_this_year"], errors="coerce")
    bad = (handled.isna() | (handled < 0) | (handled % 1 != 0)).to_numpy()
    for i in np.flatnonzero(bad)[:50]:
        issues.append(InputIssue(file, _row(i), _label("lawyers", "handled_this_year"),
                                 str(frame["handled_this_year"].iloc[i]), "应为不小于0的整数（件）"))
    out["handled_this_year"] = handled.fillna(0).astype("int64")
    out["available"] = frame["available"].astype(bool) if "available" in frame else True
    _optional(frame, out, "lawyers", file, issues)
    return out, issues


def _optional(frame: pd.DataFrame, out: pd.DataFrame, table: str, file: str, issues: list[InputIssue]) -> None:
    """The optional dispatch columns (``OPTIONAL_DISPATCH``), canonical, defaults where absent or blank."""
    for column in (c for c in TABLES[table] if c.name in OPTIONAL_DISPATCH[table]):
        given = frame.get(column.name, None)
        if column.kind == "enum":
            if given is None:
                out[column.name] = column.default
                continue
            text = given.fillna("").astype(str).str.strip()
            blank = (text == "").to_numpy()
            values = _canon_enum(frame.assign(**{column.name: text.where(~blank, column.choices[0][0])}), table,
                                 column.name, file, issues)
            out[column.name] = values.where(~blank, "").fillna("")
        elif column.kind == "bool":
            out[column.name] = given.fillna(column.default).astype(bool) if given is not None else column.default
        elif column.kind == "int":
            number = pd.to_numeric(given, errors="coerce") if given is not None else pd.Series(column.default,
                                                                                               index=frame.index)
            bad = (number.notna() & ((number < 0) | (number % 1 != 0))).to_numpy().copy()
            if given is not None:
                bad = bad | (number.isna() & given.notna()).to_numpy()
            for i in np.flatnonzero(bad)[:50]:
                issues.append(InputIssue(file, _row(i), column.label, str(given.iloc[i]), "应为不小于0的整数（年）"))
            out[column.name] = number.fillna(column.default).astype("int64")
        elif column.kind == "date":
            out[column.name] = pd.to_datetime(given) if given is not None else pd.NaT
        else:
            out[column.name] = given.fillna("").astype(str).str.strip() if given is not None else ""


def check_pinned(pinned: pd.DataFrame | None, cases: pd.DataFrame, lawyers: pd.DataFrame,
                 file: str = PINNED_LABEL) -> tuple[pd.DataFrame, list[InputIssue]]:
    """Pinned (case_id, lawyer_id) pairs that refer to known cases and lawyers, once per case."""
    if pinned is None or len(pinned) == 0:
        return pd.DataFrame({"case_id": pd.Series(dtype=str), "lawyer_id": pd.Series(dtype=str)}), []
    if not {"case_id", "lawyer_id"} <= set(pinned.columns):
        return pinned, [InputIssue(file, None, None, None, "需要列 案件编号（case_id）和 律师编号（lawyer_id）")]
    frame = pinned.reset_index(drop=True)
    rows = frame["_row"] if "_row" in frame else pd.Series(np.arange(len(frame)) + 2)
    case_ids = frame["case_id"].astype(str).str.strip()
    lawyer_ids = frame["lawyer_id"].astype(str).str.strip()
    issues: list[InputIssue] = []
    known_cases, known_lawyers = set(cases["case_id"]), set(lawyers["lawyer_id"])
    seen: dict[str, int] = {}
    for i, (c, lw) in enumerate(zip(case_ids, lawyer_ids, strict=True)):
        row = int(rows.iloc[i])
        if c not in known_cases:
            issues.append(InputIssue(file, row, "案件编号", c, "案件表中没有这个案件编号"))
        elif c in seen:
            issues.append(InputIssue(file, row, "案件编号", c, f"该案件已在第{seen[c]}行指定过律师，每个案件只能指定一次"))
        else:
            seen[c] = row
        if lw not in known_lawyers:
            issues.append(InputIssue(file, row, "律师编号", lw, "律师表中没有这个律师编号"))
    return pd.DataFrame({"case_id": case_ids, "lawyer_id": lawyer_ids}), issues


def check_progress(plan: Plan, progress: pd.DataFrame, month: int | None) -> int:
    """Check a canonical progress table against the plan; return the as-of month.

    Files are validated in full by the domain layer (``scenarios.tables.read_table``); this
    guards callers who pass DataFrames directly: known regions, counts not negative, and the
    domain layer's own consistency checks (``scenarios.progress_checks``: months from 1 without
    gaps or repeats, closures to date not above approvals to date, no month after ``month``,
    every plan region reported up to ``month``, counts that look cumulative) — the same checks
    ``scenarios.tables.load_inputs`` applies to files.
    """
    issues: list[str] = []
    need = {"region", "month", "approved", "closed"}
    if not need <= set(progress.columns):
        raise InputError([InputIssue(PROGRESS_LABEL, None, None, None,
                                     f"缺少列：{'、'.join(sorted(need - set(progress.columns)))}")])
    frame = progress.reset_index(drop=True)
    unknown = sorted(set(frame["region"]) - set(plan.region_ids))
    if unknown:
        issues.append(f"地区 {unknown} 不在计划 {plan.id} 中（可用：{plan.region_choices()}）")
    months = pd.to_numeric(frame["month"], errors="coerce")
    if months.isna().any() or (months % 1 != 0).any() or not months.between(1, 12).all():
        issues.append("月份应为1至12的整数")
    for col, label in (("approved", "审批数"), ("closed", "结案数")):
        values = pd.to_numeric(frame[col], errors="coerce")
        if values.isna().any() or (values < 0).any() or (values % 1 != 0).any():
            issues.append(f"{label}应为非负整数")
    if issues:
        raise InputError([InputIssue(PROGRESS_LABEL, None, None, None, i) for i in issues])
    last = int(months.max()) if len(frame) else 0
    if month is None:
        month = last
    if not 0 <= month <= 12:
        raise InputError([InputIssue(PROGRESS_LABEL, None, None, None, f"截至月份应在0至12之间，实为 {month}")])
    frame = frame.assign(month=months.astype(int))
    domain = progress_issues(frame, plan, as_of_month=month, file=PROGRESS_LABEL)
    domain += progress_completeness(frame, plan, as_of_month=month, file=PROGRESS_LABEL)
    domain += cumulative_issues(frame, plan, file=PROGRESS_LABEL)
    if domain:
        raise InputError(domain)
    return month


def unknown_lawyer_ids(cases: pd.DataFrame, lawyers: pd.DataFrame, file: str) -> list[InputIssue]:
    """Lawyer ids in 受援人选择的律师, 前一阶段律师 or 回避律师 that the lawyers table does not hold."""
    known = set(lawyers["lawyer_id"])
    labels = {c.name: c.label for c in TABLES["cases"]}
    issues = []
    for column in ("requested_lawyer", "previous_lawyer", "excluded_lawyers"):
        values = cases[column].to_numpy(dtype=object)
        for i in np.flatnonzero(values != ""):
            for x in split_ids(values[i]):
                if x not in known:
                    hint = difflib.get_close_matches(x, list(known), n=1, cutoff=0.6)
                    expected = "应为律师表中的律师编号" + (f"；是否要填“{hint[0]}”？" if hint else "")
                    issues.append(InputIssue(file, int(i) + 2, labels[column], x, expected))
                    if len(issues) >= 50:
                        return issues
    return issues


def split_ids(text: str) -> list[str]:
    """Ids in one cell, separated by 、，；, spaces or slashes."""
    return [x for x in re.split(r"[、,，;；\s/]+", str(text or "").strip()) if x]
