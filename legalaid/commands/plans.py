"""``legalaid plans [show ID]``: list plans; show targets, per-100k supply and cited rules."""

from __future__ import annotations

from legalaid.cli import add_subcommand
from legalaid.text import format_table
from scenarios.plans import LEVELS, list_plans, load_plan


def register(sub) -> None:
    parser = add_subcommand(sub, "plans", "列出计划；plans show ID 显示目标任务与规则",
                            "列出内置计划与 $LEGALAID_PLANS 目录中的用户计划；plans show ID 显示各地目标、"
                            "每10万人供给量及带出处的规则。")
    parser.add_argument("action", nargs="?", choices=["list", "show"], default="list", help="list（默认）或 show")
    parser.add_argument("plan", nargs="?", help="计划ID（如 anqing-2023）或计划文件路径")
    parser.set_defaults(handler=run)


def run(args) -> int:
    if args.action == "list" or not args.plan:
        rows = []
        for plan_id, origin in list_plans():
            plan = load_plan(plan_id)
            rows.append([plan_id, plan.title, plan.year, len(plan.regions), plan.target_total, origin])
        print(format_table(["计划ID", "名称", "年度", "机构数", "目标（件）", "来源"], rows, right={2, 3, 4}))
        return 0
    print(render_plan(load_plan(args.plan)))
    return 0


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
    rows.append(["全市合计", "", "", plan.target_total, f"{plan.city_population:,}" if plan.city_population else "—",
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
