"""The Flask application: sessions → workspaces, the five pages, Chinese errors, never a crash."""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
import traceback
from pathlib import Path

from flask import Flask, flash, g, redirect, render_template, request, session, url_for
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from legalaid.web.history import History, sqlite_url
from legalaid.web.workspace import Workspaces

#: Largest upload accepted (bytes): a city's year of cases is a few MB.
MAX_UPLOAD_BYTES = 64 * 1024 * 1024
PAGES = (("data", "数据"), ("dispatch", "派案"), ("brief", "通报"), ("budget", "经费"), ("history", "历史"))

log = logging.getLogger("legalaid.web")


def create_app(data_dir: str | os.PathLike, db_url: str | None = None, *, seed: int = 0) -> Flask:
    """The web application over the data folder ``data_dir`` (created if missing).

    Parameters
    ----------
    data_dir : where sessions' uploads and the default history database live.
    db_url : SQLAlchemy URL of the history database (default: SQLite ``history.sqlite`` in ``data_dir``).
    seed : dispatch tie-break seed (same inputs and seed, same dispatch).
    """
    from legalaid.web import pages_brief, pages_budget, pages_data, pages_dispatch, pages_history

    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES, SECRET_KEY=secrets.token_hex(32),
                      SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_HTTPONLY=True)
    from legalaid.report.projection import percent

    app.jinja_env.filters["chance"] = percent  # P(reach) never shown as 0% or 100%
    app.extensions["legalaid"] = {"workspaces": Workspaces(data_dir), "history": History(db_url or sqlite_url(data_dir)),
                                  "data_dir": data_dir, "seed": seed}

    @app.before_request
    def _workspace():
        if request.endpoint == "static":
            return
        ws = app.extensions["legalaid"]["workspaces"].get(session.get("ws"))
        session["ws"] = ws.id
        g.ws, g.user = ws, session.get("user", "")

    @app.context_processor
    def _common():
        return {"nav_pages": PAGES, "user": session.get("user", "")}

    @app.post("/user")
    def set_user():
        name = " ".join(request.form.get("user", "").split())[:50]
        session["user"] = name
        flash(f"操作人已设为：{name}" if name else "已清除操作人姓名", "ok")
        return redirect(request.form.get("next") or url_for("data"))

    @app.get("/")
    def index():
        return redirect(url_for("data"))

    for module in (pages_data, pages_dispatch, pages_brief, pages_budget, pages_history):
        module.register(app)

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(exc):
        flash(f"上传的文件过大（上限 {MAX_UPLOAD_BYTES // 1024 // 1024} MB），未读取。请分开上传或压缩数据后重试。", "error")
        return redirect(url_for("data"))

    @app.errorhandler(404)
    def _not_found(exc):
        return render_template("error.html", title="页面不存在", message="找不到该页面，请从上方导航进入。"), 404

    @app.errorhandler(Exception)
    def _internal(exc):
        if isinstance(exc, HTTPException):
            return render_template("error.html", title="请求有误", message=f"请求未能处理（{exc.code}）。"), exc.code
        return render_template("error.html", title="程序内部错误", message=internal_error(exc, data_dir)), 500

    return app


def internal_error(exc: BaseException, data_dir: Path) -> str:
    """One Chinese sentence for a bug; its details go to a file (never to the page or a log line)."""
    path = Path(data_dir, "legalaid-web-error.txt")
    try:
        with open(path, "a", encoding="utf-8") as f:
            traceback.print_exception(exc, file=f)
        where = f"详细信息已写入 {path}，请随问题报告一并提供。"
    except OSError:
        where = f"（无法写入 {tempfile.gettempdir()}）"
    log.error("internal error %s", type(exc).__name__)
    return f"程序内部错误（{type(exc).__name__}），本次操作未完成，原有数据未改动。{where}"


def state():
    """The application's shared objects: workspaces, history, data_dir, seed."""
    from flask import current_app

    return current_app.extensions["legalaid"]


def need_user() -> str | None:
    """The operator's name, or None after flashing that it must be typed first."""
    if not g.user:
        flash("请先在页面右上角填写您的姓名（每次派案和调整都会记录操作人）。", "error")
        return None
    return g.user
