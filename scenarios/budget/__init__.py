"""Budget scenarios: test the funding rules, find the least compliant budget, sweep and risk.

Public API::

    from scenarios.budget import check_budget, run_scenario_file, Scenario, Overrides, SweepGrid
    result = check_budget("anqing-2023", funds=None, month=6)   # None → seeded example data
    result.verdicts / result.summary / result.least_budget / result.write("out/budget")

Modules: ``rules`` (one function per funding rule), ``evaluate`` (funds table → budgets →
verdicts), ``scenario`` (TOML scenario files, documented there), ``sweep`` (vectorised grids),
``least`` (least compliant local budget), ``risk`` (subsidy over-run risk from projected
cases), ``schedule`` (editable subsidy schedule; the bundled one is an EXAMPLE), ``charts``.
This package imports no engine.
"""

from scenarios.budget.check import BudgetResult, check_budget, run_scenario_file
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
    "run_scenario_file",
    "samples_by_region",
    "subsidy_risk",
    "sweep",
]
