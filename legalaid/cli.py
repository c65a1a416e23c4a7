"""The ``legalaid`` command: one front door over plans, checks and the three engines.

Each subcommand lives in ``legalaid/commands/<name>.py`` with ``register(subparsers)``; engines
are imported inside the handlers so ``legalaid --help`` stays fast. Errors a user can fix
(bad input, unknown plan) print a Chinese message and exit with status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from scenarios.errors import InputError, PlanError

COMMANDS = ("plans", "example", "check", "dispatch", "project", "budget", "run")


class ChineseHelpFormatter(argparse.RawDescriptionHelpFormatter):
    """argparse help with Chinese headings; option names stay English."""

    def add_usage(self, usage, actions, groups, prefix=None):
        return super().add_usage(usage, actions, groups, prefix="用法：" if prefix is None else prefix)


def make_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Give a parser Chinese section titles and a Chinese -h."""
    parser.formatter_class = ChineseHelpFormatter
    parser._positionals.title = "位置参数"
    parser._optionals.title = "选项"
    parser.add_argument("-h", "--help", action="help", help="显示本帮助并退出")
    return parser


def build_parser() -> argparse.ArgumentParser:
    """The full parser with every available subcommand."""
    parser = make_parser(argparse.ArgumentParser(
        prog="legalaid", add_help=False,
        description="法律援助工作规划工具：计划与规则、输入检查、案件调配、进度预测、经费测算、月通报。",
        epilog="示例：legalaid run --plan anqing-2023 --month 6"))
    sub = parser.add_subparsers(title="子命令", dest="command", metavar="子命令")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"legalaid.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"legalaid.commands.{name}":
                continue
            raise
        module.register(sub)
    return parser


def add_subcommand(sub, name: str, help_text: str, description: str | None = None) -> argparse.ArgumentParser:
    """Add a subcommand parser with Chinese help."""
    return make_parser(sub.add_parser(name, help=help_text, description=description or help_text, add_help=False))


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 rule finding, 2 bad input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 0
    try:
        return int(args.handler(args) or 0)
    except (InputError, PlanError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("已中断，未写入任何结果。", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
