"""``legalaid run``: the city's monthly brief (月通报) from one command.

With no ``--data`` the plan's example year is generated (and the run says so); with
``--data DIR`` the four tables are read from DIR (cases|案件, lawyers|律师, progress|进度,
funds|经费 as .csv, .xlsx or .xls). Output is one report folder, written atomically.
"""

from __future__ import annotations

import sys
import time

from legalaid.cli import add_subcommand, positive_int
from legalaid.commands import add_reading_options


def register(sub) -> None:
    parser = add_subcommand(sub, "run", "生成全市月通报（案件调配、进度预测、经费核查）",
                            "生成全市法律援助月通报：调配待指派案件、按当前进度预测全年（各市级调配策略）、"
                            "核查经费规则，输出 月通报.xlsx、月通报.docx、图表和 摘要.txt。未给出 --data 时使用内置示例数据。")
    parser.add_argument("--plan", default="anqing-2023", help="计划ID或计划文件（默认 anqing-2023）")
    parser.add_argument("--month", type=int, default=None, choices=range(1, 13), metavar="M",
                        help="已上报到第几个月（1-12）；默认：--data 时取进度表中最后一个月，示例数据为6月")
    parser.add_argument("--data", help="数据目录：cases/lawyers/progress/funds（或 案件/律师/进度/经费）.csv/.xlsx/.xls；"
                        "可另放历年月度表 history（或 历年）以估计季节性与预测误差")
    parser.add_argument("--out", default="out/月通报", help="报告目录（默认 out/月通报）")
    parser.add_argument("--seed", type=int, default=0, help="随机种子（默认 0）")
    parser.add_argument("--runs", type=positive_int, default=1000, help="蒙特卡洛模拟次数（默认 1000）")
    parser.add_argument("--workers", type=positive_int, default=2, help="并行进程数（默认 2）")
    add_reading_options(parser)
    parser.set_defaults(handler=run)


def check_out_is_not_data(out: str, data: str) -> None:
    """The report may not be written into (or around) the folder the data is read from."""
    from pathlib import Path

    from legalaid.report.folders import OutputRefused

    out_path, data_path = Path(out).resolve(), Path(data).resolve()
    if out_path == data_path or data_path.is_relative_to(out_path) or out_path.is_relative_to(data_path):
        raise OutputRefused(f"报告目录“{out}”与数据目录“{data}”相同或互相包含；为免覆盖您的数据文件，"
                            "请把报告写到另一个文件夹（如 --out out/月通报）")


def run(args) -> int:
    from legalaid import api
    from legalaid.report.brief.attention import concerns
    from legalaid.report.brief.sheets import key_figures
    from legalaid.report.brief.write import write_brief
    from legalaid.report.dispatch import headline
    from legalaid.report.findings import finding_texts

    started = time.perf_counter()
    plan = api.load_plan(args.plan)
    if args.data:
        check_out_is_not_data(args.out, args.data)
        inputs = api.read_inputs(plan, folder=args.data, month=args.month, cumulative=args.cumulative,
                                 sheet=args.sheet)
        if args.month is None:
            args.month = int(inputs.progress["month"].max())
            print(f"按进度表中最后一个月，截至{args.month}月（如需指定请加 --month）。")
        source = f"用户数据目录 {args.data}"
    else:
        args.month = args.month or 6
        inputs = api.example_inputs(plan, month=args.month, seed=args.seed)
        source = f"内置示例数据（按计划生成的示例年，截至{args.month}月，种子{args.seed}，非真实数据）"
        print(f"未给出 --data：使用{plan.city}内置示例数据（截至{args.month}月，种子 {args.seed}），非真实数据。")
    for finding in finding_texts(inputs.findings):
        print(f"提示：{finding}")
    brief = api.brief(plan, inputs, args.month, seed=args.seed, runs=args.runs, workers=args.workers, source=source,
                      show_progress=sys.stderr.isatty())
    out = write_brief(brief, args.out)
    k = key_figures(brief)
    d = headline(brief.dispatch)
    print(f"{plan.city}{plan.year}年{args.month}月通报已生成：{out}/")
    print(f"  累计审批 {k['approved']:,} 件，序时完成率 {k['pace']:.0%}；预测完成全年目标概率 {k['p_reach']:.0%}")
    print(f"  信号灯：绿 {k['green']}，黄 {k['amber']}，红 {k['red']}；调配 {d['assigned']:,}/{d['cases']:,} 件"
          f"（跨区 {d['cross_region']}，未指派 {d['unassigned']}，{d['status']}）")
    for i, c in enumerate(concerns(brief), start=1):
        print(f"  关注{i}：{c.name}——{c.reasons[0]}")
    print(f"  用时 {time.perf_counter() - started:.1f} 秒（调配 {brief.seconds['dispatch']:.1f}，"
          f"预测 {brief.seconds['projection']:.1f}，经费 {brief.seconds['budget']:.1f}）")
    return 0
