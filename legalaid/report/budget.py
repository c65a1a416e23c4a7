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
from scenarios.budget.rules import EXAMPLE, FAIL, NO_DATA, NOT_APPLICABLE, PACE_BEHIND
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
                f"{'、'.join(region_names(plan, finding.ids))}")
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
    """年末 or 截至m月 (the moment the figures are taken)."""
    return "年末" if month == 12 else f"截至{month}月"


def business_reading(result: BudgetResult) -> str | None:
    """Which money the per-case business standard counts, as the plan file reads it, or None."""
    rule = result.plan.rule("business_funding_per_case_min")
    if rule is None:
        return None
    money = "只计市、县（区）财政投入（不含中央和省级资金）" if rule.counts == "local" else "计中央、省级和地方资金合计"
    return f"业务经费案均{rule.value:g}元/件（{rule.citation}）{money}"


def verdicts(result: BudgetResult) -> pd.DataFrame:
    """规则核验: one row per region and rule, in Chinese, with references."""
    return tables.verdict_table(result.plan, result.checks, result.month)


def summary(result: BudgetResult) -> pd.DataFrame:
    """地区汇总: one row per region with every verdict, the least budget and the gap."""
    return tables.summary_table(result.plan, result.checks, result.least)


def least_budget(result: BudgetResult) -> pd.DataFrame:
    """最低地方预算: each rule's bound, the least budget, the binding rule, the gap."""
    return tables.least_table(result.plan, result.least, result.risk is not None, result.schedule.example)


def scenario_overview(result: BudgetResult) -> pd.DataFrame:
    """情景比较: per scenario, non-compliant regions and the city's gap."""
    descriptions = {s.name: tables.describe_overrides(s.overrides, result.plan) for s in result.scenarios}
    return tables.scenario_overview(result.plan, result.scenario_checks, result.scenario_least, descriptions)


def risk_table(result: BudgetResult) -> pd.DataFrame | None:
    """补贴风险 in Chinese, or None."""
    return None if result.risk is None else tables.risk_table(result.plan, result.risk)


def risk_sheet(result: BudgetResult) -> Sheet:
    """补贴风险 (red where the risk exceeds its level), or 补贴风险（示例） on the example schedule (never red)."""
    table = risk_table(result)
    if result.schedule.example:
        return Sheet("补贴风险（示例）", table)
    return Sheet("补贴风险", table, pd.Series((result.risk["p_exceed"] > result.risk["level"]).to_numpy(),
                                           index=table.index))


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
        out.append(Sheet("组合测算汇总", swept, swept["不达标地区数"] > 0))
        if _detail_in_workbook(result):
            detail = tables.sweep_detail(result.plan, result.sweep)
            out.append(Sheet("组合测算明细", detail, tables.flag_failures(detail, "是否达标", "否")))
    if result.risk is not None:
        out.append(risk_sheet(result))
    return out


def compliance_title(result: BudgetResult) -> str:
    """Title of the compliance grid: the city, the moment, and what is a pace reading or an example."""
    title = f"经费规则核验结果（{result.plan.city}，{reading(result.month)}）"
    notes = []
    if result.checks["pace"].any():
        notes.append("到位、支出等年末考核规则12月前仅为序时进度提示")
    if result.schedule.example:
        notes.append("办案补贴按示例标准测算，不作结论")
    return title + (f"\n{'；'.join(notes)}" if notes else "")


def charts(result: BudgetResult) -> dict:
    """Figures by file stem (Chinese labels)."""
    from legalaid.report import budget_charts

    plan = result.plan
    figures = {
        "合规情况": budget_charts.compliance_chart(plan, result.checks, compliance_title(result)),
        "地方预算缺口": budget_charts.gap_chart(
            plan, result.least, "最低地方预算与当前地方财政资金" + ("\n（按计划的预算规模规则；示例补贴标准不设下限）"
                                                      if result.schedule.example else "")),
    }
    if len(result.scenarios) > 1:
        figures["情景比较"] = budget_charts.scenario_chart(scenario_overview(result))
    if result.sweep is not None:
        figures["组合测算"] = budget_charts.sweep_chart(tables.sweep_summary(plan, result.sweep))
    if result.risk is not None and len(result.risk):
        figures["补贴风险"] = budget_charts.risk_chart(plan, result.risk, example=result.schedule.example)
    return figures


