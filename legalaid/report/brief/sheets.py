"""The brief's tables: front sheet, loads, supply per 100,000, findings, the whole workbook.

Every table is built from the typed results of a ``legalaid.brief.Brief`` through the engines'
report modules; nothing is picked by sheet name.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from legalaid.briefing import Brief
from legalaid.report import budget as budget_report
from legalaid.report import dispatch as dispatch_report
from legalaid.report import projection as projection_report
from legalaid.report.brief import progress as progress_sheet
from legalaid.report.brief.loads import load_flags
from legalaid.report.findings import finding_texts
from legalaid.report.writers import Sheet
from scenarios.vocab import CITY_TOTAL, over_cap

WORKBOOK = "月通报.xlsx"


def progress_table(brief: Brief) -> pd.DataFrame:
    """Per-region progress against 序时进度 with lights (``progress.progress_table``)."""
    reach = brief.projection.summary.set_index("region")["p_reach"]
    return progress_sheet.progress_table(brief.plan, brief.inputs.progress, brief.month, reach,
                                         runs=brief.projection.runs)


def loads(brief: Brief) -> pd.DataFrame:
    """Lawyer loads after dispatch with accountability flags (安庆2023 §6(2))."""
    table = dispatch_report.loads_table(brief.dispatch)
    cap = brief.plan.rule("lawyer_yearly_cap")
    table[f"问责提示（{cap.citation}）"] = load_flags(brief.dispatch.loads["after"], cap.value).to_numpy()
    return table


def supply(brief: Brief) -> pd.DataFrame:
    """Legal-aid supply per 100,000 residents (六安2025 §2(1)) where population is known."""
    summary = brief.projection.summary.set_index("region")
    progress = brief.inputs.progress
    to_date = progress[progress["month"] <= brief.month].groupby("region")["approved"].sum()
    rows = []
    for region in brief.plan.regions:
        approved = int(to_date.get(region.id, 0))
        projected = float(summary.loc[region.id, "approved_mean"]) if region.id in summary.index else np.nan
        pop = region.population
        rows.append({
            "单位": region.name, "常住人口（2020）": pop if pop else "",
            "全年目标（件）": region.target,
            "目标每10万人（件）": round(region.target / pop * 1e5, 1) if pop else "",
            "累计审批（件）": approved,
            "累计每10万人（件）": round(approved / pop * 1e5, 1) if pop else "",
            "预测全年每10万人（件）": round(projected / pop * 1e5, 1) if pop else "",
        })
    note = "人口未知（计划文件未提供可核实的人口数据），不计算每10万人供给量" if not any(
        r.population for r in brief.plan.regions) else brief.plan.population_reference
    rows.append({"单位": "说明", "常住人口（2020）": note})
    return pd.DataFrame(rows)


#: Verdicts of a share of closed cases (a year-end rule: before December a reading).
SHARE_LABELS = {"pass": "达标", "fail": "不达标", "pace_ok": "暂符合要求（年末考核）",
                "pace_behind": "暂低于要求（年末考核）", "no_data": "无数据", "not_applicable": "不适用"}


def shares(brief: Brief) -> pd.DataFrame | None:
    """结案占比: per county, the litigation and social-lawyer shares of closed cases with their rules
    (year-end rules: before December a reading); None when the progress table has neither column."""
    from legalaid.report.labels import region_names
    from scenarios.shares import closed_shares

    table = closed_shares(brief.plan, brief.inputs.progress, brief.month)
    if (table["status"] == "no_data").all():
        return None
    out = pd.DataFrame({"单位": region_names(brief.plan, list(dict.fromkeys(table["region"])))})
    for share, label in (("litigation", "诉讼案件"), ("social", "社会律师办理")):
        part = table[table["share"] == share].reset_index(drop=True)
        if (part["status"] == "no_data").all():
            continue
        if share == "litigation":
            out["累计结案（件）"] = part["closed"].astype("Int64")
        out[f"结案中{label}（件）"] = part["part"].round().astype("Int64")
        out[f"{label}占结案比例"] = part["value"]
        out[f"{label}占比要求"] = part["required"]
        out[f"{label}占比结论"] = part["status"].map(SHARE_LABELS).where(part["region"] != CITY_TOTAL, "全市参考")
        out[f"{label}占比：距要求差（件）"] = part["shortfall_cases"].where(part["status"].isin(["fail", "pace_behind"]))
        out[f"{label}占比出处"] = part["reference"]
    return out


def assessment_items(brief: Brief) -> pd.DataFrame | None:
    """考核指标: the items the plan's assessment clause lists (安庆: approvals, closures, funds put in,
    funds spent, subsidy share), per county; None when the plan has no such clause."""
    from legalaid.report.labels import region_names

    reference = brief.plan.provision("assessment_items")
    if reference is None:
        return None
    progress = brief.inputs.progress
    to_date = progress[progress["month"] <= brief.month].groupby("region")[["approved", "closed"]].sum()
    budgets = {b.region: b for b in brief.budget.budgets}
    ids = brief.plan.region_ids
    rows = []
    for rid in [*ids, CITY_TOTAL]:
        keys = ids if rid == CITY_TOTAL else [rid]
        parts = [budgets[k] for k in keys if k in budgets]
        spent = sum(b.spent for b in parts) if parts else np.nan
        subsidy = sum(b.subsidy_spent for b in parts) if parts else np.nan
        rows.append({
            "案件审批数（件）": int(to_date["approved"].reindex(keys).fillna(0).sum()),
            "案件办结数（件）": int(to_date["closed"].reindex(keys).fillna(0).sum()),
            "经费投入额（元）": sum(b.upper + b.local for b in parts) if parts else np.nan,
            "到位资金（元）": sum(b.arrived for b in parts) if parts else np.nan,
            "经费支出额（元）": spent,
            "补贴占比": subsidy / spent if spent else np.nan,
        })
    out = pd.DataFrame(rows)
    out.insert(0, "单位", region_names(brief.plan, [*ids, CITY_TOTAL]))
    out["出处"] = reference
    return out


def changes(brief: Brief) -> pd.DataFrame | None:
    """较上月: pace, light and P(reach) last month and now (None in January)."""
    from legalaid.report.brief import changes as changes_module

    table = changes_module.changes_table(brief)
    return None if table is None else changes_module.to_chinese(table, brief.month)


def findings(brief: Brief) -> pd.DataFrame:
    """Findings and notes: over-cap handlers, data notes, model notes."""
    rows = [("承办人员", text) for text in finding_texts(brief.inputs.findings)]
    rows += [("数据", brief.source)]
    rows += [("进度预测", text) for text in projection_report.notes(brief.projection)]
    rows += [("经费测算", text) for text in budget_report.notes(brief.budget)]
    return pd.DataFrame(rows, columns=["类别", "内容"])


def sheets(brief: Brief) -> list[Sheet]:
    """The workbook's sheets in reading order; non-compliant rows flagged red."""
    from legalaid.report import budget_tables

    plan, budget = brief.plan, brief.budget
    closure_min = plan.rule_value("closure_ratio_min")
    table = progress_table(brief)
    front = progress_sheet.to_chinese(table, closure_min, brief.month)
    moved = changes(brief)
    if moved is not None:  # the month-over-month change on the front sheet too
        by_name = moved.set_index("单位")
        front["序时完成率较上月（百分点）"] = front["单位"].map(by_name["序时完成率变化（百分点）"]).to_numpy()
        front["信号灯较上月"] = front["单位"].map(by_name["信号灯变化"]).to_numpy()
        front["完成目标概率较上月（百分点）"] = front["单位"].map(by_name["完成目标概率变化（百分点）"]).to_numpy()
    out = [Sheet("总览", front, pd.Series(table["light"] == "red", index=front.index))]
    if moved is not None:
        out.append(Sheet("较上月", moved))
    closed = shares(brief)
    if closed is not None:
        flagged = closed.filter(like="占比结论").isin(["不达标"]).any(axis=1)
        out.append(Sheet("结案占比", closed, flagged))
    items = assessment_items(brief)
    if items is not None:
        out.append(Sheet("考核指标", items))
    out += [s for s in dispatch_report.sheets(brief.dispatch) if s.name != "律师负荷"]
    load_table = loads(brief)
    flag_col = load_table.columns[-1]
    out.append(Sheet("律师负荷", load_table, load_table[flag_col].str.startswith("超过")))
    projection = projection_report.chinese_tables(brief.projection)
    flag = pd.Series(projection_report.unlikely(brief.projection).to_numpy(), index=projection["进度预测"].index)
    out += [Sheet("进度预测", projection["进度预测"], flag), Sheet("策略比较", projection["策略比较"])]
    verdicts, summary, least = (budget_report.verdicts(budget), budget_report.summary(budget),
                                budget_report.least_budget(budget))
    out += [Sheet("经费核查", verdicts, budget_tables.flag_failures(verdicts, "结论")),
            Sheet("经费汇总", summary, summary["不达标项数"] > 0),
            Sheet("最低地方预算", least, least["地方预算缺口（元）"] > 0)]
    if budget.risk is not None:
        out.append(budget_report.risk_sheet(budget))
    out.append(Sheet("每10万人供给", supply(brief)))
    out.append(Sheet("提示", findings(brief)))
    return out


