"""Charts of a projection: one per region (cumulative actual vs 序时进度 with the projection fan)
and a city overview (probabilities per policy). Chinese labels; PNG."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from legalaid.report.labels import region_name, region_names
from legalaid.report.projection import POLICY_NAMES as POLICIES
from legalaid.report.projection import chance_text, percent
from scenarios.vocab import LIKELY

#: Sub-folder of the report holding the charts.
CHART_DIR = "图表"
_COLOURS = {"none": "#1f77b4", "overflow": "#2ca02c", "rebalance": "#d62728", "combined": "#ff7f0e"}


def safe_file_name(name: str) -> str:
    """A region name as a file name on every system (characters Windows forbids become ＿)."""
    return "".join("＿" if ch in '/\\:*?"<>|' or ord(ch) < 32 else ch for ch in name).strip(" .") or "地区"


def render_charts(result, folder: str | os.PathLike, dpi: int = 110) -> list[Path]:
    """Write ``图表/<地区>.png`` for every region and the city, and ``图表/全市概览.png``; return paths."""
    from legalaid.report.fonts import use_cjk_font

    use_cjk_font()
    out = Path(folder) / CHART_DIR
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for region, name in zip(result.summary["region"], region_names(result.plan, result.summary["region"]), strict=True):
        fig = region_chart(result, region)
        path = out / f"{safe_file_name(name)}.png"
        fig.savefig(path, dpi=dpi)
        paths.append(path)
    fig = overview_chart(result)
    path = out / "全市概览.png"
    fig.savefig(path, dpi=dpi)
    paths.append(path)
    return paths


def region_chart(result, region: str):
    """Cumulative approvals of one region (or the city total): actual months, 序时进度 line, target, fan."""
    from matplotlib.figure import Figure

    m = result.month
    base = result.summary["region"].eq(region)
    row = result.summary[base].iloc[0]
    target = float(row["target"])
    baseline = "none" if "none" in result.policies else result.policies[0]
    frame = result.monthly[result.monthly["region"] == region]
    fig = Figure(figsize=(7.2, 4.4), layout="constrained")
    ax = fig.add_subplot()
    months = np.arange(13)
    ax.plot(months, months / 12 * target, linestyle="--", color="#7f7f7f", label="序时进度（目标×月份/12）")
    ax.axhline(target, linestyle=":", color="#444444", linewidth=1, label=f"年度目标 {target:.0f} 件")
    base_rows = frame[frame["policy"] == baseline].sort_values("month")
    actual = np.concatenate([[0.0], base_rows["approved_actual"].to_numpy()[:m]])
    ax.plot(np.arange(m + 1), actual, marker="o", color="#000000", linewidth=2, label=f"实际累计审批（1-{m}月）")
    if m < 12:
        start = actual[-1]
        x = np.arange(m, 13)
        lo = np.concatenate([[start], base_rows["approved_q05"].to_numpy()[m:]])
        hi = np.concatenate([[start], base_rows["approved_q95"].to_numpy()[m:]])
        mean = np.concatenate([[start], base_rows["approved_mean"].to_numpy()[m:]])
        colour = _COLOURS.get(baseline, "#1f77b4")
        ax.fill_between(x, lo, hi, color=colour, alpha=0.2, label="预测区间（5%–95%）")
        ax.plot(x, mean, color=colour, linewidth=2, label=f"预测均值（{POLICIES[baseline]}）")
        for policy in result.policies:
            if policy == baseline:
                continue
            rows = frame[frame["policy"] == policy].sort_values("month")
            other = np.concatenate([[start], rows["approved_mean"].to_numpy()[m:]])
            ax.plot(x, other, color=_COLOURS.get(policy, "#9467bd"), linestyle="-.", linewidth=1.5,
                    label=f"预测均值（{POLICIES[policy]}）")
    ax.set_xlim(0, 12)
    ax.set_ylim(bottom=0)
    ax.set_xticks(months, ["年初", *[f"{j}月" for j in range(1, 13)]])
    ax.set_xlabel("月份（月末累计）")
    ax.set_ylabel("累计审批（件）")
    ax.set_title(f"{region_name(result.plan, region)}：累计审批与序时进度（截至{m}月，{result.runs}次模拟）")
    ax.text(0.01, 0.97, f"完成目标{chance_text(row['p_reach'])}\n结案率≥{result.closure_min:.0%}概率 "
            f"{percent(row['p_closure_ok'])}", transform=ax.transAxes, va="top", fontsize=9,
            bbox={"boxstyle": "round", "facecolor": "white", "alpha": 0.8, "edgecolor": "#cccccc"})
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(alpha=0.3)
    return fig


def overview_chart(result):
    """Probability of reaching the target and projected closure ratio, per region and policy."""
    from matplotlib.figure import Figure

    comp = result.comparison
    regions = list(result.summary["region"])
    names = region_names(result.plan, regions)
    fig = Figure(figsize=(11, 0.42 * len(regions) + 1.8), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    height = 0.8 / len(result.policies)
    y = np.arange(len(regions))[::-1]
    for k, policy in enumerate(result.policies):
        rows = comp[comp["policy"] == policy].set_index("region").loc[regions]
        offset = (k - (len(result.policies) - 1) / 2) * height
        for ax, col, fmt in zip(axes, ("p_reach", "closure_ratio_mean"), (percent, "{:.1%}".format), strict=True):
            values = rows[col].to_numpy()
            ax.barh(y - offset, values, height=height, color=_COLOURS.get(policy, "#9467bd"),
                    label=POLICIES[policy])
            for yy, v in zip(y - offset, values, strict=True):
                ax.text(min(v, 1.0) + 0.01, yy, fmt(v), va="center", fontsize=7)
    lines = ((LIKELY, "完成年度目标的概率"),
             (result.closure_min, f"预计年末结案率（虚线为{result.closure_min:.0%}要求）"))
    for ax, (line, title) in zip(axes, lines, strict=True):
        ax.axvline(line, color="#7f7f7f", linestyle="--", linewidth=1)
        ax.set_xlim(0, 1.12)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0", "25%", "50%", "75%", "100%"])
        ax.set_title(title)
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(y, names)
    axes[0].legend(loc="lower right", fontsize=8)
    fig.suptitle(f"{result.plan.city}法律援助进度预测概览（截至{result.month}月，{result.runs}次模拟）")
    return fig
