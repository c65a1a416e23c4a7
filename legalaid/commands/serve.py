"""``legalaid serve``: the web page (数据、派案、通报、经费、历史) on this computer."""

from __future__ import annotations

from legalaid.cli import add_subcommand, positive_int

#: WSAEADDRINUSE: the port is taken (Windows).
WINDOWS_IN_USE = 10048


def register(sub) -> None:
    parser = add_subcommand(sub, "serve", "启动本机网页（上传数据、派案与调整、通报、经费、历史）",
                            "在本机启动网页：上传四张表或使用示例数据，派案并逐案接受、改派或回避，重新派案，"
                            "查看月通报和经费测算，所有派案和调整记录在数据库中。启动后在浏览器打开显示的地址。")
    parser.add_argument("--data", metavar="DIR", default="legalaid-data",
                        help="数据文件夹：各会话上传的文件和调整记录库 history.sqlite（默认 ./legalaid-data）")
    parser.add_argument("--db", metavar="URL", help="调整记录数据库的 SQLAlchemy 地址（共享服务器用，默认数据文件夹中的 SQLite）")
    parser.add_argument("--host", default="127.0.0.1", help="监听地址（默认仅本机 127.0.0.1；局域网共享用 0.0.0.0）")
    parser.add_argument("--port", type=positive_int, default=8000, help="端口（默认 8000）")
    parser.add_argument("--seed", type=int, default=0, help="派案的随机种子（同样输入同样种子，同样结果）")
    parser.add_argument("--open", action="store_true", help="启动后自动打开浏览器")
    parser.set_defaults(handler=run)


def run(args) -> int:
    import errno
    import os
    import sys

    from legalaid.web.server import serve

    if os.path.exists(args.data) and not os.path.isdir(args.data):
        from scenarios.errors import InputError, InputIssue

        raise InputError([InputIssue(args.data, None, None, None, "已存在同名文件，--data 应为文件夹")])
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

    try:
        serve(args.data, args.db, host=args.host, port=args.port, seed=args.seed, open_browser=args.open)
    except (ArgumentError, NoSuchModuleError, SQLAlchemyError) as exc:   # the URL itself is not echoed (passwords)
        what = "缺少该数据库的驱动程序" if isinstance(exc, NoSuchModuleError) else f"无法连接或格式有误（{type(exc).__name__}）"
        print(f"错误：--db 给出的数据库地址不可用：{what}。应为 SQLAlchemy 地址，如 sqlite:///D:/法援/history.sqlite 或 "
              "postgresql+psycopg://用户@主机/库名（并安装相应驱动）。", file=sys.stderr)
        return 2
    except OSError as exc:
        if exc.errno not in (errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.EACCES, WINDOWS_IN_USE):
            raise
        print(f"错误：无法在 {args.host}:{args.port} 启动网页（端口已被占用或无权使用）；请用 --port 指定其他端口，"
              "例如 --port 8080。", file=sys.stderr)
        return 2
    return 0
