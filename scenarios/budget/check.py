"""``check_budget``: every funding rule per region and for the city, scenarios, a sweep and the risk.

A pure function over a ``Plan`` and DataFrames (no files, no example data: the front door,
``legalaid.api``, reads those). It returns a ``BudgetResult`` of English-column DataFrames;
``legalaid.report.budget`` words and writes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from scenarios.budget.evaluate import budgets_from_funds, checks_frame, evaluate, validate_funds
from scenarios.budget.least import least_local_budget
from scenarios.budget.risk import METHODS, samples_by_region, subsidy_risk
from scenarios.budget.rules import FAIL, CountyBudget
from scenarios.budget.scenario import BASE, Scenario, SweepGrid, resolve_overrides
from scenarios.budget.schedule import SubsidySchedule, region_mixes
from scenarios.budget.sweep import SweepResult, sweep
from scenarios.errors import InputError, InputIssue
from scenarios.plans import Plan
from scenarios.vocab import Finding


@dataclass
class BudgetResult:
    """Everything the budget check found (English columns; region ids).

    Attributes
    ----------
    plan, month : the plan and the reading month (12 = year end).
    schedule : the subsidy schedule used.
    budgets : base per-region budgets.
    checks : base verdicts, long (``evaluate.CHECK_COLUMNS``).
    least : least local budget per region (``least.LEAST_COLUMNS``).
    scenarios : the scenarios run (the base first), region keys resolved to ids.
    scenario_checks, scenario_least : the same tables for every scenario (column ``scenario``).
    sweep : the sweep, or None.
    risk : the subsidy risk per region (``risk.RISK_COLUMNS``), or None.
    findings : facts about the run (example schedule, missing regions, default mixes …).
    source : where the funds came from (set by the caller, for the report).
    """

    plan: Plan
    month: int
    schedule: SubsidySchedule
    budgets: list[CountyBudget]
    checks: pd.DataFrame
    least: pd.DataFrame
    scenarios: list[Scenario]
    scenario_checks: pd.DataFrame
    scenario_least: pd.DataFrame
    sweep: SweepResult | None = None
    risk: pd.DataFrame | None = None
    findings: list[Finding] = field(default_factory=list)
    source: str = ""

    @property
    def ok(self) -> bool:
        """True when no region and not the city fails any rule in the base case."""
        return not (self.checks["status"] == FAIL).any()

    @property
    def failing(self) -> pd.DataFrame:
        """The base checks that failed."""
        return self.checks[self.checks["status"] == FAIL].reset_index(drop=True)


def check_budget(plan: Plan, funds: pd.DataFrame, *, schedule: SubsidySchedule, month: int = 12,
                 scenarios: Sequence[Scenario] = (), sweep_grid: SweepGrid | None = None,
                 cases: pd.DataFrame | None = None, risk_samples: object = None, risk_level: float = 0.05,
                 risk_method: str = "cases+mix", on: dt.date | None = None, source: str = "") -> BudgetResult:
    """Check the funding rules per region and for the city; run scenarios, a sweep, the risk.

    Parameters
    ----------
    plan : the city plan (its dated funding rules).
    funds : canonical funds table (``scenarios.schema``).
    schedule : the subsidy schedule (``load_schedule()`` gives the bundled EXAMPLE).
    month : reading month 1..12 of arrivals and spending (12 = year end).
    scenarios : named overrides to compare with the base.
    sweep_grid : a grid to sweep on the base, or None.
    cases : canonical cases table giving the case mix per region, or None (default mix).
    risk_samples : projected year-end cases per region (see ``risk.samples_by_region``), or None.
    risk_level : accepted chance that the subsidies due exceed the funds (e.g. 0.05).
    risk_method : "cases+mix" (default) or "cases" (see ``scenarios.budget.risk``).
    on : date the rules are read at (default: the plan year's end).
    source : where the funds came from (kept for the report).
    """
    if not 1 <= int(month) <= 12:
        raise ValueError("month must be within 1..12")
    if risk_method not in METHODS:
        raise ValueError(f"risk_method must be one of {METHODS}")
    month = int(month)
    findings: list[Finding] = [Finding("example_schedule", (), {"name": schedule.name})] if schedule.example else []
    funds_frame = validate_funds(plan, funds)
    ids = list(funds_frame["region"])
    missing = tuple(r for r in plan.region_ids if r not in ids)
    if missing:
        findings.append(Finding("funds_missing_regions", missing))
    mixes, mix_notes = region_mixes(schedule, cases, ids)
    findings += mix_notes
    budgets = budgets_from_funds(plan, funds_frame, schedule=schedule, mixes=mixes)
    risk, risk_local = None, None
    if risk_samples is not None:
        risk, risk_local, absent = _risk(plan, budgets, schedule, mixes, risk_samples, risk_level, risk_method)
        if absent:
            findings.append(Finding("risk_without_samples", absent))
    all_scenarios = [BASE, *scenarios]
    _check_names(all_scenarios)
    scenario_checks, scenario_least, resolved = [], [], []
    for scenario in all_scenarios:
        overrides = resolve_overrides(scenario.overrides, plan)
        resolved.append(Scenario(scenario.name, overrides))
        these = budgets if scenario is BASE else budgets_from_funds(plan, funds_frame, schedule=schedule,
                                                                      mixes=mixes, overrides=overrides)
        checks = checks_frame(evaluate(plan, these, month=month, schedule=schedule, on=on))
        least = least_local_budget(plan, these, on=on, risk_local=risk_local if scenario is BASE else None,
                                   schedule_example=schedule.example)
        scenario_checks.append(checks.assign(scenario=scenario.name))
        scenario_least.append(least.assign(scenario=scenario.name))
    if len(all_scenarios) > 1 and risk is not None:
        findings.append(Finding("risk_base_only"))
    swept = sweep(plan, budgets, sweep_grid, month=month, on=on, schedule_example=schedule.example) \
        if sweep_grid is not None else None
    return BudgetResult(
        plan=plan, month=month, schedule=schedule, budgets=budgets,
        checks=scenario_checks[0].drop(columns="scenario"), least=scenario_least[0].drop(columns="scenario"),
        scenarios=resolved, scenario_checks=pd.concat(scenario_checks, ignore_index=True),
        scenario_least=pd.concat(scenario_least, ignore_index=True), sweep=swept, risk=risk, findings=findings,
        source=source)


def _risk(plan: Plan, budgets: list[CountyBudget], schedule: SubsidySchedule, mixes: Mapping[str, np.ndarray],
          risk_samples: object, level: float, method: str) -> tuple[pd.DataFrame, dict[str, float], tuple[str, ...]]:
    """The subsidy risk table, the local budget each region needs for ``level``, regions without samples."""
    samples = samples_by_region(plan, risk_samples)
    ids = [b.region for b in budgets]
    per_case = {rid: schedule.per_case(mixes[rid]) for rid in ids}
    risk = subsidy_risk(budgets, samples, per_case, level=level, method=method)
    local = dict(zip(risk["region"], risk["local_needed"], strict=True))
    return risk, local, tuple(r for r in ids if r not in samples)


def _check_names(scenarios: list[Scenario]) -> None:
    names = [s.name for s in scenarios]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise InputError([InputIssue("情景", None, None, name, f"情景名称重复（“{BASE.name}”是不变情景的保留名称）")
                          for name in duplicated])
