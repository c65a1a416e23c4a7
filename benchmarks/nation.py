"""Nation-scale dispatch (issue 13): many city plans in one run, measured in this run.

Dispatch never crosses a city (市域一体通办 is city-wide, 安庆2023 §3(3)2), so a province or the
nation is many city problems. This script builds ``--cities`` city years from the example
generator (each the Anqing plan's counties with a different seed: ≈5,700 cases and ≈570 handlers
per city; ``--lawyer-scale`` multiplies the handlers), then dispatches them all with ``--workers``
processes and reports wall time (generation excluded and reported apart), cases, lawyers, the peak
RSS of the largest process, and the statuses. Targets (issue 13): 2M cases, 300k lawyers, ≤ 60 s,
≤ 4 GB. The machine is shared: the load average is printed with the figures.

Usage: python benchmarks/nation.py [--cities 350] [--workers 2] [--lawyer-scale 1.5]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def city(seed: int, lawyer_scale: float) -> tuple[int, int, str, float, float]:
    """Generate and dispatch one city year; returns cases, lawyers, status, generate s, solve s."""
    from allocation import solve
    from scenarios.example import generate_example
    from scenarios.plans import load_plan

    plan = load_plan("anqing-2023")
    t0 = time.perf_counter()
    data = generate_example(plan, month=0, seed=seed)
    lawyers = data.lawyers
    if lawyer_scale > 1:
        extra = lawyers.sample(frac=lawyer_scale - 1, replace=True, random_state=seed).reset_index(drop=True)
        extra["lawyer_id"] = [f"X{seed}-{i}" for i in range(len(extra))]
        lawyers = pd.concat([lawyers, extra], ignore_index=True)
    t_gen = time.perf_counter() - t0
    t0 = time.perf_counter()
    result = solve(plan, data.cases, lawyers, seed=seed)
    return len(data.cases), len(lawyers), result.status, t_gen, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cities", type=int, default=350)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--lawyer-scale", type=float, default=1.5)
    args = parser.parse_args()
    start = time.perf_counter()
    with ProcessPoolExecutor(args.workers) as pool:
        rows = list(pool.map(city, range(args.cities), [args.lawyer_scale] * args.cities, chunksize=4))
    wall = time.perf_counter() - start
    cases, lawyers, statuses, gen, sol = (np.array(x) for x in zip(*rows, strict=True))
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"cities {args.cities}, cases {cases.sum():,}, lawyers {lawyers.sum():,}, workers {args.workers}, "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"wall {wall:.1f} s (generation {gen.sum():.1f} s and dispatch {sol.sum():.1f} s of CPU-side time summed "
          f"over cities); dispatch per city median {np.median(sol):.2f} s, max {sol.max():.2f} s; "
          f"peak RSS of a worker {peak:.0f} MB")
    print("statuses:", dict(zip(*np.unique(statuses, return_counts=True), strict=True)))


if __name__ == "__main__":
    main()
