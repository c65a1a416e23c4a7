"""Funding rules: hand-checkable verdicts from the plans' own figures, read from the plan's rules."""

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from legalaid.api import check_budget
from legalaid.report import budget as report
from legalaid.report.budget_tables import basis_text
from scenarios.budget import load_schedule
from scenarios.budget.evaluate import budgets_from_funds, city_total, validate_funds
from scenarios.budget.rules import (
    EXAMPLE,
    FAIL,
    NO_DATA,
    NOT_APPLICABLE,
    PACE_BEHIND,
    PACE_OK,
    PASS,
    CountyBudget,
    arrival_rate,
    business_funding_per_case,
    check_county,
    local_matching_per_case,
    matching_ratio,
    spending_rate,
    subsidy_coverage,
    subsidy_share,
)
from scenarios.errors import InputError
from scenarios.plans import load_plan
from scenarios.vocab import CITY_TOTAL

PLANS = Path(__file__).resolve().parents[2] / "scenarios" / "data" / "plans"


@pytest.fixture(scope="module")
def anqing():
    return load_plan("anqing-2023")


@pytest.fixture(scope="module")
def luan():
    return load_plan("luan-2025")


def funds(rows):
    """A canonical funds frame from (region, upper, local, planned, arrived, spent, subsidy) tuples."""
    cols = ["region", "upper_funds", "local_funds", "planned_cases", "arrived", "spent", "subsidy_spent"]
    return pd.DataFrame([list(r) + [math.nan] * (len(cols) - len(r)) for r in rows], columns=cols)


def test_susong_needs_516000_local_under_the_600_rule(anqing):
    """宿松县, 860 target cases × 600 元/件 = 516,000 元 local (安庆2023 §4): 500,000 fails by 16,000."""
    b = CountyBudget("susong", upper=400_000, local=500_000, cases=860)
    check = local_matching_per_case(anqing, b)
    assert (check.required, check.actual, check.status, check.shortfall) == (516_000, 500_000, FAIL, 16_000)
    assert check.passed is False
    assert check.reference == anqing.rule("local_matching_per_case_min").citation
    assert "600 元/件 × 860 件 = 516,000 元" in basis_text(anqing, check)
    ok = local_matching_per_case(anqing, CountyBudget("susong", 400_000, 516_000, 860))
    assert ok.status == PASS and ok.shortfall == 0 and ok.passed is True


def test_800k_upper_and_700k_local_fails_matching_by_100000(anqing, luan):
    """800,000 元 upper + 700,000 元 local fails 1:1 by 100,000 元 (Anqing own rule; Lu'an inherits it)."""
    b = CountyBudget("x", upper=800_000, local=700_000, cases=500)
    for plan in (anqing, luan):
        check = matching_ratio(plan, b)
        assert (check.required, check.actual, check.status, check.shortfall) == (800_000, 700_000, FAIL, 100_000)
    assert matching_ratio(anqing, b).reference == "安庆2023方案四、七（三）"
    assert "沿用" in matching_ratio(luan, b).reference


def test_the_same_check_through_check_budget(anqing):
    """check_budget on a funds table gives the same two verdicts for 宿松县 and 桐城市."""
    table = funds([("susong", 400_000, 500_000), ("tongcheng", 800_000, 700_000)])
    result = check_budget(anqing, table, schedule=load_schedule())
    checks = result.checks.set_index(["region", "rule"])
    assert checks.loc[("susong", "local_matching_per_case"), "required"] == 516_000
    assert checks.loc[("susong", "local_matching_per_case"), "shortfall"] == 16_000
    assert checks.loc[("tongcheng", "matching_ratio"), "shortfall"] == 100_000
    total = checks.loc[(CITY_TOTAL, "matching_ratio")]
    assert (total["required"], total["actual"], total["status"]) == (1_200_000, 1_200_000, PASS)
    verdicts = report.verdicts(result)
    row = verdicts[(verdicts["地区"] == "宿松县") & (verdicts["规则"] == "地方财政配套案均标准")].iloc[0]
    assert (row["结论"], row["要求（元）"], row["缺口（元）"]) == ("不达标", 516_000, 16_000)
    assert row["出处"] == "安庆2023方案四、七（三）及附件注"


