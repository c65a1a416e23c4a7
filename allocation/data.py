"""The allocation inputs, checked and indexed once (the "check" step of the pipeline).

``prepare`` turns the canonical case and lawyer tables (``scenarios.schema``), the optional
pinned assignments and distance table into a ``Problem``: plain numpy/pandas columns the model
builder reads, with every per-case and per-lawyer fact the hard rules need (administering
centre, eligibility, headroom under the yearly cap). Problems a user can fix raise one
``InputError`` listing all of them; facts that are not errors (a lawyer already over the cap, a
pinned assignment that breaks a rule) become Chinese findings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import pandas as pd

from scenarios.errors import InputError, InputIssue, PlanError
from scenarios.plans import Plan
from scenarios.schema import CASE_KINDS, INSTANCES, LAWYER_KINDS, TABLES

#: How a table passed as a DataFrame is named in messages.
CASES_LABEL, LAWYERS_LABEL, PINNED_LABEL = "案件表", "律师表", "已指派表"
#: Lawyer kinds in model order; index = kind code.
KINDS = ("social", "staff", "grassroots")
SOCIAL, STAFF, GRASSROOTS = 0, 1, 2


@dataclass(frozen=True)
class Rules:
    """The plan's rule values the engine uses, read once (never written as literals).

    Attributes
    ----------
    cap : yearly cases per lawyer or grassroots worker (件/年), rule ``lawyer_yearly_cap``.
    cap_citation : its source as a user reads it, e.g. "安庆2023 §6(2)".
    social_share : minimum share of the year's cases handled by social lawyers, as an exact
        fraction (rule ``social_lawyer_share_min``; 0.75 -> 3/4).
    social_citation : its source.
    on : the date the values were read at.
    """

    cap: int
    cap_citation: str
    social_share: Fraction
    social_citation: str
    on: dt.date

    @classmethod
    def from_plan(cls, plan: Plan, on: dt.date | None = None) -> Rules:
        """Read the cap and the social-lawyer share in force on ``on`` (default: year end)."""
        on = on or plan.default_date
        cap = plan.rule("lawyer_yearly_cap", on)
        share = plan.rule("social_lawyer_share_min", on)
        missing = [n for n, r in (("lawyer_yearly_cap", cap), ("social_lawyer_share_min", share)) if r is None]
        if missing:
            raise PlanError(f"计划“{plan.id}”在{on.isoformat()}没有生效的规则：{'、'.join(missing)}（派案需要）")
        return cls(cap=int(np.floor(cap.value)), cap_citation=cap.citation,
                   social_share=Fraction(str(share.value)), social_citation=share.citation, on=on)

    def social_required(self, total: int) -> int:
        """Least social-lawyer cases among ``total`` cases so the share is met (exact ceiling)."""
        return -((-self.social_share.numerator * total) // self.social_share.denominator)


@dataclass
class Problem:
    """Everything the model needs, indexed.

    Attributes
    ----------
    plan, rules : the plan and its rule values.
    regions : region ids in plan order (index = region code); ``city`` is the city centre's code.
    cases : every input case in input order, canonical columns plus ``centre`` (administering
        centre, region id), ``criminal`` (bool), ``group`` (co-defendant group key, "" when the
        case is not part of a group of two or more criminal co-defendants), ``pinned_lawyer``
        ("" when not pinned), ``order`` (first-come first-served rank: received, then case id).
    lawyers : every input lawyer in input order, canonical columns plus ``pinned`` (件 pinned in
        this batch), ``base`` (handled_this_year + pinned), ``headroom`` (cap − base, ≥ 0) and
        ``eligible`` (available and headroom > 0: may take new cases).
    dist_m : km from administering centre (row) to lawyer region (column), in whole metres;
        0 on the diagonal.
    dist_source : "plan" (county-seat coordinates), "table" or "table+plan".
    findings : Chinese sentences that are not errors.
    seed : tie-break seed among interchangeable lawyers.
    """

    plan: Plan
    rules: Rules
    regions: tuple[str, ...]
    city: int
    cases: pd.DataFrame
    lawyers: pd.DataFrame
    dist_m: np.ndarray
    dist_source: str
    findings: list[str] = field(default_factory=list)
    seed: int = 0

    def region_code(self, ids) -> np.ndarray:
        """Region codes for an array of region ids."""
        index = {r: i for i, r in enumerate(self.regions)}
        return np.array([index[r] for r in ids], dtype=np.int64)

    def region_name(self, rid: str) -> str:
        """Chinese name of a region id."""
        return self.plan.region(rid).name


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


def check_cases(cases: pd.DataFrame, plan: Plan, file: str = CASES_LABEL) -> tuple[pd.DataFrame, list[InputIssue]]:
    """Canonical case table (optional columns filled) and the problems found."""
    _need(cases, "cases", ("case_id", "region", "kind", "instance"), file)
    frame = cases.reset_index(drop=True)
    issues: list[InputIssue] = []
    out = pd.DataFrame({"case_id": _ids(frame, "cases", "case_id", file, issues)})
    out["region"] = _canon_region(frame, "cases", plan, file, issues)
    out["kind"] = _canon_enum(frame, "cases", "kind", file, issues)
    out["instance"] = _canon_enum(frame, "cases", "instance", file, issues)
    out["litigation"] = frame["litigation"].astype(bool) if "litigation" in frame else True
    group = frame["group_id"] if "group_id" in frame else pd.Series("", index=frame.index)
    out["group_id"] = group.fillna("").astype(str).str.strip()
    out["received"] = pd.to_datetime(frame["received"]) if "received" in frame else pd.NaT
    return out, issues


def check_lawyers(lawyers: pd.DataFrame, plan: Plan, file: str = LAWYERS_LABEL) -> tuple[pd.DataFrame, list[InputIssue]]:
    """Canonical lawyer table (optional columns filled) and the problems found."""
    _need(lawyers, "lawyers", ("lawyer_id", "region", "kind", "handled_this_year"), file)
    frame = lawyers.reset_index(drop=True)
    issues: list[InputIssue] = []
    out = pd.DataFrame({"lawyer_id": _ids(frame, "lawyers", "lawyer_id", file, issues)})
    out["region"] = _canon_region(frame, "lawyers", plan, file, issues)
    out["kind"] = _canon_enum(frame, "lawyers", "kind", file, issues)
    firm = frame["firm"] if "firm" in frame else pd.Series("", index=frame.index)
    out["firm"] = firm.fillna("").astype(str).str.strip()
    handled = pd.to_numeric(frame["handled_this_year"], errors="coerce")
    bad = (handled.isna() | (handled < 0) | (handled % 1 != 0)).to_numpy()
    for i in np.flatnonzero(bad)[:50]:
        issues.append(InputIssue(file, _row(i), _label("lawyers", "handled_this_year"),
                                 str(frame["handled_this_year"].iloc[i]), "应为不小于0的整数（件）"))
    out["handled_this_year"] = handled.fillna(0).astype("int64")
    out["available"] = frame["available"].astype(bool) if "available" in frame else True
    return out, issues


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


def prepare(plan: Plan, cases: pd.DataFrame, lawyers: pd.DataFrame, *, pinned: pd.DataFrame | None = None,
            distances: pd.DataFrame | None = None, on: dt.date | None = None, seed: int = 0,
            labels: dict[str, str] | None = None) -> Problem:
    """Check the inputs and index them for the model (pipeline step 1).

    Parameters
    ----------
    plan : the city plan (regions, rules).
    cases, lawyers : canonical tables (``scenarios.schema``); optional columns may be absent.
    pinned : assignments already made, columns case_id, lawyer_id (kept as they are).
    distances : canonical distance table from ``read_distances`` (from, to, km), or None.
    on : date the rules are read at (default: the plan year's end).
    seed : tie-break among interchangeable lawyers.
    labels : table -> file name for messages (default: 案件表/律师表/已指派表).

    Raises
    ------
    InputError : every problem of the inputs at once.
    """
    from allocation import constraints
    from allocation.distances import distance_matrix

    labels = labels or {}
    rules = Rules.from_plan(plan, on)
    case_frame, issues = check_cases(cases, plan, labels.get("cases", CASES_LABEL))
    lawyer_frame, lawyer_issues = check_lawyers(lawyers, plan, labels.get("lawyers", LAWYERS_LABEL))
    issues += lawyer_issues
    if issues:
        raise InputError(issues)
    pinned_frame, pin_issues = check_pinned(pinned, case_frame, lawyer_frame, labels.get("pinned", PINNED_LABEL))
    if pin_issues:
        raise InputError(pin_issues)
    regions = tuple(plan.region_ids)
    findings: list[str] = []

    case_frame["centre"] = constraints.administering_centre(plan, case_frame)
    case_frame["criminal"] = case_frame["kind"].to_numpy() == "criminal"
    pin_map = dict(zip(pinned_frame["case_id"], pinned_frame["lawyer_id"], strict=True))
    case_frame["pinned_lawyer"] = np.array([pin_map.get(c, "") for c in case_frame["case_id"]], dtype=object)
    case_frame["group"] = constraints.codefendant_groups(case_frame, findings)
    ranked = case_frame.sort_values(["received", "case_id"], na_position="last", kind="stable").index.to_numpy()
    order = np.empty(len(case_frame), dtype=np.int64)
    order[ranked] = np.arange(len(case_frame))
    case_frame["order"] = order

    pin_count = pinned_frame["lawyer_id"].value_counts()
    lawyer_frame["pinned"] = lawyer_frame["lawyer_id"].map(pin_count).fillna(0).astype("int64")
    lawyer_frame["base"] = lawyer_frame["handled_this_year"] + lawyer_frame["pinned"]
    lawyer_frame["headroom"] = constraints.lawyer_yearly_cap(rules, lawyer_frame)
    lawyer_frame["eligible"] = constraints.unavailable_take_nothing(lawyer_frame) & (lawyer_frame["headroom"] > 0)
    findings += constraints.cap_findings(rules, lawyer_frame)
    findings += constraints.pinned_findings(rules, case_frame, lawyer_frame)

    dist_m, source, dist_findings = distance_matrix(plan, distances)
    findings += dist_findings
    return Problem(plan=plan, rules=rules, regions=regions, city=regions.index(plan.city_centre.id),
                   cases=case_frame, lawyers=lawyer_frame, dist_m=dist_m, dist_source=source,
                   findings=findings, seed=seed)


#: Chinese labels used in output tables.
KIND_LABELS = dict(LAWYER_KINDS)
CASE_LABELS = dict(CASE_KINDS)
INSTANCE_LABELS = dict(INSTANCES)
