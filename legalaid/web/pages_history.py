"""历史: every dispatch run and override, newest first; export as xlsx or CSV."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from flask import render_template, send_file

from legalaid.web.app import state
from legalaid.web.history import chinese
from legalaid.web.tables import html_table, send_workbook

SHOWN = 500


def register(app) -> None:
    @app.get("/history", endpoint="history")
    def history_page():
        frame = state()["history"].frame()
        table = html_table(chinese(frame.head(SHOWN)), table_id="history")
        return render_template("history.html", title="历史", table=table, total=len(frame), shown=SHOWN)

    @app.get("/history/调整记录.xlsx", endpoint="history_xlsx")
    def history_xlsx():
        from legalaid.report.writers import Sheet

        return send_workbook([Sheet("调整记录", chinese(state()["history"].frame()))], "调整记录.xlsx")

    @app.get("/history/调整记录.csv", endpoint="history_csv")
    def history_csv():
        from legalaid.report.writers import write_csv

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp, "h.csv")
            write_csv(chinese(state()["history"].frame()), path)   # utf-8-sig, formula-safe, as the CLI writes
            data = path.read_bytes()
        return send_file(io.BytesIO(data), mimetype="text/csv", as_attachment=True, download_name="调整记录.csv")
