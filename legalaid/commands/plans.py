"""``legalaid plans [show ID]``: list plans; show targets, per-100k supply and cited rules."""

from __future__ import annotations

from legalaid.cli import add_subcommand
from legalaid.report.plans import render_plan
from legalaid.text import format_table
from scenarios.plans import list_plans, load_plan


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
