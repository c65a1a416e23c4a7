"""Lawyer loads against the yearly cap (安庆2023 §6(2)): flags and the distribution chart."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from scenarios.plans import Plan
from scenarios.vocab import over_cap

#: Share of the cap from which a handler is flagged as near the cap (预警).
NEAR_CAP = 0.9


def load_flags(after: pd.Series, cap: float) -> pd.Series:
    """'超过上限' above the cap, '接近上限' from NEAR_CAP × cap, else ''."""
    over = over_cap(after.to_numpy(), cap)
    return pd.Series(np.where(over, "超过上限（应问责）", np.where(after >= NEAR_CAP * cap, "接近上限", "")),
                     index=after.index)


def load_chart(plan: Plan, before: pd.Series, after: pd.Series, path: str | Path) -> None:
    """Histogram of handlers' yearly loads before and after dispatch, with the cap line."""
    import matplotlib.pyplot as plt

    from legalaid.report.fonts import use_cjk_font

    use_cjk_font()
    cap_rule = plan.rule("lawyer_yearly_cap")
    cap = cap_rule.value
    top = max(float(after.max()) if len(after) else 0.0, cap) + 5
    bins = np.arange(0, top + 5, 5)
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=120)
    ax.hist(before, bins=bins, alpha=0.55, label="调配前本年已办", color="#9DB4D3")
    ax.hist(after, bins=bins, alpha=0.55, label="调配后（含本批案件）", color="#E08E45")
    ax.axvline(cap, color="#C00000", linestyle="--", linewidth=1.5)
    ax.text(cap, ax.get_ylim()[1] * 0.92, f" 年度上限 {cap:g} 件\n （{cap_rule.citation}）", color="#C00000",
            fontsize=9, va="top")
    over = int(over_cap(after.to_numpy(), cap).sum())
    ax.set_title(f"{plan.city}法律援助承办人员年度办案量分布（超过上限 {over} 人）")
    ax.set_xlabel("年度办理法律援助案件数（件）")
    ax.set_ylabel("承办人员数（人）")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
