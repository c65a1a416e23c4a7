"""One module per subcommand, each with ``register(subparsers)``; options several of them share."""

from __future__ import annotations


def add_reading_options(parser) -> None:
    """--sheet and --cumulative: how to read the input workbooks and the progress table."""
    parser.add_argument("--sheet", metavar="名称", help="Excel文件中数据所在的工作表名（默认自动寻找表头最像的工作表）")
    parser.add_argument("--cumulative", action="store_true",
                        help="月度进度表中的审批数、结案数是截至各月的累计数（由工具换算为当月数）")
