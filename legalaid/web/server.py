"""Serving the app: waitress (pure Python, Windows and Linux), one process, several threads."""

from __future__ import annotations

import os
import sys
import threading

#: Request threads: a dispatch takes well under a second, a brief some seconds.
THREADS = 8


def make_server(data_dir: str | os.PathLike, db_url: str | None = None, *, host: str = "127.0.0.1", port: int = 8000,
                seed: int = 0):
    """A waitress server over ``create_app`` (port 0 picks a free port); returns (server, url)."""
    from waitress import create_server

    from legalaid.web.app import create_app

    app = create_app(data_dir, db_url, seed=seed)
    server = create_server(app, host=host, port=port, threads=THREADS, clear_untrusted_proxy_headers=True)
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    return server, f"http://{shown}:{server.effective_port}/"


def serve(data_dir, db_url=None, *, host="127.0.0.1", port=8000, seed=0, open_browser=False) -> None:
    """Run until Ctrl-C, printing the local address first."""
    server, url = make_server(data_dir, db_url, host=host, port=port, seed=seed)
    print(f"法律援助工作规划网页已启动：{url}", flush=True)
    print(f"数据文件夹：{os.path.abspath(data_dir)}（调整记录保存在其中的 history.sqlite）" if db_url is None
          else "调整记录保存在 --db 指定的数据库中", flush=True)
    print("在浏览器中打开上面的地址；按 Ctrl+C 停止。", flush=True)
    if open_browser:
        import webbrowser

        threading.Timer(0.5, webbrowser.open, (url,)).start()
    try:
        server.run()
    finally:
        server.close()
        sys.stdout.flush()


def start_in_thread(data_dir, db_url=None, *, seed=0):
    """A server on a free local port in a daemon thread (tests, benchmarks); returns (server, url)."""
    server, url = make_server(data_dir, db_url, port=0, seed=seed)
    threading.Thread(target=server.run, daemon=True).start()
    return server, url
