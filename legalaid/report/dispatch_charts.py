"""Charts of a dispatch: cases per administering centre, handlers' loads against the cap."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from allocation import DispatchResult
from legalaid.report.dispatch import by_region_table
from legalaid.report.fonts import use_cjk_font


def by_region_chart(result: DispatchResult) -> Figure:
    """Stacked bars per administering centre: local, cross-region and unassigned cases."""
    use_cjk_font()
    regions = by_region_table(result)
    fig = Figure(figsize=(8, 4.5), layout="constrained")
    ax = fig.subplots()
    x = np.arange(len(regions))
    ax.bar(x, regions["本地承办（件）"], label="本地承办", color="#5B9BD5")
    ax.bar(x, regions["跨区调配（件）"], bottom=regions["本地承办（件）"], label="跨区调配", color="#ED7D31")
    ax.bar(x, regions["未指派（件）"], bottom=regions["本地承办（件）"] + regions["跨区调配（件）"], label="未指派",
           color="#C00000")
    ax.set_xticks(x, regions["管辖机构"], rotation=30, ha="right")
    ax.set_ylabel("案件数（件）")
    ax.set_title("各管辖机构本批案件的指派情况")
    ax.legend()
    return fig


def loads_chart(result: DispatchResult) -> Figure:
    """Histogram of available handlers' loads before and after the batch, with the yearly cap."""
    use_cjk_font()
    active = result.loads[result.loads["available"]]
    cap = result.cap
    fig = Figure(figsize=(7.5, 4), layout="constrained")
    ax = fig.subplots()
    bins = np.arange(0, max(cap, active["after"].max()) + 4, 3)
    ax.hist(active["after"], bins=bins, color="#5B9BD5", edgecolor="white", label="调配后")
    ax.hist(active["handled_this_year"], bins=bins, color="#A5A5A5", alpha=0.6, edgecolor="white",
            label="调配前（本年已办）")
    ax.axvline(cap, color="#C00000", linestyle="--", label=f"年度上限 {cap:g} 件")
    ax.set_xlabel("本年办案数（件）")
    ax.set_ylabel("人数")
    ax.set_title("可指派人员的负荷分布")
    ax.legend()
    return fig
