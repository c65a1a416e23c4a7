"""Funding rules, one function each: what is required, what there is, and the verdict.

Every amount is in 元. Every number of a rule is read from the plan's dated rules (never
written here) and every record carries the plan's citation. A rule the plan does not have in
force is reported as not applicable, never as passed; a rule whose inputs are missing from the
funds table is reported as no data.

Case basis: the plans set their standards per case (安庆2023 §4 and 附件注: per target case;
六安2025 §3(1): average per case). ``CountyBudget.cases`` is the number of cases the budget
must fund: the plan target, or the funds table's planned cases when larger, times any
scenario change (see ``scenarios.budget.evaluate.budgets_from_funds``).

When a rule is judged: the size of the budget (matching, per-case standards, subsidies covered)
is judged on the budget at any time; how it is executed (arrival, spending, the subsidy share of
spending) is judged at the year's end (month 12) — "当年应全部用完" cannot fail in June. Before
December those rules give a pace reading against time-progress (序时进度, m/12 of the year):
``PACE_OK`` or ``PACE_BEHIND``, never ``FAIL``, and their shortfall is never a budget gap.

The bundled subsidy schedule is an EXAMPLE: with it the subsidy-coverage check is an
``EXAMPLE`` estimate, shown but never judged (only a schedule the user supplies can fail it).

A ``RuleCheck`` holds the numbers of its computation (``value`` × ``base`` = ``required``), so
the report layer can show it for a reader to check by hand.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from scenarios.plans import Plan

PASS, FAIL, NOT_APPLICABLE, NO_DATA = "pass", "fail", "not_applicable", "no_data"
#: Mid-year readings of a year-end rule, and an estimate on the example schedule: never a failure.
PACE_OK, PACE_BEHIND, EXAMPLE = "pace_ok", "pace_behind", "example"
#: Rules judged only at the year's end (before December: a pace reading).
YEAR_END_RULES = ("subsidy_share", "arrival_rate", "spending_rate")

#: Tolerance (元) when comparing money: half a fen.
EPS = 0.005

#: Rule ids in report order, each with the plan rule it reads (None: the subsidy schedule).
RULES = {
    "matching_ratio": "local_to_upper_matching_min",
    "local_matching_per_case": "local_matching_per_case_min",
    "business_funding_per_case": "business_funding_per_case_min",
    "subsidy_coverage": None,
    "subsidy_share": "subsidy_share_of_spending_min",
    "arrival_rate": "fund_arrival_rate_min",
    "spending_rate": "spending_rate_min",
}

#: Rules that judge the size of the budget (used by the least-budget search); the others judge
#: how the budget is executed (arrivals, spending, subsidy share), which a larger budget cannot fix.
SIZE_RULES = ("matching_ratio", "local_matching_per_case", "business_funding_per_case", "subsidy_coverage")


@dataclass(frozen=True)
class CountyBudget:
    """The inputs of the funding rules for one region (or the city total).

    Attributes
    ----------
    region : region id (``scenarios.vocab.CITY_TOTAL`` for the city total).
    upper : central and provincial funds (元).
    local : city/county budget funds (元).
    cases : cases the budget must fund (件).
    arrived, spent, subsidy_spent : funds arrived, business spending, and case subsidies plus
        direct costs, to the reading month (元; NaN when not reported).
    subsidy_per_case : expected subsidy per case under the schedule and case mix (元/件).
    """

    region: str
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
    rule : rule id (see ``RULES``).
    region : region id.
    required, actual : the amount the rule requires and the amount there is (元).
    status : ``PASS``, ``FAIL``, ``NOT_APPLICABLE`` or ``NO_DATA``.
    shortfall : how much is missing (元); 0 when passed, NaN when not judged.
    value : the rule's number (a ratio, 元/件 or a share; the subsidy per case for coverage).
    base : what ``value`` multiplies (元 or 件): required = value × base (× month/12 for a pace).
    basis : which base was used, for the rules that have several ("budget", "budget_pace",
        "arrived", "budget_no_arrivals"; "" otherwise).
    month : the reading month.
    reference : the plan's citation (or the subsidy schedule's source).
    pace : True for a mid-year reading against time-progress (序时进度).
    """

    rule: str
    region: str
    required: float
    actual: float
    status: str
    shortfall: float
    value: float
    base: float
    reference: str
    basis: str = ""
    month: int = 12
    pace: bool = False

    @property
    def passed(self) -> bool | None:
        """True/False when judged; None when not applicable or without data."""
        return {PASS: True, FAIL: False}.get(self.status)


def _judge(rule: str, b: CountyBudget, required: float, actual: float, value: float, base: float, reference: str,
           *, basis: str = "", month: int = 12, pace: bool = False, example: bool = False) -> RuleCheck:
    if math.isnan(required) or math.isnan(actual):
        status, shortfall = NO_DATA, math.nan
    else:
        passed = actual + EPS >= required
        status, shortfall = (PASS, 0.0) if passed else (FAIL, required - actual)
        if pace:
            status = PACE_OK if passed else PACE_BEHIND
        elif example:
            status = EXAMPLE
    return RuleCheck(rule, b.region, required, actual, status, shortfall, value, base, reference, basis, month, pace)


def _not_applicable(rule: str, b: CountyBudget, month: int = 12) -> RuleCheck:
    return RuleCheck(rule, b.region, math.nan, math.nan, NOT_APPLICABLE, math.nan, math.nan, math.nan, "",
                     month=month)


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
        return _not_applicable("matching_ratio", b)
    return _judge("matching_ratio", b, rule.value * b.upper, b.local, rule.value, b.upper, rule.citation)