def test_lu_an_business_funding_700_per_case_counts_local_money(luan):
    """六安2025方案三（一）: 霍邱县 1,300 cases need 910,000 元 of the city's and counties' own money.

    The plan file reads "市县区财政投入业务经费…案均700元/件" as local money only (counts = "local"):
    500,000 元 local fails by 410,000 元 although local + upper (900,000 元) is near the figure.
    """
    b = CountyBudget("huoqiu", upper=400_000, local=500_000, cases=1300)
    check = business_funding_per_case(luan, b)
    assert (check.required, check.actual, check.status, check.shortfall) == (910_000, 500_000, FAIL, 410_000)
    assert check.reference == "六安2025方案三（一）"
    assert luan.rule("business_funding_per_case_min").counts == "local"


def test_rules_not_in_force_are_not_applicable(anqing, luan):
    """A rule the plan does not have is 不适用 (never 达标): 700 for Anqing, 600 and shares for Lu'an."""
    b = CountyBudget("x", upper=1, local=1, cases=1, arrived=1, spent=1, subsidy_spent=1)
    assert business_funding_per_case(anqing, b).status == NOT_APPLICABLE
    assert business_funding_per_case(anqing, b).passed is None
    assert local_matching_per_case(luan, b).status == NOT_APPLICABLE
    assert subsidy_share(anqing, b).status == NOT_APPLICABLE
    assert arrival_rate(anqing, b).status == NOT_APPLICABLE
    early = dt.date(2022, 6, 30)
    assert matching_ratio(anqing, b, on=early).status == NOT_APPLICABLE


def test_rule_values_come_from_the_plan_file(tmp_path, anqing):
    """Changing the plan's 600 元/件 to 650 changes the requirement: no number is written in code."""
    text = (PLANS / "anqing-2023.toml").read_text(encoding="utf-8")
    old = 'value = 600, reference = "安庆2023方案四、七（三）及附件注"'
    assert old in text
    edited = tmp_path / "anqing-650.toml"
    edited.write_text(text.replace(old, old.replace("600", "650")), encoding="utf-8")
    plan = load_plan(str(edited))
    b = CountyBudget("susong", upper=0, local=0, cases=860)
    assert local_matching_per_case(plan, b).required == 650 * 860
    assert local_matching_per_case(anqing, b).required == 516_000


def test_subsidy_share_70_percent_of_spending(luan):
    """六安2025 §3(4): subsidies 650,000 of 1,000,000 spent fails 70% by 50,000; missing data is 无数据."""
    b = CountyBudget("yuan", 1, 1, 1, spent=1_000_000, subsidy_spent=650_000)
    check = subsidy_share(luan, b)
    assert (check.required, check.status, check.shortfall) == (700_000, FAIL, 50_000)
    empty = subsidy_share(luan, CountyBudget("yuan", 1, 1, 1, spent=1_000_000))
    assert empty.status == NO_DATA and empty.passed is None and math.isnan(empty.shortfall)


