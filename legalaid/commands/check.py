"""``legalaid check``: validate input files before anything runs; all errors or a short summary."""

from __future__ import annotations

from legalaid.cli import add_subcommand
from legalaid.commands import add_reading_options

_TABLES = ("cases", "lawyers", "progress", "funds")


def register(sub) -> None:
    parser = add_subcommand(sub, "check", "检查输入文件（案件、律师、月度进度、经费）",
                            "逐个检查输入文件（CSV：UTF-8/GB18030；Excel：.xlsx/.xls；中文或英文表头），"
                            "一次列出所有错误（文件、行号、列名、取值、应填内容），退出码 2；"
                            "全部无误时打印各表行数和各地区统计，以及不属于错误的提示（如律师超过年度办案上限）。")
    parser.add_argument("--plan", required=True, help="计划ID（如 anqing-2023）或计划文件路径")
    parser.add_argument("--cases", metavar="F", help="案件表（待指派案件）")
    parser.add_argument("--lawyers", metavar="F", help="律师表（承办人员及本年已办案件数）")
    parser.add_argument("--progress", metavar="F", help="月度进度表（各月审批数、结案数）")
    parser.add_argument("--funds", metavar="F", help="经费表（各地资金）")
    parser.add_argument("--month", type=int, choices=range(1, 13), metavar="M",
                        help="当前月份（1-12）；进度表中晚于该月的数据视为错误")
    add_reading_options(parser)
    parser.set_defaults(handler=run)


def run(args) -> int:
    import sys

    from legalaid import api
    from legalaid.report.inputs import check_summary

    plan = api.load_plan(args.plan)
    files = {t: getattr(args, t) for t in _TABLES if getattr(args, t)}
    if not files:
        print("错误：请至少给出一个要检查的文件（--cases、--lawyers、--progress、--funds）", file=sys.stderr)
        return 2
    inputs = api.read_inputs(plan, month=args.month, cumulative=args.cumulative, sheet=args.sheet, **files)
    print(check_summary(inputs))
    return 0
