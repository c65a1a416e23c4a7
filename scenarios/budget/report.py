"""The budget check's tables as users read them: Chinese headers, verdicts and references."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scenarios.budget.least import binding_label
from scenarios.budget.rules import FAIL, NOT_APPLICABLE, RULE_LABELS, SIZE_RULES


def _reading(rule: str, pace: bool, month: int, status: str) -> str:
    if status == NOT_APPLICABLE:
        return ""
    if rule in SIZE_RULES:
        return "年度预算"
    if rule == "subsidy_share":
        return "全年支出" if month == 12 else f"截至{month}月支出"
    return f"{month}月序时进度" if pace else "年末"


def verdict_table(checks: pd.DataFrame, month: int) -> pd.DataFrame:
    """One row per region and rule: 结论, 要求, 实际, 缺口, 读数, 计算依据, 出处."""
    return pd.DataFrame({
        "地区": checks["name"],
        "规则": checks["label"],
        "结论": checks["status"],
        "要求（元）": checks["required"].round(2),
        "实际（元）": checks["actual"].round(2),
        "缺口（元）": checks["shortfall"].round(2),
        "读数": [_reading(r, p, month, s) for r, p, s in zip(checks["rule"], checks["pace"], checks["status"],
                                                      strict=True)],
        "计算依据": checks["basis"],
        "出处": checks["reference"],
    })


def summary_table(checks: pd.DataFrame, least: pd.DataFrame) -> pd.DataFrame:
    """One row per region: funds, case basis, each rule's verdict, least budget and gap."""
    regions = list(dict.fromkeys(checks["region"]))
    wide = checks.pivot(index="region", columns="rule", values="status").reindex(regions)
    rules = [r for r in RULE_LABELS if r in wide.columns]
    lq = least.set_index("region").reindex(regions)
    out = pd.DataFrame({
        "地区": lq["name"].to_numpy(),
        "中央和省级资金（元）": lq["upper"].round(2).to_numpy(),
        "地方财政资金（元）": lq["local"].round(2).to_numpy(),
        "测算案件数（件）": lq["cases"].round(2).to_numpy(),
    })
    for rule in rules:
        out[RULE_LABELS[rule]] = wide[rule].to_numpy()
    out["不达标项数"] = (wide[rules] == FAIL).sum(axis=1).to_numpy()
    out["最低地方预算（元）"] = lq["least_local"].to_numpy()
    out["地方预算缺口（元）"] = lq["gap"].round(2).to_numpy()
    out["约束规则"] = ["" if r == "全市合计" else binding_label(b) for r, b in zip(regions, lq["binding"], strict=True)]
    return out


def least_table(least: pd.DataFrame, with_risk: bool) -> pd.DataFrame:
    """The least local budget per region with each rule's bound (元)."""
    out = pd.DataFrame({
        "地区": least["name"],
        "中央和省级资金（元）": least["upper"].round(2),
        "当前地方财政资金（元）": least["local"].round(2),
        "测算案件数（件）": least["cases"].round(2),
    })
    for rule in SIZE_RULES:
        out[f"下限：{RULE_LABELS[rule]}（元）"] = least[f"bound_{rule}"].round(2)
    if with_risk:
        out["下限：补贴超支风险控制（元）"] = least["bound_risk"].round(2)
    out["最低地方预算（元）"] = least["least_local"]
    out["约束规则"] = ["" if r == "全市合计" else binding_label(b)
                   for b, r in zip(least["binding"], least["region"], strict=True)]
    out["地方预算缺口（元）"] = least["gap"].round(2)
    return out


def scenario_overview(scenario_checks: pd.DataFrame, scenario_least: pd.DataFrame,
                      descriptions: dict[str, str]) -> pd.DataFrame:
    """Per scenario: what changes, how many regions fail a rule, and the city's local-budget gap."""
    applicable = scenario_checks.groupby("rule")["status"].apply(lambda s: (s != NOT_APPLICABLE).any())
    rules = [r for r in RULE_LABELS if applicable.get(r, False)]
    rows = []
    for name in descriptions:
        checks = scenario_checks[(scenario_checks["scenario"] == name) & (scenario_checks["region"] != "全市合计")]
        failing = checks[checks["status"] == FAIL]
        regions = list(dict.fromkeys(failing["name"]))
        least = scenario_least[(scenario_least["scenario"] == name) & (scenario_least["region"] == "全市合计")]
        per_rule = [int(failing.loc[failing["rule"] == rule, "region"].nunique()) for rule in rules]
        rows.append([name, descriptions[name], len(regions), "、".join(regions), *per_rule,
                     float(least["least_local"].iloc[0]), float(least["gap"].iloc[0])])
    return pd.DataFrame(rows, columns=["情景", "情景说明", "不达标地区数", "不达标地区",
                                       *(f"{RULE_LABELS[r]}：不达标地区数" for r in rules),
                                       "最低地方预算合计（元）", "地方预算缺口合计（元）"])


def scenario_detail(scenario_checks: pd.DataFrame, scenario_least: pd.DataFrame) -> pd.DataFrame:
    """Per scenario and region: each rule's verdict, least local budget and gap."""
    frames = []
    for name, checks in scenario_checks.groupby("scenario", sort=False):
        least = scenario_least[scenario_least["scenario"] == name].drop(columns="scenario")
        table = summary_table(checks.drop(columns="scenario"), least)
        table.insert(0, "情景", name)
        frames.append(table)
    return pd.concat(frames, ignore_index=True)


def risk_table(risk: pd.DataFrame) -> pd.DataFrame:
    """The subsidy risk per region (Chinese headers)."""
    return pd.DataFrame({
        "地区": risk["name"],
        "预测样本数": risk["replications"],
        "预计年末案件（均值，件）": risk["cases_mean"].round(1),
        "预计年末案件（中位数，件）": risk["cases_p50"].round(1),
        "预计年末案件（95%分位，件）": risk["cases_p95"].round(1),
        "预计补贴（元/件）": risk["subsidy_per_case"].round(2),
        "应付补贴均值（元）": risk["due_mean"].round(2),
        "当年资金（元）": risk["funds"].round(2),
        "补贴超支概率": risk["p_exceed"].round(4),
        "控制水平": risk["level"],
        "所需资金（元）": risk["funds_needed"],
        "所需地方预算（元）": risk["local_needed"],
        "地方预算缺口（元）": risk["gap"].round(2),
    })


def flag_failures(table: pd.DataFrame, column: str, value: object = FAIL) -> pd.Series:
    """Rows where ``column`` equals ``value`` (painted red)."""
    return pd.Series(np.asarray(table[column] == value), index=table.index)
