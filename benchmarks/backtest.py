"""Backtest of the projection: is P(reach target) calibrated on years it did not generate?

Two sources of years:

- ``--source truth`` (default): cities from ``benchmarks/truth_generator.py`` (an independent
  generator with New Year dips, December pushes, negative-binomial months, trends, shocks,
  late reports, lognormal closure lags, year-end clearance); the model gets the earlier years
  as its history table (``--history-years``, 0 = none) and this year's months 1..m;
- ``--source example``: the project's own example years (``scenarios.example``), no history.

For each month m in ``--months`` it prints, per level (counties; the city total), against the
pace baseline (year-end = year to date × 12/m, Poisson remainder): Brier score, log loss,
the calibration table by probability decile (forecasts, mean P, observed frequency), 90%
interval coverage and mean width (件, and relative to the year's approvals); for P(closure ≥
80%): Brier against quoting the history's base rate, and its calibration table. Figures are
measured in this one run.

    python benchmarks/backtest.py [--worlds 200] [--runs 400] [--months 3 6 9] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parent))

from truth_generator import generate_world

CLOSURE_MIN = 0.8


def plan_for(world, plan):
    """The plan's regions with the world's targets of its last year."""
    last = world.targets[-1]
    regions = tuple(replace(r, target=int(max(1, t))) for r, t in zip(plan.regions, last, strict=True))
    return replace(plan, regions=regions, target_total=int(sum(r.target for r in regions)))


def pace_baseline(ytd, target, month):
    """P(reach), 5% and 95% year-end of the pace baseline (Poisson remainder at the pace to date)."""
    rest = ytd * (12 - month) / month
    need = target - ytd
    p = np.where(need <= 0, 1.0, stats.poisson.sf(np.ceil(need) - 1, np.maximum(rest, 1e-9)))
    return p, ytd + stats.poisson.ppf(0.05, rest), ytd + stats.poisson.ppf(0.95, rest)


def one_world(args) -> list[dict]:
    """Forecast one world at each month; one row per region and month (and the city total)."""
    seed, months, runs, history_years, source = args
    from scenarios.plans import load_plan
    from simulation import project

    base = load_plan("anqing-2023")
    rows = []
    if source == "truth":
        world = generate_world(seed, counties=len(base.regions), years=history_years + 1 if history_years else 6)
        plan = plan_for(world, base)
        ids = plan.region_ids
        history = world.history(list(ids), history_years) if history_years else None
        year_a, year_c = world.approved[-1], world.closed[-1]
        hist_a, hist_c = world.approved[:-1], world.closed[:-1]
        base_rate = float(np.mean(hist_c.sum(axis=2) >= CLOSURE_MIN * hist_a.sum(axis=2))) if len(hist_a) else 0.5
    else:
        from scenarios.example import generate_example

        plan = base
        ids = plan.region_ids
        full = generate_example(plan, month=12, seed=seed).progress
        year_a = full.pivot(index="region", columns="month", values="approved").loc[list(ids)].to_numpy(float)
        year_c = np.full_like(year_a, np.nan)
        base_rate = np.nan
    targets = np.array([plan.region(r).target for r in ids], dtype=float)
    for m in months:
        if source == "truth":
            progress = world.progress(list(ids), m)
            kwargs = {"history": history} if history is not None else {}
        else:
            from scenarios.example import generate_example

            progress = generate_example(plan, month=m, seed=seed).progress
            kwargs = {}
        result = project(plan, progress, None, runs=runs, seed=seed, **kwargs)
        s = result.summary
        for level, idx in (("county", list(range(len(ids)))), ("city", None)):
            if idx is None:
                sel = s.iloc[[-1]]
                actual = np.array([year_a.sum()])
                ytd = np.array([year_a[:, :m].sum()])
                tgt = np.array([targets.sum()])
                ratio = np.array([np.nansum(year_c) / year_a.sum()])
            else:
                sel = s.iloc[idx]
                actual = year_a.sum(axis=1)
                ytd = year_a[:, :m].sum(axis=1)
                tgt = targets
                ratio = year_c.sum(axis=1) / np.maximum(year_a.sum(axis=1), 1)
            bp, b05, b95 = pace_baseline(ytd, tgt, m)
            for i in range(len(sel)):
                r = sel.iloc[i]
                rows.append({"world": seed, "month": m, "level": level, "p": float(r["p_reach"]),
                             "q05": float(r["approved_q05"]), "q95": float(r["approved_q95"]),
                             "actual": float(actual[i]), "target": float(tgt[i]), "reached": bool(actual[i] >= tgt[i]),
                             "p_pace": float(bp[i]), "b05": float(b05[i]), "b95": float(b95[i]),
                             "p_close": float(r["p_closure_ok"]), "close_ok": bool(ratio[i] >= CLOSURE_MIN),
                             "close_base": base_rate, "source": result.state.posterior.source
                             if hasattr(result.state, "posterior") else "today"})
    return rows


def brier(p, y) -> float:
    return float(np.mean((np.asarray(p) - np.asarray(y)) ** 2))


def log_loss(p, y, eps) -> float:
    p = np.clip(np.asarray(p), eps, 1 - eps)
    y = np.asarray(y, dtype=float)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def deciles(p, y) -> pd.DataFrame:
    """Forecasts, mean P and observed frequency by probability decile."""
    p, y = np.asarray(p), np.asarray(y, dtype=float)
    b = np.minimum((p * 10).astype(int), 9)
    out = []
    for k in range(10):
        sel = b == k
        if sel.any():
            out.append((f"{k / 10:.1f}-{(k + 1) / 10:.1f}", int(sel.sum()), float(p[sel].mean()), float(y[sel].mean())))
    t = pd.DataFrame(out, columns=["decile", "n", "mean_p", "observed"])
    t["deviation"] = t["observed"] - t["mean_p"]
    return t


def report(frame: pd.DataFrame, runs: int) -> None:
    eps = 0.5 / runs
    summary = []
    for (m, level), g in frame.groupby(["month", "level"], sort=True):
        y = g["reached"]
        cov = float(((g["actual"] >= g["q05"]) & (g["actual"] <= g["q95"])).mean())
        bcov = float(((g["actual"] >= g["b05"]) & (g["actual"] <= g["b95"])).mean())
        width = float((g["q95"] - g["q05"]).mean())
        rel = float(((g["q95"] - g["q05"]) / g["actual"].clip(lower=1)).mean())
        bwidth = float((g["b95"] - g["b05"]).mean())
        dec = deciles(g["p"], y)
        big = dec[dec["n"] >= 10]
        summary.append({"month": m, "level": level, "n": len(g), "brier": brier(g["p"], y),
                        "brier_pace": brier(g["p_pace"], y), "logloss": log_loss(g["p"], y, eps),
                        "logloss_pace": log_loss(g["p_pace"], y, 1e-3), "coverage90": cov, "coverage90_pace": bcov,
                        "width": width, "width_rel": rel, "width_pace": bwidth,
                        "max_decile_dev": float(big["deviation"].abs().max()) if len(big) else np.nan})
        print(f"\n== month {m}, {level}: {len(g)} forecasts ==")
        print(f"P(reach): Brier {brier(g['p'], y):.3f} vs pace {brier(g['p_pace'], y):.3f} "
              f"({1 - brier(g['p'], y) / brier(g['p_pace'], y):+.0%} better); log loss {log_loss(g['p'], y, eps):.3f} "
              f"vs pace {log_loss(g['p_pace'], y, 1e-3):.3f}")
        print(f"90% interval: coverage {cov:.3f} (pace {bcov:.3f}); mean width {width:.0f} 件 "
              f"({rel:.0%} of the year; pace {bwidth:.0f} 件)")
        print("calibration by decile of P(reach):")
        print(dec.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        if g["close_ok"].notna().all() and g["close_base"].notna().all():
            c = g["close_ok"].astype(float)
            print(f"P(closure ≥ 80%): Brier {brier(g['p_close'], c):.3f} vs base rate "
                  f"{brier(g['close_base'], c):.3f}; observed share {c.mean():.2f}")
            print(deciles(g["p_close"], c).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
            summary[-1]["brier_close"] = brier(g["p_close"], c)
            summary[-1]["brier_close_base"] = brier(g["close_base"], c)
            dc = deciles(g["p_close"], c)
            dc = dc[dc["n"] >= 10]
            summary[-1]["max_decile_dev_close"] = float(dc["deviation"].abs().max()) if len(dc) else np.nan
    table = pd.DataFrame(summary)
    print("\n== summary ==")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", choices=["truth", "example"], default="truth")
    parser.add_argument("--worlds", type=int, default=200)
    parser.add_argument("--runs", type=int, default=400)
    parser.add_argument("--months", type=int, nargs="+", default=[3, 6, 9])
    parser.add_argument("--history-years", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--csv", help="write every forecast to this CSV")
    args = parser.parse_args()
    t0 = time.perf_counter()
    print(f"backtest: {args.source}, {args.worlds} years, {args.runs} replications, months {args.months}, "
          f"history {args.history_years if args.source == 'truth' else 0} years; load average {os.getloadavg()[0]:.2f}")
    jobs = [(s, tuple(args.months), args.runs, args.history_years, args.source) for s in range(args.worlds)]
    if args.workers > 1:
        with ProcessPoolExecutor(args.workers) as pool:
            rows = [r for part in pool.map(one_world, jobs) for r in part]
    else:
        rows = [r for job in jobs for r in one_world(job)]
    frame = pd.DataFrame(rows)
    if args.csv:
        frame.to_csv(args.csv, index=False)
    report(frame, args.runs)
    print(f"\n{time.perf_counter() - t0:.0f} s; load average after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
