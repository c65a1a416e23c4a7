"""Sweeps: every funding rule for every (grid point, region), vectorised with numpy.

A grid (``SweepGrid``) of all-region changes — central+provincial funds, local funds, cases,
subsidy standard — is broadcast against the regions: arrays of shape (grid points, regions),
with the city total as a last column. The formulas are those of ``scenarios.budget.rules``
(one per rule, same references) written on arrays; ``tests/scenarios/test_budget_sweep.py``
checks that both give the same numbers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scenarios.budget.least import ceil_yuan, local_bounds, rule_values
from scenarios.budget.rules import (
    EPS,
    EXAMPLE,
    FAIL,
    NO_DATA,
    NOT_APPLICABLE,
    PACE_BEHIND,
    PACE_OK,
    PASS,
    SIZE_RULES,
    YEAR_END_RULES,
    CountyBudget,
)
from scenarios.budget.rules import RULES as RULE_IDS
from scenarios.budget.scenario import SweepGrid
from scenarios.errors import InputError, InputIssue
from scenarios.plans import Plan
from scenarios.vocab import CITY_TOTAL

#: Status codes of the status array.
CODES = {1: PASS, 0: FAIL, -1: NOT_APPLICABLE, -2: NO_DATA, -3: EXAMPLE, -4: PACE_OK, -5: PACE_BEHIND}
RULES = tuple(RULE_IDS)
_SIZE = np.array([r in SIZE_RULES for r in RULES])


@dataclass
class SweepArrays:
    """Per-region inputs of a sweep (shape (R,), 元 or 件)."""

    upper: np.ndarray
    local: np.ndarray
    cases: np.ndarray
    subsidy_per_case: np.ndarray
    arrived: np.ndarray
    spent: np.ndarray
    subsidy_spent: np.ndarray

    @classmethod
    def from_budgets(cls, budgets: list[CountyBudget]) -> SweepArrays:
        """Stack the budgets' fields into arrays."""
        def col(attr: str) -> np.ndarray:
            return np.array([getattr(b, attr) for b in budgets], dtype=float)

        return cls(col("upper"), col("local"), col("cases"), col("subsidy_per_case"), col("arrived"), col("spent"),
                   col("subsidy_spent"))


@dataclass
class SweepResult:
    """Verdicts of every (grid point, region); the last region column is the city total.

    Attributes
    ----------
    grid : one row per grid point (relative changes upper_funds, local_funds, cases, subsidy).
    region_ids : regions in column order (the last is ``CITY_TOTAL``).
    rules : rule ids along the last axis of the arrays.
    status : int8 (S, R+1, K): codes of ``CODES`` (1 pass, 0 fail, -1 not applicable, -2 no data,
        -3 example estimate, -4/-5 a mid-year pace reading on or behind 序时进度).
    required, actual, shortfall : float (S, R+1, K), 元.
    local, least_local, gap : float (S, R+1): local budget, least local budget, gap (元).
    month : reading month.
    """

    grid: pd.DataFrame
    region_ids: list[str]
    rules: tuple[str, ...]
    status: np.ndarray
    required: np.ndarray
    actual: np.ndarray
    shortfall: np.ndarray
    local: np.ndarray
    least_local: np.ndarray
    gap: np.ndarray
    month: int

    @property
    def evaluations(self) -> int:
        """County-scenario evaluations (grid points × regions, city total not counted)."""
        return self.status.shape[0] * (self.status.shape[1] - 1)

    def compliant(self, size_only: bool = False) -> np.ndarray:
        """(S, R+1) True where no rule (or no budget-size rule) is 不达标."""
        fails = self.status == 0
        if size_only:
            fails = fails & _SIZE
        return ~fails.any(axis=-1)

    def summary(self) -> pd.DataFrame:
        """Per grid point: the changes, non-compliant regions (all rules / budget-size rules, as region-id
        lists), the city's local-budget gap (元) and whether the city total passes."""
        regions = slice(0, len(self.region_ids) - 1)
        bad = ~self.compliant()[:, regions]
        bad_size = ~self.compliant(size_only=True)[:, regions]
        ids = np.array(self.region_ids[:-1], dtype=object)
        out = self.grid.copy()
        out["failing"] = bad.sum(axis=1)
        out["failing_size"] = bad_size.sum(axis=1)
        out["failing_size_regions"] = [list(ids[row]) for row in bad_size]
        out["gap"] = self.gap[:, -1]
        out["city_ok"] = self.compliant()[:, -1]
        return out

    def to_frame(self) -> pd.DataFrame:
        """Long table: one row per grid point (1-based ``point``) and region with each rule's status code."""
        s, r = self.status.shape[:2]
        out = self.grid.loc[np.repeat(np.arange(s), r)].reset_index(drop=True)
        out.insert(0, "point", np.repeat(np.arange(1, s + 1), r))
        out["region"] = np.tile(np.array(self.region_ids, dtype=object), s)
        names = np.array([CODES[c] for c in range(-5, 2)], dtype=object)  # status code + 5 → name
        for k, rule in enumerate(self.rules):
            out[rule] = names[self.status[:, :, k].ravel() + 5]
        out["local"] = self.local.ravel()
        out["least_local"] = self.least_local.ravel()
        out["gap"] = self.gap.ravel()
        out["ok"] = self.compliant().ravel()
        return out


def _judge(required: np.ndarray, actual: np.ndarray):
    nodata = np.isnan(required) | np.isnan(actual)
    passed = actual + EPS >= required
    status = np.where(nodata, -2, np.where(passed, 1, 0)).astype(np.int8)
    shortfall = np.where(nodata, np.nan, np.where(passed, 0.0, required - actual))
    return status, shortfall


