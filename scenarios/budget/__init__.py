"""Budget scenarios: test the funding rules, find the least compliant budget, sweep and risk.

Pure functions over a ``Plan`` and DataFrames::

    from scenarios.budget import check_budget, load_schedule, Scenario, Overrides, SweepGrid
    result = check_budget(plan, funds, schedule=load_schedule(), month=6)
    result.checks / result.least / result.sweep / result.risk

Modules: ``rules`` (one function per funding rule), ``evaluate`` (funds table → budgets →
verdicts), ``scenario`` (TOML scenario files, documented there), ``sweep`` (vectorised grids),
``least`` (least compliant local budget), ``risk`` (subsidy over-run risk from projected
cases), ``schedule`` (editable subsidy schedule; the bundled one is an EXAMPLE), ``check``
(all of it at once). This package imports no engine and no writer: ``legalaid.report.budget``
words and writes the result.
"""

from scenarios.budget.check import BudgetResult, check_budget
from scenarios.budget.evaluate import budgets_from_funds, city_total, evaluate
from scenarios.budget.least import least_local_budget
from scenarios.budget.risk import funds_for_level, samples_by_region, subsidy_risk
from scenarios.budget.rules import CountyBudget, RuleCheck, check_county
from scenarios.budget.scenario import (
    DEFAULT_GRID,
    Overrides,
    RegionOverride,
    Scenario,
    ScenarioFile,
    SweepGrid,
    load_scenario_file,
)
from scenarios.budget.schedule import SubsidySchedule, load_schedule
from scenarios.budget.sweep import SweepResult, sweep

__all__ = [
    "DEFAULT_GRID",
    "BudgetResult",
    "CountyBudget",
    "Overrides",
    "RegionOverride",
    "RuleCheck",
    "Scenario",
    "ScenarioFile",
    "SubsidySchedule",
    "SweepGrid",
    "SweepResult",
    "budgets_from_funds",
    "check_budget",
    "check_county",
    "city_total",
    "evaluate",
    "funds_for_level",
    "least_local_budget",
    "load_scenario_file",
    "load_schedule",
    "samples_by_region",
    "subsidy_risk",
    "sweep",
]
