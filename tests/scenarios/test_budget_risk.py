"""Subsidy risk: P(subsidies due > funds) from projected cases, and the budget for a chosen level."""

import dataclasses
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from legalaid.api import check_budget
from legalaid.report import budget as report
from scenarios.budget import funds_for_level, load_schedule, samples_by_region
from scenarios.budget.risk import exceed_probability, subsidy_risk
from scenarios.budget.rules import CountyBudget
from scenarios.errors import InputError
from scenarios.plans import load_plan


def test_quantile_method_is_exact_on_a_hand_example():
    """Cases 100..199, 1,000 元/件, 5%: funds 194,000 元 (5 of 100 samples above); 1 元 less is 6%."""
    cases = np.arange(100, 200)
    funds = funds_for_level(cases, 1_000.0, 0.0, 0.05, method="cases")
    assert funds == 194_000
    assert exceed_probability(funds, cases, 1_000.0, 0.0, "cases") == pytest.approx(0.05)
    assert exceed_probability(funds - 1, cases, 1_000.0, 0.0, "cases") == pytest.approx(0.06)


def test_mix_method_tends_to_the_quantile_as_the_spread_vanishes():
    """With a tiny per-case spread the brentq answer is the quantile answer (within 1 元)."""
    cases = np.arange(100, 200)
    assert funds_for_level(cases, 1_000.0, 1e-6, 0.05) == pytest.approx(194_000, abs=1)


def test_mix_method_matches_a_monte_carlo_of_the_case_mix():
    """P(due > F) at the computed F is the level when each case's subsidy is drawn from the schedule."""
    schedule = load_schedule()
    mean, sd = schedule.per_case()
    rng = np.random.default_rng(7)
    cases = rng.poisson(800, size=40_000)
    funds = funds_for_level(cases, mean, sd, 0.05)
    p = schedule.default_mix / schedule.default_mix.sum()
    counts = rng.multinomial(cases, p)  # one row of item counts per sample
    due = counts @ schedule.rates * schedule.paid_share
    assert np.mean(due > funds) == pytest.approx(0.05, abs=0.006)
    assert funds_for_level(cases, mean, sd, 0.05, method="cases") < funds  # the mix adds spread
    fixed = np.full(40_000, 800)  # the number of cases is certain; only the mix varies
    due_fixed = rng.multinomial(fixed, p) @ schedule.rates * schedule.paid_share
    assert np.mean(due_fixed > funds_for_level(fixed, mean, sd, 0.05)) == pytest.approx(0.05, abs=0.006)
    assert np.mean(due_fixed > funds_for_level(fixed, mean, sd, 0.05, method="cases")) > 0.4


def test_samples_in_every_accepted_form_give_the_same_risk():
    """A dict by name, a wide frame and a long frame are read alike; unknown regions are input errors."""
    plan = load_plan("anqing-2023")
    rng = np.random.default_rng(0)
    a, b = rng.poisson(860, 200).astype(float), rng.poisson(512, 200).astype(float)
    forms = [
        {"宿松县": a, "yuexi": b},
        pd.DataFrame([a, b], index=["susong", "岳西"]),
        pd.DataFrame({"region": ["susong"] * 200 + ["yuexi"] * 200, "year_end": np.r_[a, b]}),
    ]
    for form in forms:
        got = samples_by_region(plan, form)
        np.testing.assert_array_equal(got["susong"], a)
        np.testing.assert_array_equal(got["yuexi"], b)
    approved = np.zeros((200, 2, 12))
    approved[:, 0, 0], approved[:, 1, 11] = a - 10, b
    approved[:, 0, 5] = 10
    projection = SimpleNamespace(samples={"none": SimpleNamespace(approved=approved)},
                                 state=SimpleNamespace(region_ids=("susong", "yuexi")))
    got = samples_by_region(plan, projection)  # the simulation's result: year-end approvals
    np.testing.assert_array_equal(got["susong"], a)
    np.testing.assert_array_equal(got["yuexi"], b)
    with pytest.raises(InputError, match="合肥"):
        samples_by_region(plan, {"合肥": a})
    with pytest.raises(InputError, match="非负"):
        samples_by_region(plan, {"宿松": -a})


def test_risk_table_and_budget_for_the_level():
    """Per region: P(exceed) at today's funds, the funds and local budget for 5%, and the gap; each
    projected count is taken at least at the budget's case basis (860), the count the verdicts use."""
    b = CountyBudget("susong", upper=600_000, local=900_000, cases=860, subsidy_per_case=1_800.0)
    drawn = np.random.default_rng(1).poisson(860, 1_000).astype(float)
    risk = subsidy_risk([b], {"susong": drawn}, {"susong": (1_800.0, 0.0)}, level=0.05, method="cases")
    cases = np.maximum(drawn, 860)
    row = risk.iloc[0]
    assert row["funds_needed"] == 1_800 * np.quantile(cases, 0.95, method="inverted_cdf")
    assert row["local_needed"] == row["funds_needed"] - 600_000
    assert row["gap"] == max(0.0, row["local_needed"] - 900_000)
    assert row["p_exceed"] == pytest.approx(np.mean(cases * 1_800 > 1_500_000))


def test_check_budget_adds_the_risk_bound_to_the_least_budget():
    """With projected samples the least local budget includes the risk bound; regions without samples get none."""
    plan = load_plan("luan-2025")
    rng = np.random.default_rng(2)
    samples = {r.id: rng.poisson(r.target * 1.1, 300) for r in plan.regions if r.id != "yeji"}
    own = dataclasses.replace(load_schedule(), example=False)  # the example schedule sets no bound
    result = check_budget(plan, month=6, risk_samples=samples, risk_level=0.05, schedule=own)
    assert set(result.risk["region"]) == set(plan.region_ids) - {"yeji"}
    least = result.least.set_index("region")
    risk = result.risk.set_index("region")
    for rid in risk.index:
        assert least.loc[rid, "bound_risk"] == risk.loc[rid, "local_needed"]
        assert least.loc[rid, "least_local"] >= risk.loc[rid, "local_needed"]
    assert np.isnan(least.loc["yeji", "bound_risk"])
    assert any("叶集区" in n for n in report.notes(result))
    assert "补贴超支概率" in report.risk_table(result).columns
