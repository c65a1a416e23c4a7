"""Daily dispatch against the whole-year solve (issue 13): every figure is measured in this run.

The example year of a plan (``generate_example(plan, month=0, seed)``: every case of the year,
lawyers at the start of the year) with a share of the handlers removed (default 7 %, seeded), is
dispatched two ways:

- whole year: one ``solve`` over every case;
- daily: day by day in order of the received date; each day's batch is that day's cases plus the
  cases left unassigned on earlier days; every earlier assignment is kept (``pinned``) and counts
  against the yearly cap.

The daily replay is run with each expected-demand input (``--forecasts``; ``solve(expected=...)``
keeps room for it, level ``reserve``, ``allocation.ahead``), each reported separately:

- none: no view of the cases still to come;
- oracle: the year's own remaining cases per county and kind (a perfect forecast);
- pace: a simple forecast, per county and kind the cases received so far ÷ days so far × days left.

Reported per quarter of the received date: cases, unassigned at year end, km and cross-region
cases of each way, plus wall time.

Usage: python benchmarks/daily_replay.py [--plan anqing-2023] [--cut 0.07] [--seed 0]
       [--forecasts none,oracle,pace] [--cut-kinds social,staff,grassroots]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from allocation import solve
from scenarios.example import generate_example
from scenarios.plans import load_plan


def quarter(dates: pd.Series) -> np.ndarray:
    """Quarter 1-4 of each date."""
    return ((pd.to_datetime(dates).dt.month.to_numpy() - 1) // 3) + 1


def table(cases: pd.DataFrame, assignments: pd.DataFrame, unassigned_ids: set) -> pd.DataFrame:
    """Per quarter: cases, unassigned, km, cross-region (new dispatches)."""
    q = pd.Series(quarter(cases["received"]), index=cases["case_id"])
    a = assignments.assign(q=q.reindex(assignments["case_id"]).to_numpy())
    rows = []
    for k in (1, 2, 3, 4):
        mine = a[a["q"] == k]
        rows.append({"quarter": f"Q{k}", "cases": int((q == k).sum()),
                     "unassigned": int(sum(1 for c in unassigned_ids if q[c] == k)),
                     "km": round(float(mine["km"].sum()), 1), "cross_region": int(mine["cross_region"].sum())})
    frame = pd.DataFrame(rows)
    total = frame[["cases", "unassigned", "km", "cross_region"]].sum()
    return pd.concat([frame, pd.DataFrame([{"quarter": "year", **total.to_dict()}])], ignore_index=True)


def expected_demand(cases: pd.DataFrame, days: pd.Series, day, forecast: str) -> pd.DataFrame | None:
    """Cases still to come after ``day`` per county and kind (件) under ``forecast``: None for
    "none"; "oracle": the year's own later cases; "pace": received so far ÷ days so far × days left
    (calendar days of the year of ``day``)."""
    if forecast == "none":
        return None
    if forecast == "oracle":
        return cases[days > day].groupby(["region", "kind"]).size().rename("cases").reset_index()
    if forecast != "pace":
        raise ValueError(f"unknown forecast {forecast!r}")
    day = pd.Timestamp(day)
    start, end = pd.Timestamp(year=day.year, month=1, day=1), pd.Timestamp(year=day.year, month=12, day=31)
    so_far, left = (day - start).days + 1, (end - day).days
    seen = cases[days <= day].groupby(["region", "kind"]).size().rename("cases").reset_index()
    return seen.assign(cases=np.rint(seen["cases"] / so_far * left).astype(int))


def social_shortfall(plan, assignments: pd.DataFrame) -> int:
    """Year-end social-lawyer shortfall (件, summed over counties of the handler): per county, cases
    needed by social lawyers for ``social_lawyer_share_min`` (安庆2023 §6(2)) minus those they took."""
    from allocation.data import Rules

    rules = Rules.from_plan(plan)
    per = assignments.groupby("lawyer_region")["lawyer_kind"].agg(total="size", social=lambda k: int((k == "social").sum()))
    return int(sum(max(0, rules.social_required(int(t)) - int(s)) for t, s in zip(per["total"], per["social"], strict=True)))


def daily(plan, cases: pd.DataFrame, lawyers: pd.DataFrame, seed: int, warnings: dict, forecast: str = "none"):
    """Dispatch day by day, keeping earlier assignments; returns (assignments, unassigned ids, solves).

    Each day's solve gets the cases still to come under ``forecast`` (``expected_demand``) as
    ``expected``; ``warnings`` receives, per county, the first day its local room after the batch no
    longer covers them (none without a forecast)."""
    kept = pd.DataFrame({"case_id": pd.Series(dtype=str), "lawyer_id": pd.Series(dtype=str)})
    rows, pending = [], pd.DataFrame(columns=cases.columns)
    days = pd.to_datetime(cases["received"]).dt.normalize()
    solves = 0
    for day in sorted(days.unique()):
        batch = pd.concat([pending, cases[days == day]], ignore_index=True) if len(pending) else \
            cases[days == day].reset_index(drop=True)
        frame = pd.concat([cases[cases["case_id"].isin(kept["case_id"])], batch], ignore_index=True)
        expected = expected_demand(cases, days, day, forecast)
        result = solve(plan, frame, lawyers, pinned=kept, seed=seed, expected=expected)
        if result.room_ahead is not None:
            for region in result.room_ahead.loc[result.room_ahead["short"] > 0, "region"]:
                warnings.setdefault(region, pd.Timestamp(day).date())
        solves += 1
        new = result.assignments[~result.assignments["pinned"]]
        rows.append(new)
        kept = pd.concat([kept, new[["case_id", "lawyer_id"]]], ignore_index=True)
        pending = batch[batch["case_id"].isin(result.unassigned["case_id"])]
    return pd.concat(rows, ignore_index=True), set(pending["case_id"]), solves


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", default="anqing-2023")
    parser.add_argument("--cut", type=float, default=0.07, help="share of handlers removed (seeded)")
    parser.add_argument("--cut-kinds", default="social,staff,grassroots",
                        help="lawyer kinds the cut removes from, comma-separated (default: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--forecasts", default="none,oracle,pace",
                        help="expected-demand inputs of the daily replay, comma-separated: none, oracle, pace")
    args = parser.parse_args()
    plan = load_plan(args.plan)
    data = generate_example(plan, month=0, seed=args.seed)
    rng = np.random.default_rng(args.seed + 13)
    pool = np.flatnonzero(data.lawyers["kind"].isin(args.cut_kinds.split(",")).to_numpy())
    lawyers = data.lawyers.drop(index=rng.choice(pool, size=round(args.cut * len(pool)),
                                                 replace=False)).reset_index(drop=True)
    cases = data.cases
    print(f"{plan.id}: {len(cases)} cases, {len(lawyers)} handlers ({args.cut:.0%} of the {len(pool)} "
          f"{args.cut_kinds} of {len(data.lawyers)} removed), "
          f"load average {os.getloadavg()[0]:.1f}")
    t0 = time.perf_counter()
    whole = solve(plan, cases, lawyers, seed=args.seed)
    t_whole = time.perf_counter() - t0
    w = table(cases, whole.assignments, set(whole.unassigned["case_id"]))
    print(f"whole-year solve: {t_whole:.1f} s, status {whole.status}; "
          f"year-end social-lawyer shortfall {social_shortfall(plan, whole.assignments)} 件")
    for forecast in args.forecasts.split(","):
        t0 = time.perf_counter()
        warnings: dict = {}
        assigned, left, solves = daily(plan, cases, lawyers, args.seed, warnings, forecast)
        t_daily = time.perf_counter() - t0
        d = table(cases, assigned, left)
        joined = w.merge(d, on=["quarter", "cases"], suffixes=("_whole", "_daily"))
        print(f"\ndaily replay, expected demand: {forecast} ({solves} solves, {t_daily:.1f} s, "
              f"load average {os.getloadavg()[0]:.1f})")
        print(joined.to_string(index=False))
        print(f"year-end social-lawyer shortfall: whole {social_shortfall(plan, whole.assignments)}, "
              f"daily {social_shortfall(plan, assigned)} 件")
        report_warnings(plan, cases, assigned, warnings)


def report_warnings(plan, cases: pd.DataFrame, assigned: pd.DataFrame, warnings: dict) -> None:
    """Per county: the first day the room ahead was short, and its first cross-region dispatch."""
    if not len(assigned[assigned["cross_region"]]):
        return
    first_cross = assigned[assigned["cross_region"]].assign(day=pd.to_datetime(
        cases.set_index("case_id").loc[assigned.loc[assigned["cross_region"], "case_id"], "received"]).dt.date.to_numpy())
    first_cross = first_cross.groupby("centre")["day"].min().to_dict()
    print("early warning (room short ahead) vs first cross-region dispatch, per county:")
    for region in sorted(set(warnings) | set(first_cross), key=plan.region_ids.index):
        print(f"  {plan.region(region).name}: warned {warnings.get(region, '—')}, first cross-region "
              f"{first_cross.get(region, '—')}")


if __name__ == "__main__":
    main()
