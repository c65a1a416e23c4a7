"""summary.md: the brief in Chinese, one page a bureau chief reads in a minute."""

from __future__ import annotations

from legalaid.report.brief.attention import concerns as attention
from legalaid.report.brief.progress import LIGHTS
from legalaid.report.brief.sheets import (
    key_figures,
    over_cap_by_region,
    plan_rule_failures,
    subsidy_estimate_failures,
)
from legalaid.report.budget_tables import RULE_LABELS
from legalaid.report.dispatch import headline
from legalaid.report.projection import backtest_line, chance_word, percent
from scenarios.vocab import CITY_TOTAL


def summary_markdown(brief) -> str:
    """Key figures, the traffic lights, the three counties that need attention and why."""
    plan, m = brief.plan, brief.month
    k = key_figures(brief)
    closure_min = plan.rule_value("closure_ratio_min")
    d = headline(brief.dispatch)
    lines = [
        f"# {plan.city}法律援助工作{plan.year}年{m}月通报",
        "",
        f"依据：{plan.title}（{plan.document}）。数据：{brief.source}",
        "",
        "## 关键数字",
        "",
        f"- 全市累计审批 **{k['approved']:,} 件**，序时进度应完成 {k['expected']:,.0f} 件，"
        f"序时完成率 **{k['pace']:.0%}**；全年目标 {k['target']:,} 件，已完成 {k['approved'] / k['target']:.0%}。",
        f"- 按当前进度预测全年审批 {k['projected_mean']:,.0f} 件（90%区间 {k['projected_q05']:,.0f}–"
        f"{k['projected_q95']:,.0f}），完成全年目标{chance_word(k['p_reach'])}（概率 **{percent(k['p_reach'])}**）。",
        f"- {backtest_line(brief.projection)}。",
        f"- 累计结案 {k['closed']:,} 件，结案率 {k['closure_ratio']:.0%}；预测年末结案率 {k['closure_mean']:.0%}"
        f"（考核要求不低于{closure_min:.0%}）。",
        f"- 信号灯：{LIGHTS['green']} {k['green']} 个，{LIGHTS['amber']} {k['amber']} 个，"
        f"{LIGHTS['red']} {k['red']} 个。",
        f"- 案件调配：待指派 {d['cases']:,} 件，已指派 {d['assigned']:,} 件（跨区调配 {d['cross_region']:,} 件），"
        f"未能指派 {d['unassigned']:,} 件；求解状态：{d['status']}。",
    ]
    if d.get("social_share") is not None:
        lines.append(f"- 社会律师办案占比（全年口径）{d['social_share']:.1%}（要求不低于"
                     f"{plan.rule_value('social_lawyer_share_min'):.0%}，{plan.rule('social_lawyer_share_min').citation}）。")
    over = sum(over_cap_by_region(brief).values())
    cap = plan.rule("lawyer_yearly_cap")
    lines.append(f"- 本年办案超过{cap.value:g}件上限的承办人员 {over} 名（{cap.citation}，年度考核时予以问责）。")
    failing = plan_rule_failures(brief)
    regions = failing["region"].nunique()
    lines.append(f"- 经费：{regions} 个地区有计划规定的经费规则不达标（{'、'.join(dict.fromkeys(failing['rule'].map(RULE_LABELS)))}），"
                 f"缺口合计 {failing['shortfall'].sum():,.0f} 元。" if regions else "- 经费：各地区计划规定的经费规则均达标。")
    estimate = subsidy_estimate_failures(brief)
    if len(estimate):
        lines.append(f"- 按{brief.budget.schedule.name}测算，{estimate['region'].nunique()} 个地区经费不足以支付全年办案补贴"
                     f"（缺口合计 {estimate['shortfall'].sum():,.0f} 元）；该标准为示例，请按本地标准核实。")
    lines += ["", "## 需要关注的三个地区", ""]
    concerns = attention(brief)
    if not concerns:
        lines.append("各地区进度、结案、调配和经费均无突出问题。")
    for i, c in enumerate(concerns, start=1):
        lines.append(f"{i}. **{c.name}**：" + "；".join(c.reasons) + "。")
    comparison = brief.projection.comparison
    rebalance = comparison[(comparison["policy"] == "rebalance") & (comparison["region"] != CITY_TOTAL)]
    helped = rebalance[rebalance["p_reach_change"] > 0.005].sort_values("p_reach_change", ascending=False)
    lines += ["", "## 市级调配建议（全市一盘棋，安庆2023 §3(3)2）", ""]
    if len(helped):
        parts = "、".join(f"{plan.region(r.region).name}（+{r.p_reach_change:.0%}）" for r in helped.head(4).itertuples())
        lines.append(f"- 按月将进度超前地区的案源调往落后地区，可提高完成目标概率：{parts}。")
    else:
        lines.append("- 案源调配对各地区完成目标的概率没有明显改善。")
    lines += ["", f"详见 {'月通报.xlsx'}（各工作表）与 图表/ 目录。", ""]
    return "\n".join(lines)
