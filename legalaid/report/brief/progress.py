"""Front sheet of the brief: counties ranked by progress against time-progress (序时进度).

Time-progress: by the end of month m a county is on pace when its approvals to date are at least
m/12 of its yearly target (domain digest, "Time-progress"). Traffic lights:

- 绿 (green): on pace (approvals to date ≥ m/12 × target);
- 黄 (amber): behind pace, but the projection gives a probability of reaching the yearly target
  of at least ``scenarios.vocab.LIKELY`` (0.5, "more likely than not");
- 红 (red): behind pace and unlikely (< ``LIKELY``) to reach the target at the current pace.

Without a projection, a county behind pace is amber.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scenarios.plans import Plan
from scenarios.vocab import CITY_TOTAL, LIKELY

LIGHTS = {"green": "绿灯（达到序时进度）", "amber": "黄灯（落后序时进度）", "red": "红灯（难以完成全年目标）"}


def progress_table(plan: Plan, progress: pd.DataFrame, month: int,
                   reach_probability: pd.Series | None = None) -> pd.DataFrame:
    """Per-region progress to date against 序时进度, ranked, with traffic lights.

    Parameters
    ----------
    plan : the city plan (targets, population).
    progress : canonical monthly progress (region, month, approved, closed; 件).
    month : last reported month m (1-12); expected count is m/12 × target.
    reach_probability : optional P(year-end approvals ≥ target) per region id (from the projection).

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
        expected = region.target * month / 12
        probability = None if reach_probability is None else reach_probability.get(region.id)
        rows.append({
            "region": region.id, "name": region.name, "target": region.target, "approved": approved,
            "closed": closed, "expected": expected, "gap": approved - expected,
            "pace": approved / expected if expected else np.nan,
            "completion": approved / region.target if region.target else np.nan,
            "closure_ratio": closed / approved if approved else np.nan,
            "reach_probability": probability,
            "supply_per_100k": approved / region.population * 100_000 if region.population else np.nan,
            "light": light(approved, expected, probability),
        })
    table = pd.DataFrame(rows).sort_values(["pace", "region"], kind="mergesort").reset_index(drop=True)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    total = {
        "rank": None, "region": CITY_TOTAL, "name": f"{plan.city}合计", "target": plan.target_total,
        "approved": int(table["approved"].sum()), "closed": int(table["closed"].sum()),
        "expected": plan.target_total * month / 12,
    }
    total["gap"] = total["approved"] - total["expected"]
    total["pace"] = total["approved"] / total["expected"] if total["expected"] else np.nan
    total["completion"] = total["approved"] / plan.target_total
    total["closure_ratio"] = total["closed"] / total["approved"] if total["approved"] else np.nan
    total["reach_probability"] = None
    total["supply_per_100k"] = (total["approved"] / plan.city_population * 100_000 if plan.city_population
                                else np.nan)
    total["light"] = light(total["approved"], total["expected"], None)
    return pd.concat([table, pd.DataFrame([total])], ignore_index=True)


def light(approved: float, expected: float, probability: float | None) -> str:
    """Traffic light of one county: green on pace, amber behind, red unlikely to reach target."""
    if approved >= expected:
        return "green"
    if probability is not None and not pd.isna(probability) and probability < LIKELY:
        return "red"
    return "amber"


def to_chinese(table: pd.DataFrame, closure_min: float) -> pd.DataFrame:
    """The progress table as users read it (Chinese headers, rounded, lights in words)."""
    out = pd.DataFrame({
        "排名": table["rank"],
        "单位": table["name"],
        "全年目标（件）": table["target"],
        "累计审批（件）": table["approved"],
        "序时进度应完成（件）": table["expected"].round(1),
        "与序时进度差距（件）": table["gap"].round(1),
        "序时完成率": (table["pace"] * 100).round(1).astype(str) + "%",
        "全年目标完成率": (table["completion"] * 100).round(1).astype(str) + "%",
        "累计结案（件）": table["closed"],
        "结案率": (table["closure_ratio"] * 100).round(1).astype(str) + "%",
        f"结案率是否达{closure_min:.0%}": np.where(table["closure_ratio"] >= closure_min, "是", "否（年末考核）"),
        "完成全年目标概率": table["reach_probability"].map(lambda p: "" if p is None or pd.isna(p) else f"{p:.0%}"),
        "每10万人累计供给（件）": table["supply_per_100k"].round(1),
        "信号灯": table["light"].map(LIGHTS),
    })
    return out.replace({"nan%": ""})
