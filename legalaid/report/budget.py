"""The budget report: notes, the terminal text, sheets, charts and the report folder."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from legalaid.report import budget_tables as tables
from legalaid.report.folders import staged_dir
from legalaid.report.labels import region_names
from legalaid.report.writers import Sheet, write_csv, write_json, write_tables
from scenarios.budget import BudgetResult
from scenarios.budget.rules import FAIL, NO_DATA, NOT_APPLICABLE
from scenarios.vocab import CITY_TOTAL, Finding

#: File name of the report workbook.
WORKBOOK = "经费测算.xlsx"

#: A sweep's long table with more rows than this is written as CSV only (not into the workbook).
MAX_WORKBOOK_ROWS = 50_000

#: Findings in the order the notes list them.
NOTE_ORDER = ("example_schedule", "example_funds", "funds_missing_regions", "default_mix", "risk_without_samples",
              "risk_base_only")


def note_text(result: BudgetResult, finding: Finding) -> str:
    """One finding of the budget check as a Chinese sentence."""
    plan, code = result.plan, finding.code
    if code == "example_schedule":
        return f"补贴标准为示例数值（{finding['name']}），非安徽官方标准；请按本地办案补贴标准修改后再据以决策"
    if code == "example_funds":
        return "未提供经费表，使用生成的示例数据"
    if code == "funds_missing_regions":
        names = "、".join(region_names(plan, finding.ids))
        return f"经费表缺少{len(finding.ids)}个地区（{names}），全市合计只含表中地区"
    if code == "default_mix":
        return (f"{len(finding.ids)}个地区案件表中案件少于{finding['min_cases']}件，按补贴标准的默认案件构成测算："
                f"{'、'.join(finding.ids)}")
    if code == "risk_without_samples":
        return f"{len(finding.ids)}个地区没有预测案件样本，未做补贴风险测算：{'、'.join(region_names(plan, finding.ids))}"
    if code == "risk_base_only":
        return "补贴风险只对基准情景测算"
    raise KeyError(code)


def notes(result: BudgetResult) -> list[str]:
    """Every finding of the run as a Chinese sentence, in ``NOTE_ORDER``."""
    ordered = sorted(result.findings, key=lambda f: NOTE_ORDER.index(f.code))
    return [note_text(result, f) for f in ordered]


def reading(month: int) -> str:
    """年末读数 or 截至m月读数."""
    return "年末读数" if month == 12 else f"截至{month}月读数"


def verdicts(result: BudgetResult) -> pd.DataFrame:
    """规则核验: one row per region and rule, in Chinese, with references."""
    return tables.verdict_table(result.plan, result.checks, result.month)


def summary(result: BudgetResult) -> pd.DataFrame:
    """地区汇总: one row per region with every verdict, the least budget and the gap."""
    return tables.summary_table(result.plan, result.checks, result.least)


def least_budget(result: BudgetResult) -> pd.DataFrame:
    """最低地方预算: each rule's bound, the least budget, the binding rule, the gap."""
    return tables.least_table(result.plan, result.least, result.risk is not None)


def scenario_overview(result: BudgetResult) -> pd.DataFrame:
    """情景比较: per scenario, non-compliant regions and the city's gap."""
    descriptions = {s.name: tables.describe_overrides(s.overrides, result.plan) for s in result.scenarios}
    return tables.scenario_overview(result.plan, result.scenario_checks, result.scenario_least, descriptions)


def risk_table(result: BudgetResult) -> pd.DataFrame | None:
    """补贴风险 in Chinese, or None."""
    return None if result.risk is None else tables.risk_table(result.plan, result.risk)


def _detail_in_workbook(result: BudgetResult) -> bool:
    sweep = result.sweep
    return sweep is None or sweep.status.shape[0] * sweep.status.shape[1] <= MAX_WORKBOOK_ROWS


def sheets(result: BudgetResult) -> list[Sheet]:
    """The report's sheets, non-compliant rows flagged red."""
    verdict, region, least = verdicts(result), summary(result), least_budget(result)
    out = [
        Sheet("规则核验", verdict, tables.flag_failures(verdict, "结论")),
        Sheet("地区汇总", region, region["不达标项数"] > 0),
        Sheet("最低地方预算", least, least["地方预算缺口（元）"] > 0),
    ]
    if len(result.scenarios) > 1:
        overview = scenario_overview(result)
        detail = tables.scenario_detail(result.plan, result.scenario_checks, result.scenario_least)
        out += [Sheet("情景比较", overview, overview["不达标地区数"] > 0),
                Sheet("情景明细", detail, detail["不达标项数"] > 0)]
    if result.sweep is not None:
        swept = tables.sweep_summary(result.plan, result.sweep)
        out.append(Sheet("网格测算汇总", swept, swept["不达标地区数"] > 0))
        if _detail_in_workbook(result):
            detail = tables.sweep_detail(result.plan, result.sweep)
            out.append(Sheet("网格测算明细", detail, tables.flag_failures(detail, "是否达标", "否")))
    if result.risk is not None:
        table = risk_table(result)
        out.append(Sheet("补贴风险", table, pd.Series(result.risk["p_exceed"] > result.risk["level"]).set_axis(
            table.index)))
    return out


