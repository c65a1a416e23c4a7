"""派案: run the dispatch, the table of every case, per-case accept / change / 回避, re-run, downloads."""

from __future__ import annotations

import io
import time

import pandas as pd
from flask import abort, flash, g, redirect, render_template, request, send_file, url_for

from legalaid.web import words
from legalaid.web.app import need_user, state
from legalaid.web.overrides import candidates, redispatch
from legalaid.web.tables import html_table, send_workbook
from legalaid.web.workspace import Decision

PAGE_ROWS = 100


def run_dispatch(ws, user: str) -> None:
    """Dispatch the workspace's cases keeping its decisions and exclusions; record the run."""
    start = time.perf_counter()
    result, moved, unresolved = redispatch(ws.plan, ws.inputs, ws.decisions, ws.exclusions, seed=state()["seed"])
    ws.result, ws.moved, ws.unresolved, ws.cache = result, moved, unresolved, {}
    ws.dispatch_seconds = time.perf_counter() - start
    ws.runs += 1
    ws.brief = None
    detail = words.run_detail(result, ws.decisions, ws.exclusions, moved, unresolved)
    state()["history"].record(user=user, action="dispatch", plan=ws.plan_id, reason="", input_hash=ws.input_hash,
                              after=f"第{ws.runs}次", detail=detail)


def case_table(ws) -> pd.DataFrame:
    """Every case of the current run, Chinese columns, with its override state (cached per run)."""
    if "cases" not in ws.cache:
        ws.cache["cases"] = words.case_frame(ws.result)
    frame = ws.cache["cases"].copy()
    reasons = words.override_reasons(frame["案件编号"], ws.result, ws.decisions, ws.moved)
    frame.loc[reasons.index, "指派理由"] = reasons
    frame["人工调整"] = [words.override_text(c, ws.decisions, ws.exclusions, ws.moved, ws.unresolved)
                     for c in frame["案件编号"]]
    return frame


