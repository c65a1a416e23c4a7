"""From a funds table to per-region budgets, and every funding rule for each region and the city.

``budgets_from_funds`` applies a scenario's overrides to the canonical funds table (see
``scenarios.schema``); ``evaluate`` runs the rule functions of ``scenarios.budget.rules`` for
each region and for the city total (``CITY_TOTAL``, the sum of the regions in the table).
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from scenarios.budget.rules import CountyBudget, RuleCheck, check_county
from scenarios.budget.scenario import Overrides
from scenarios.budget.schedule import SubsidySchedule
from scenarios.errors import InputError, InputIssue
from scenarios.plans import Plan
from scenarios.vocab import CITY_TOTAL

#: Columns of the long checks table (English, one row per region and rule).
CHECK_COLUMNS = ["region", "rule", "status", "passed", "required", "actual", "shortfall", "value", "base", "basis",
                 "month", "reference", "pace"]


def validate_funds(plan: Plan, funds: pd.DataFrame, source: str = "经费表") -> pd.DataFrame:
    """The funds table in plan order, or InputError listing every problem.

    Accepts the canonical funds DataFrame (``scenarios.tables.read_table(path, "funds", plan)``
    returns one); optional columns may be absent (read as NaN).
    """
    issues = []
    missing = [c for c in ("region", "upper_funds", "local_funds") if c not in funds.columns]
    if missing:
        raise InputError([InputIssue(source, None, c, None, "缺少此列") for c in missing])
    frame = funds.copy()
    for col in ("planned_cases", "arrived", "spent", "subsidy_spent"):
        if col not in frame.columns:
            frame[col] = np.nan
    for i, rid in enumerate(frame["region"], start=2):
        if rid not in plan.region_ids:
            issues.append(InputIssue(source, i, "region", str(rid), f"不是{plan.city}的地区（可用：{plan.region_choices()}）"))
    for rid in frame["region"][frame["region"].duplicated()].unique():
        issues.append(InputIssue(source, None, "region", str(rid), "同一地区出现多行，请合并为一行"))
    for col in ("upper_funds", "local_funds", "planned_cases", "arrived", "spent", "subsidy_spent"):
        values = pd.to_numeric(frame[col], errors="coerce")
        for i in np.flatnonzero((values < 0).to_numpy()):
            issues.append(InputIssue(source, int(i) + 2, col, str(frame[col].iloc[i]), "金额或件数不能为负数"))
        frame[col] = values.astype(float)
    for col in ("upper_funds", "local_funds"):
        for i in np.flatnonzero(frame[col].isna().to_numpy()):
            issues.append(InputIssue(source, int(i) + 2, col, None, "必须填写金额（元）"))
    if issues:
        raise InputError(issues)
    order = {rid: k for k, rid in enumerate(plan.region_ids)}
    return frame.sort_values("region", key=lambda s: s.map(order)).reset_index(drop=True)


def case_basis(plan: Plan, region: str, planned: float) -> float:
    """Cases the budget must fund (件): the plan target, or the planned cases when larger.

    The plans set the funding standards per case against the targets (安庆2023 §4、附件注;
    六安2025 §2(1)、§3(1)); a budget planned for more cases than the target must fund those too.
    """
    target = float(plan.region(region).target)
    return target if math.isnan(planned) else max(target, planned)


def budgets_from_funds(plan: Plan, funds: pd.DataFrame, *, schedule: SubsidySchedule,
                       mixes: dict[str, np.ndarray] | None = None,
                       overrides: Overrides | None = None) -> list[CountyBudget]:
    """One ``CountyBudget`` per row of the (validated) funds table, with the overrides applied.

    Parameters
    ----------
    funds : canonical funds table (validated by ``validate_funds``).
    schedule : the subsidy schedule; its expected subsidy per case is scaled by ``overrides.subsidy``.
    mixes : item mix per region id (``schedule.region_mixes``); default mix where absent.
    overrides : all-region changes and per-region overrides (region ids); none by default.
    """
    o = overrides or Overrides()
    out = []
    for row in funds.itertuples(index=False):
        rid = row.region
        ro = o.regions.get(rid)
        upper = row.upper_funds * (1 + o.upper_funds)
        local = row.local_funds * (1 + o.local_funds)
        cases = case_basis(plan, rid, row.planned_cases) * (1 + o.cases)
        if ro is not None:
            upper = ro.upper_funds_yuan if ro.upper_funds_yuan is not None else upper * (1 + ro.upper_funds)
            local = ro.local_funds_yuan if ro.local_funds_yuan is not None else local * (1 + ro.local_funds)
            cases = cases * (1 + ro.cases)
        mean, _ = schedule.per_case(None if mixes is None else mixes.get(rid))
        out.append(CountyBudget(
            region=rid, upper=float(upper), local=float(local), cases=float(cases),
            arrived=float(row.arrived), spent=float(row.spent), subsidy_spent=float(row.subsidy_spent),
            subsidy_per_case=mean * (1 + o.subsidy)))
    return out


def city_total(budgets: list[CountyBudget]) -> CountyBudget:
    """The city total (``CITY_TOTAL``): sums of the regions; an execution figure is NaN if any region lacks it."""
    def total(attr: str) -> float:
        return float(sum(getattr(b, attr) for b in budgets))

    cases = total("cases")
    due = float(sum(b.subsidy_per_case * b.cases for b in budgets))
    return CountyBudget(region=CITY_TOTAL, upper=total("upper"), local=total("local"), cases=cases,
                        arrived=total("arrived"), spent=total("spent"), subsidy_spent=total("subsidy_spent"),
                        subsidy_per_case=due / cases if cases else math.nan)


def evaluate(plan: Plan, budgets: list[CountyBudget], *, month: int = 12, schedule: SubsidySchedule,
             on: dt.date | None = None, with_total: bool = True) -> list[RuleCheck]:
    """Every funding rule for every region, then for the city total."""
    reference = schedule.citation
    rows = list(budgets) + ([city_total(budgets)] if with_total and budgets else [])
    return [check for b in rows for check in check_county(plan, b, month=month, schedule_reference=reference,
                                                          schedule_example=schedule.example, on=on)]


def checks_frame(checks: list[RuleCheck]) -> pd.DataFrame:
    """The checks as a long DataFrame (``CHECK_COLUMNS``)."""
    rows = [[c.region, c.rule, c.status, c.passed, c.required, c.actual, c.shortfall, c.value, c.base, c.basis,
             c.month, c.reference, c.pace] for c in checks]
    frame = pd.DataFrame(rows, columns=CHECK_COLUMNS)
    return frame.astype({"required": float, "actual": float, "shortfall": float, "value": float, "base": float,
                         "month": "int64", "pace": bool})
