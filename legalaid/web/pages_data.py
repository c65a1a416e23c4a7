"""数据: upload the four tables or take the example; validation issues as a table; the blank template."""

from __future__ import annotations

import copy
import dataclasses
import functools
import io
import re

from flask import flash, g, redirect, render_template, request, send_file, url_for

from legalaid.web.app import internal_error, state
from legalaid.web.tables import XLSX, html_table
from legalaid.web.workspace import digest
from scenarios.errors import InputError, InputIssue, PlanError
from scenarios.schema import TABLE_LABELS

TABLES = ("cases", "lawyers", "progress", "funds")
ALLOWED = (".csv", ".xlsx", ".xls", ".txt")


def safe_name(name: str) -> str:
    """A file name as uploaded, reduced to its last part with no path or control characters."""
    name = re.split(r"[\\/]", name or "")[-1]
    name = re.sub(r"[\x00-\x1f<>:\"|?*]", "_", name).strip(" .")
    return name[:120] or "未命名"


def issues_table(issues: list[InputIssue]):
    """The issues as the page shows them: file, Excel row, column, value, expected."""
    import pandas as pd

    from scenarios.errors import mask_personal

    frame = pd.DataFrame([{
        "文件": i.file, "Excel行号": "" if i.row is None else i.row, "列": i.column or "",
        "值": mask_personal(i.value or ""), "应为": mask_personal(i.expected)} for i in issues])
    return html_table(frame, table_id="issues")


def _relabel(exc: InputError, paths: dict) -> InputError:
    """Name the files as the user uploaded them (not the workspace path), like the CLI names its own."""
    names = {str(path): path.name for path in paths.values()}
    return InputError([dataclasses.replace(i, file=names.get(i.file, i.file)) for i in exc.issues])


@functools.lru_cache(maxsize=8)
def _example(plan_id: str, month: int, seed: int):
    from legalaid.api import example_inputs

    inputs = example_inputs(plan_id, month=month, seed=seed, cases="rest_of_year")
    inputs.sources.update({t: f"示例{TABLE_LABELS[t]}" for t in TABLES})
    return inputs


def load_example(ws, plan_id: str, month: int, seed: int = 0) -> None:
    """Use the plan's seeded example year (generated once per process, each workspace gets its own copy)."""
    from legalaid.api import load_plan

    plan = load_plan(plan_id)
    inputs = copy.deepcopy(_example(plan.id, month, seed))
    ws.plan_id, ws.month = plan.id, month
    source = (f"内置示例数据（{plan.city}{plan.year}年，截至{month}月的进度，案件为{month + 1}–12月全部案件，"
              f"用于演示整年派案；种子{seed}，非真实数据）") if month < 12 else \
        f"内置示例数据（{plan.city}{plan.year}年{month}月，种子{seed}，非真实数据）"
    ws.set_inputs(inputs, source, {}, digest([("example", f"{plan.id}:{month}:{seed}".encode())]))


def read_upload(ws, plan_id: str, files: dict[str, tuple[str, bytes]], month: int | None) -> None:
    """Validate uploaded files; on success they become the workspace's inputs, else ``ws.issues``."""
    from legalaid.api import load_plan, read_inputs

    issues = []
    for table in ("cases", "lawyers"):
        if table not in files:
            issues.append(InputIssue(TABLE_LABELS[table], None, None, None, "未上传：派案至少需要案件表和律师表"))
    for table, (name, _) in files.items():
        if not name.lower().endswith(ALLOWED):
            issues.append(InputIssue(name, None, None, None, f"文件类型不支持，应为 {'、'.join(ALLOWED)}（{TABLE_LABELS[table]}）"))
    if issues:
        raise InputError(issues)
    plan = load_plan(plan_id)
    folder = ws.upload_dir()
    paths = {}
    for table, (name, data) in files.items():
        path = folder / table / name
        path.parent.mkdir()
        path.write_bytes(data)
        paths[table] = path
    try:
        inputs = read_inputs(plan, **paths, month=month)
    except InputError as exc:
        raise _relabel(exc, paths) from None
    for table in list(inputs.sources):
        inputs.sources[table] = files[table][0]
    month = month or (int(inputs.progress["month"].max()) if inputs.progress is not None else None)
    ws.plan_id, ws.month = plan.id, month
    names = "、".join(f"{TABLE_LABELS[t]} {files[t][0]}" for t in TABLES if t in files)
    ws.set_inputs(inputs, f"上传文件：{names}", {t: n for t, (n, _) in files.items()},
                  digest([(t, d) for t, (_, d) in files.items()]))


def record_inputs(ws) -> None:
    """The history notes which data later decisions were made on (its hash, where it came from)."""
    state()["history"].record(user=g.user or "（未填写）", action="inputs", plan=ws.plan_id, input_hash=ws.input_hash,
                              detail=ws.source)


def register(app) -> None:
    @app.get("/data", endpoint="data")
    def data_page():
        from scenarios.plan_files import list_plans

        ws = g.ws
        summary = None
        if ws.inputs is not None:
            from legalaid.report.inputs import check_summary

            summary = check_summary(ws.inputs)
        table = issues_table(ws.issues) if ws.issues else None
        return render_template("data.html", title="数据", plans=plan_choices(list_plans()), ws=ws, summary=summary,
                               issues=table,
                               labels=TABLE_LABELS, tables=TABLES)

    @app.post("/data/example")
    def data_example():
        ws = g.ws
        month = _month(request.form.get("month"), 6)
        with ws.lock:
            try:
                load_example(ws, request.form.get("plan") or ws.plan_id, month)
                record_inputs(ws)
                flash(f"已载入示例数据：{ws.source}", "ok")
            except (InputError, PlanError) as exc:
                ws.error = f"错误：{exc}"
        return redirect(url_for("data"))

    @app.post("/data/upload")
    def data_upload():
        ws = g.ws
        files = {}
        for table in TABLES:
            f = request.files.get(table)
            if f is not None and f.filename:
                files[table] = (safe_name(f.filename), f.read())
        month = _month(request.form.get("month"), None)
        with ws.lock:
            try:
                read_upload(ws, request.form.get("plan") or ws.plan_id, files, month)
                record_inputs(ws)
                flash(f"检查通过，已使用：{ws.source}", "ok")
            except InputError as exc:
                ws.issues, ws.error = exc.issues, f"错误：{exc}"
            except PlanError as exc:
                ws.issues, ws.error = [], f"错误：{exc}"
            except Exception as exc:   # an unreadable file must never take the server down
                ws.issues, ws.error = [], internal_error(exc, state()["data_dir"])
        return redirect(url_for("data") + "#result")

    @app.get("/data/填报模板.xlsx", endpoint="data_template")
    def data_template():
        from legalaid.api import load_plan
        from legalaid.web.template import template_bytes

        plan = load_plan(request.args.get("plan") or g.ws.plan_id)
        return send_file(io.BytesIO(template_bytes(plan)), mimetype=XLSX, as_attachment=True,
                         download_name=f"{plan.city}法律援助填报模板.xlsx")


def plan_choices(plans) -> list[tuple[str, str]]:
    """(id, title) of every plan that loads (a broken user plan is left out of the list, not fatal)."""
    from legalaid.api import load_plan

    out = []
    for pid, _ in plans:
        try:
            out.append((pid, load_plan(pid).title))
        except PlanError:
            continue
    return out


def _month(text: str | None, default: int | None) -> int | None:
    try:
        value = int(text or "")
    except ValueError:
        return default
    return value if 1 <= value <= 12 else default