def charts(result: BudgetResult) -> dict:
    """Figures by file stem (Chinese labels)."""
    from legalaid.report import budget_charts

    plan = result.plan
    figures = {
        "合规情况": budget_charts.compliance_chart(plan, result.checks,
                                               f"经费规则核验结果（{plan.city}，{reading(result.month)}）"),
        "地方预算缺口": budget_charts.gap_chart(plan, result.least),
    }
    if len(result.scenarios) > 1:
        figures["情景比较"] = budget_charts.scenario_chart(scenario_overview(result))
    if result.sweep is not None:
        figures["网格测算"] = budget_charts.sweep_chart(tables.sweep_summary(plan, result.sweep))
    if result.risk is not None and len(result.risk):
        figures["补贴风险"] = budget_charts.risk_chart(plan, result.risk)
    return figures


def info(result: BudgetResult) -> dict:
    """Parameters and notes of the run (for 说明.json)."""
    schedule = result.schedule
    return {
        "计划": f"{result.plan.title}（{result.plan.id}）",
        "读数月份": reading(result.month),
        "经费数据": result.source,
        "补贴标准": f"{schedule.name}（{schedule.source}）" + ("：示例数值，非官方标准" if schedule.example else ""),
        "情景": {s.name: tables.describe_overrides(s.overrides, result.plan) for s in result.scenarios},
        "网格测算点数": 0 if result.sweep is None else int(result.sweep.grid.shape[0]),
        "网格测算明细": "" if _detail_in_workbook(result) else
        f"超过{MAX_WORKBOOK_ROWS:,}行，只写入 网格测算明细.csv，未放入工作簿",
        "说明": notes(result),
    }


def write(result: BudgetResult, out_dir: str | os.PathLike) -> Path:
    """Write tables (CSV utf-8-sig + one xlsx, red rows), charts (PNG) and 说明.json atomically."""
    with staged_dir(out_dir, {"类型": "经费测算", "计划": result.plan.id}) as folder:
        write_tables(folder, sheets(result), workbook=WORKBOOK)
        if result.sweep is not None and not _detail_in_workbook(result):
            write_csv(tables.sweep_detail(result.plan, result.sweep), folder / "网格测算明细.csv")
        for stem, figure in charts(result).items():
            figure.savefig(folder / f"{stem}.png", dpi=130)
        write_json(info(result), folder / "说明.json")
    return Path(out_dir)


def describe(result: BudgetResult) -> str:
    """A short Chinese text summary for the terminal."""
    plan = result.plan
    lines = [f"{plan.title}：经费测算（{reading(result.month)}；经费数据：{result.source}）",
             f"  补贴标准：{result.schedule.name}" + ("（示例数值，非官方标准）" if result.schedule.example else "")]
    regions = result.checks[result.checks["region"] != CITY_TOTAL]
    for rule, label in tables.RULE_LABELS.items():
        rows = regions[regions["rule"] == rule]
        if rows.empty or (rows["status"] == NOT_APPLICABLE).all():
            continue
        bad = rows[rows["status"] == FAIL]
        text = "全部达标" if bad.empty else (f"{len(bad)}个地区不达标（{'、'.join(region_names(plan, bad['region']))}），"
                                          f"缺口合计 {bad['shortfall'].sum():,.0f} 元")
        if (rows["status"] == NO_DATA).any():
            text += f"；{int((rows['status'] == NO_DATA).sum())}个地区无数据"
        lines.append(f"  {label}：{text}")
    total = result.least[result.least["region"] == CITY_TOTAL]
    if len(total):
        lines.append(f"  最低达标地方预算合计 {total['least_local'].iloc[0]:,.0f} 元，"
                     f"较当前缺口合计 {total['gap'].iloc[0]:,.0f} 元")
    if len(result.scenarios) > 1:
        overview = scenario_overview(result)
        for name, bad, gap in zip(overview["情景"], overview["不达标地区数"], overview["地方预算缺口合计（元）"],
                                  strict=True):
            lines.append(f"  情景“{name}”：{bad}个地区不达标，地方预算缺口合计 {gap:,.0f} 元")
    if result.sweep is not None:
        lines.append(f"  网格测算：{result.sweep.grid.shape[0]}个情景 × {len(result.sweep.region_ids) - 1}个地区")
    lines += [f"  注：{n}" for n in notes(result)]
    return "\n".join(lines)
