"""A seeded, realistic example year for any plan: cases, lawyers, monthly progress, funds.

The example is the embedded default of the main job and the notebooks. Its assumptions are
data (``data/example.toml``), each with its source or marked as an assumption. For month m:

- progress: months 1..m of approvals and closures per region, at each region's pace (three
  regions clearly behind 序时进度, the rest around it), shaped by a seasonality profile;
- lawyers: handlers per region (social lawyers in firms, staff lawyers of the centre,
  grassroots workers) whose ``handled_this_year`` add up to the region's approvals to date;
  two regions are short of lawyers, and a few handlers are over the yearly cap (findings);
- cases: the cases still to be assigned in months m+1..12 (with m = 0, a whole year);
- funds: budgets per region, a few breaking the funding rules, with mid-year arrivals/spending.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd

from scenarios.plans import Plan
from scenarios.schema import columns
from scenarios.vocab import LAWYER_KINDS

_FIRM_WORDS = ("正道", "皖江", "天柱", "振风", "明诚", "同创", "华信", "长风", "正和", "律邦", "弘法", "徽商")


@dataclass(frozen=True)
class ExampleData:
    """One generated year: canonical tables (see ``scenarios.schema``) and how they were made."""

    plan: Plan
    month: int
    seed: int
    #: the cases of months month+1..12 (the rest of the year, for whole-year dispatch studies)
    cases: pd.DataFrame
    lawyers: pd.DataFrame
    progress: pd.DataFrame
    funds: pd.DataFrame
    lagging: tuple[str, ...]
    short_of_lawyers: tuple[str, ...]
    #: the cases awaiting assignment on the report date: received in the reporting month's last
    #: ``[awaiting] days`` days (the assignment deadline) and not yet assigned
    awaiting: pd.DataFrame | None = None


def load_assumptions() -> dict:
    """The generator's assumptions from ``data/example.toml``."""
    text = resources.files("scenarios").joinpath("data", "example.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def generate_example(plan: Plan, month: int = 6, seed: int = 0) -> ExampleData:
    """Generate the example year up to the end of ``month`` (0-12) for ``plan``.

    Parameters
    ----------
    plan : the city plan (regions and targets).
    month : last reported month; cases are those still to come in months month+1..12.
    seed : seed of the ``numpy.random.Generator``; same plan, month and seed → same tables.
    """
    if not 0 <= month <= 12:
        raise ValueError("month must be within 0..12")
    a = load_assumptions()
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(6)]
    structure, progress_rng, lawyer_rng, case_rng, fund_rng, share_rng = streams
    ids = [r.id for r in plan.regions]
    counties = [r.id for r in plan.regions if r.level != "city"]
    lagging = tuple(str(x) for x in sorted(
        structure.choice(counties, size=min(a["pace"]["lagging_count"], len(counties)), replace=False),
        key=ids.index))
    others = [c for c in counties if c not in lagging]
    short = tuple(str(x) for x in sorted(
        structure.choice(others, size=min(a["lawyers"]["short_counties"], len(others)), replace=False),
        key=ids.index))
    pace = {rid: (structure.uniform(a["pace"]["lagging_low"], a["pace"]["lagging_high"]) if rid in lagging
                  else structure.uniform(a["pace"]["normal_low"], a["pace"]["normal_high"])) for rid in ids}
    season = np.asarray(a["seasonality"]["weights"], dtype=float)
    season = season / season.mean()
    expected = {rid: plan.region(rid).target * pace[rid] / 12 * season for rid in ids}  # 件/月, by month
    year_cases = _cases(plan, expected, a, case_rng)
    # a sixth stream (the first five are unchanged by spawning one more)
    year_cases["category"] = _categories(year_cases, a, np.random.default_rng(np.random.SeedSequence(seed).spawn(6)[5]))
    case_month = year_cases["received"].dt.month
    progress = _closed_shares(_progress(ids, year_cases[case_month <= month], month, a, progress_rng),
                              a["closed_shares"], share_rng)
    approved_to_date = progress.groupby("region", sort=False)["approved"].sum().reindex(ids, fill_value=0)
    cap = int(plan.rule_value("lawyer_yearly_cap"))
    lawyers = _lawyers(plan, expected, approved_to_date, short, cap, month, a, lawyer_rng, progress_rng)
    cases = year_cases[case_month > month].reset_index(drop=True)
    funds = _funds(plan, month, a, fund_rng)
    return ExampleData(plan=plan, month=month, seed=seed, cases=cases, lawyers=lawyers, progress=progress,
                       funds=funds, lagging=lagging, short_of_lawyers=short,
                       awaiting=_awaiting(year_cases, plan.year, month, a["awaiting"]["days"]))


