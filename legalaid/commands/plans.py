"""``legalaid plans [show ID]``: list plans; show targets, per-100k supply and cited rules."""

from __future__ import annotations

from legalaid.cli import add_subcommand
from legalaid.report.plans import render_plan
from legalaid.text import format_table
from scenarios.errors import PlanError
from scenarios.plans import list_plans, load_plan


def register(sub) -> None:
    parser = add_subcommand(sub, "plans", "列出计划；plans show ID 显示目标任务与规则；plans new 文件 新建计划",
                            "列出内置计划与 $LEGALAID_PLANS 目录中的用户计划；plans show ID 显示各地目标、"
                            "每10万人供给量及带出处的规则；plans new 文件.toml --city 名称 --regions 甲县,乙区 "
                            "写出一个带注释的新城市计划文件，填好数字后即可使用。")
    parser.add_argument("action", nargs="?", choices=["list", "show", "new"], default="list",
                        help="list（默认）、show 或 new")
    parser.add_argument("plan", nargs="?", help="计划ID（如 anqing-2023）或计划文件路径；new 时为要写出的文件")
    parser.add_argument("--city", help="new：城市名称，如 合肥市")
    parser.add_argument("--year", type=int, help="new：计划年度（默认今年）")
    parser.add_argument("--regions", help="new：各县（市、区）名称，用逗号分隔，如 瑶海区,庐阳区,肥东县")
    parser.set_defaults(handler=run)


def run(args) -> int:
    if args.action == "new":
        return new_plan(args)
    if args.action == "list" or not args.plan:
        rows = []
        for plan_id, origin in list_plans():
            try:
                plan = load_plan(origin if origin != "内置" else plan_id)
            except PlanError:
                rows.append([plan_id, f"（文件有误，运行 legalaid plans show {origin} 查看）", "", "", "", origin])
                continue
            rows.append([plan_id, plan.title, plan.year, len(plan.regions), plan.target_total, origin])
        print(format_table(["计划ID", "名称", "年度", "机构数", "目标（件）", "来源"], rows, right={2, 3, 4}))
        return 0
    print(render_plan(load_plan(args.plan)))
    return 0


def new_plan(args) -> int:
    """Write a commented plan template; refuse to overwrite a file."""
    import datetime as dt
    import sys
    from pathlib import Path

    from legalaid.report.plan_template import plan_template

    if not args.plan or not args.city:
        print("错误：用法 legalaid plans new 文件.toml --city 城市名称 [--regions 甲县,乙区] [--year 年度]",
              file=sys.stderr)
        return 2
    path = Path(args.plan if args.plan.endswith(".toml") else f"{args.plan}.toml")
    if path.exists():
        print(f"错误：文件“{path}”已存在；为免覆盖，请换一个文件名", file=sys.stderr)
        return 2
    regions = [r.strip() for r in (args.regions or "").replace("，", ",").split(",") if r.strip()]
    year = args.year or dt.date.today().year
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(plan_template(args.city, year, regions), encoding="utf-8")
    print(f"已写出计划模板：{path}（{len(regions) + 1}个地区）。请填写各地区目标、坐标或距离后运行："
          f"legalaid plans show {path}")
    return 0