def register(app) -> None:
    @app.get("/dispatch", endpoint="dispatch")
    def dispatch_page():
        with g.ws.lock:   # a re-run in another tab of this session waits, never swaps the result mid-page
            return _dispatch_page(g.ws)

    def _dispatch_page(ws):
        if ws.inputs is None or ws.inputs.cases is None:
            return render_template("dispatch.html", title="派案", ws=ws, table=None)
        if ws.result is None:
            return render_template("dispatch.html", title="派案", ws=ws, table=None,
                                   pending=words.pending_count(ws))
        frame = case_table(ws)
        region, kind, only, q = (request.args.get(k, "") for k in ("region", "kind", "only", "q"))
        shown = words.filter_cases(frame, region=region, kind=kind, only=only, q=q.strip())
        pages = max(1, -(-len(shown) // PAGE_ROWS))
        page = min(max(1, request.args.get("page", 1, type=int)), pages)
        part = shown.iloc[(page - 1) * PAGE_ROWS: page * PAGE_ROWS]
        flags = ["unassigned" if u else ("cross" if c == "是" else "") for u, c in zip(part["_unassigned"], part["是否跨区"],
                                                                                      strict=True)]
        table = html_table(part.drop(columns=["_unassigned", "_region", "_kind"]), flags, "cases")
        result = ws.result
        return render_template(
            "dispatch.html", title="派案", ws=ws, table=table, shown=len(shown), page=page, pages=pages,
            filters={"region": region, "kind": kind, "only": only, "q": q},
            regions=[(r.id, r.name) for r in result.plan.regions], kinds=words.CASE_KIND_CHOICES,
            headline=words.headline(ws), diagnosis=words.diagnosis(result), pending=words.pending_count(ws))

    @app.post("/dispatch/run")
    def dispatch_run():
        ws = g.ws
        user = need_user()
        if user and ws.inputs is not None:
            with ws.lock:
                run_dispatch(ws, user)
        return redirect(url_for("dispatch"))

    @app.get("/dispatch/case/<case_id>", endpoint="case")
    def case_page(case_id):
        with g.ws.lock:
            return _case_page(g.ws, case_id)

    def _case_page(ws, case_id):
        if ws.result is None:
            return redirect(url_for("dispatch"))
        found = candidates(ws.result, case_id, ws.exclusions.get(case_id))
        if found is None:
            abort(404)
        options = words.candidate_frame(ws.result, found)
        return render_template("case.html", title=f"案件 {case_id}", ws=ws, case_id=case_id,
                               facts=words.case_facts(ws.result, found), options=options,
                               decision=ws.decisions.get(case_id), excluded=ws.exclusions.get(case_id, {}),
                               moved=ws.moved.get(case_id), current=None if found.current is None
                               else found.current["lawyer_id"])

    @app.post("/dispatch/case/<case_id>/<action>")
    def case_action(case_id, action):
        ws = g.ws
        user = need_user()
        if not user or ws.result is None:
            return redirect(url_for("case", case_id=case_id))
        reason = " ".join(request.form.get("reason", "").split())[:500]
        with ws.lock:
            found = candidates(ws.result, case_id, ws.exclusions.get(case_id))
            if found is None:
                abort(404)
            current = None if found.current is None else str(found.current["lawyer_id"])
            message = _apply(ws, user, case_id, action, request.form.get("lawyer", ""), reason, current, found)
        if message:
            flash(message, "error")
            return redirect(url_for("case", case_id=case_id))
        return redirect(request.form.get("next") or url_for("case", case_id=case_id))

    @app.get("/dispatch/派案结果.xlsx", endpoint="dispatch_workbook")
    def dispatch_workbook():
        ws = g.ws
        if ws.result is None:
            return redirect(url_for("dispatch"))
        from legalaid.report.dispatch import WORKBOOK, sheets
        from legalaid.report.writers import Sheet

        book = sheets(ws.result)
        book.insert(1, Sheet("人工调整", words.overrides_frame(ws)))
        return send_workbook(book, WORKBOOK)

    @app.get("/dispatch/指派通知书.html", endpoint="dispatch_notices")
    def dispatch_notices():
        ws = g.ws
        if ws.result is None:
            return redirect(url_for("dispatch"))
        html = render_template("notices.html", notices=words.notices(ws.result), plan=ws.result.plan,
                               basis=words.NOTICE_BASIS)
        return send_file(io.BytesIO(html.encode("utf-8")), mimetype="text/html", as_attachment=True,
                         download_name="指派通知书.html")


def _apply(ws, user, case_id, action, lawyer, reason, current, found) -> str | None:
    """Apply one override; the Chinese reason it was refused, or None."""
    history = state()["history"]
    record = {"user": user, "plan": ws.plan_id, "case_id": case_id, "input_hash": ws.input_hash}
    if action == "accept":
        if current is None:
            return "该案件尚未指派，无法接受；请改派给一名可指派的律师。"
        ws.decisions[case_id] = Decision("accept", current, user, reason)
        history.record(action="accept", before=current, after=current, reason=reason, **record)
        flash(f"已接受：案件 {case_id} 由 {current} 承办（重新派案时保留）", "ok")
    elif action == "change":
        allowed = set(found.table["lawyer_id"])
        if lawyer not in allowed:
            return f"律师“{lawyer}”不在本案可指派名单中（须可指派、未达年度上限、符合案件类型和回避要求）。"
        if not reason:
            return "改派须填写理由。"
        ws.decisions[case_id] = Decision("change", lawyer, user, reason)
        history.record(action="change", before=current or "未指派", after=lawyer, reason=reason, **record)
        flash(f"已改派：案件 {case_id} 改由 {lawyer} 承办，点击“重新派案”后生效", "ok")
    elif action == "exclude":
        lawyer = lawyer or current or ""
        if not lawyer:
            return "请指明需回避的律师。"
        if lawyer not in set(ws.result.loads["lawyer_id"]):
            return f"律师表中没有律师“{lawyer}”。"
        if not reason:
            return "回避须填写理由（如：曾为对方当事人代理）。"
        ws.exclusions.setdefault(case_id, {})[lawyer] = reason
        decision = ws.decisions.get(case_id)
        if decision is not None and decision.lawyer_id == lawyer:
            del ws.decisions[case_id]
        history.record(action="exclude", before=current or "未指派", after=f"回避{lawyer}", reason=reason, **record)
        flash(f"已登记回避：案件 {case_id} 不再指派给 {lawyer}，点击“重新派案”后生效", "ok")
    elif action == "release":
        ws.decisions.pop(case_id, None)
        ws.exclusions.pop(case_id, None)
        history.record(action="release", before=current or "", after="", reason=reason or "撤销本案的人工调整", **record)
        flash(f"已撤销案件 {case_id} 的人工调整", "ok")
    else:
        abort(404)
    return None
