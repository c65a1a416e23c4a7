"""The budget check's tables as users read them: Chinese headers, verdicts, computations, references."""

from __future__ import annotations

import numpy as np
import pandas as pd

from legalaid.report.labels import CITY_TOTAL_NAME, region_names
from scenarios.budget.rules import (
    EXAMPLE,
    FAIL,
    NO_DATA,
    NOT_APPLICABLE,
    PACE_BEHIND,
    PACE_OK,
    PASS,
    SIZE_RULES,
)
from scenarios.budget.scenario import CHANGES, Overrides
from scenarios.budget.sweep import SweepResult
from scenarios.plans import Plan
from scenarios.vocab import CITY_TOTAL

#: Verdicts as users read them.
STATUS_LABELS = {PASS: "达标", FAIL: "不达标", NOT_APPLICABLE: "不适用", NO_DATA: "无数据",
                 PACE_OK: "进度提示：符合序时进度", PACE_BEHIND: "进度提示：落后序时进度（年末考核）",
                 EXAMPLE: "示例测算（不作结论）"}

#: Each funding rule's Chinese label, in report order.
RULE_LABELS = {
    "matching_ratio": "地方与中央和省级资金配套比例",
    "local_matching_per_case": "地方财政配套案均标准",
    "business_funding_per_case": "业务经费案均标准",
    "subsidy_coverage": "经费足以支付办案补贴",
    "subsidy_share": "办案补贴及直接费用占支出比例",
    "arrival_rate": "资金到位率",
    "spending_rate": "经费支出率",
}

#: What each scenario change key means.
CHANGE_LABELS = {"upper_funds": "中央和省级资金", "local_funds": "地方财政资金", "cases": "案件数", "subsidy": "补贴标准"}


def binding_label(rule: str) -> str:
    """Chinese label of the rule that sets the least budget."""
    if rule == "risk":
        return "补贴超支风险控制"
    return RULE_LABELS.get(rule, "无（任何预算均满足）")


def basis_text(plan: Plan, check) -> str:
    """The computation of one verdict in Chinese (a ``RuleCheck`` or a row of the checks table)."""
    rule, value, base, required = check.rule, check.value, check.base, check.required
    if check.status == NOT_APPLICABLE:
        return "本方案未规定此项"
    if rule == "matching_ratio":
        return f"地方财政资金 ≥ {value:g} × 中央和省级资金 {base:,.0f} 元 = {required:,.0f} 元"
    if rule == "local_matching_per_case":
        return f"地方财政资金 ≥ {value:g} 元/件 × {base:,.0f} 件 = {required:,.0f} 元"
    if rule == "business_funding_per_case":
        money = "地方财政资金" if check.basis == "local" else "中央和省级+地方资金"
        return f"{money} ≥ {value:g} 元/件 × {base:,.0f} 件 = {required:,.0f} 元"
    if rule == "subsidy_coverage":
        example = "（按示例补贴标准测算，不作结论）" if check.status == EXAMPLE else ""
        return f"预计办案补贴 {value:,.2f} 元/件 × {base:,.0f} 件 = {required:,.0f} 元 ≤ 中央和省级+地方资金{example}"
    if rule == "subsidy_share":
        return f"办案补贴及直接费用 ≥ {value:.0%} × 业务经费支出 {base:,.0f} 元 = {required:,.0f} 元"
    if rule == "arrival_rate":
        pace = f" × 序时进度 {check.month}/12" if check.basis == "budget_pace" else ""
        return f"到位资金 ≥ {value:.0%} × 年度预算 {base:,.0f} 元{pace} = {required:,.0f} 元"
    if check.basis == "budget_pace":
        return f"支出 ≥ {value:.0%} × 年度预算 {base:,.0f} 元 × 序时进度 {check.month}/12 = {required:,.0f} 元"
    if check.basis == "arrived":
        return f"支出 ≥ {value:.0%} × 到位资金 {base:,.0f} 元 = {required:,.0f} 元"
    return f"支出 ≥ {value:.0%} × 年度预算 {base:,.0f} 元 = {required:,.0f} 元（未报到位资金）"


