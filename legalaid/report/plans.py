"""A plan as a Chinese text page: header, targets with subtotals, rules with references."""

from __future__ import annotations

from legalaid.report.labels import CITY_TOTAL_NAME
from legalaid.text import format_table
from scenarios.plans import LEVELS


def render_plan(plan) -> str:
    """A plan as a Chinese text page: header, targets with subtotals, rules with references."""
    lines = [f"{plan.title}（{plan.id}）", f"文号：{plan.document}　印发：{plan.issued.isoformat()}　{plan.issuer}", ""]
    rows = []
    for r in plan.regions:
        supply = r.supply_per_100k
        rows.append([r.name, r.id, LEVELS[r.level], r.target, f"{r.population:,}" if r.population else "—",
                     f"{supply:.1f}" if supply is not None else "—"])
    for s in plan.subtotals:
        rows.append([s.name, "", "", s.total, "", ""])
    city = plan.target_total / plan.city_population * 100_000 if plan.city_population else None
    rows.append([CITY_TOTAL_NAME, "", "", plan.target_total, f"{plan.city_population:,}" if plan.city_population else "—",
                 f"{city:.1f}" if city is not None else "—"])
    lines.append(f"目标任务（{plan.target_reference}）")
    lines.append(format_table(["单位", "ID", "层级", "目标（件）", "人口（2020）", "每10万人（件）"], rows, right={3, 4, 5}))
    if plan.population_reference:
        lines.append(f"人口来源：{plan.population_reference}")
    if plan.delegations:
        lines.append("")
        lines.append("代办关系：" + "；".join(f"{d.name}→{plan.region(d.region).name}（{d.reference}）"
                                          for d in plan.delegations))
    lines.append("")
    lines.append(f"规则（{plan.year}年末生效值）")
    rule_rows = []
    for name in plan.rules.names():
        rule = plan.rule(name)
        if rule is None:
            continue
        value = f"{rule.value:.0%}" if rule.unit == "比例" else f"{rule.value:g} {rule.unit}"
        rule_rows.append([rule.label, value, rule.citation])
    lines.append(format_table(["规则", "取值", "出处"], rule_rows))
    inherited = [plan.rule(n) for n in plan.rules.names() if plan.rule(n) and plan.rule(n).inherited]
    if inherited:
        lines.append(f"注：{inherited[0].note}")
    return "\n".join(lines)
