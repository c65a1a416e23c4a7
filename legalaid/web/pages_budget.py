"""经费: the funding verdicts per county; a scenario edited on the page (all-region % or per county)."""

from __future__ import annotations

import pandas as pd
from flask import g, render_template, request

from legalaid.web.tables import html_table
from scenarios.errors import InputError

SCENARIO = "网页情景"
ALL_FIELDS = (("upper_funds", "中央和省级资金"), ("local_funds", "地方财政资金"), ("cases", "计划案件数"))
REGION_FIELDS = (("upper_funds", "中央和省级资金变化"), ("local_funds", "地方财政资金变化"), ("cases", "案件数变化"),
                 ("upper_funds_yuan", "中央和省级资金（元）"), ("local_funds_yuan", "地方财政资金（元）"))


def _change(text: str) -> str:
    """A change as typed ("-20", "-20%", "+10％") in the scenario file's own form ("-20%")."""
    text = text.strip().replace("％", "%")
    return text if text.endswith("%") else text + "%"


def _amount(text: str) -> float | str:
    try:
        return float(text.replace(",", "").replace("，", ""))
    except ValueError:
        return text   # the scenario schema names the bad value in Chinese


def scenario_spec(plan, form: dict) -> tuple[dict, list]:
    """The scenario file (as a dict) the form describes, and its validated scenarios."""
    from pathlib import Path

    from scenarios.budget.scenario import scenario_file_from_dict

    entry: dict = {"name": SCENARIO}
    for key, _ in ALL_FIELDS:
        if form.get(key, "").strip():
            entry[key] = _change(form[key])
    regions: dict = {}
    for region in plan.regions:
        values = {}
        for key, _ in REGION_FIELDS:
            text = form.get(f"{region.id}.{key}", "").strip()
            if text:
                values[key] = _amount(text) if key.endswith("_yuan") else _change(text)
        if values:
            regions[region.name] = values
    if regions:
        entry["regions"] = regions
    spec = scenario_file_from_dict({"scenario": [entry]}, "经费测算情景（网页）", Path("."), plan)
    return entry, list(spec.scenarios)


def comparison(plan, result) -> pd.DataFrame:
    """Per county: failed rules and local-budget gap in the base and in the scenario, and the change."""
    from legalaid.report import budget_tables

    detail = budget_tables.scenario_detail(plan, result.scenario_checks, result.scenario_least)
    names = list(dict.fromkeys(detail["情景"]))
    base = detail[detail["情景"] == names[0]].reset_index(drop=True)
    other = detail[detail["情景"] == names[-1]].reset_index(drop=True)
    out = pd.DataFrame({
        "地区": base["地区"], "基准：不达标项数": base["不达标项数"], "情景：不达标项数": other["不达标项数"],
        "基准：地方预算缺口（元）": base["地方预算缺口（元）"], "情景：地方预算缺口（元）": other["地方预算缺口（元）"],
    })
    out["缺口变化（元）"] = (out["情景：地方预算缺口（元）"] - out["基准：地方预算缺口（元）"]).round(2)
    verdicts = [c for c in other.columns if c not in base.columns[:4] and c not in (
        "情景", "不达标项数", "最低地方预算（元）", "地方预算缺口（元）", "约束规则")]
    for col in verdicts:
        out[f"情景：{col}"] = other[col]
    return out


def register(app) -> None:
    @app.route("/budget", methods=["GET", "POST"], endpoint="budget")
    def budget_page():
        ws = g.ws
        if ws.inputs is None or ws.inputs.funds is None:
            return render_template("budget.html", title="经费", ws=ws, ready=False)
        from legalaid.api import check_budget
        from legalaid.report import budget as budget_report

        plan = ws.plan
        form = request.form.to_dict() if request.method == "POST" else ws.budget_form
        errors, scenarios = None, []
        if form:
            try:
                _, scenarios = scenario_spec(plan, form)
                ws.budget_form = form
            except InputError as exc:
                errors = f"错误：{exc}"
        with ws.lock:
            result = check_budget(plan, ws.inputs.funds, month=ws.month, scenarios=scenarios, cases=ws.inputs.cases)
        summary = budget_report.summary(result)
        compare = overview = None
        if scenarios:
            compare = comparison(plan, result)
            overview = budget_report.scenario_overview(result)
            compare_flags = ["bad" if s > 0 else "" for s in compare["情景：不达标项数"]]
            compare = html_table(compare, compare_flags, "compare")
            overview = html_table(overview, table_id="overview")
        return render_template(
            "budget.html", title="经费", ws=ws, ready=True, form=form or {}, errors=errors,
            summary=html_table(summary, summary["不达标项数"] > 0, "summary"), compare=compare, overview=overview,
            notes=budget_report.notes(result), regions=plan.regions, all_fields=ALL_FIELDS, region_fields=REGION_FIELDS,
            reading=budget_report.reading(result.month))
