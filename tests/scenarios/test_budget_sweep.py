"""The vectorised sweep gives exactly the scalar rule functions' verdicts and amounts."""

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from legalaid.api import check_budget
from legalaid.report.budget_tables import sweep_detail, sweep_summary
from scenarios.budget import DEFAULT_GRID, Overrides, SweepGrid, load_schedule, sweep
from scenarios.budget.evaluate import budgets_from_funds, checks_frame, evaluate, validate_funds
from scenarios.budget.least import least_local_budget
from scenarios.budget.rules import FAIL, YEAR_END_RULES
from scenarios.budget.schedule import region_mixes
from scenarios.budget.sweep import CODES
from scenarios.example import generate_example
from scenarios.plans import load_plan

CODE = {name: code for code, name in CODES.items()}


def random_funds(plan, rng):
    """Funds around the rules' thresholds, with some execution figures missing."""
    rows = []
    for region in plan.regions:
        upper = region.target * rng.uniform(400, 800)
        local = upper * rng.uniform(0.7, 1.6)
        arrived = (upper + local) * rng.uniform(0.3, 1.0) if rng.random() > 0.15 else math.nan
        spent = (upper + local) * rng.uniform(0.2, 0.9) if rng.random() > 0.1 else math.nan
        subsidy = spent * rng.uniform(0.6, 0.85) if rng.random() > 0.2 else math.nan
        planned = region.target * rng.uniform(0.9, 1.2) if rng.random() > 0.5 else math.nan
        rows.append([region.id, upper, local, planned, arrived, spent, subsidy])
    return pd.DataFrame(rows, columns=["region", "upper_funds", "local_funds", "planned_cases", "arrived", "spent",
                                       "subsidy_spent"])


@pytest.mark.parametrize(("plan_id", "month", "seed", "example"),
                         [("anqing-2023", 6, 1, True), ("luan-2025", 12, 2, False), ("luan-2025", 3, 3, True),
                          ("anqing-2023", 12, 4, False)])
def test_sweep_equals_the_scalar_rule_functions(plan_id, month, seed, example):
    """For every grid point, region (and the city total) and rule: same status, required, actual, shortfall, least;
    with the bundled example schedule and with a schedule a user supplies (same numbers, not an example)."""
    plan = load_plan(plan_id)
    rng = np.random.default_rng(seed)
    schedule = dataclasses.replace(load_schedule(), example=example)
    table = validate_funds(plan, random_funds(plan, rng))
    data = generate_example(plan, month=6, seed=seed)
    mixes, _ = region_mixes(schedule, data.cases, plan.region_ids)
    base = budgets_from_funds(plan, table, schedule=schedule, mixes=mixes)
    grid = SweepGrid(upper_funds=(-0.3, 0.0, 0.15), local_funds=(-0.1, 0.05), cases=(0.0, 0.1, 0.2),
                     subsidy=(0.0, 0.15))
    result = sweep(plan, base, grid, month=month, schedule_example=example)
    assert result.status.shape == (grid.size, len(plan.regions) + 1, 7)
    compared = 0
    for s, point in enumerate(grid.points().itertuples(index=False)):
        overrides = Overrides(upper_funds=point.upper_funds, local_funds=point.local_funds, cases=point.cases,
                              subsidy=point.subsidy)
        budgets = budgets_from_funds(plan, table, schedule=schedule, mixes=mixes, overrides=overrides)
        checks = checks_frame(evaluate(plan, budgets, month=month, schedule=schedule))
        least = least_local_budget(plan, budgets, schedule_example=example)
        for r, region in enumerate(result.region_ids):
            mine = checks[checks["region"] == region].set_index("rule").loc[list(result.rules)]
            assert list(result.status[s, r]) == [CODE[x] for x in mine["status"]]
            for name, array in (("required", result.required), ("actual", result.actual),
                                ("shortfall", result.shortfall)):
                np.testing.assert_allclose(array[s, r], mine[name].to_numpy(), rtol=1e-12, atol=1e-6)
            row = least[least["region"] == region].iloc[0]
            assert result.least_local[s, r] == pytest.approx(row["least_local"], abs=1e-6)
            assert result.gap[s, r] == pytest.approx(row["gap"], abs=1e-6)
            compared += 1
    assert compared == grid.size * (len(plan.regions) + 1)
    codes = set(np.unique(result.status))
    assert {0, 1} <= codes  # the data exercise both verdicts
    assert (-3 in codes) == example and ({-4, -5} <= codes) == (month < 12)
    assert (0 not in result.status[:, :, [result.rules.index(r) for r in YEAR_END_RULES]]) or month == 12


def test_sweep_through_check_budget_and_tables():
    """check_budget(sweep=True) sweeps the default grid; the zero point equals the base verdicts."""
    result = check_budget("anqing-2023", month=6, sweep=True)
    swept = result.sweep
    assert swept.grid.shape[0] == DEFAULT_GRID.size == 150
    assert swept.evaluations == 150 * 11
    zero = swept.grid.index[(swept.grid == 0).all(axis=1)][0]
    base_failing = result.checks[result.checks["status"] == FAIL]
    assert int((swept.status[zero] == 0).sum()) == len(base_failing)
    summary = sweep_summary(result.plan, swept)
    assert summary.loc[zero, "地方预算缺口合计（元）"] == pytest.approx(result.least["gap"].iloc[-1])
    detail = sweep_detail(result.plan, swept)
    assert len(detail) == 150 * 12 and "是否达标" in detail.columns
    # more upper-level money never lowers the gap (the 1:1 match grows with it); more cases never lower it
    gaps = summary.set_index(["中央和省级资金变化", "地方财政资金变化", "案件数变化", "补贴标准变化"])[
        "地方预算缺口合计（元）"]
    table = gaps.xs(("+0%", "+0%"), level=(1, 3)).unstack(0)
    assert (np.diff(table[["-30%", "-20%", "-10%", "+0%", "+10%"]].to_numpy(), axis=1) >= -1e-6).all()
    assert (np.diff(table.loc[["+0%", "+10%", "+20%"]].to_numpy(), axis=0) >= -1e-6).all()