def describe_overrides(overrides: Overrides, plan: Plan | None = None) -> str:
    """The overrides in Chinese, e.g. "中央和省级资金-20%；宿松县：地方财政资金-25%"."""
    parts = [f"{CHANGE_LABELS[k]}{getattr(overrides, k):+.0%}" for k in CHANGES if getattr(overrides, k)]
    for rid, ro in overrides.regions.items():
        name = plan.region(rid).name if plan is not None and rid in plan.region_ids else rid
        bits = [f"{CHANGE_LABELS[k]}{getattr(ro, k):+.0%}" for k in ("upper_funds", "local_funds", "cases")
                if getattr(ro, k)]
        bits += [f"{CHANGE_LABELS[k[:-5]]}设为{getattr(ro, k):,.0f}元" for k in ("upper_funds_yuan", "local_funds_yuan")
                 if getattr(ro, k) is not None]
        parts.append(f"{name}：{'、'.join(bits) or '不变'}")
    return "；".join(parts) or "不变"


def _reading(rule: str, pace: bool, month: int, status: str) -> str:
    """When the rule is judged, in words: the year's budget, the year end, or a pace reading."""
    if status == NOT_APPLICABLE:
        return ""
    if rule in SIZE_RULES:
        return "年度预算"
    if pace:
        return f"截至{month}月（序时进度提示，年末考核）"
    return "年末考核"


def verdict_table(plan: Plan, checks: pd.DataFrame, month: int) -> pd.DataFrame:
    """One row per region and rule: 结论, 要求, 实际, 缺口, 核查时点, 计算依据, 出处.

    A pace reading or an example estimate keeps its numbers but shows no 缺口 (it is no gap)."""
    return pd.DataFrame({
        "地区": region_names(plan, checks["region"]),
        "规则": checks["rule"].map(RULE_LABELS),
        "结论": checks["status"].map(STATUS_LABELS),
        "要求（元）": checks["required"].round(2),
        "实际（元）": checks["actual"].round(2),
        "缺口（元）": checks["shortfall"].where(checks["status"] == FAIL).round(2),
        "核查时点": [_reading(r, p, month, s) for r, p, s in zip(checks["rule"], checks["pace"], checks["status"],
                                                      strict=True)],
        "计算依据": [basis_text(plan, row) for row in checks.itertuples(index=False)],
        "出处": checks["reference"],
    })


def summary_table(plan: Plan, checks: pd.DataFrame, least: pd.DataFrame) -> pd.DataFrame:
    """One row per region: funds, case basis, each rule's verdict, least budget and gap."""
    regions = list(dict.fromkeys(checks["region"]))
    wide = checks.pivot(index="region", columns="rule", values="status").reindex(regions)
    rules = [r for r in RULE_LABELS if r in wide.columns]
    lq = least.set_index("region").reindex(regions)
    out = pd.DataFrame({
        "地区": region_names(plan, regions),
        "中央和省级资金（元）": lq["upper"].round(2).to_numpy(),
        "地方财政资金（元）": lq["local"].round(2).to_numpy(),
        "测算案件数（件）": lq["cases"].round(2).to_numpy(),
    })
    for rule in rules:
        out[RULE_LABELS[rule]] = wide[rule].map(STATUS_LABELS).to_numpy()
    out["不达标项数"] = (wide[rules] == FAIL).sum(axis=1).to_numpy()
    out["最低地方预算（元）"] = lq["least_local"].to_numpy()
    out["地方预算缺口（元）"] = lq["gap"].round(2).to_numpy()
    out["约束规则"] = ["" if r == CITY_TOTAL else binding_label(b) for r, b in zip(regions, lq["binding"], strict=True)]
    return out


def least_table(plan: Plan, least: pd.DataFrame, with_risk: bool, schedule_example: bool = False) -> pd.DataFrame:
    """The least local budget per region with each rule's bound (元, never below 0).

    With the example subsidy schedule the coverage rule sets no bound and gets no column."""
    out = pd.DataFrame({
        "地区": region_names(plan, least["region"]),
        "中央和省级资金（元）": least["upper"].round(2),
        "当前地方财政资金（元）": least["local"].round(2),
        "测算案件数（件）": least["cases"].round(2),
    })
    for rule in SIZE_RULES:
        bound = least[f"bound_{rule}"]
        if bound.notna().any() and not (rule == "subsidy_coverage" and schedule_example):
            out[f"下限：{RULE_LABELS[rule]}（元）"] = bound.clip(lower=0).round(2)
    if with_risk and not schedule_example:
        out["下限：补贴超支风险控制（元）"] = least["bound_risk"].clip(lower=0).round(2)
    out["最低地方预算（元）"] = least["least_local"]
    out["约束规则"] = ["" if r == CITY_TOTAL else binding_label(b)
                   for b, r in zip(least["binding"], least["region"], strict=True)]
    out["地方预算缺口（元）"] = least["gap"].round(2)
    return out


