"""Nation-scale dispatch (issue 13): many city plans, each with its own centre, in one run.

Dispatch never crosses a city (市域一体通办 is city-wide, 安庆2023 §3(3)2), so a province or the
nation is many city problems (``allocation.cities.solve_cities``). This script first generates
``--cities`` city years from the example generator, alternating the two bundled plans (安庆 and
六安, each its own city centre) with a different seed per city (≈5,500 cases and ≈500 handlers
per city; ``--lawyer-scale`` multiplies the handlers), and writes each city to a pickle file in a
temporary folder (timed apart: it is not dispatch). Then it dispatches them all with
``--workers`` processes, each worker reading its own cities' files, and reports the dispatch
wall time, cases, lawyers, the peak RSS of the largest worker and of the parent, and the
statuses. Targets (issue 13): 2M cases, 300k lawyers, ≤ 60 s, ≤ 4 GB. The machine may be
shared: the load average before and after is printed with the figures.

Usage: python benchmarks/nation.py [--cities 370] [--workers 2] [--lawyer-scale 1.65]
"""

from __future__ import annotations

import argparse
import functools
import os
import pickle
import resource
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PLANS = ("anqing-2023", "luan-2025")


def generate_city(seed: int, lawyer_scale: float, folder: str) -> str:
    """Generate one city year (plan alternating by seed) and write it to ``folder``; returns the path."""
    from allocation.cities import CityBatch
    from scenarios.example import generate_example
    from scenarios.plans import load_plan

    plan = load_plan(PLANS[seed % len(PLANS)])
    data = generate_example(plan, month=0, seed=seed)
    lawyers = data.lawyers
    if lawyer_scale > 1:
        extra = lawyers.sample(frac=lawyer_scale - 1, replace=True, random_state=seed).reset_index(drop=True)
        extra["lawyer_id"] = [f"X{seed}-{i}" for i in range(len(extra))]
        lawyers = pd.concat([lawyers, extra], ignore_index=True)
    path = os.path.join(folder, f"city-{seed:05d}.pickle")
    with open(path, "wb") as out:
        pickle.dump(CityBatch(plan=plan, cases=data.cases, lawyers=lawyers, seed=seed), out)
    return path


def read_city(path: str):
    """The city batch written by ``generate_city`` (run in the worker that dispatches it)."""
    with open(path, "rb") as f:
        return pickle.load(f)


def summary(path: str) -> tuple[int, int, str, str, float]:
    """Dispatch one city in this worker; cases, lawyers, status, centre, seconds."""
    from allocation.cities import solve_city

    batch = read_city(path)
    t0 = time.perf_counter()
    result = solve_city(batch)
    seconds = time.perf_counter() - t0
    unassigned = int((result.assignments["lawyer_id"].fillna("") == "").sum())
    if len(result.assignments) != len(batch.cases) or unassigned:
        raise SystemExit(f"{path}: {len(result.assignments)} rows for {len(batch.cases)} cases, {unassigned} unassigned")
    return len(batch.cases), len(batch.lawyers), result.status, batch.plan.city_centre.id, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cities", type=int, default=370)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--lawyer-scale", type=float, default=1.65)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nation-") as folder:
        t0 = time.perf_counter()
        with ProcessPoolExecutor(args.workers) as pool:
            paths = list(pool.map(functools.partial(generate_city, lawyer_scale=args.lawyer_scale, folder=folder),
                                  range(args.cities), chunksize=8))
        generation = time.perf_counter() - t0
        load_before = os.getloadavg()[0]
        start = time.perf_counter()
        with ProcessPoolExecutor(args.workers) as pool:
            rows = list(pool.map(summary, paths, chunksize=4))
        wall = time.perf_counter() - start
    cases, lawyers, statuses, centres, sol = (np.array(x) for x in zip(*rows, strict=True))
    worker_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    parent_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"cities {args.cities} ({len(set(centres))} distinct city centres: {', '.join(sorted(set(centres)))}), "
          f"cases {cases.sum():,}, lawyers {lawyers.sum():,}, workers {args.workers}, "
          f"load average before {load_before:.1f}, after {os.getloadavg()[0]:.1f}")
    print(f"dispatch wall {wall:.1f} s (target ≤ 60 s); generation before it {generation:.1f} s; "
          f"per city median {np.median(sol):.2f} s, max {sol.max():.2f} s, summed {sol.sum():.1f} s; "
          f"peak RSS of a worker {worker_peak:.0f} MB, of the parent {parent_peak:.0f} MB (target ≤ 4 GB)")
    counts = {str(k): int(v) for k, v in zip(*np.unique(statuses, return_counts=True), strict=True)}
    print(f"every case in the output once, none unassigned; statuses: {counts}")


if __name__ == "__main__":
    main()