def test_arrival_and_spending_are_pace_readings_before_december(luan, anqing):
    """Month 6: 6/12 of the year's budget arrived/spent is a pace reading (进度提示), never 不达标.

    Only December judges the year-end rules ("当年应全部用完"): all of the budget arrived, all that
    arrived spent.
    """
    b = CountyBudget("jinan", upper=600_000, local=600_000, cases=900, arrived=700_000, spent=590_000)
    arr6, spend6 = arrival_rate(luan, b, month=6), spending_rate(luan, b, month=6)
    assert (arr6.required, arr6.status, arr6.pace) == (600_000, PACE_OK, True)
    assert (spend6.required, spend6.status, spend6.shortfall, spend6.pace) == (600_000, PACE_BEHIND, 10_000, True)
    assert spend6.passed is None
    assert "序时进度 6/12" in basis_text(luan, spend6)
    arr12, spend12 = arrival_rate(luan, b, month=12), spending_rate(luan, b, month=12)
    assert (arr12.required, arr12.status, arr12.shortfall, arr12.pace) == (1_200_000, FAIL, 500_000, False)
    assert (spend12.required, spend12.shortfall) == (700_000, 110_000)  # all that arrived must be spent
    assert spending_rate(anqing, b, month=12).reference == "安庆2023方案六（三）"
    no_arrival = CountyBudget("jinan", 600_000, 600_000, 900, spent=1_200_000)
    assert spending_rate(luan, no_arrival).required == 1_200_000
    assert arrival_rate(luan, no_arrival).status == NO_DATA
    share6 = subsidy_share(luan, CountyBudget("y", 1, 1, 1, spent=1_000_000, subsidy_spent=650_000), month=6)
    assert share6.status == PACE_BEHIND


def test_subsidy_coverage_uses_the_schedule(anqing):
    """The subsidies due (元/件 × cases) must fit in the year's funds; the schedule names the source."""
    b = CountyBudget("susong", upper=600_000, local=900_000, cases=860, subsidy_per_case=1_800.0)
    check = subsidy_coverage(b, reference="本地补贴标准")
    assert (check.required, check.actual, check.status, check.shortfall) == (1_548_000, 1_500_000, FAIL, 48_000)
    assert subsidy_coverage(CountyBudget("s", 1, 1, 1), reference="本地补贴标准").status == NO_DATA
    example = subsidy_coverage(b, reference="示例", example=True)
    assert (example.status, example.shortfall, example.passed) == (EXAMPLE, 48_000, None)


def test_every_rule_is_reported_per_county_and_for_the_city(anqing):
    """check_county gives seven records in order; the city total sums the regions (NaN if one lacks data)."""
    schedule = load_schedule()
    table = validate_funds(anqing, funds([("susong", 592_000, 796_000, 860, 1.0e6, 7.0e5, 5.0e5),
                                          ("yuexi", 257_000, 214_000, np.nan, np.nan, 2.0e5, 1.0e5)]))
    budgets = budgets_from_funds(anqing, table, schedule=schedule)
    assert [b.cases for b in budgets] == [512, 860]  # plan order; planned cases default to the target
    total = city_total(budgets)
    assert (total.upper, total.local, total.cases) == (849_000, 1_010_000, 1372)
    assert math.isnan(total.arrived) and total.spent == 900_000
    records = check_county(anqing, total, month=12, schedule_reference="示例")
    assert [r.rule for r in records] == ["matching_ratio", "local_matching_per_case", "business_funding_per_case",
                                         "subsidy_coverage", "subsidy_share", "arrival_rate", "spending_rate"]
    assert records[1].required == 600 * 1372 and records[1].status == PASS


def test_planned_cases_above_target_raise_the_requirement(anqing):
    """A budget planned for 900 cases in 宿松县 (target 860) must fund 900 cases; fewer keeps the target."""
    schedule = load_schedule()
    table = validate_funds(anqing, funds([("susong", 1, 1, 900), ("yuexi", 1, 1, 400)]))
    assert [b.cases for b in budgets_from_funds(anqing, table, schedule=schedule)] == [512, 900]


def test_bad_funds_tables_are_input_errors(anqing):
    """Unknown regions, duplicates, negative or missing amounts are reported together in Chinese."""
    bad = funds([("susong", -1, 5), ("susong", 1, np.nan), ("合肥", 1, 1)])
    with pytest.raises(InputError) as err:
        validate_funds(anqing, bad)
    text = str(err.value)
    assert "不能为负数" in text and "多行" in text and "合肥" in text and "必须填写" in text
    with pytest.raises(InputError, match="缺少此列"):
        validate_funds(anqing, pd.DataFrame({"region": ["susong"], "upper_funds": [1.0]}))