def _awaiting(year_cases: pd.DataFrame, year: int, month: int, days: int) -> pd.DataFrame:
    """Cases received in the last ``days`` days up to the end of ``month`` (none for month 0)."""
    if month == 0:
        return year_cases.iloc[:0].reset_index(drop=True)
    end = pd.Timestamp(year=year, month=month, day=1) + pd.offsets.MonthEnd(0)
    recent = (year_cases["received"] > end - pd.Timedelta(days=days)) & (year_cases["received"] <= end)
    return year_cases[recent].reset_index(drop=True)


def _progress(ids, past_cases, month, a, rng) -> pd.DataFrame:
    """Monthly approvals (the past months' cases) and closures (open cases close at a monthly rate)."""
    approved = past_cases.groupby([past_cases["region"], past_cases["received"].dt.month]).size()
    rows = []
    closure = a["closure"]
    for rid in ids:
        p_close = rng.uniform(closure["monthly_probability_low"], closure["monthly_probability_high"])
        open_cases = 0
        for m in range(1, month + 1):
            new = int(approved.get((rid, m), 0))
            closed = int(rng.binomial(open_cases, p_close))
            open_cases += new - closed
            rows.append((rid, m, new, closed))
    return pd.DataFrame(rows, columns=columns("progress")[:4]).astype({"month": "int64", "approved": "int64",
                                                                   "closed": "int64"})


def _closed_shares(progress: pd.DataFrame, a: dict, rng) -> pd.DataFrame:
    """Of each month's closures: litigation cases and cases handled by social lawyers (binomial, a
    share per region drawn once from the assumptions' ranges)."""
    out = progress.copy()
    for column, low, high in (("closed_litigation", "litigation_low", "litigation_high"),
                              ("closed_social", "social_low", "social_high")):
        share = {rid: rng.uniform(a[low], a[high]) for rid in dict.fromkeys(out["region"])}
        out[column] = [int(rng.binomial(n, share[r])) for r, n in zip(out["region"], out["closed"], strict=True)]
    return out.astype({"closed_litigation": "int64", "closed_social": "int64"})


def _lawyers(plan, expected, approved_to_date, short, cap, month, a, rng, load_rng) -> pd.DataFrame:
    """Handlers per region; ``rng`` draws who they are, ``load_rng`` what they handled so far."""
    la = a["lawyers"]
    kinds = np.array(list(LAWYER_KINDS))
    shares = np.array([la["social"], la["staff"], la["grassroots"]])
    rows = []
    number = 0
    for region in plan.regions:
        year_cases = float(np.sum(expected[region.id]))
        if region.id in short:
            n = max(3, int(np.ceil(year_cases * la["short_capacity_ratio"] / cap)))
        else:
            n = max(4, round(region.target * la["handlers_per_target_case"] * rng.uniform(0.85, 1.2)))
        counts = np.maximum(np.round(shares * n).astype(int), [1, 1, 0])
        region_kinds = np.repeat(kinds, counts)
        firms = _firms(region, int(counts[0]), la, rng)
        weights = rng.lognormal(0.0, 0.5, size=len(region_kinds)) * np.where(region_kinds == "grassroots", 0.6, 1.0)
        available = rng.random(len(region_kinds)) >= la["unavailable_share"]
        loads = _spread(int(approved_to_date[region.id]), weights, cap, load_rng)
        for j, kind in enumerate(region_kinds):
            number += 1
            firm = firms[j] if kind == "social" else (f"{region.name}法律援助中心" if kind == "staff"
                                                       else f"{_short_name(region)}城关法律服务所")
            rows.append([f"L{number:04d}", region.id, str(kind), firm, int(loads[j]), bool(available[j])])
    lawyers = pd.DataFrame(rows, columns=columns("lawyers"))
    if month >= 4 and la["over_cap_findings"]:
        busiest = lawyers.sort_values(["handled_this_year", "lawyer_id"], ascending=[False, True])
        for index in busiest.index[: la["over_cap_findings"]]:
            lawyers.loc[index, "handled_this_year"] = cap + int(load_rng.integers(1, 7))
    return lawyers.astype({"handled_this_year": "int64", "available": "bool"})


def _firms(region, n_social, la, rng) -> list[str]:
    firms, words = [], list(_FIRM_WORDS)
    rng.shuffle(words)
    base = _short_name(region)
    k = 0
    while len(firms) < n_social:
        size = int(rng.integers(la["firm_size_min"], la["firm_size_max"] + 1))
        name = f"安徽{base}{words[k % len(words)]}律师事务所" + ("" if k < len(words) else f"（{k // len(words) + 1}）")
        firms += [name] * size
        k += 1
    return firms[:n_social]