def local_matching_per_case(plan: Plan, b: CountyBudget, *, on: dt.date | None = None) -> RuleCheck:
    """Local funds ≥ standard × cases (安庆2023 §4、§7(3)、附件注: 不低于600元/件).

    Rule ``local_matching_per_case_min`` (Anqing only).
    """
    rule = plan.rule("local_matching_per_case_min", on)
    if rule is None:
        return _not_applicable("local_matching_per_case", b)
    return _judge("local_matching_per_case", b, rule.value * b.cases, b.local, rule.value, b.cases, rule.citation)


def business_funding_per_case(plan: Plan, b: CountyBudget, *, on: dt.date | None = None) -> RuleCheck:
    """Business funds ≥ standard × cases (六安2025 §3(1): 案均700元/件).

    Rule ``business_funding_per_case_min`` (Lu'an only). Which money counts is the plan file's
    reading of its own sentence (``RuleValue.counts``): "local" (the city's and counties' own
    funds; Lu'an: "市县区财政投入") or "all" (central, provincial and local); ``basis`` says which.
    """
    rule = plan.rule("business_funding_per_case_min", on)
    if rule is None:
        return _not_applicable("business_funding_per_case", b)
    actual = b.local if rule.counts == "local" else b.budget
    return _judge("business_funding_per_case", b, rule.value * b.cases, actual, rule.value, b.cases, rule.citation,
                  basis=rule.counts)


def subsidy_coverage(b: CountyBudget, *, reference: str, example: bool = False) -> RuleCheck:
    """The year's funds cover the case subsidies due: subsidy per case × cases ≤ budget.

    The subsidy per case comes from the editable subsidy schedule and the case mix
    (``scenarios.budget.schedule``); the plans ask for funds in full (安庆2023 §7(3) 足额安排,
    六安2025 §3(1) 足额发放). ``reference`` names the schedule; with ``example`` (the bundled example
    schedule) the result is an ``EXAMPLE`` estimate, never a verdict.
    """
    return _judge("subsidy_coverage", b, b.subsidy_per_case * b.cases, b.budget, b.subsidy_per_case, b.cases,
                  reference, example=example)


def subsidy_share(plan: Plan, b: CountyBudget, *, month: int = 12, on: dt.date | None = None) -> RuleCheck:
    """Case subsidies + direct costs ≥ share × business spending (六安2025 §3(4): 70%以上).

    Rule ``subsidy_share_of_spending_min`` (Lu'an only); judged at the year's end, a pace reading
    on spending to date before December.
    """
    rule = plan.rule("subsidy_share_of_spending_min", on)
    if rule is None:
        return _not_applicable("subsidy_share", b)
    return _judge("subsidy_share", b, rule.value * b.spent, b.subsidy_spent, rule.value, b.spent, rule.citation,
                  month=month, pace=month < 12)


def arrival_rate(plan: Plan, b: CountyBudget, *, month: int = 12, on: dt.date | None = None) -> RuleCheck:
    """Funds arrived ≥ rate × the year's budget (六安2025 §3(4): 到位率100%).

    Rule ``fund_arrival_rate_min`` (Lu'an only). Before December the requirement is the
    time-progress share m/12 of the year's (序时进度).
    """
    rule = plan.rule("fund_arrival_rate_min", on)
    if rule is None:
        return _not_applicable("arrival_rate", b, month)
    required = rule.value * b.budget * _pace(month)
    return _judge("arrival_rate", b, required, b.arrived, rule.value, b.budget, rule.citation,
                  basis="budget_pace" if month < 12 else "budget", month=month, pace=month < 12)


def spending_rate(plan: Plan, b: CountyBudget, *, month: int = 12, on: dt.date | None = None) -> RuleCheck:
    """Spending ≥ rate × funds of the year, no carry-over (六安2025 §3(4); 安庆2023 §6(3)).

    Rule ``spending_rate_min``. At the year's end the base is the funds that arrived (the
    year's budget when arrivals are not reported); before December it is the year's budget
    times time-progress m/12 (序时进度).
    """
    rule = plan.rule("spending_rate_min", on)
    if rule is None:
        return _not_applicable("spending_rate", b, month)
    pace = _pace(month)
    if month < 12:
        base, basis, required = b.budget, "budget_pace", rule.value * b.budget * pace
    elif not math.isnan(b.arrived):
        base, basis, required = b.arrived, "arrived", rule.value * b.arrived
    else:
        base, basis, required = b.budget, "budget_no_arrivals", rule.value * b.budget
    return _judge("spending_rate", b, required, b.spent, rule.value, base, rule.citation, basis=basis, month=month,
                  pace=month < 12)


def check_county(plan: Plan, b: CountyBudget, *, month: int = 12, schedule_reference: str,
                 schedule_example: bool = False, on: dt.date | None = None) -> list[RuleCheck]:
    """Every funding rule for one region, in ``RULES`` order."""
    return [
        matching_ratio(plan, b, on=on),
        local_matching_per_case(plan, b, on=on),
        business_funding_per_case(plan, b, on=on),
        subsidy_coverage(b, reference=schedule_reference, example=schedule_example),
        subsidy_share(plan, b, month=month, on=on),
        arrival_rate(plan, b, month=month, on=on),
        spending_rate(plan, b, month=month, on=on),
    ]