def info(result: BudgetResult) -> dict:
    """Parameters and notes of the run (for 说明.json)."""
    schedule = result.schedule
    return {
        "计划": f"{result.plan.title}（{result.plan.id}）",
        "核查时点": reading(result.month),
        "经费数据": result.source,
        "补贴标准": f"{schedule.name}（{schedule.source}）" + ("：示例数值，非官方标准" if schedule.example and "示例" not in schedule.name else ""),
        "情景": {s.name: tables.describe_overrides(s.overrides, result.plan) for s in result.scenarios},
        "组合测算点数": 0 if result.sweep is None else int(result.sweep.grid.shape[0]),
        "组合测算明细": "" if _detail_in_workbook(result) else
        f"超过{MAX_WORKBOOK_ROWS:,}行，只写入 组合测算明细.csv，未放入工作簿",
        "说明": notes(result),
    }


def write(result: BudgetResult, out_dir: str | os.PathLike) -> Path:
    """Write tables (CSV utf-8-sig + one xlsx, red rows), charts (PNG) and 说明.json atomically."""
    with staged_dir(out_dir, {"类型": "经费测算", "计划": result.plan.id}) as folder:
        write_tables(folder, sheets(result), workbook=WORKBOOK)
        if result.sweep is not None and not _detail_in_workbook(result):
            write_csv(tables.sweep_detail(result.plan, result.sweep), folder / "组合测算明细.csv")
        for stem, figure in charts(result).items():
            figure.savefig(folder / f"{stem}.png", dpi=130)
        write_json(info(result), folder / "说明.json")
    return Path(out_dir)


def describe(result: BudgetResult) -> str:
    """A short Chinese text summary for the terminal.

    Only failed rules count as 不达标; mid-year pace readings and estimates on the example
    subsidy schedule are listed apart and never summed into a gap. The gap is the least-budget
    gap (the binding rule per county), never a sum of shortfalls on the same money."""
    plan = result.plan
    lines = [f"{plan.title}：经费测算（{reading(result.month)}；经费数据：{result.source}）",
             f"  补贴标准：{result.schedule.name}" + ("（示例数值，非官方标准）" if result.schedule.example and "示例" not in result.schedule.name else "")]
    business = business_reading(result)
    if business:
        lines.append(f"  口径：{business}")
    regions = result.checks[result.checks["region"] != CITY_TOTAL]
    for rule, label in tables.RULE_LABELS.items():
        rows = regions[regions["rule"] == rule]
        if rows.empty or (rows["status"] == NOT_APPLICABLE).all():
            continue
        bad, behind, example = (rows[rows["status"] == s] for s in (FAIL, PACE_BEHIND, EXAMPLE))
        if len(example):
            short = example[example["shortfall"] > 0]
            text = (f"示例测算，不作结论：按示例补贴标准{len(short)}个地区经费可能不足，请按本地标准核实"
                    if len(short) else "示例测算，不作结论：按示例补贴标准经费充足")
        elif (rows["pace"]).any():
            text = (f"进度提示（年末考核）：{len(behind)}个地区落后序时进度（{'、'.join(region_names(plan, behind['region']))}）"
                    if len(behind) else "进度提示（年末考核）：均符合序时进度")
        else:
            text = "全部达标" if bad.empty else f"{len(bad)}个地区不达标（{'、'.join(region_names(plan, bad['region']))}）"
        if (rows["status"] == NO_DATA).any():
            text += f"；{int((rows['status'] == NO_DATA).sum())}个地区无数据"
        lines.append(f"  {label}：{text}")
    total = result.least[result.least["region"] == CITY_TOTAL]
    if len(total):
        lines.append(f"  满足预算规模规则的最低地方预算合计 {total['least_local'].iloc[0]:,.0f} 元，"
                     f"较当前缺口合计 {total['gap'].iloc[0]:,.0f} 元（每个地区取约束最紧的一条规则）")
    if len(result.scenarios) > 1:
        overview = scenario_overview(result)
        for name, bad, gap in zip(overview["情景"], overview["不达标地区数"], overview["地方预算缺口合计（元）"],
                                  strict=True):
            lines.append(f"  情景“{name}”：{bad}个地区不达标，地方预算缺口合计 {gap:,.0f} 元")
    if result.sweep is not None:
        lines.append(f"  组合测算：{result.sweep.grid.shape[0]}个组合 × {len(result.sweep.region_ids) - 1}个地区")
    lines += [f"  注：{n}" for n in notes(result)]
    return "\n".join(lines)
