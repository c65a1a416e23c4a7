"""Shared pieces of the allocation benchmarks: memory and time readings, and the instances.

- ``province_plan``/``province_lawyers``: a synthetic province (16 cities' worth of counties);
- ``first_cases``: the per-case comparison instance (the Anqing example after month 9).
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    """Current resident set size of this process (MB, psutil)."""
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def peak_mb() -> float:
    """Peak resident set size of this process so far (MB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def median_time(fn, repeats: int) -> tuple[float, object]:
    """Median wall time (s) of ``fn()`` over ``repeats`` runs, and the last result."""
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


# --- parts ---------------------------------------------------------------------------------
def province_plan(seed: int = 0):
    """A synthetic province-sized plan: one provincial centre + 16 cities × 6-7 counties."""
    from scenarios.plans import plan_from_dict

    rng = np.random.default_rng(seed)
    regions = [{"id": "prov", "name": "省法律援助中心", "level": "city", "target": 1500, "lat": 31.86, "lon": 117.28}]
    for c in range(16):
        lat, lon = rng.uniform(29.8, 34.2), rng.uniform(115.3, 119.2)
        for k in range(int(rng.integers(6, 8))):
            regions.append({"id": f"c{c:02d}k{k}", "name": f"第{c + 1}市第{k + 1}县", "level": "county",
                            "target": int(rng.integers(600, 1400)), "lat": float(lat + rng.normal(0, 0.25)),
                            "lon": float(lon + rng.normal(0, 0.25))})
    scale = 101_000 / sum(r["target"] for r in regions)
    for r in regions:
        r["target"] = max(100, round(r["target"] * scale))
    data = {"id": "province-synthetic", "city": "合成省", "year": 2023, "title": "合成省级规模测试计划",
            "issued": pd.Timestamp("2023-01-01").date(), "target_total": sum(r["target"] for r in regions),
            "inherits": "anhui", "regions": regions}
    return plan_from_dict(data, "synthetic")


def province_lawyers(plan, cases: pd.DataFrame, n_total: int = 20_000, seed: int = 1) -> pd.DataFrame:
    """20,000 handlers: ~10 % of counties short (capacity 0.7 × their cases), loads 0-30 elsewhere."""
    rng = np.random.default_rng(seed)
    cap = int(plan.rule_value("lawyer_yearly_cap"))
    per_region = cases.groupby("region").size().reindex(plan.region_ids, fill_value=0)
    counties = [r.id for r in plan.regions if r.level == "county"]
    short = set(rng.choice(counties, size=len(counties) // 10, replace=False))
    counts = {r: int(np.ceil(0.7 * per_region[r] / cap)) for r in short}
    rest = [r for r in plan.region_ids if r not in short]
    weight = per_region[rest].to_numpy() * rng.uniform(0.8, 1.2, len(rest))
    alloc = np.floor(weight / weight.sum() * (n_total - sum(counts.values()))).astype(int)
    counts.update(dict(zip(rest, alloc, strict=True)))
    rows, number = [], 0
    for region in plan.regions:
        n = counts[region.id]
        kinds = rng.choice(["social", "staff", "grassroots"], size=n, p=[0.72, 0.12, 0.16])
        firm_no = np.cumsum(rng.integers(3, 13, size=n)) if n else np.zeros(0, int)
        handled = np.zeros(n, int) if region.id in short else rng.integers(0, 31, size=n)
        for j in range(n):
            number += 1
            firm = {"social": f"{region.name}律所{int(np.searchsorted(firm_no, j, side='right'))}",
                    "staff": f"{region.name}法律援助中心", "grassroots": f"{region.name}法律服务所"}[kinds[j]]
            rows.append((f"P{number:05d}", region.id, str(kinds[j]), firm, int(handled[j]), bool(rng.random() > 0.04)))
    return pd.DataFrame(rows, columns=["lawyer_id", "region", "kind", "firm", "handled_this_year", "available"])


#: The per-case comparison instance: the Anqing example after month 9 (loads of nine months,
#: the counties short of lawyers near the cap) and its first 1,000 remaining cases, so the
#: optimum needs cross-region dispatch (a fresh year's first cases are all local, 0 km).
PER_CASE_MONTH, PER_CASE_N = 9, 1000


def first_cases(n: int = PER_CASE_N, month: int = PER_CASE_MONTH):
    """The Anqing example's first ``n`` cases after ``month`` (received order) and all its lawyers."""
    from scenarios.example import generate_example
    from scenarios.plans import load_plan

    plan = load_plan("anqing-2023")
    data = generate_example(plan, month=month, seed=0)
    cases = data.cases.sort_values(["received", "case_id"]).head(n).reset_index(drop=True)
    return plan, cases, data.lawyers
