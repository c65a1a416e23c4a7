"""``legalaid run``: the city's monthly brief (月通报) from one command.

With no ``--data`` the plan's example year is generated (and the run says so); with
``--data DIR`` the four tables are read from DIR (cases|案件, lawyers|律师, progress|进度,
funds|经费 as .csv, .xlsx or .xls). Output is one report folder, written atomically.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from legalaid.cli import add_subcommand

#: Accepted file stems per table in a --data folder.
STEMS = {"cases": ("cases", "案件"), "lawyers": ("lawyers", "律师"), "progress": ("progress", "进度", "月度进度"),
         "funds": ("funds", "经费")}
EXTENSIONS = (".csv", ".xlsx", ".xls")


def register(sub) -> None:
    parser = add_subcommand(sub, "run", "生成全市月通报（案件调配、进度预测、经费核查）",
                            "生成全市法律援助月通报：调配待指派案件、按当前进度预测全年（各市级调配策略）、"
                            "核查经费规则，输出 月通报.xlsx、图表和 summary.md。未给出 --data 时使用内置示例数据。")
    parser.add_argument("--plan", default="anqing-2023", help="计划ID或计划文件（默认 anqing-2023）")
    parser.add_argument("--month", type=int, default=6, choices=range(1, 13), metavar="M",
                        help="已上报到第几个月（1-12，默认 6）")
    parser.add_argument("--data", help="数据目录：cases/lawyers/progress/funds（或 案件/律师/进度/经费）.csv/.xlsx/.xls")
    parser.add_argument("--out", default="out/月通报", help="报告目录（默认 out/月通报）")
    parser.add_argument("--seed", type=int, default=0, help="随机种子（默认 0）")
    parser.add_argument("--runs", type=int, default=1000, help="蒙特卡洛模拟次数（默认 1000）")
    parser.add_argument("--workers", type=int, default=2, help="并行进程数（默认 2）")
    parser.set_defaults(handler=run)


def find_files(folder: str | Path) -> dict[str, Path]:
    """The four table files in ``folder``; InputError naming what is missing."""
    from scenarios.errors import InputError, InputIssue

    folder = Path(folder)
    if not folder.is_dir():
        raise InputError([InputIssue(str(folder), None, None, None, "不是一个目录（--data 应给出数据所在的文件夹）")])
    found, issues = {}, []
    for table, stems in STEMS.items():
        hits = [folder / f"{stem}{ext}" for stem in stems for ext in EXTENSIONS if (folder / f"{stem}{ext}").is_file()]
        if len(hits) == 1:
            found[table] = hits[0]
        else:
            names = "、".join(f"{s}{e}" for s in stems for e in (".csv", ".xlsx"))
            problem = "找不到" if not hits else f"有多个文件（{'、'.join(h.name for h in hits)}），只能保留一个："
            issues.append(InputIssue(str(folder), None, None, None, f"{problem}{names} 之一"))
    if issues:
        raise InputError(issues)
    return found


def run(args) -> int:
    from legalaid.brief.build import build_brief, write_brief
    from scenarios.plans import load_plan
    from scenarios.tables import InputTables, load_inputs

    started = time.perf_counter()
    plan = load_plan(args.plan)
    tty = sys.stderr.isatty()
    if args.data:
        inputs = load_inputs(plan, **find_files(args.data), as_of_month=args.month)
        source = f"用户数据目录 {args.data}"
    else:
        from scenarios.example import generate_example
        from scenarios.tables import lawyer_findings

        data = generate_example(plan, month=args.month, seed=args.seed)
        inputs = InputTables(plan=plan, cases=data.cases, lawyers=data.lawyers, progress=data.progress,
                             funds=data.funds, findings=lawyer_findings(data.lawyers, plan), sources={})
        source = f"内置示例数据（legalaid example --plan {plan.id} --month {args.month} --seed {args.seed}，非真实数据）"
        print(f"未给出 --data：使用{plan.city}内置示例数据（截至{args.month}月，种子 {args.seed}），非真实数据。")
    for finding in inputs.findings:
        print(f"提示：{finding}")
    brief = build_brief(plan, inputs, args.month, seed=args.seed, runs=args.runs, workers=args.workers,
                        source=source, show_progress=tty)
    out = write_brief(brief, args.out)
    k = brief.key_figures()
    d = brief.dispatch.headline()
    print(f"{plan.city}{plan.year}年{args.month}月通报已生成：{out}/")
    print(f"  累计审批 {k['approved']:,} 件，序时完成率 {k['pace']:.0%}；预测完成全年目标概率 {k['p_reach']:.0%}")
    print(f"  信号灯：绿 {k['green']}，黄 {k['amber']}，红 {k['red']}；调配 {d['assigned']:,}/{d['cases']:,} 件"
          f"（跨区 {d['cross_region']}，未指派 {d['unassigned']}，{d['status']}）")
    for i, c in enumerate(brief.concerns(), start=1):
        print(f"  关注{i}：{c.name}——{c.reasons[0]}")
    print(f"  用时 {time.perf_counter() - started:.1f} 秒（调配 {brief.seconds['dispatch']:.1f}，"
          f"预测 {brief.seconds['projection']:.1f}，经费 {brief.seconds['budget']:.1f}）")
    return 0
