"""Front sheet of the brief: counties ranked by progress against time-progress (序时进度).

Time-progress: by the end of month m a county is on pace when its approvals to date are at least
m/12 of its yearly target (domain digest, "Time-progress"). Traffic lights:

- 绿 (green): on pace (approvals to date ≥ m/12 × target);
- 黄 (amber): behind pace, and reaching the yearly target is not clearly unlikely;
- 红 (red): behind pace and clearly unlikely to reach the target at the current pace: the whole
  95% Monte Carlo band of P(reach) lies below ``scenarios.vocab.LIKELY`` (0.5), so a county at
  P = 49% is amber and does not flip between runs with another seed.

The city total gets its light from the city's own P(reach). Without a projection, behind pace is amber.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scenarios.plans import Plan
from scenarios.vocab import CITY_TOTAL, LIKELY

LIGHTS = {"green": "绿灯（达到序时进度）", "amber": "黄灯（落后序时进度）", "red": "红灯（难以完成全年目标）"}


def progress_table(plan: Plan, progress: pd.DataFrame, month: int, reach_probability: pd.Series | None = None,
                   runs: int | None = None) -> pd.DataFrame:
    """Per-region progress to date against 序时进度, ranked, with traffic lights.

    Parameters
    ----------
    plan : the city plan (targets, population).
    progress : canonical monthly progress (region, month, approved, closed; 件).
    month : last reported month m (1-12); expected count is m/12 × target.
    reach_probability : optional P(year-end approvals ≥ target) per region id, the city total
        under ``CITY_TOTAL`` (from the projection).
    runs : Monte Carlo replications behind each probability (for the lights' confidence band).

    Returns
    -------
    DataFrame with canonical English columns (see ``to_chinese``), one row per region, sorted
    from the furthest behind to the furthest ahead, plus a city total row last.
    """
    to_date = progress[progress["month"] <= month].groupby("region")[["approved", "closed"]].sum()
    rows = []
    for region in plan.regions:
        approved = int(to_date["approved"].get(region.id, 0))
        closed = int(to_date["closed"].get(region.id, 0))
        rows.append(_row(region.id, region.name, region.target, approved, closed, month, region.population,
                         _probability(reach_probability, region.id), runs))
    table = pd.DataFrame(rows).sort_values(["pace", "region"], kind="mergesort").reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    total = _row(CITY_TOTAL, f"{plan.city}合计", plan.target_total, int(table["approved"].sum()),
                 int(table["closed"].sum()), month, plan.city_population,
                 _probability(reach_probability, CITY_TOTAL), runs)
    total["rank"] = None
    return pd.concat([table, pd.DataFrame([total])], ignore_index=True)


def _probability(reach: pd.Series | None, region: str) -> float | None:
    if reach is None or region not in reach.index or pd.isna(reach.get(region)):
        return None
    return float(reach[region])


def _row(region: str, name: str, target: int, approved: int, closed: int, month: int, population,
         probability: float | None, runs: int | None) -> dict:
    expected = target * month / 12
    return {
        "region": region, "name": name, "target": target, "approved": approved, "closed": closed,
        "expected": expected, "gap": approved - expected,
        "pace": approved / expected if expected else np.nan,
        "completion": approved / target if target else np.nan,
        "closure_ratio": closed / approved if approved else np.nan,
        "reach_probability": probability,
        "supply_per_100k": approved / population * 100_000 if population else np.nan,
        "light": light(approved, expected, probability, runs),
    }


#: Confidence of the band around a Monte Carlo probability that decides red (two-sided).
LIGHT_CONFIDENCE = 0.95


def probability_band(probability: float, runs: int | None) -> tuple[float, float]:
    """Wilson band (``LIGHT_CONFIDENCE``) around a probability estimated from ``runs`` replications.

    Without ``runs`` the band is the point itself.
    """
    if not runs:
        return probability, probability
    from scipy.stats import binomtest

    successes = round(probability * runs)
    band = binomtest(successes, runs).proportion_ci(LIGHT_CONFIDENCE, method="wilson")
    return float(band.low), float(band.high)


def light(approved: float, expected: float, probability: float | None, runs: int | None = None) -> str:
    """Traffic light: green on pace; red behind pace and P(reach) clearly below ``LIKELY`` (the whole
    Monte Carlo band under it, so a rerun with another seed does not flip it); amber otherwise."""
    if approved >= expected:
        return "green"
    if probability is not None and not pd.isna(probability) and probability_band(probability, runs)[1] < LIKELY:
        return "red"
    return "amber"


#: Number formats of the front sheet's numeric columns (``legalaid.report.writers``).
PERCENT = "0.0%"


def to_chinese(table: pd.DataFrame, closure_min: float, month: int = 12) -> pd.DataFrame:
    """The progress table as users read it (Chinese headers, shares as numbers, lights in words).

    The closure ratio is a year-end rule (结案率不低于80%): before December it is a reading, not a verdict.
    """
    below = "否" if month == 12 else "暂未达到（年末考核）"
    return pd.DataFrame({
        "排名": table["rank"],
        "单位": table["name"],
        "全年目标（件）": table["target"],
        "累计审批（件）": table["approved"],
        "序时进度应完成（件）": table["expected"].round(1),
        "与序时进度差距（件）": table["gap"].round(1),
        "序时完成率": table["pace"].astype(float),
        "全年目标完成率": table["completion"].astype(float),
        "累计结案（件）": table["closed"],
        "结案率": table["closure_ratio"].astype(float),
        f"结案率是否达{closure_min:.0%}": np.where(table["closure_ratio"] >= closure_min, "是", below),
        "完成全年目标概率": pd.to_numeric(table["reach_probability"], errors="coerce"),
        "每10万人累计供给（件）": table["supply_per_100k"].round(1),
        "信号灯": table["light"].map(LIGHTS),
    })
