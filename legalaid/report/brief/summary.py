"""摘要.txt: the brief in Chinese on one page, as plain text a bureau chief reads in a minute.

``sections`` gives the headings and paragraphs once; 摘要.txt and 月通报.docx both read them.
Every citation comes from the plan in use; a provision the plan lacks is not mentioned.
"""

from __future__ import annotations

from legalaid.report.brief.attention import concerns as attention
from legalaid.report.brief.changes import changes_table
from legalaid.report.brief.changes import sentences as change_sentences
from legalaid.report.brief.progress import LIGHTS
from legalaid.report.brief.sheets import key_figures, over_cap_by_region
from legalaid.report.budget import business_reading
from legalaid.report.budget_tables import RULE_LABELS
from legalaid.report.dispatch import headline
from legalaid.report.labels import region_names
from legalaid.report.projection import backtest_line, chance_word, percent
from scenarios.budget.rules import EXAMPLE, FAIL, PACE_BEHIND
from scenarios.vocab import CITY_TOTAL

#: Chinese ordinal headings.
_ORDINALS = "一二三四五六七八九十"


def title(brief) -> str:
    """The brief's title, e.g. 安庆市法律援助工作2023年6月通报."""
    return f"{brief.plan.city}法律援助工作{brief.plan.year}年{brief.month}月通报"


def sections(brief) -> list[tuple[str, list[str]]]:
    """(heading, paragraphs) of the brief, in reading order."""
    out = [("关键数字", key_lines(brief))]
    table = changes_table(brief)
    if table is not None:
        out.append(("较上月变化", change_sentences(brief, table)))
    out.append(("需要关注的三个地区", concern_lines(brief)))
    out.append(("经费", funding_lines(brief)))
    dispatch = dispatch_lines(brief)
    if dispatch:
        out.append(("市级调配建议", dispatch))
    return out


def key_lines(brief) -> list[str]:
    """The headline figures."""
    plan = brief.plan
    k = key_figures(brief)
    closure_min = plan.rule_value("closure_ratio_min")
    d = headline(brief.dispatch)
    closure_word = "年末考核" if brief.month < 12 else ("已达到" if k["closure_ratio"] >= closure_min else "未达到")
    lines = [
        f"全市累计审批{k['approved']:,}件，序时进度应完成{k['expected']:,.0f}件，序时完成率{k['pace']:.0%}；"
        f"全年目标{k['target']:,}件，已完成{k['approved'] / k['target']:.0%}。",
        *([f"按当前进度预测全年审批{k['projected_mean']:,.0f}件（90%区间{k['projected_q05']:,.0f}至"
           f"{k['projected_q95']:,.0f}件），完成全年目标{chance_word(k['p_reach'])}（概率{percent(k['p_reach'])}）。",
           f"{backtest_line(brief.projection)}。",
           f"累计结案{k['closed']:,}件，结案率{k['closure_ratio']:.0%}；预测年末结案率{k['closure_mean']:.0%}"
           f"（要求不低于{closure_min:.0%}，{closure_word}）。"] if brief.month < 12 else
          [("全年目标已完成。" if k["approved"] >= k["target"] else
            f"全年目标未完成，差{k['target'] - k['approved']:,}件。"),
           f"全年结案{k['closed']:,}件，结案率{k['closure_ratio']:.0%}（要求不低于{closure_min:.0%}，{closure_word}）。"]),
        f"信号灯：{LIGHTS['green']}{k['green']}个，{LIGHTS['amber']}{k['amber']}个，{LIGHTS['red']}{k['red']}个。",
        f"案件指派：报告日待指派{d['cases']:,}件，已指派{d['assigned']:,}件（跨区调配{d['cross_region']:,}件），"
        f"未能指派{d['unassigned']:,}件。",
    ]
    over = sum(over_cap_by_region(brief).values())
    cap = plan.rule("lawyer_yearly_cap")
    lines.append(f"本年办案超过{cap.value:g}件上限的承办人员{over}名（{cap.citation}）。")
    return lines


