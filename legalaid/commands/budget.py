"""``legalaid budget``: check the funding rules, compare scenarios, sweep a grid, least budgets."""

from __future__ import annotations

from legalaid.cli import add_subcommand


def register(sub) -> None:
    parser = add_subcommand(
        sub, "budget", "经费测算：核验资金规则、比较情景、组合测算、最低达标地方预算",
        "经费测算：按计划的资金规则逐县及全市核验经费表（配套比例、地方配套案均标准、业务经费案均标准、"
        "办案补贴占比、资金到位率与支出率、经费能否支付办案补贴），给出出处；可读入情景文件（TOML）比较"
        "上级资金、地方资金、案件数、补贴标准的变化，做组合测算，并求每个地区满足全部规则的最低地方预算。"
        "结果写入 --out 目录：CSV（UTF-8带BOM）、一个 xlsx（不达标行标红）和图表。"
        "退出码：0 全部达标（12月前的序时进度提示和按示例补贴标准的测算不影响退出码），1 有不达标项，2 输入有误。")
    parser.add_argument("--plan", help="计划ID或计划文件（默认取情景文件的 [base] plan，否则 anqing-2023）")
    parser.add_argument("--funds", metavar="F", help="经费表（CSV/XLSX）；不给出时使用示例数据")
    parser.add_argument("--scenario", metavar="S.toml", help="情景文件（TOML，格式见使用说明“经费情景”一节）")
    parser.add_argument("--sweep", action="store_true", help="做组合测算（情景文件的 [sweep]，否则默认网格）")
    parser.add_argument("--month", type=int, choices=range(1, 13), metavar="M",
                        help="核查月份（1-12）：资金到位、支出和补贴占比在年末考核，12月前只按序时进度 M/12 给出进度提示；默认年末（示例数据为6月）")
    parser.add_argument("--schedule", metavar="F.toml", help="办案补贴标准文件（默认：内置示例标准，非官方）")
    parser.add_argument("--cases", metavar="F", help="案件表：按各地案件构成测算补贴（默认：补贴标准的默认构成）")
    parser.add_argument("--seed", type=int, default=None, help="示例数据的随机种子（默认 0）")
    parser.add_argument("--out", required=True, help="输出目录")
    parser.set_defaults(handler=run)


def run(args) -> int:
    from legalaid import api
    from legalaid.report.budget import describe, write

    common = dict(funds=args.funds, month=args.month, schedule=args.schedule, cases=args.cases)
    if args.scenario:
        result = api.budget_scenarios(args.scenario, plan=args.plan, sweep=True if args.sweep else None,
                                      seed=args.seed, **common)
    else:
        result = api.check_budget(args.plan or "anqing-2023", sweep=args.sweep,
                                  seed=0 if args.seed is None else args.seed, **common)
    out = write(result, args.out)
    print(describe(result))
    print(f"结果已写入：{out}")
    return 0 if result.ok else 1
