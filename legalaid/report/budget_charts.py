"""Charts of the budget check, with Chinese labels (figures built without pyplot).

Each function returns a ``matplotlib.figure.Figure``; ``legalaid.report.fonts.use_cjk_font()`` is
called first so Chinese renders. Amounts are shown in 万元 (10,000 元).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from legalaid.report.budget_tables import RULE_LABELS
from legalaid.report.fonts import use_cjk_font
from legalaid.report.labels import region_names
from scenarios.budget.rules import EXAMPLE, FAIL, NO_DATA, NOT_APPLICABLE, PACE_BEHIND, PACE_OK, PASS
from scenarios.plans import Plan
from scenarios.vocab import CITY_TOTAL

_COLOURS = {PASS: "#63BE7B", FAIL: "#F8696B", PACE_OK: "#C6E0B4", PACE_BEHIND: "#FFD966", EXAMPLE: "#DDEBF7",
            NOT_APPLICABLE: "#D9D9D9", NO_DATA: "#FFFFFF"}
#: Short cell texts of the compliance grid.
_CELL = {PASS: "达标", FAIL: "不达标", PACE_OK: "进度正常", PACE_BEHIND: "进度落后", EXAMPLE: "示例",
         NOT_APPLICABLE: "不适用", NO_DATA: "无数据"}
#: Legend texts of the compliance grid.
_LEGEND = {PASS: "达标", FAIL: "不达标", PACE_OK: "符合序时进度（年末考核）", PACE_BEHIND: "落后序时进度（年末考核）",
           EXAMPLE: "示例补贴标准测算（不作结论）", NOT_APPLICABLE: "不适用", NO_DATA: "无数据"}
_WAN = 10_000.0


def compliance_chart(plan: Plan, checks: pd.DataFrame, title: str = "经费规则核验结果") -> Figure:
    """Regions × rules grid coloured by verdict (达标/不达标/不适用/无数据)."""
    use_cjk_font()
    checks = checks.assign(name=region_names(plan, checks["region"]))
    regions = list(dict.fromkeys(checks["name"]))
    applicable = checks.groupby("rule")["status"].apply(lambda s: (s != NOT_APPLICABLE).any())
    rules = [r for r in RULE_LABELS if applicable.get(r, False)]
    order = list(_COLOURS)
    table = checks.pivot(index="name", columns="rule", values="status").reindex(index=regions, columns=rules)
    codes = table.apply(lambda col: col.map(order.index)).to_numpy(dtype=float)
    fig = Figure(figsize=(1.3 * len(rules) + 2.5, 0.42 * len(regions) + 1.8), layout="constrained")
    ax = fig.subplots()
    ax.imshow(codes, cmap=ListedColormap(list(_COLOURS.values())), vmin=-0.5, vmax=len(order) - 0.5, aspect="auto")
    for i in range(len(regions)):
        for j in range(len(rules)):
            ax.text(j, i, _CELL[table.iat[i, j]], ha="center", va="center", fontsize=8)
    ax.set_xticks(range(len(rules)), [RULE_LABELS[r] for r in rules], rotation=30, ha="right", fontsize=8)
    ax.set_yticks(range(len(regions)), regions, fontsize=9)
    ax.set_xticks(np.arange(-0.5, len(rules)), minor=True)
    ax.set_yticks(np.arange(-0.5, len(regions)), minor=True)
    ax.grid(which="minor", color="#999999", linewidth=0.5)
    ax.tick_params(which="minor", length=0)
    hidden = [RULE_LABELS[r] for r in RULE_LABELS if r in applicable.index and not applicable[r]]
    ax.set_title(title + (f"\n（本计划未规定、不适用的规则未列出：{'、'.join(hidden)}）" if hidden else ""),
                 fontsize=10)
    present = set(checks["status"])
    fig.legend(handles=[Patch(facecolor=c, edgecolor="#999999", label=_LEGEND[s]) for s, c in _COLOURS.items()
                        if s in present], loc="outside lower center", ncols=4, fontsize=8)
    return fig


def gap_chart(plan: Plan, least: pd.DataFrame, title: str = "最低地方预算与当前地方财政资金") -> Figure:
    """Per region: current local funds vs the least compliant local budget (万元), gaps annotated."""
    use_cjk_font()
    rows = least[least["region"] != CITY_TOTAL]
    y = np.arange(len(rows))
    fig = Figure(figsize=(8, 0.45 * len(rows) + 1.8), layout="constrained")
    ax = fig.subplots()
    ax.barh(y + 0.2, rows["local"] / _WAN, height=0.4, color="#5B9BD5", label="当前地方财政资金")
    ax.barh(y - 0.2, rows["least_local"] / _WAN, height=0.4, color="#ED7D31", label="最低达标地方预算")
    for yi, gap, least_v in zip(y, rows["gap"], rows["least_local"], strict=True):
        if gap > 0:
            ax.text(least_v / _WAN, yi - 0.2, f"  缺口 {gap / _WAN:,.1f} 万元", va="center", fontsize=8, color="#C00000")
    ax.set_yticks(y, region_names(plan, rows["region"]))
    ax.invert_yaxis()
    ax.set_xlabel("金额（万元）")
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=8)
    ax.margins(x=0.25)
    return fig


def scenario_chart(overview: pd.DataFrame, title: str = "各情景地方预算缺口") -> Figure:
    """Per scenario: the city's local-budget gap (万元) and the number of non-compliant regions."""
    use_cjk_font()
    fig = Figure(figsize=(max(6, 1.4 * len(overview) + 2), 4.2), layout="constrained")
    ax = fig.subplots()
    x = np.arange(len(overview))
    gaps = overview["地方预算缺口合计（元）"].to_numpy(dtype=float) / _WAN
    ax.bar(x, gaps, color="#ED7D31")
    for xi, g, n in zip(x, gaps, overview["不达标地区数"], strict=True):
        ax.text(xi, g, f"{g:,.1f}\n{n}个地区不达标", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x, overview["情景"], rotation=20, ha="right", fontsize=8)
    ax.set_ylabel("地方预算缺口合计（万元）")
    ax.set_title(title)
    ax.margins(y=0.25)
    return fig


