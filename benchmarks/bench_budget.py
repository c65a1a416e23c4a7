"""Benchmark of the budget sweep: county-scenario evaluations per second (target ≥ 100,000).

Plain script; every figure below is measured in this one run (best of several repeats):

- vectorised core (``scenarios.budget.sweep.evaluate_arrays``): all seven rules plus the least
  local budget for every (grid point, region) and the city total;
- the full ``sweep()`` call (grid building and result object);
- the Chinese long table (``SweepResult.to_frame``) written to reports;
- the scalar rule functions (``check_county``) on the same inputs, for the ratio.

Usage: python benchmarks/bench_budget.py [--points N]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from legalaid.api import check_budget
from scenarios.budget.evaluate import city_total
from scenarios.budget.rules import CountyBudget, check_county
from scenarios.budget.scenario import SweepGrid
from scenarios.budget.sweep import SweepArrays, evaluate_arrays, sweep, sweep_rule_values

TARGET = 100_000


def best_of(fn, repeats: int) -> float:
    """Fastest wall time (s) of ``repeats`` calls."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def grid_of(points: int) -> SweepGrid:
    """A four-way grid with about ``points`` points."""
    side = max(2, round(points ** 0.25))
    return SweepGrid(upper_funds=tuple(np.linspace(-0.4, 0.2, side)), local_funds=tuple(np.linspace(-0.3, 0.3, side)),
                     cases=tuple(np.linspace(0.0, 0.3, side)), subsidy=tuple(np.linspace(-0.2, 0.2, side)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=20_000, help="grid points (default 20,000)")
    args = parser.parse_args()
    base = check_budget("anqing-2023", month=6, seed=0)
    plan, budgets = base.plan, base.budgets
    grid = grid_of(args.points)
    points = grid.points().to_numpy()
    regions = len(budgets)
    evaluations = points.shape[0] * regions
    print(f"plan {plan.id}: {regions} regions; grid {points.shape[0]:,} points → {evaluations:,} county-scenario "
          f"evaluations (7 rules + least budget each, plus the city total)")

    values = sweep_rule_values(plan)
    arrays = SweepArrays.from_budgets(budgets)
    core = best_of(lambda: evaluate_arrays(values, arrays, points, 6), 5)
    full = best_of(lambda: sweep(plan, budgets, grid, month=6), 3)
    result = sweep(plan, budgets, grid, month=6)
    table = best_of(result.to_frame, 1)

    sample = points[: max(1, 2_000 // regions)]
    def scalar() -> None:
        for du, dl, dc, ds in sample:
            changed = [CountyBudget(b.region, b.upper * (1 + du), b.local * (1 + dl), b.cases * (1 + dc),
                                    b.arrived, b.spent, b.subsidy_spent, b.subsidy_per_case * (1 + ds))
                       for b in budgets]
            for b in [*changed, city_total(changed)]:
                check_county(plan, b, month=6, schedule_reference="")
    scalar_time = best_of(scalar, 3)
    scalar_rate = len(sample) * regions / scalar_time

    core_rate, full_rate = evaluations / core, evaluations / full
    print(f"vectorised core : {core * 1e3:9.1f} ms  → {core_rate:14,.0f} evaluations/s")
    print(f"sweep() call    : {full * 1e3:9.1f} ms  → {full_rate:14,.0f} evaluations/s")
    print(f"to_frame (table): {table * 1e3:9.1f} ms  → {evaluations / table:14,.0f} rows/s "
          f"({len(result.to_frame()):,} rows incl. city total)")
    print(f"scalar rules    : {scalar_time * 1e3:9.1f} ms for {len(sample) * regions:,} → {scalar_rate:14,.0f} "
          f"evaluations/s")
    print(f"ratio sweep()/scalar: {full_rate / scalar_rate:,.0f}×")
    verdict = "met" if full_rate >= TARGET else "NOT met"
    print(f"target ≥ {TARGET:,} evaluations/s with sweep(): {verdict} ({full_rate / TARGET:,.1f}× the target)")


if __name__ == "__main__":
    main()