def _short_name(region) -> str:
    """A place name for firms: 宿松 for 宿松县, 安庆 for 安庆市本级."""
    return region.name.removesuffix("市本级") if region.level == "city" else (region.short[0] if region.short
                                                                              else region.name)


def _spread(total: int, weights: np.ndarray, cap: int, rng) -> np.ndarray:
    """Split ``total`` cases among handlers by ``weights``, no one above ``cap`` if room allows."""
    loads = rng.multinomial(total, weights / weights.sum()) if len(weights) else np.zeros(0, int)
    excess = int(np.sum(np.maximum(loads - cap, 0)))
    loads = np.minimum(loads, cap)
    while excess > 0 and np.any(loads < cap):
        room = np.flatnonzero(loads < cap)
        give = min(excess, len(room))
        loads[room[:give]] += 1
        excess -= give
    return loads


def _cases(plan, expected, a, rng) -> pd.DataFrame:
    """The whole year's cases, month by month, at each region's expected monthly rate."""
    mix = a["case_mix"]
    kinds = np.array(["civil", "criminal", "administrative"])
    kind_p = np.array([mix["civil"], mix["criminal"], mix["administrative"]])
    kind_p = kind_p / kind_p.sum()
    lit = a["litigation_share"]
    groups = a["groups"]
    rows = []
    group_no = 0
    for index, region in enumerate(plan.regions, start=1):
        seq = 0
        for m in range(1, 13):
            n = int(rng.poisson(expected[region.id][m - 1]))
            days = pd.Period(year=plan.year, month=m, freq="M").days_in_month
            remaining = n
            while remaining > 0:
                kind = str(rng.choice(kinds, p=kind_p))
                size = 1
                if kind == "criminal" and rng.random() < groups["criminal_share_in_groups"] / 3:
                    size = int(min(remaining, rng.integers(groups["min_size"], groups["max_size"] + 1)))
                instance = "second" if rng.random() < a["second_instance"]["share"] else "first"
                received = dt.date(plan.year, m, int(rng.integers(1, days + 1)))
                group_id = ""
                if size > 1:
                    group_no += 1
                    group_id = f"G{plan.year}-{group_no:03d}"
                for _ in range(size):
                    seq += 1
                    litigation = bool(rng.random() < lit[kind])
                    rows.append([f"C{index:02d}-{seq:05d}", region.id, kind, instance, litigation, group_id,
                                 pd.Timestamp(received)])
                remaining -= size
    cases = pd.DataFrame(rows, columns=columns("cases"))
    cases["received"] = pd.to_datetime(cases["received"])
    return cases.astype({"litigation": "bool"})


def _categories(cases: pd.DataFrame, a: dict, rng) -> np.ndarray:
    """案件类别 of the tiered-jurisdiction list for a share of the second-instance cases ("" otherwise)."""
    c = a["categories"]
    second = cases["instance"].to_numpy() == "second"
    listed = second & (rng.random(len(cases)) < c["second_instance_listed_share"])
    out = np.full(len(cases), "", dtype=object)
    out[listed] = rng.choice(np.asarray(c["listed"], dtype=object), size=int(listed.sum()))
    return out


def _funds(plan, month, a, rng) -> pd.DataFrame:
    fa = a["funds"]
    ids = [r.id for r in plan.regions]
    bad = set(rng.choice([r.id for r in plan.regions if r.level != "city"], size=fa["noncompliant_counties"],
                         replace=False))
    per_case_min = plan.rule("local_matching_per_case_min")
    rows = []
    for rid in ids:
        target = plan.region(rid).target
        upper = round(target * rng.uniform(fa["upper_per_case_low"], fa["upper_per_case_high"]), -3)
        local = round(upper * rng.uniform(fa["local_ratio_low"], fa["local_ratio_high"]), -3)
        if per_case_min is not None:
            local = max(local, round(target * per_case_min.value * 1.05, -3))
        if rid in bad:
            local = round(upper * rng.uniform(0.7, 0.9), -3)
        budget = upper + local
        arrived = round(budget * min(1.0, rng.uniform(0.55, 1.0) + month / 24), -2)
        spent = round(arrived * min(1.0, month / 12 * rng.uniform(0.75, 1.25)), -2)
        subsidy = round(spent * rng.uniform(0.62, 0.86), -2)
        rows.append([rid, float(upper), float(local), float(target), float(arrived), float(spent), float(subsidy)])
    return pd.DataFrame(rows, columns=columns("funds"))