def sweep_chart(summary: pd.DataFrame, title: str = "组合测算：地方预算缺口合计（万元）") -> Figure:
    """Heatmap of the city's local-budget gap over upper-funds change × cases change.

    Other changes are held at the grid value closest to 0 (named in the subtitle).
    """
    use_cjk_font()
    frame = summary.copy()
    fixed = []
    for col in ("地方财政资金变化", "补贴标准变化"):
        values = frame[col].map(lambda t: float(t.rstrip("%")) / 100)
        keep = values.sub(0).abs().idxmin()
        frame = frame[frame[col] == frame.loc[keep, col]]
        fixed.append(f"{col[:-2]}{frame[col].iloc[0]}")
    table = frame.pivot_table(index="案件数变化", columns="中央和省级资金变化", values="地方预算缺口合计（元）",
                              aggfunc="first", sort=False) / _WAN
    fig = Figure(figsize=(1.1 * table.shape[1] + 3, 0.7 * table.shape[0] + 2.2), layout="constrained")
    ax = fig.subplots()
    values = table.to_numpy(dtype=float)
    image = ax.imshow(values, cmap="OrRd", aspect="auto")
    middle = (np.nanmin(values) + np.nanmax(values)) / 2 if values.size else 0.0
    for i in range(table.shape[0]):
        for j in range(table.shape[1]):
            ax.text(j, i, f"{values[i, j]:,.1f}", ha="center", va="center", fontsize=8,
                    color="white" if values[i, j] > middle else "black")
    ax.set_xticks(range(table.shape[1]), table.columns)
    ax.set_yticks(range(table.shape[0]), table.index)
    ax.set_xlabel("中央和省级资金变化")
    ax.set_ylabel("案件数变化")
    ax.set_title(f"{title}\n（{'，'.join(fixed)}）", fontsize=10)
    fig.colorbar(image, ax=ax, label="万元")
    return fig


def risk_chart(plan: Plan, risk: pd.DataFrame, title: str = "办案补贴超支概率", example: bool = False) -> Figure:
    """Per region: P(subsidies due > the year's funds) against the chosen level."""
    use_cjk_font()
    y = np.arange(len(risk))
    level = float(risk["level"].iloc[0]) if len(risk) else 0.05
    fig = Figure(figsize=(8, 0.45 * len(risk) + 1.8), layout="constrained")
    ax = fig.subplots()
    colours = np.where(risk["p_exceed"] > level, "#BDD7EE" if example else "#F8696B",
                       "#DDEBF7" if example else "#63BE7B")
    if example:
        title += "（示例：按示例补贴标准测算，不作结论）"
    ax.barh(y, risk["p_exceed"] * 100, color=colours)
    for yi, p in zip(y, risk["p_exceed"], strict=True):
        ax.text(min(p * 100, 88) + 1, yi, f"{p:.1%}", va="center", fontsize=8)
    ax.axvline(level * 100, color="#404040", linestyle="--", label=f"控制水平 {level:.0%}")
    ax.set_yticks(y, region_names(plan, risk["region"]))
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("补贴超支概率（%）")
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=8)
    return fig
