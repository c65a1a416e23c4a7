"""Month over month (较上月): pace, light and P(reach target) now and at the end of last month.

Both readings come from the same progress table: last month's is its months 1..m−1 with the
projection made from them (``Brief.previous``), so a change is what the new month's counts did.
"""

from __future__ import annotations

import pandas as pd

from legalaid.report.brief.progress import LIGHTS, progress_table
from legalaid.report.projection import percent
from scenarios.vocab import CITY_TOTAL

#: Lights from best to worst (a move to a later one is a worsening).
LIGHT_ORDER = ("green", "amber", "red")


def changes_table(brief) -> pd.DataFrame | None:
    """Per region and the city (English columns): pace, light and P(reach) last month and now; None in January."""
    if brief.previous is None:
        return None
    runs = brief.projection.runs
    now = progress_table(brief.plan, brief.inputs.progress, brief.month,
                         brief.projection.summary.set_index("region")["p_reach"], runs=runs).set_index("region")
    before = progress_table(brief.plan, brief.inputs.progress, brief.month - 1,
                            brief.previous.summary.set_index("region")["p_reach"], runs=brief.previous.runs
                            ).set_index("region")
    order = [*[r for r in now.index if r != CITY_TOTAL], CITY_TOTAL]
    out = pd.DataFrame({
        "region": order, "name": now.loc[order, "name"].to_numpy(),
        "pace_before": before.loc[order, "pace"].to_numpy(dtype=float),
        "pace_now": now.loc[order, "pace"].to_numpy(dtype=float),
        "light_before": before.loc[order, "light"].to_numpy(), "light_now": now.loc[order, "light"].to_numpy(),
        "p_before": pd.to_numeric(before.loc[order, "reach_probability"], errors="coerce").to_numpy(),
        "p_now": pd.to_numeric(now.loc[order, "reach_probability"], errors="coerce").to_numpy(),
    })
    out["pace_change"] = out["pace_now"] - out["pace_before"]
    out["p_change"] = out["p_now"] - out["p_before"]
    out["worse"] = [LIGHT_ORDER.index(b) < LIGHT_ORDER.index(a) for b, a in zip(out["light_before"], out["light_now"],
                                                                                strict=True)]
    out["better"] = [LIGHT_ORDER.index(b) > LIGHT_ORDER.index(a) for b, a in zip(out["light_before"], out["light_now"],
                                                                                 strict=True)]
    return out


def to_chinese(changes: pd.DataFrame, month: int) -> pd.DataFrame:
    """The changes as a bureau reads them (shares as numbers; the workbook shows them as %)."""
    short = {k: v.split("（")[0] for k, v in LIGHTS.items()}
    light_change = ["转差" if w else "好转" if b else "不变" for w, b in zip(changes["worse"], changes["better"],
                                                                      strict=True)]
    return pd.DataFrame({
        "单位": changes["name"],
        f"{month - 1}月末序时完成率": changes["pace_before"],
        f"{month}月末序时完成率": changes["pace_now"],
        "序时完成率变化（百分点）": (changes["pace_change"] * 100).round(1),
        f"{month - 1}月末信号灯": changes["light_before"].map(short),
        f"{month}月末信号灯": changes["light_now"].map(short),
        "信号灯变化": light_change,
        f"{month - 1}月末完成全年目标概率": changes["p_before"],
        f"{month}月末完成全年目标概率": changes["p_now"],
        "完成目标概率变化（百分点）": (changes["p_change"] * 100).round(0),
    })


def sentences(brief, changes: pd.DataFrame) -> list[str]:
    """What changed since last month, in a few sentences (lights that moved, the largest P moves)."""
    short = {k: v.split("（")[0] for k, v in LIGHTS.items()}
    regions = changes[changes["region"] != CITY_TOTAL]
    lines = []
    moved = regions[regions["worse"] | regions["better"]]
    if len(moved):
        lines.append("信号灯变化：" + "；".join(
            f"{r.name}由{short[r.light_before]}转为{short[r.light_now]}" for r in moved.itertuples()) + "。")
    else:
        lines.append("各地区信号灯与上月相同。")
    city = changes[changes["region"] == CITY_TOTAL].iloc[0]
    lines.append(f"全市序时完成率由{city.pace_before:.0%}变为{city.pace_now:.0%}"
                 + (f"，完成全年目标的概率由{percent(city.p_before)}变为{percent(city.p_now)}"
                    if pd.notna(city.p_before) and pd.notna(city.p_now) else "") + "。")
    big = regions.dropna(subset=["p_change"]).loc[lambda f: f["p_change"].abs() >= 0.10]
    if len(big):
        big = big.reindex(big["p_change"].abs().sort_values(ascending=False).index).head(3)
        lines.append("完成目标概率变化较大：" + "、".join(
            f"{r.name}（{r.p_change * 100:+.0f}个百分点）" for r in big.itertuples()) + "。")
    return lines
