"""Many cities in one run (allocation.cities): each city under its own plan and centre, results in
job order, the same for any number of workers, and the same as solving each city alone."""

from __future__ import annotations

import functools

import pandas as pd

from allocation import solve
from allocation.cities import CityBatch, solve_cities
from scenarios.example import generate_example
from scenarios.plans import load_plan


def city(plan_id: str, seed: int) -> CityBatch:
    """A small city batch: the cases of its first month (picklable through functools.partial)."""
    plan = load_plan(plan_id)
    data = generate_example(plan, month=0, seed=seed)
    cases = data.cases[pd.to_datetime(data.cases["received"]).dt.month == 1].reset_index(drop=True)
    return CityBatch(plan=plan, cases=cases, lawyers=data.lawyers, seed=seed)


def test_each_city_keeps_its_own_centre_and_equals_a_lone_solve():
    jobs = [functools.partial(city, p, s) for p, s in (("anqing-2023", 1), ("luan-2025", 2), ("anqing-2023", 3))]
    one = list(solve_cities(jobs, workers=1))
    two = list(solve_cities(jobs, workers=2))
    assert [r.plan.id for r in one] == ["anqing-2023", "luan-2025", "anqing-2023"]
    for job, a, b in zip(jobs, one, two, strict=True):
        batch = job()
        alone = solve(batch.plan, batch.cases, batch.lawyers, seed=batch.seed)
        for got in (a, b):
            assert got.status == "optimal"
            pd.testing.assert_frame_equal(got.assignments, alone.assignments)
            assert got.inputs_sha256 == alone.inputs_sha256
        regions = set(batch.plan.region_ids)
        assert set(a.assignments["lawyer_region"].dropna()) <= regions
        assert sorted(a.assignments["case_id"]) == sorted(batch.cases["case_id"])
