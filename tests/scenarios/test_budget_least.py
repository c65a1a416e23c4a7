"""Least compliant local budget: closed form, checked against the rules and against scipy's linprog."""

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from legalaid.api import check_budget
from scenarios.budget import load_schedule
from scenarios.budget.evaluate import budgets_from_funds, evaluate, validate_funds
from scenarios.budget.least import least_local_budget, rule_values
from scenarios.budget.rules import FAIL, SIZE_RULES, CountyBudget, check_county
from scenarios.budget.scenario import Overrides
from scenarios.plans import load_plan


@pytest.fixture(scope="module", params=["anqing-2023", "luan-2025"])
def case(request):
    """A plan with example funds and budgets (the example schedule and case mix)."""
    result = check_budget(request.param, month=6, seed=3)
    return result.plan, result.budgets


def test_susong_least_local_bounds_are_hand_checkable():
    """宿松县 (860 cases, 592,000 元 upper): bounds 592,000 (1:1) and 516,000 (600 元/件); subsidy bound s×n−U."""
    anqing = load_plan("anqing-2023")
    b = CountyBudget("susong", upper=592_000, local=500_000, cases=860, subsidy_per_case=1_000.0)
    row = least_local_budget(anqing, [b]).iloc[0]
    assert row["bound_matching_ratio"] == 592_000 and row["bound_local_matching_per_case"] == 516_000
    assert row["bound_subsidy_coverage"] == 860_000 - 592_000 and np.isnan(row["bound_business_funding_per_case"])
    assert (row["least_local"], row["binding"], row["gap"]) == (592_000, "matching_ratio", 92_000)
    cheap = CountyBudget("susong", upper=400_000, local=600_000, cases=860, subsidy_per_case=500.0)
    row = least_local_budget(anqing, [cheap]).iloc[0]
    assert (row["least_local"], row["binding"], row["gap"]) == (516_000, "local_matching_per_case", 0)


def test_least_budget_passes_every_size_rule_and_one_yuan_less_fails(case):
    """With the least local budget every budget-size rule passes; 1 元 less fails the binding rule."""
    plan, budgets = case
    least = least_local_budget(plan, budgets).set_index("region")
    for b in budgets:
        need = least.loc[b.region, "least_local"]
        at = CountyBudget(b.region, b.upper, need, b.cases, subsidy_per_case=b.subsidy_per_case)
        below = CountyBudget(b.region, b.upper, need - 1, b.cases, subsidy_per_case=b.subsidy_per_case)
        status_at = {c.rule: c.status for c in check_county(plan, at, schedule_reference="")}
        status_below = {c.rule: c.status for c in check_county(plan, below, schedule_reference="")}
        assert all(status_at[r] != FAIL for r in SIZE_RULES)
        assert status_below[least.loc[b.region, "binding"]] == FAIL
        assert least.loc[b.region, "gap"] == max(0.0, need - b.local)


def test_closed_form_equals_linprog_with_city_constraints(case):
    """min Σ local s.t. every rule per region and for the city total (HiGHS LP) = sum of closed-form bounds."""
    plan, budgets = case
    values = rule_values(plan)
    n = len(budgets)
    upper = np.array([b.upper for b in budgets])
    cases = np.array([b.cases for b in budgets])
    due = np.array([b.subsidy_per_case * b.cases for b in budgets])
    rows, rhs = [], []

    def at_least(coef, bound):  # coef · L ≥ bound  →  -coef · L ≤ -bound
        rows.append(-np.asarray(coef, dtype=float))
        rhs.append(-bound)

    for i in range(n):
        unit = np.eye(n)[i]
        if not np.isnan(values["matching_ratio"]):
            at_least(unit, values["matching_ratio"] * upper[i])
        if not np.isnan(values["local_matching_per_case"]):
            at_least(unit, values["local_matching_per_case"] * cases[i])
        if not np.isnan(values["business_funding_per_case"]):
            at_least(unit, values["business_funding_per_case"] * cases[i] - upper[i])
        at_least(unit, due[i] - upper[i])
    ones = np.ones(n)
    if not np.isnan(values["matching_ratio"]):
        at_least(ones, values["matching_ratio"] * upper.sum())
    at_least(ones, due.sum() - upper.sum())
    lp = linprog(np.ones(n), A_ub=np.array(rows), b_ub=np.array(rhs), bounds=[(0, None)] * n, method="highs")
    assert lp.status == 0
    least = least_local_budget(plan, budgets)
    closed = least["least_local"].to_numpy()[:-1]
    np.testing.assert_allclose(closed, lp.x, atol=1.0)  # closed form rounds up to whole 元
    assert least["least_local"].iloc[-1] == pytest.approx(lp.fun, abs=n)


def test_scenario_changes_move_the_least_budget():
    """Upper −20% lowers the 1:1 bound by 20% and raises the subsidy bound by the same 元."""
    plan = load_plan("anqing-2023")
    schedule = load_schedule()
    table = validate_funds(plan, pd.DataFrame({"region": ["susong"], "upper_funds": [600_000.0],
                                               "local_funds": [700_000.0]}))
    base = least_local_budget(plan, budgets_from_funds(plan, table, schedule=schedule)).iloc[0]
    cut = least_local_budget(plan, budgets_from_funds(plan, table, schedule=schedule,
                                                      overrides=Overrides(upper_funds=-0.2))).iloc[0]
    assert cut["bound_matching_ratio"] == pytest.approx(480_000)
    assert cut["bound_subsidy_coverage"] - base["bound_subsidy_coverage"] == pytest.approx(120_000)
    checks = evaluate(plan, budgets_from_funds(plan, table, schedule=schedule, overrides=Overrides(cases=0.1)),
                      schedule=schedule)
    assert next(c for c in checks if c.rule == "local_matching_per_case" and c.region == "susong").required == \
        pytest.approx(600 * 946)