def concern_lines(brief) -> list[str]:
    """The three counties that need attention, each with its reasons."""
    found = attention(brief)
    if not found:
        return ["各地区进度、结案、指派和经费均无突出问题。"]
    return [f"{i}. {c.name}：" + "；".join(c.reasons) + "。" for i, c in enumerate(found, start=1)]


def funding_lines(brief) -> list[str]:
    """Funding: failed rules and the binding gap, then pace readings, then the example estimate."""
    budget, plan = brief.budget, brief.plan
    checks = budget.checks[budget.checks["region"] != CITY_TOTAL]
    lines = []
    failing = checks[checks["status"] == FAIL]
    if len(failing):
        rules = "、".join(dict.fromkeys(failing["rule"].map(RULE_LABELS)))
        names = "、".join(region_names(plan, dict.fromkeys(failing["region"])))
        lines.append(f"{failing['region'].nunique()}个地区有经费规则不达标（{rules}）：{names}。")
    else:
        lines.append("各地区经费规则均达标" + ("（资金到位、支出等年末考核的规则见下方进度提示）。" if brief.month < 12 else "。"))
    total = budget.least[budget.least["region"] == CITY_TOTAL]
    if len(total) and total["gap"].iloc[0] > 0:
        lines.append(f"满足预算规模规则尚需增加地方预算合计{total['gap'].iloc[0]:,.0f}元（每个地区按约束最紧的一条规则计，不重复相加）。")
    behind = checks[checks["status"] == PACE_BEHIND]
    if len(behind):
        rules = "、".join(dict.fromkeys(behind["rule"].map(RULE_LABELS)))
        lines.append(f"进度提示：{behind['region'].nunique()}个地区{rules}落后序时进度；该类规则年末考核，现在不作不达标结论。")
    reading = business_reading(budget)
    if reading:
        lines.append(f"口径：{reading}。")
    estimate = checks[(checks["status"] == EXAMPLE) & (checks["shortfall"] > 0)]
    if len(estimate):
        lines.append(f"示例测算：按示例补贴标准，{estimate['region'].nunique()}个地区经费可能不足以支付全年办案补贴；"
                     "该标准不是官方标准，不作结论，请按本地标准核实。")
    return lines


def dispatch_lines(brief) -> list[str]:
    """What city-wide dispatch would change, only where the plan provides for it."""
    reference = brief.plan.provision("city_wide_dispatch")
    comparison = brief.projection.comparison
    if reference is None or "rebalance" not in set(comparison["policy"]):
        return []
    rebalance = comparison[(comparison["policy"] == "rebalance") & (comparison["region"] != CITY_TOTAL)]
    helped = rebalance[rebalance["p_reach_change"] > 0.005].sort_values("p_reach_change", ascending=False)
    if len(helped):
        parts = "、".join(f"{brief.plan.region(r.region).name}（提高{r.p_reach_change * 100:.0f}个百分点）"
                          for r in helped.head(4).itertuples())
        return [f"按{reference}全市统筹调配，每月将进度超前地区的案源调往落后地区，可提高完成目标的概率：{parts}。"]
    return [f"按{reference}全市统筹调配案源，对各地区完成目标的概率没有明显改善。"]


def summary_text(brief) -> str:
    """摘要.txt: plain text (no markup), headings numbered 一、二、…"""
    plan = brief.plan
    lines = [title(brief), "", f"依据：{plan.title}（{plan.document}）。", f"数据：{brief.source}", ""]
    for i, (heading, paragraphs) in enumerate(sections(brief)):
        lines.append(f"{_ORDINALS[i]}、{heading}")
        lines += [f"    {p}" for p in paragraphs]
        lines.append("")
    lines.append("详细数据见月通报工作簿各表与图表。")
    return "\r\n".join(lines) + "\r\n"
