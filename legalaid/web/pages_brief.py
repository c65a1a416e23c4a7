"""通报: the monthly brief's front table with lights, the charts, the three counties, month over month."""

from __future__ import annotations

import numpy as np
import pandas as pd
from flask import abort, flash, g, redirect, render_template, request, send_from_directory, url_for

from legalaid.web.app import state
from legalaid.web.tables import html_table

#: Monte Carlo runs per policy on the page (the CLI default is 1,000; the page trades a little precision for speed).
PAGE_RUNS = 200
LIGHT_CLASS = {"green": "light-green", "amber": "light-amber", "red": "light-red"}


def month_over_month(plan, progress: pd.DataFrame, month: int) -> pd.DataFrame:
    """Per county: this month's and last month's approvals and closures, and 序时完成率 then and now."""
    from legalaid.report.labels import CITY_TOTAL_NAME

    if month < 2:
        return pd.DataFrame()
    by = progress.groupby(["region", "month"])[["approved", "closed"]].sum()
    rows = []
    for region in [*plan.regions, None]:
        def count(col, m, region=region):
            if region is None:
                return int(sum(by[col].get((r.id, m), 0) for r in plan.regions))
            return int(by[col].get((region.id, m), 0))

        target = plan.target_total if region is None else region.target
        ids = [r.id for r in plan.regions] if region is None else [region.id]
        cum = progress[progress["region"].isin(ids)]

        def pace(m, cum=cum, target=target):
            return cum.loc[cum["month"] <= m, "approved"].sum() / (target * m / 12) if target else np.nan

        now, before = count("approved", month), count("approved", month - 1)
        rows.append({
            "单位": CITY_TOTAL_NAME if region is None else region.name,
            f"{month}月审批（件）": now, f"{month - 1}月审批（件）": before, "审批环比": _change(now, before),
            f"{month}月结案（件）": count("closed", month), f"{month - 1}月结案（件）": count("closed", month - 1),
            "结案环比": _change(count("closed", month), count("closed", month - 1)),
            f"序时完成率（{month - 1}月）": f"{pace(month - 1):.1%}", f"序时完成率（{month}月）": f"{pace(month):.1%}",
            "序时完成率变化": f"{(pace(month) - pace(month - 1)) * 100:+.1f}个百分点",
        })
    return pd.DataFrame(rows)


def _change(now: int, before: int) -> str:
    return "—" if before == 0 else f"{(now - before) / before:+.1%}"


def build(ws, runs: int) -> None:
    """Run the brief on the workspace's inputs and write its report folder (the CLI's writer)."""
    from legalaid.api import brief, write_report

    b = brief(ws.plan, ws.inputs, month=ws.month or 12, seed=state()["seed"], runs=runs, workers=1,
              source=ws.source)
    if ws.result is not None:   # the brief shows the dispatch as the dispatcher left it (overrides kept)
        b.dispatch = ws.result
    folder = ws.folder / f"月通报-{len(list(ws.folder.glob('月通报-*'))) + 1}"
    ws.folder.mkdir(parents=True, exist_ok=True)
    write_report(b, folder)
    ws.brief, ws.brief_runs, ws.cache["brief_dir"] = b, runs, folder


def register(app) -> None:
    @app.get("/brief", endpoint="brief")
    def brief_page():
        ws = g.ws
        missing = [] if ws.inputs is None else [label for table, label in (("progress", "月度进度表"), ("funds", "经费表"))
                                                if getattr(ws.inputs, table) is None]
        if ws.inputs is None or missing or ws.brief is None:
            return render_template("brief.html", title="通报", ws=ws, missing=missing, runs=PAGE_RUNS)
        from legalaid.report.brief import progress as progress_sheet
        from legalaid.report.brief.attention import concerns
        from legalaid.report.brief.sheets import key_figures, progress_table

        b = ws.brief
        table = progress_table(b)
        front = progress_sheet.to_chinese(table, b.plan.rule_value("closure_ratio_min"), b.month)
        lights = [LIGHT_CLASS.get(x, "") for x in table["light"]]
        folder = ws.cache.get("brief_dir")
        regions = {r.name for r in b.plan.regions}
        charts = sorted((p.name for p in (folder / "图表").glob("*.png")), key=lambda n: (n[:-4] in regions, n)) if folder else []
        return render_template(
            "brief.html", title="通报", ws=ws, missing=[], runs=ws.brief_runs, key=key_figures(b),
            front=html_table(front, lights, "front"), concerns=concerns(b),
            mom=html_table(month_over_month(b.plan, b.inputs.progress, b.month), table_id="mom"),
            charts=charts, month=b.month, plan=b.plan)

    @app.post("/brief/run")
    def brief_run():
        ws = g.ws
        runs = min(max(request.form.get("runs", PAGE_RUNS, type=int) or PAGE_RUNS, 50), 2000)
        if ws.inputs is None:
            return redirect(url_for("brief"))
        with ws.lock:
            if ws.inputs.progress is None or ws.inputs.funds is None:
                flash("通报需要月度进度表和经费表，请在“数据”页上传。", "error")
            else:
                build(ws, runs)
        return redirect(url_for("brief"))

    @app.get("/brief/file/<path:name>", endpoint="brief_file")
    def brief_file(name):
        folder = g.ws.cache.get("brief_dir")
        if folder is None or ".." in name:
            abort(404)
        return send_from_directory(folder, name, as_attachment=name.endswith((".xlsx", ".docx")))