def evaluate_arrays(values: dict[str, float], a: SweepArrays, grid: np.ndarray, month: int = 12):
    """The vectorised core: rule verdicts for every grid point × region (+ city total column).

    Parameters
    ----------
    values : rule numbers (``sweep_rule_values``), NaN for rules not in force.
    a : per-region inputs (shape (R,)).
    grid : (S, 4) relative changes (upper_funds, local_funds, cases, subsidy).
    month : reading month 1..12.

    Returns
    -------
    status, required, actual, shortfall (S, R+1, K); local, least_local, gap (S, R+1).
    """
    du, dl, dc, ds = (grid[:, i : i + 1] for i in range(4))
    upper = a.upper[None, :] * (1 + du)
    local = a.local[None, :] * (1 + dl)
    cases = a.cases[None, :] * (1 + dc)
    spc = a.subsidy_per_case[None, :] * (1 + ds)
    due = spc * cases
    s = grid.shape[0]

    def with_total(x: np.ndarray) -> np.ndarray:
        x = np.broadcast_to(x, (s, a.upper.size))
        return np.concatenate([x, x.sum(axis=1, keepdims=True)], axis=1)

    region_spc = np.broadcast_to(spc, (s, a.upper.size))
    upper, local, cases, due = with_total(upper), with_total(local), with_total(cases), with_total(due)
    arrived, spent, sub = (with_total(x[None, :]) for x in (a.arrived, a.spent, a.subsidy_spent))
    with np.errstate(invalid="ignore", divide="ignore"):
        total_spc = np.where(cases[:, -1:] != 0, due[:, -1:] / cases[:, -1:], np.nan)
    spc = np.concatenate([region_spc, total_spc], axis=1)
    budget = upper + local
    pace = month / 12
    required = {
        "matching_ratio": (values["matching_ratio"] * upper, local),
        "local_matching_per_case": (values["local_matching_per_case"] * cases, local),
        "business_funding_per_case": (values["business_funding_per_case"] * cases,
                                      local if values["business_counts_local"] else budget),
        "subsidy_coverage": (spc * cases, budget),
        "subsidy_share": (values["subsidy_share"] * spent, sub),
        "arrival_rate": (values["arrival_rate"] * budget * pace, arrived),
        "spending_rate": ((values["spending_rate"] * budget * pace) if month < 12 else
                          values["spending_rate"] * np.where(np.isnan(arrived), budget, arrived), spent),
    }
    shape = (s, upper.shape[1], len(RULES))
    status = np.empty(shape, np.int8)
    req = np.empty(shape)
    act = np.empty(shape)
    short = np.empty(shape)
    for k, rule in enumerate(RULES):
        r, x = required[rule]
        if rule != "subsidy_coverage" and np.isnan(values[rule]):
            status[:, :, k], req[:, :, k], act[:, :, k], short[:, :, k] = -1, np.nan, np.nan, np.nan
            continue
        status[:, :, k], short[:, :, k] = _judge(r, x)
        if rule == "subsidy_coverage" and not values["subsidy_judged"]:
            status[:, :, k] = np.where(status[:, :, k] >= 0, -3, status[:, :, k])
        elif rule in YEAR_END_RULES and month < 12:
            status[:, :, k] = np.select([status[:, :, k] == 1, status[:, :, k] == 0], [-4, -5], status[:, :, k])
        req[:, :, k], act[:, :, k] = r, x
    bounds = local_bounds(values, upper[:, :-1], cases[:, :-1], region_spc)
    least = np.zeros_like(local[:, :-1])
    for bound in bounds.values():
        least = np.fmax(least, bound)
    least = ceil_yuan(least)
    gap = np.maximum(0.0, least - local[:, :-1])
    least = np.concatenate([least, least.sum(axis=1, keepdims=True)], axis=1)
    gap = np.concatenate([gap, gap.sum(axis=1, keepdims=True)], axis=1)
    return status, req, act, short, local, least, gap


def sweep_rule_values(plan: Plan, on: dt.date | None = None, schedule_example: bool = False) -> dict[str, float]:
    """Every rule number the sweep needs, NaN when not in force (read from the plan)."""
    values = rule_values(plan, on, schedule_example)

    def value(name: str) -> float:
        rule = plan.rule(name, on)
        return np.nan if rule is None else rule.value

    values.update(subsidy_share=value("subsidy_share_of_spending_min"), arrival_rate=value("fund_arrival_rate_min"),
                  spending_rate=value("spending_rate_min"))
    return values


def sweep(plan: Plan, budgets: list[CountyBudget], grid: SweepGrid, *, month: int = 12,
          on: dt.date | None = None, schedule_example: bool = False) -> SweepResult:
    """Evaluate every grid point for every region (vectorised); ``budgets`` are the unchanged base."""
    if not 1 <= month <= 12:
        raise ValueError("month must be within 1..12")
    from scenarios.schemas.files import MAX_GRID_POINTS

    if grid.size > MAX_GRID_POINTS:
        raise InputError([InputIssue("组合测算", None, None, None, f"网格共 {grid.size:,} 个组合，超过上限 "
                                     f"{MAX_GRID_POINTS:,}；请减少各项的取值个数")])
    points = grid.points()
    arrays = SweepArrays.from_budgets(budgets)
    status, req, act, short, local, least, gap = evaluate_arrays(sweep_rule_values(plan, on, schedule_example), arrays,
                                                                 points.to_numpy(), month)
    return SweepResult(grid=points, region_ids=[b.region for b in budgets] + [CITY_TOTAL], rules=RULES, status=status, required=req,
                       actual=act, shortfall=short, local=local, least_local=least, gap=gap, month=month)
