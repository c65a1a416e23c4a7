"""The ``legalaid`` command: one front door over plans, checks and the three engines.

Each subcommand lives in ``legalaid/commands/<name>.py`` with ``register(subparsers)``; engines
are imported inside the handlers so ``legalaid --help`` stays fast.

Exit status: 0 done; 1 a finding (a rule not met: cases unassigned, funding short); 2 bad input
or usage (a Chinese message names the file, row, column and value); 3 the system failed (disk
full, no permission, an internal error). Never a traceback: an internal error is described in
one sentence and its details go to a file for the report.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import importlib
import io
import os
import sys
import tempfile
import traceback

from legalaid import __version__
from legalaid.argparse_zh import install as install_chinese_argparse
from scenarios.errors import InputError, PlanError

COMMANDS = ("plans", "example", "check", "dispatch", "verify", "project", "budget", "run", "serve")
OK, FINDING, BAD_INPUT, SYSTEM = 0, 1, 2, 3

#: What an OS error means, in words (by errno).
_OS_ERRORS = {
    errno.ENOSPC: "磁盘空间已满", errno.EDQUOT: "磁盘配额已满", errno.EACCES: "没有写入权限",
    errno.EPERM: "没有权限", errno.EROFS: "该位置只读，不能写入", errno.ENOENT: "路径不存在",
    errno.ENAMETOOLONG: "文件名过长",
}


class ChineseHelpFormatter(argparse.RawDescriptionHelpFormatter):
    """argparse help with Chinese headings; option names stay English."""

    def add_usage(self, usage, actions, groups, prefix=None):
        return super().add_usage(usage, actions, groups, prefix="用法：" if prefix is None else prefix)


def make_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Give a parser Chinese section titles, a Chinese -h and --quiet."""
    parser.formatter_class = ChineseHelpFormatter
    parser._positionals.title = "位置参数"
    parser._optionals.title = "选项"
    parser.add_argument("-h", "--help", action="help", help="显示本帮助并退出")
    return parser


def build_parser() -> argparse.ArgumentParser:
    """The full parser with every available subcommand."""
    install_chinese_argparse()
    parser = make_parser(argparse.ArgumentParser(
        prog="legalaid", add_help=False,
        description="法律援助工作规划工具：计划与规则、输入检查、案件调配、进度预测、经费测算、月通报。",
        epilog="示例：legalaid run --plan anqing-2023 --month 6\n退出码：0 完成；1 有规则未达标；2 输入或用法有误；3 系统故障。"))
    parser.add_argument("--version", action="version", version=f"legalaid {__version__}", help="显示版本并退出")
    sub = parser.add_subparsers(title="子命令", dest="command", metavar="子命令")
    for name in COMMANDS:
        module = importlib.import_module(f"legalaid.commands.{name}")
        module.register(sub)
    return parser


def add_subcommand(sub, name: str, help_text: str, description: str | None = None) -> argparse.ArgumentParser:
    """Add a subcommand parser with Chinese help and ``-q/--quiet``."""
    parser = make_parser(sub.add_parser(name, help=help_text, description=description or help_text, add_help=False))
    parser.add_argument("-q", "--quiet", action="store_true", help="安静模式：只输出错误，不输出摘要")
    return parser


def positive_int(text: str) -> int:
    """An argparse type: a whole number ≥ 1, with a Chinese message otherwise."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为正整数，实为“{text}”") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"应为正整数（至少为1），实为 {value}")
    return value


def _quiet_stdout() -> None:
    """Send what would still go to standard output nowhere (the reader left, or --quiet)."""
    with contextlib.suppress(BrokenPipeError, OSError, ValueError):
        sys.stdout.flush()
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, io.UnsupportedOperation):
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the process


def _internal_error(exc: BaseException) -> int:
    path = os.path.join(tempfile.gettempdir(), "legalaid-error.txt")
    try:
        with open(path, "w", encoding="utf-8") as f:
            traceback.print_exception(exc, file=f)
        where = f"详细信息已写入 {path}，请随问题报告一并提供。"
    except OSError:
        where = ""
    print(f"错误：程序内部错误（{type(exc).__name__}），未能完成。{where}", file=sys.stderr)
    return SYSTEM


def _interrupted() -> int:
    from legalaid.report.folders import COMMITTED

    if COMMITTED:
        print(f"已中断；在此之前报告已完整写入：{COMMITTED[-1]}", file=sys.stderr)
    else:
        print("已中断，未写入任何结果（原有文件未改动）。", file=sys.stderr)
    return 130


def run_handler(args) -> int:
    """Run a subcommand's handler; every failure becomes a Chinese sentence and an exit status."""
    from legalaid.report.folders import OutputRefused

    saved = sys.stdout
    try:
        if getattr(args, "quiet", False):
            sys.stdout = io.StringIO()
        return int(args.handler(args) or 0)
    except (InputError, PlanError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return BAD_INPUT
    except OutputRefused as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return BAD_INPUT
    except KeyboardInterrupt:
        return _interrupted()
    except BrokenPipeError:
        _quiet_stdout()  # the reader went away (e.g. `| head`): nothing more to say
        return OK
    except OSError as exc:
        what = _OS_ERRORS.get(exc.errno, exc.strerror or "系统错误")
        where = f"（{exc.filename}）" if exc.filename else ""
        print(f"错误：无法完成读写：{what}{where}。请检查磁盘空间和文件夹权限后重试；原有文件未改动。", file=sys.stderr)
        return SYSTEM
    except MemoryError:
        print("错误：内存不足，未能完成；请减少模拟次数或数据规模后重试。", file=sys.stderr)
        return SYSTEM
    except Exception as exc:  # a bug: one sentence here, the details in a file
        return _internal_error(exc)
    finally:
        if getattr(args, "quiet", False):
            sys.stdout = saved


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (see the module docstring)."""
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
    except KeyboardInterrupt:
        return _interrupted()
    except SystemExit as exc:  # argparse: --help, --version (0) or a usage error (2)
        return int(exc.code or 0)
    if not getattr(args, "handler", None):
        parser.print_help()
        return OK
    return run_handler(args)


if __name__ == "__main__":
    sys.exit(main())
