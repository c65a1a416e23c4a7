"""Benchmark of the simulation engine, measured in one run on this machine.

Prints: real SimPy events (``Environment.step`` calls, counted by the model's environment) per
replication and per second for each policy; seconds for 1,000 replications of the Anqing 2023
example year from month 6 (with its lawyers table) on 1 and 2 worker processes, for policy
``none`` and for all policies; the speed-up from 1 to 2 workers and whether the results are
identical; the same question without a lawyers table (no capacity limit, policy none: the model
skips the event run, which is exact there) against the all-at-once numpy projection
(``simulation.vectorised``); and all policies with a 5-year history table (the posterior's draws
and the year-end clearance in play). Timings on a shared machine are inflated by other load; the load
average is printed before and after.

    python3 benchmarks/bench_simulation.py [--runs 1000]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from scenarios.example import generate_example
from scenarios.plans import load_plan
from simulation import POLICIES, build_start, project, vectorised
from simulation.model import simulate


def timed(fn):
    t0 = time.perf_counter()
    value = fn()
    return time.perf_counter() - t0, value


def cpu_seconds() -> float:
    """CPU time (user + system) of this process and its finished children (worker processes)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def synthetic_history(plan):
    """Five earlier years for the plan's regions from the backtest's truth generator (benchmarks/)."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from truth_generator import generate_world

    ids = list(plan.region_ids)
    history = generate_world(1, counties=len(ids), years=6).history(ids, 5)
    return history.assign(year=history["year"] - history["year"].max() + plan.year - 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    args = parser.parse_args()
    runs = args.runs
    plan = load_plan("anqing-2023")
    data = generate_example(plan, month=6, seed=0)
    print(f"Anqing 2023 example, month 6, {runs} replications; CPUs {os.cpu_count()}, "
          f"load average before {os.getloadavg()[0]:.2f}")

    state = build_start(plan, data.progress, data.lawyers)
    seeds = np.random.SeedSequence(1).spawn(100)
    for policy in POLICIES:
        secs, reps = timed(lambda p=policy: [simulate(state, p, s) for s in seeds])
        events = sum(r.events for r in reps)
        print(f"policy {policy:<9}: {events / len(reps):6.0f} SimPy events per replication, "
              f"{events / secs:9,.0f} events/s, {secs / len(reps) * 1000:6.2f} ms per replication (one process)")

    rows = {}
    for policies in (("none",), POLICIES):
        for workers in (1, 2):
            cpu0 = cpu_seconds()
            secs, result = timed(lambda p=policies, w=workers: project(plan, data.progress, data.lawyers, runs=runs,
                                                                       seed=0, policies=p, workers=w))
            cpu = cpu_seconds() - cpu0
            rows[policies, workers] = (secs, result)
            print(f"policies={'+'.join(policies):<32} workers={workers}: {secs:6.2f} s wall "
                  f"(Monte Carlo {result.seconds:6.2f} s; CPU {cpu:6.2f} s, i.e. {cpu / secs:.2f} cores busy) "
                  f"for {runs} replications")
        a, b = rows[policies, 1][1], rows[policies, 2][1]
        same = all(np.array_equal(a.samples[p].approved, b.samples[p].approved) and
                   np.array_equal(a.samples[p].closed, b.samples[p].closed) for p in policies)
        print(f"  speed-up 1→2 workers: {rows[policies, 1][0] / rows[policies, 2][0]:.2f}×; identical results: {same}")

    unlimited = build_start(plan, data.progress, None)
    vec_secs, _ = timed(lambda: vectorised(unlimited, runs, seed=0))
    fast, _ = timed(lambda: project(plan, data.progress, None, runs=runs, seed=0, workers=2))
    print(f"vectorised numpy projection (no capacity limit, policy none): {vec_secs:.2f} s for {runs} replications")
    print(f"project() on the same question, 2 workers (event run skipped, exact): {fast:.2f} s")
    print(f"all {len(POLICIES)} policies with lawyers, 2 workers: {rows[POLICIES, 2][0]:.2f} s "
          f"(target ≤ 20 s for 1,000 replications on 2 cores)")
    history = synthetic_history(plan)
    secs, result = timed(lambda: project(plan, data.progress, data.lawyers, runs=runs, seed=0, policies=POLICIES,
                                         workers=2, history=history))
    post = result.state.posterior
    print(f"the same with a 5-year history table ({post.source} posterior: seasonality, drifts, year-end clearance "
          f"{float(post.expected_clearance(result.state.params.clearance_max).mean()):.0%}): {secs:.2f} s")
    print(f"load average after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
