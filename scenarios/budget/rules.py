"""Funding rules, one function each: what is required, what there is, and the verdict.

Every amount is in 元. Every number of a rule is read from the plan's dated rules (never
written here) and every record carries the plan's citation. A rule the plan does not have in
force is reported as 不适用 (not applicable), never as passed; a rule whose inputs are missing
from the funds table is reported as 无数据 (no data).

Case basis: the plans set their standards per case (安庆2023 §4 and 附件注: per target case;
六安2025 §3(1): average per case). ``CountyBudget.cases`` is the number of cases the budget
must fund: the plan target, or the funds table's planned cases when larger, times any
scenario change (see ``scenarios.budget.evaluate.budgets_from_funds``).

Reading month: arrival and spending are judged in full at the year's end (month 12); in an
earlier month m they are a pace reading against time-progress (序时进度, m/12 of the year).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from scenarios.plans import Plan

PASS, FAIL, NOT_APPLICABLE, NO_DATA = "达标", "不达标", "不适用", "无数据"

#: Tolerance (元) when comparing money: half a fen.
EPS = 0.005

#: Rule ids in report order, with the Chinese label users read.
RULE_LABELS = {
    "matching_ratio": "地方与中央和省级资金配套比例",
    "local_matching_per_case": "地方财政配套案均标准",
    "business_funding_per_case": "业务经费案均标准",
    "subsidy_coverage": "经费足以支付办案补贴",
    "subsidy_share": "办案补贴及直接费用占支出比例",
    "arrival_rate": "资金到位率",
    "spending_rate": "经费支出率（当年用完不结转）",
}

#: Rules that judge the size of the budget (used by the least-budget search); the others judge
#: how the budget is executed (arrivals, spending, subsidy share), which a larger budget cannot fix.
SIZE_RULES = ("matching_ratio", "local_matching_per_case", "business_funding_per_case", "subsidy_coverage")


@dataclass(frozen=True)
class CountyBudget:
    """The inputs of the funding rules for one region (or the city total).

    Attributes
    ----------
    region, name : region id and Chinese name.
    upper : central and provincial funds (元).
    local : city/county budget funds (元).
    cases : cases the budget must fund (件).
    arrived, spent, subsidy_spent : funds arrived, business spending, and case subsidies plus
        direct costs, to the reading month (元; NaN when not reported).
    subsidy_per_case : expected subsidy per case under the schedule and case mix (元/件).
    """

    region: str
    name: str
    upper: float
    local: float
    cases: float
    arrived: float = math.nan
    spent: float = math.nan
    subsidy_spent: float = math.nan
    subsidy_per_case: float = math.nan

    @property
    def budget(self) -> float:
        """The year's budget: central, provincial and local funds (元)."""
        return self.upper + self.local


@dataclass(frozen=True)
class RuleCheck:
    """One rule judged for one region.

    Attributes
    ----------
    rule, label : rule id (see ``RULE_LABELS``) and Chinese label.
    region, name : region id and Chinese name.
    required, actual : the amount the rule requires and the amount there is (元).
    status : 达标 / 不达标 / 不适用 / 无数据.
    shortfall : how much is missing (元); 0 when passed, NaN when not judged.
    basis : the computation in Chinese, so a reader can check it by hand.
    reference : the plan's citation (or the subsidy schedule's source).
    pace : True for a mid-year reading against time-progress (序时进度).
    """

    rule: str
    label: str
    region: str
    name: str
    required: float
    actual: float
    status: str
    shortfall: float
    basis: str
    reference: str
    pace: bool = False

    @property
    def passed(self) -> bool | None:
        """True/False when judged; None when not applicable or without data."""
        return {PASS: True, FAIL: False}.get(self.status)


def _judge(rule: str, b: CountyBudget, required: float, actual: float, basis: str, reference: str,
           pace: bool = False) -> RuleCheck:
    if math.isnan(required) or math.isnan(actual):
        return RuleCheck(rule, RULE_LABELS[rule], b.region, b.name, required, actual, NO_DATA, math.nan,
                         basis, reference, pace)
    passed = actual + EPS >= required
    return RuleCheck(rule, RULE_LABELS[rule], b.region, b.name, required, actual, PASS if passed else FAIL,
                     0.0 if passed else required - actual, basis, reference, pace)


def _not_applicable(rule: str, b: CountyBudget, plan: Plan, name: str) -> RuleCheck:
    return RuleCheck(rule, RULE_LABELS[rule], b.region, b.name, math.nan, math.nan, NOT_APPLICABLE, math.nan,
                     f"{plan.title}未规定此项（{name}）", "", False)


def _pace(month: int) -> float:
    if not 1 <= month <= 12:
        raise ValueError("month must be within 1..12")
    return month / 12


def matching_ratio(plan: Plan, b: CountyBudget, *, on: dt.date | None = None) -> RuleCheck:
    """Local funds ≥ ratio × central+provincial funds (安庆2023 §4、§7(3): 不低于1:1).

    Rule ``local_to_upper_matching_min``; Lu'an inherits the provincial default.
    """
    rule = plan.rule("local_to_upper_matching_min", on)
    if rule is None:
        return _not_applicable("matching_ratio", b, plan, "local_to_upper_matching_min")
    required = rule.value * b.upper
    basis = f"地方财政资金 ≥ {rule.value:g} × 中央和省级资金 {b.upper:,.0f} 元 = {required:,.0f} 元"
    return _judge("matching_ratio", b, required, b.local, basis, rule.citation)