def scenario_overview(plan: Plan, scenario_checks: pd.DataFrame, scenario_least: pd.DataFrame,
                      descriptions: dict[str, str]) -> pd.DataFrame:
    """Per scenario: what changes, how many regions fail a rule, and the city's local-budget gap."""
    applicable = scenario_checks.groupby("rule")["status"].apply(lambda s: (s != NOT_APPLICABLE).any())
    rules = [r for r in RULE_LABELS if applicable.get(r, False)]
    rows = []
    for name in descriptions:
        checks = scenario_checks[(scenario_checks["scenario"] == name) & (scenario_checks["region"] != CITY_TOTAL)]
        failing = checks[checks["status"] == FAIL]
        regions = region_names(plan, dict.fromkeys(failing["region"]))
        least = scenario_least[(scenario_least["scenario"] == name) & (scenario_least["region"] == CITY_TOTAL)]
        per_rule = [int(failing.loc[failing["rule"] == rule, "region"].nunique()) for rule in rules]
        rows.append([name, descriptions[name], len(regions), "、".join(regions), *per_rule,
                     float(least["least_local"].iloc[0]), float(least["gap"].iloc[0])])
    return pd.DataFrame(rows, columns=["情景", "情景说明", "不达标地区数", "不达标地区",
                                       *(f"{RULE_LABELS[r]}：不达标地区数" for r in rules),
                                       "最低地方预算合计（元）", "地方预算缺口合计（元）"])


def scenario_detail(plan: Plan, scenario_checks: pd.DataFrame, scenario_least: pd.DataFrame) -> pd.DataFrame:
    """Per scenario and region: each rule's verdict, least local budget and gap."""
    frames = []
    for name, checks in scenario_checks.groupby("scenario", sort=False):
        least = scenario_least[scenario_least["scenario"] == name].drop(columns="scenario")
        table = summary_table(plan, checks.drop(columns="scenario"), least)
        table.insert(0, "情景", name)
        frames.append(table)
    return pd.concat(frames, ignore_index=True)


def risk_table(plan: Plan, risk: pd.DataFrame) -> pd.DataFrame:
    """The subsidy risk per region (Chinese headers)."""
    return pd.DataFrame({
        "地区": region_names(plan, risk["region"]),
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


def _grid_chinese(grid: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({f"{CHANGE_LABELS[k]}变化": [f"{v:+.0%}" for v in grid[k]] for k in CHANGES})


def sweep_summary(plan: Plan, result: SweepResult) -> pd.DataFrame:
    """Per grid point (Chinese headers): non-compliant regions and the local-budget gap."""
    s = result.summary()
    out = _grid_chinese(result.grid)
    out["不达标地区数"] = s["failing"]
    out["预算规模不达标地区数"] = s["failing_size"]
    out["预算规模不达标地区"] = ["、".join(region_names(plan, ids)) for ids in s["failing_size_regions"]]
    out["地方预算缺口合计（元）"] = s["gap"]
    out["全市合计达标"] = np.where(s["city_ok"], "是", "否")
    return out


def sweep_detail(plan: Plan, result: SweepResult) -> pd.DataFrame:
    """Long table (Chinese headers): one row per grid point and region with each rule's verdict."""
    frame = result.to_frame()
    out = _grid_chinese(frame)
    out.insert(0, "组合序号", frame["point"])
    out["地区"] = region_names(plan, frame["region"])
    for rule in result.rules:
        out[RULE_LABELS[rule]] = frame[rule].map(STATUS_LABELS)
    out["地方财政资金（元）"] = frame["local"]
    out["最低地方预算（元）"] = frame["least_local"]
    out["地方预算缺口（元）"] = frame["gap"]
    out["是否达标"] = np.where(frame["ok"], "是", "否")
    return out


def flag_failures(table: pd.DataFrame, column: str, value: object = STATUS_LABELS[FAIL]) -> pd.Series:
    """Rows where ``column`` equals ``value`` (painted red)."""
    return pd.Series(np.asarray(table[column] == value), index=table.index)


__all__ = ["CHANGE_LABELS", "CITY_TOTAL_NAME", "RULE_LABELS", "STATUS_LABELS", "basis_text", "binding_label",
           "describe_overrides", "flag_failures", "least_table", "risk_table", "scenario_detail", "scenario_overview",
           "summary_table", "sweep_detail", "sweep_summary", "verdict_table"]
