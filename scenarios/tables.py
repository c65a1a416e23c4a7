"""Reading the four input tables once, for every engine.

``read_table`` reads one file (CSV in UTF-8/UTF-8-BOM/GB18030, or .xlsx/.xls; English or
Chinese headers) into the canonical frame of ``scenarios.schema``; ``load_inputs`` reads all
given files, collects the problems of every file into one ``InputError`` and reports lawyers
already over the yearly cap as findings (安庆2023 §6(2)), not as errors.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import pandas as pd

from scenarios.errors import InputError, InputIssue
from scenarios.plans import Plan
from scenarios.progress_checks import cumulative_issues, progress_completeness
from scenarios.readers import read_raw
from scenarios.schema import OPTIONAL_DISPATCH, TABLES, columns
from scenarios.validate import KIND_DTYPES, header_score, map_headers, parse_table, progress_issues
from scenarios.vocab import Finding, over_cap

__all__ = ["DTYPES", "InputTables", "coerce", "lawyer_findings", "load_inputs", "progress_issues", "read_table"]

#: Canonical dtype of every column, per table (the dispatcher's optional columns apart, in
#: ``OPTIONAL_DTYPES``: a table holds them only when its file has them). The progress table's
#: optional counts (``OPTIONAL_COUNTS``) may be absent (all NaN), so they are float.
OPTIONAL_COUNTS = {"progress": ("closed_litigation", "closed_social")}
DTYPES = {table: {c.name: "float64" if c.name in OPTIONAL_COUNTS.get(table, ()) else KIND_DTYPES[c.kind]
                  for c in cols if c.name in columns(table)} for table, cols in TABLES.items()}
OPTIONAL_DTYPES = {table: {c.name: KIND_DTYPES[c.kind] for c in cols if c.name not in columns(table)}
                   for table, cols in TABLES.items()}


def coerce(frame: pd.DataFrame, table: str, keep: tuple[str, ...] = ()) -> pd.DataFrame:
    """Canonical columns in order with canonical dtypes and a fresh RangeIndex (no checks); of the
    dispatcher's optional columns (``OPTIONAL_DISPATCH``) only those in ``keep``; an optional count
    column of the progress table the frame lacks is added empty (NaN)."""
    absent = [c for c in OPTIONAL_COUNTS.get(table, ()) if c not in frame.columns]
    names = [c for c in columns(table, optional=True) if c in columns(table) or c in keep]
    out = frame.assign(**{name: float("nan") for name in absent})[names].reset_index(drop=True)
    return out.astype({k: v for k, v in {**DTYPES[table], **OPTIONAL_DTYPES[table]}.items() if k in out})


def read_table(path: str | os.PathLike, table: str, plan: Plan, *, as_of_month: int | None = None,
               cumulative: bool = False, sheet: str | None = None, notes: list | None = None) -> pd.DataFrame:
    """Read one input table into its canonical frame.

    Parameters
    ----------
    path : .csv (UTF-8, UTF-8 with BOM or GB18030), .xlsx or .xls (first sheet).
    table : "cases", "lawyers", "progress", "funds" or "history".
    plan : the plan whose regions the file must use.
    as_of_month : for progress, the current month (1-12); later months are errors.
    cumulative : for progress, the counts are year to date (turned into monthly counts).
    sheet : the Excel sheet holding the table (default: the sheet whose header fits best).
    notes : a list that receives findings that are not errors (total rows skipped, …).

    Raises
    ------
    InputError : every problem of the file at once.
    """
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}; expected one of {sorted(TABLES)}")
    if as_of_month is not None and not 1 <= as_of_month <= 12:
        raise ValueError(f"as_of_month must be 1..12, got {as_of_month}")
    raw = read_raw(path, header_score(table), sheet=sheet)
    frame, issues, found = parse_table(raw, table, plan, as_of_month=as_of_month, cumulative=cumulative)
    if issues:
        raise InputError(sorted(issues, key=_order))
    if notes is not None:
        notes += list(raw.notes) + found
    present = set(map_headers(raw, table)[0])
    keep = tuple(c for c in OPTIONAL_DISPATCH.get(table, ()) if c in present
                 or (c == "township" and frame.get("township", pd.Series(dtype=str)).fillna("").ne("").any()))
    return coerce(frame, table, keep)


def _order(issue: InputIssue) -> tuple:
    return (issue.file, issue.row is not None, issue.row or 0)


def lawyer_findings(lawyers: pd.DataFrame, plan: Plan) -> list[Finding]:
    """One finding ("lawyer_over_cap") per lawyer already above the yearly cap (件/年, 安庆2023 §6(2)).

    Not an input error: accountability at the yearly assessment, and no new cases for them.
    Names ids only, never personal names.
    """
    rule = plan.rule("lawyer_yearly_cap")
    if rule is None:
        return []
    over = lawyers[over_cap(lawyers["handled_this_year"].to_numpy(), rule.value)]
    return [Finding("lawyer_over_cap", (str(lawyer_id),), {"kind": kind, "handled": int(handled), "cap": rule.value,
                                                           "citation": rule.citation})
            for lawyer_id, kind, handled in over[["lawyer_id", "kind", "handled_this_year"]].itertuples(index=False)]


@dataclass
class InputTables:
    """All input tables of one run, validated.

    Attributes
    ----------
    plan : the plan the tables were checked against.
    cases, lawyers, progress, funds : canonical frames, or None when not given.
    history : earlier years' monthly counts (canonical history table), or None.
    findings : facts that are not errors (e.g. lawyers over the yearly cap).
    sources : table name -> file it was read from.
    """

    plan: Plan
    cases: pd.DataFrame | None = None
    lawyers: pd.DataFrame | None = None
    progress: pd.DataFrame | None = None
    funds: pd.DataFrame | None = None
    history: pd.DataFrame | None = None
    findings: list[Finding] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)


def load_inputs(plan: Plan, *, cases=None, lawyers=None, progress=None, funds=None, history=None,
                as_of_month: int | None = None, cumulative: bool = False, sheet: str | None = None) -> InputTables:
    """Read every given file; one InputError listing the problems of all files.

    The progress table is checked for the city as a whole too: every region reported every month
    up to the current month (``as_of_month``, else the last month in the table), and counts that
    look cumulative. ``legalaid check``, ``run`` and ``project`` all read through here.

    Parameters
    ----------
    plan : the plan whose regions and rules apply.
    cases, lawyers, progress, funds, history : paths (str or PathLike) or None.
    as_of_month : current month (1-12) for the progress checks.
    cumulative : the progress counts are year to date (turned into monthly counts).
    sheet : the Excel sheet to read in every workbook (default: found by its header).
    """
    result = InputTables(plan)
    issues: list[InputIssue] = []
    for table, path in (("cases", cases), ("lawyers", lawyers), ("progress", progress), ("funds", funds),
                        ("history", history)):
        if path is None:
            continue
        result.sources[table] = str(path)
        try:
            setattr(result, table, read_table(path, table, plan, as_of_month=as_of_month, cumulative=cumulative,
                                              sheet=sheet, notes=result.findings))
        except InputError as exc:
            issues += exc.issues
    if result.progress is not None:
        issues += progress_completeness(result.progress, plan, as_of_month=as_of_month, file=str(progress))
        if not cumulative:
            issues += cumulative_issues(result.progress, plan, file=str(progress))
    if issues:
        raise InputError(issues)
    if result.lawyers is not None:
        result.findings += lawyer_findings(result.lawyers, plan)
    return result