def local_matching_per_case(plan: Plan, b: CountyBudget, *, on: dt.date | None = None) -> RuleCheck:
    """Local funds ≥ standard × cases (安庆2023 §4、§7(3)、附件注: 不低于600元/件).

    Rule ``local_matching_per_case_min`` (Anqing only).
    """
    rule = plan.rule("local_matching_per_case_min", on)
    if rule is None:
        return _not_applicable("local_matching_per_case", b, plan, "local_matching_per_case_min")
    required = rule.value * b.cases
    basis = f"地方财政资金 ≥ {rule.value:g} 元/件 × {b.cases:,.0f} 件 = {required:,.0f} 元"
    return _judge("local_matching_per_case", b, required, b.local, basis, rule.citation)


def business_funding_per_case(plan: Plan, b: CountyBudget, *, on: dt.date | None = None) -> RuleCheck:
    """Business funds (central, provincial and local) ≥ standard × cases (六安2025 §3(1): 案均700元/件).

    Rule ``business_funding_per_case_min`` (Lu'an only).
    """
    rule = plan.rule("business_funding_per_case_min", on)
    if rule is None:
        return _not_applicable("business_funding_per_case", b, plan, "business_funding_per_case_min")
    required = rule.value * b.cases
    basis = f"中央和省级+地方资金 ≥ {rule.value:g} 元/件 × {b.cases:,.0f} 件 = {required:,.0f} 元"
    return _judge("business_funding_per_case", b, required, b.budget, basis, rule.citation)


def subsidy_coverage(b: CountyBudget, *, reference: str) -> RuleCheck:
    """The year's funds cover the case subsidies due: subsidy per case × cases ≤ budget.

    The subsidy per case comes from the editable subsidy schedule and the case mix
    (``scenarios.budget.schedule``); the plans ask for funds in full (安庆2023 §7(3) 足额安排,
    六安2025 §3(1) 足额发放). ``reference`` names the schedule.
    """
    required = b.subsidy_per_case * b.cases
    basis = (f"预计办案补贴 {b.subsidy_per_case:,.2f} 元/件 × {b.cases:,.0f} 件 = {required:,.0f} 元"
             f" ≤ 中央和省级+地方资金")
    return _judge("subsidy_coverage", b, required, b.budget, basis, reference)


def subsidy_share(plan: Plan, b: CountyBudget, *, on: dt.date | None = None) -> RuleCheck:
    """Case subsidies + direct costs ≥ share × business spending (六安2025 §3(4): 70%以上).

    Rule ``subsidy_share_of_spending_min`` (Lu'an only); judged on spending to date.
    """
    rule = plan.rule("subsidy_share_of_spending_min", on)
    if rule is None:
        return _not_applicable("subsidy_share", b, plan, "subsidy_share_of_spending_min")
    required = rule.value * b.spent
    basis = f"办案补贴及直接费用 ≥ {rule.value:.0%} × 业务经费支出 {b.spent:,.0f} 元 = {required:,.0f} 元"
    return _judge("subsidy_share", b, required, b.subsidy_spent, basis, rule.citation)


def arrival_rate(plan: Plan, b: CountyBudget, *, month: int = 12, on: dt.date | None = None) -> RuleCheck:
    """Funds arrived ≥ rate × the year's budget (六安2025 §3(4): 到位率100%).

    Rule ``fund_arrival_rate_min`` (Lu'an only). Before December the requirement is the
    time-progress share m/12 of the year's (序时进度).
    """
    rule = plan.rule("fund_arrival_rate_min", on)
    if rule is None:
        return _not_applicable("arrival_rate", b, plan, "fund_arrival_rate_min")
    pace = _pace(month)
    required = rule.value * b.budget * pace
    basis = f"到位资金 ≥ {rule.value:.0%} × 年度预算 {b.budget:,.0f} 元"
    if month < 12:
        basis += f" × 序时进度 {month}/12"
    basis += f" = {required:,.0f} 元"
    return _judge("arrival_rate", b, required, b.arrived, basis, rule.citation, pace=month < 12)


def spending_rate(plan: Plan, b: CountyBudget, *, month: int = 12, on: dt.date | None = None) -> RuleCheck:
    """Spending ≥ rate × funds of the year, no carry-over (六安2025 §3(4); 安庆2023 §6(3)).

    Rule ``spending_rate_min``. At the year's end the base is the funds that arrived (the
    year's budget when arrivals are not reported); before December it is the year's budget
    times time-progress m/12 (序时进度).
    """
    rule = plan.rule("spending_rate_min", on)
    if rule is None:
        return _not_applicable("spending_rate", b, plan, "spending_rate_min")
    pace = _pace(month)
    if month < 12:
        required = rule.value * b.budget * pace
        basis = f"支出 ≥ {rule.value:.0%} × 年度预算 {b.budget:,.0f} 元 × 序时进度 {month}/12 = {required:,.0f} 元"
    elif not math.isnan(b.arrived):
        required = rule.value * b.arrived
        basis = f"支出 ≥ {rule.value:.0%} × 到位资金 {b.arrived:,.0f} 元 = {required:,.0f} 元"
    else:
        required = rule.value * b.budget
        basis = f"支出 ≥ {rule.value:.0%} × 年度预算 {b.budget:,.0f} 元 = {required:,.0f} 元（未报到位资金）"
    return _judge("spending_rate", b, required, b.spent, basis, rule.citation, pace=month < 12)


def check_county(plan: Plan, b: CountyBudget, *, month: int = 12, schedule_reference: str,
                 on: dt.date | None = None) -> list[RuleCheck]:
    """Every funding rule for one region, in ``RULE_LABELS`` order."""
    return [
        matching_ratio(plan, b, on=on),
        local_matching_per_case(plan, b, on=on),
        business_funding_per_case(plan, b, on=on),
        subsidy_coverage(b, reference=schedule_reference),
        subsidy_share(plan, b, on=on),
        arrival_rate(plan, b, month=month, on=on),
        spending_rate(plan, b, month=month, on=on),
    ]
