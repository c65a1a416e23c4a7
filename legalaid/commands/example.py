"""``legalaid example``: write the seeded example year (cases, lawyers, progress, funds)."""

from __future__ import annotations

from legalaid.cli import add_subcommand


def register(sub) -> None:
    parser = add_subcommand(sub, "example", "生成示例数据（案件、律师、月度进度、经费）",
                            "按计划生成一年的示例数据（可复现）：截至指定月份的月度进度、律师及本年已办案件数、"
                            "其余月份待指派的案件、各地经费。假设及出处见 scenarios/data/example.toml。")
    parser.add_argument("--plan", default="anqing-2023", help="计划ID或计划文件（默认 anqing-2023）")
    parser.add_argument("--month", type=int, default=6, choices=range(0, 13), metavar="M",
                        help="已上报到第几个月（0-12，默认 6）")
    parser.add_argument("--seed", type=int, default=0, help="随机种子（默认 0）")
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv", help="文件格式（默认 csv，UTF-8 带BOM）")
    parser.add_argument("--out", required=True, help="输出目录")
    parser.set_defaults(handler=run)


def run(args) -> int:
    from legalaid import api
    from legalaid.report.folders import DATA_KIND, staged_dir
    from legalaid.report.inputs import write_example
    from scenarios.example import generate_example

    plan = api.load_plan(args.plan)
    data = generate_example(plan, month=args.month, seed=args.seed)
    with staged_dir(args.out, {"类型": DATA_KIND, "计划": plan.id, "月份": args.month, "种子": args.seed}) as tmp:
        write_example(data, tmp, fmt=args.format)
    names = "、".join(plan.region(r).name for r in data.lagging)
    short = "、".join(plan.region(r).name for r in data.short_of_lawyers)
    print(f"已生成{plan.city}示例数据（截至{args.month}月，种子 {args.seed}）：{args.out}")
    print(f"  待指派案件 {len(data.cases)} 件，承办人员 {len(data.lawyers)} 名，月度进度 {len(data.progress)} 行，"
          f"经费 {len(data.funds)} 行")
    print(f"  设定进度落后的地区：{names}；律师资源紧张的地区：{short}")
    return 0
