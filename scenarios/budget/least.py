"""The least local budget per region that passes every budget-size rule, and the shortfall.

Each budget-size rule is linear in the local budget L (central+provincial funds U, cases n,
expected subsidy per case s fixed), so its bound is closed form and the least budget is the
largest bound:

- 配套比例 (安庆2023 §4、§7(3)):        L ≥ ratio × U
- 地方配套案均标准 (安庆2023 §4):        L ≥ standard × n
- 业务经费案均标准 (六安2025 §3(1)):    L ≥ standard × n (the plan counts local money), or
                                        L ≥ standard × n − U (it counts all money)
- 经费足以支付办案补贴 (schedule):      L ≥ s × n − U — only with a schedule the user supplies;
                                        the bundled EXAMPLE schedule sets no bound

A rule not in force for the plan gives no bound. Optionally the risk bound (keep the chance
that the subsidies due exceed the funds under a level, ``scenarios.budget.risk``) is added; it
is not linear in L and is found with scipy's brentq there. Execution rules (arrival, spending,
subsidy share) judge how a budget is spent, not its size, and give no bound here.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from scenarios.budget.rules import SIZE_RULES, CountyBudget
from scenarios.plans import Plan
from scenarios.vocab import CITY_TOTAL

#: Columns of the least-budget table (English).
LEAST_COLUMNS = ["region", "upper", "local", "cases", *(f"bound_{r}" for r in SIZE_RULES), "bound_risk",
                 "least_local", "binding", "gap"]


def ceil_yuan(x: np.ndarray | float) -> np.ndarray | float:
    """Round an amount up to a whole 元, ignoring float noise below 1e-6 元."""
    return np.ceil(np.asarray(x, dtype=float) - 1e-6)


def rule_values(plan: Plan, on: dt.date | None = None, schedule_example: bool = False) -> dict[str, float]:
    """The plan's numbers for the budget-size rules (NaN when not in force), whether the per-case
    business standard counts local money only (1.0) or all money (0.0), and whether the subsidy
    schedule may set a bound (0.0 for the example schedule)."""
    def value(name: str) -> float:
        rule = plan.rule(name, on)
        return math.nan if rule is None else rule.value

    business = plan.rule("business_funding_per_case_min", on)
    return {
        "matching_ratio": value("local_to_upper_matching_min"),
        "local_matching_per_case": value("local_matching_per_case_min"),
        "business_funding_per_case": value("business_funding_per_case_min"),
        "business_counts_local": float(business is not None and business.counts == "local"),
        "subsidy_judged": 0.0 if schedule_example else 1.0,
    }


def local_bounds(values: dict[str, float], upper, cases, subsidy_per_case) -> dict[str, np.ndarray]:
    """Lower bound on the local budget (元) from each budget-size rule; NaN where it gives none.

    Works on scalars and on numpy arrays (broadcast), so the sweep uses it unchanged.
    """
    upper, cases, s = (np.asarray(x, dtype=float) for x in (upper, cases, subsidy_per_case))
    others = 0.0 if values.get("business_counts_local", 0.0) else upper
    return {
        "matching_ratio": values["matching_ratio"] * upper,
        "local_matching_per_case": values["local_matching_per_case"] * cases,
        "business_funding_per_case": values["business_funding_per_case"] * cases - others,
        "subsidy_coverage": (s * cases - upper) if values.get("subsidy_judged", 1.0) else np.full_like(upper, np.nan),
    }


def least_local_budget(plan: Plan, budgets: list[CountyBudget], *, on: dt.date | None = None,
                       risk_local: dict[str, float] | None = None, schedule_example: bool = False) -> pd.DataFrame:
    """Least local budget (元, whole 元) per region, the rule that sets it and the gap to today's.

    Parameters
    ----------
    budgets : per-region budgets (without the city total).
    risk_local : optional local budget per region id keeping the subsidy risk under its level
        (``scenarios.budget.risk.subsidy_risk(...)["local_needed"]``); ignored with the example schedule.
    schedule_example : the subsidy schedule is the bundled example (it sets no bound).

    Returns
    -------
    DataFrame with ``LEAST_COLUMNS``, one row per region and a last row for the city (sums).
    """
    values = rule_values(plan, on, schedule_example)
    rows = []
    for b in budgets:
        bounds = {k: float(v) for k, v in local_bounds(values, b.upper, b.cases, b.subsidy_per_case).items()}
        risk = math.nan if not risk_local or schedule_example else float(risk_local.get(b.region, math.nan))
        candidates = {**bounds, "risk": risk}
        finite = {k: v for k, v in candidates.items() if not math.isnan(v)}
        binding = max(finite, key=finite.get) if finite else ""
        least = float(ceil_yuan(max(0.0, finite[binding]))) if finite else 0.0
        if finite and finite[binding] <= 0:
            binding = ""
        rows.append([b.region, b.upper, b.local, b.cases, *(bounds[r] for r in SIZE_RULES), risk, least,
                     binding, max(0.0, least - b.local)])
    frame = pd.DataFrame(rows, columns=LEAST_COLUMNS)
    if len(frame):
        total = [CITY_TOTAL, *frame[["upper", "local", "cases"]].sum().tolist(),
                 *([math.nan] * (len(SIZE_RULES) + 1)), frame["least_local"].sum(), "", frame["gap"].sum()]
        frame.loc[len(frame)] = total
    return frame