def over_cap_by_region(brief: Brief) -> dict[str, int]:
    """Handlers whose handled_this_year is above the cap, per region."""
    lawyers = brief.inputs.lawyers
    cap = brief.plan.rule_value("lawyer_yearly_cap")
    return lawyers[over_cap(lawyers["handled_this_year"].to_numpy(), cap)].groupby("region").size().to_dict()


def key_figures(brief: Brief) -> dict:
    """The headline numbers of the brief."""
    table = progress_table(brief)
    total = table[table["region"] == CITY_TOTAL].iloc[0]
    city = brief.projection.summary[brief.projection.summary["region"] == CITY_TOTAL].iloc[0]
    lights = table[table["region"] != CITY_TOTAL]["light"].value_counts()
    return {
        "approved": int(total["approved"]), "expected": float(total["expected"]), "pace": float(total["pace"]),
        "closed": int(total["closed"]), "closure_ratio": float(total["closure_ratio"]),
        "target": int(brief.plan.target_total), "projected_mean": float(city["approved_mean"]),
        "projected_q05": float(city["approved_q05"]), "projected_q95": float(city["approved_q95"]),
        "p_reach": float(city["p_reach"]), "closure_mean": float(city["closure_ratio_mean"]),
        "green": int(lights.get("green", 0)), "amber": int(lights.get("amber", 0)), "red": int(lights.get("red", 0)),
    }
