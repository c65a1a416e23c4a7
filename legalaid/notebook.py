"""Helpers for finance staff in Jupyter: Chinese fonts and display options, plan rules, user tables."""

from __future__ import annotations

import pandas as pd

from scenarios.plans import Plan

#: The funding rules a budget notebook lists.
FUNDING_RULES = ("local_to_upper_matching_min", "local_matching_per_case_min", "business_funding_per_case_min",
                 "subsidy_share_of_spending_min", "fund_arrival_rate_min", "spending_rate_min")


def setup_notebook() -> str | None:
    """Chinese chart labels (a CJK font) and wide pandas display; returns the font family used."""
    from legalaid.report.fonts import use_cjk_font

    pd.set_option("display.max_columns", 40)
    pd.set_option("display.width", 200)
    pd.set_option("display.max_colwidth", 60)
    return use_cjk_font()


def plan_rules(plan: Plan, names: tuple[str, ...] = FUNDING_RULES) -> pd.DataFrame:
    """The plan's rules in force at year end: meaning, value and source (不适用 where it has none)."""
    rows = []
    for name in names:
        rule = plan.rule(name)
        if rule is None:
            rows.append([name, "—", "本计划未规定（不适用）", ""])
        else:
            value = f"{rule.value:.0%}" if rule.unit == "比例" else f"{rule.value:g} {rule.unit}"
            rows.append([name, rule.label, value, rule.citation])
    return pd.DataFrame(rows, columns=["规则", "含义", "取值", "出处"])


def user_table(table: str, frame: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """A canonical input table as a user writes it (Chinese headers and values)."""
    from legalaid.report.inputs import to_user_table

    return to_user_table(table, frame, plan)


def schedule_table(schedule) -> pd.DataFrame:
    """A subsidy schedule's items: label, 元/件 and default share."""
    return pd.DataFrame([[i.label, i.subsidy, i.share] for i in schedule.items], columns=["补贴项目", "元/件", "默认构成占比"])


def progress_table(plan: Plan, progress: pd.DataFrame, month: int) -> pd.DataFrame:
    """Progress to date against 序时进度 per region, ranked (the brief's front table without the projection)."""
    from legalaid.report.brief.progress import progress_table as table
    from legalaid.report.brief.progress import to_chinese

    return to_chinese(table(plan, progress, month), plan.rule_value("closure_ratio_min"), month)


def compare_dispatches(results: dict) -> pd.DataFrame:
    """Dispatches side by side (label → result): assigned, cross-region, mean km, unassigned, social share."""
    rows = []
    for label, res in results.items():
        km = res.assignments.loc[res.assignments["cross_region"], "km"]
        share = res.social.achieved
        rows.append([label, res.new_assignments, res.cross_region_cases, round(float(km.mean()), 1) if len(km) else 0.0,
                     len(res.unassigned), "" if share is None else f"{share:.1%}"])
    return pd.DataFrame(rows, columns=["情形", "已指派（件）", "跨区调配（件）", "跨区平均距离（公里）", "未指派（件）",
                                       "社会律师办案比例"])
