"""The projection report: policy names, notes, Chinese tables, the readings, the report folder."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from legalaid.report.folders import staged_dir
from legalaid.report.labels import CASE_KINDS, region_name, region_names
from legalaid.report.writers import Sheet, write_json, write_tables
from scenarios.vocab import LIKELY, Finding
from simulation import ProjectionResult
from simulation.params import KINDS
from simulation.record import DECILE_TOLERANCE, figures_for
from simulation.start import CALIBRATION
from simulation.summary import NEVER

#: Policies as users read them.
POLICY_NAMES = {
    "none": "各自办理（不调配）",
    "overflow": "就近调派（超出承办能力时）",
    "rebalance": "全市一盘棋（按序时进度调配案源）",
    "combined": "调配案源并就近调派",
}
#: P(reach) from which the reading says "很可能", and below which "有风险" turns into "很难".
VERY_LIKELY, AT_RISK = 0.9, 0.1
#: Probabilities are shown within [P_SHOWN_MIN, 1 − P_SHOWN_MIN]: the backtest (simulation/data/
#: backtest.toml) cannot support claims beyond about one in a hundred, so 0% and 100% are never shown.
P_SHOWN_MIN = 0.01


def shown(p: float) -> float:
    """A probability as shown in tables: kept within [P_SHOWN_MIN, 1 − P_SHOWN_MIN]."""
    return min(max(float(p), P_SHOWN_MIN), 1 - P_SHOWN_MIN)


def percent(p: float) -> str:
    """A probability as a percentage, never 0% or 100%: "不足1%", "37%", "超过99%"."""
    if p < P_SHOWN_MIN:
        return f"不足{P_SHOWN_MIN:.0%}"
    if p > 1 - P_SHOWN_MIN:
        return f"超过{1 - P_SHOWN_MIN:.0%}"
    return f"{p:.0%}"


def chance_word(p: float) -> str:
    """P(reach target) as a chief reads it: 很可能 / 有风险 / 很难."""
    return "很可能" if p >= VERY_LIKELY else "有风险" if p >= AT_RISK else "很难"


def chance_text(p: float) -> str:
    """The word and the bounded percentage, e.g. "有风险（约45%）", "很难（不足1%）"."""
    shown_p = percent(p)
    return f"{chance_word(p)}（{shown_p if shown_p[0] in '不超' else '约' + shown_p}）"


def backtest_line(result: ProjectionResult) -> str:
    """One line: how well the model's intervals and probabilities held in its backtest."""
    source = result.state.posterior.source
    if source == "none":
        return "模型回测：本次未计参数不确定性（点估计、泊松到达），区间偏窄，完成概率仅供参考"
    f = figures_for(source, result.month)
    if f is None:
        return "模型回测：尚无该月份的回测记录"
    data = "有历年月度数据" if source == "history" else "仅有本年数据"
    line = (f"模型回测（{data}，{f.years}个模拟年份、{f.month}月预测）：年末审批落在90%区间内的占"
            f"{f.coverage:.0%}；完成概率的误差（布里尔分数）{f.brier:.3f}，按序时进度外推为{f.brier_pace:.3f}")
    if f.max_decile_deviation > DECILE_TOLERANCE:
        line += (f"；按概率分档，预测概率与实际达成比例最多相差{f.max_decile_deviation * 100:.0f}个百分点，"
                 "完成概率只宜作粗略参考" + ("（补充历年月度数据可提高可信度）" if source != "history" else ""))
    return line


def note_text(result: ProjectionResult, finding: Finding) -> str:
    """One note of the projection as a Chinese sentence."""
    code = finding.code
    if code == "rates_from_targets":
        return "尚无月度数据：按各地目标的序时进度推算到达率"
    if code == "durations_uncalibrated":
        return "未校准办案时长（按参数给定的均值）"
    if code == "durations_no_data":
        return "尚无月度数据，办案时长未校准"
    if code == "city_factor_bound":
        word = "下" if finding["bound"] == "low" else "上"
        return f"全市本年结案进度超出模型范围，办案时长按{word}限系数{finding['factor']:g}校准"
    if code == "durations_city":
        return f"办案时长按全市本年结案进度校准：各类平均时长×{finding['factor']:.3f}"
    if code == "durations_region":
        return (f"办案时长按各地本年结案进度分别校准：系数{finding['min']:.2f}至{finding['max']:.2f}"
                f"（全市{finding['city']:.2f}；本年审批不足{finding['min_cases']}件或无结案的地区用全市系数）")
    if code == "region_factor_bound":
        return (f"{'、'.join(region_names(result.plan, finding.ids))}的结案进度超出模型范围，办案时长系数取边界值"
                f"（{finding['low']:g}或{finding['high']:g}）")
    if code == "open_cases_unexplained":
        return f"{region_name(result.plan, finding.ids[0])}：在办案件按模型应已全部结案，按当日新案处理"
    if code == "history_used":
        return f"已用历年月度表中{finding['years']}个完整年份估计季节性、月度波动、预测误差和年末集中结案比例"
    if code == "history_short":
        return (f"历年月度表只有{finding['years']}个完整年份（至少需要{finding['min_years']}个），未使用；"
                "按本年各月估计，区间较宽")
    if code == "no_capacity":
        return f"律师表中没有可指派且未达上限的承办人：{'、'.join(region_names(result.plan, finding.ids))}"
    raise KeyError(code)


def notes(result: ProjectionResult) -> list[str]:
    """Every note of the run as a sentence, in order."""
    return [note_text(result, f) for f in result.notes]


def assessment(p_reach: float, gap: float, p_closure: float, closure_min: float) -> str:
    """A short Chinese reading of one row for officials."""
    parts = ["落后序时进度" if gap < 0 else "达到序时进度"]
    if p_reach >= VERY_LIKELY:
        parts.append("很可能完成目标")
    elif p_reach >= AT_RISK:
        parts.append("完成目标有风险")
    else:
        parts.append("按当前进度很难完成目标")
    if p_closure < LIKELY:
        parts.append(f"结案率可能低于{closure_min:.0%}")
    return "，".join(parts)


def month_text(result: ProjectionResult, k: int) -> str:
    """The month a target is reached, in words."""
    if k >= NEVER:
        return "年内难以完成"
    if k <= result.month:
        return f"已完成（{k}月）"
    return f"{k}月"


def summary_table(result: ProjectionResult) -> pd.DataFrame:
    """进度预测: per region and the city, the baseline policy's answers."""
    s, m = result.summary, result.month
    return pd.DataFrame({
        "地区": region_names(result.plan, s["region"]),
        "年度目标（件）": s["target"].round(0).astype(int),
        f"截至{m}月审批（件）": s["approved_ytd"].round(1),
        f"截至{m}月结案（件）": s["closed_ytd"].round(1),
        f"序时进度应审批（件，{m}/12目标）": s["pace_expected"].round(1),
        "较序时进度（件）": s["pace_gap"].round(1),
        "年末审批预测均值（件）": s["approved_mean"].round(1),
        "年末审批5%分位（件）": s["approved_q05"].round(1),
        "年末审批95%分位（件）": s["approved_q95"].round(1),
        "完成目标概率": s["p_reach"].map(shown).round(3),
        "完成目标可能性": s["p_reach"].map(chance_text),
        "预计年末结案率": s["closure_ratio_mean"].round(3),
        f"结案率≥{result.closure_min:.0%}概率": s["p_closure_ok"].map(shown).round(3),
        "完成目标月份（中位数）": [month_text(result, k) for k in s["month_reached_median"]],
        "年末待指派（件，均值）": s["waiting_mean"].round(1),
        "研判": [assessment(p, g, q, result.closure_min) for p, g, q in
               zip(s["p_reach"], s["pace_gap"], s["p_closure_ok"], strict=True)],
    })


def comparison_table(result: ProjectionResult) -> pd.DataFrame:
    """策略比较: region × policy with changes against the baseline."""
    c = result.comparison
    base = "不调配" if "none" in result.policies else POLICY_NAMES[result.policies[0]]
    m = result.closure_min
    return pd.DataFrame({
        "地区": region_names(result.plan, c["region"]),
        "调配策略": c["policy"].map(POLICY_NAMES),
        "完成目标概率": c["p_reach"].map(shown).round(3),
        f"完成目标概率较“{base}”变化": c["p_reach_change"].round(3),
        f"结案率≥{m:.0%}概率": c["p_closure_ok"].map(shown).round(3),
        f"结案率达标概率较“{base}”变化": c["p_closure_ok_change"].round(3),
        "年末审批预测均值（件）": c["approved_mean"].round(1),
        f"年末审批较“{base}”变化（件）": c["approved_change"].round(1),
        "预计年末结案率": c["closure_ratio_mean"].round(3),
        "调入案源（件，均值）": c["moved_in_mean"].round(1),
        "调出案源（件，均值）": c["moved_out_mean"].round(1),
        "外地承办本地案件（件，均值）": c["overflow_out_mean"].round(1),
        "承办外地案件（件，均值）": c["overflow_in_mean"].round(1),
        "年末待指派（件，均值）": c["waiting_mean"].round(1),
        "完成目标月份（中位数）": [month_text(result, k) for k in c["month_reached_median"]],
    })


def monthly_table(result: ProjectionResult) -> pd.DataFrame:
    """月度预测: cumulative approvals by month, actual and projected."""
    f = result.monthly
    return pd.DataFrame({
        "调配策略": f["policy"].map(POLICY_NAMES), "地区": region_names(result.plan, f["region"]), "月份": f["month"],
        "实际累计审批（件）": f["approved_actual"], "序时进度（件）": f["pace"].round(1),
        "预测累计审批均值（件）": f["approved_mean"].round(1), "预测累计审批5%分位（件）": f["approved_q05"].round(1),
        "预测累计审批95%分位（件）": f["approved_q95"].round(1), "实际累计结案（件）": f["closed_actual"],
        "预测累计结案均值（件）": f["closed_mean"].round(1),
    })


def season_text(result: ProjectionResult, assumed: str) -> str:
    """季节性权重 as used: estimated from the history, or the assumed weights as this year's months corrected them."""
    st = result.state
    used = "，".join(f"{j + 1}月{w:.2f}" for j, w in enumerate(st.weights))
    if st.posterior.source == "history":
        return "按历年月度数据估计（各县向全市部分汇总）：" + used + "（全市平均）"
    if st.posterior.source == "this_year" and 0 < result.month < 12:
        return (f"假设：{assumed}；按本年1—{result.month}月全市审批数修正已过月份后（均值为1）：{used}；"
                "未来月份权重的不确定性计入区间")
    return assumed


def model_notes_table(result: ProjectionResult) -> pd.DataFrame:
    """模型说明: what the model assumes, with sources."""
    st, p, plan = result.state, result.state.params, result.plan
    cap_rule, close_rule = plan.rule("lawyer_yearly_cap"), plan.rule("closure_ratio_min")
    season = "，".join(f"{j + 1}月{w:.2f}" for j, w in enumerate(p.seasonality))
    mix = "，".join(f"{CASE_KINDS[k]}{x:.0%}" for k, x in zip(KINDS, p.kind_mix, strict=True))
    dur = "；".join(f"{CASE_KINDS[k]}：伽马分布，形状{d.shape:g}，均值{d.mean_days:g}天（校准前）"
                   for k, d in zip(KINDS, p.durations, strict=True))
    factors = "，".join(f"{n}{f:.2f}" for n, f in zip(st.names, st.duration_factor, strict=True))
    if st.unlimited:
        capacity = "未提供律师表：不限承办能力"
    else:
        capacity = (f"各地可指派承办人本年剩余容量 = Σ max(0, {cap_rule.value:g} − 本年已办)，律师与基层法律服务工作者"
                    f"分别计算（基层法律服务工作者不承办刑事案件）；{cap_rule.citation}")
    calibration = next((note_text(result, n) for n in result.notes if n.code in CALIBRATION), "")
    dispatch_ref = plan.provision("city_wide_dispatch") or "本方案未规定全市统筹调配，仅作测算比较"
    rows = [
        ("计划", plan.title, plan.document),
        ("截至月份", f"{result.month}月", "模拟其后各月；1月至截至月份为月度进度表实际数"),
        ("模拟次数", str(result.runs), f"随机种子 {result.seed}；同一种子结果与并行进程数无关"),
        ("调配策略", "、".join(POLICY_NAMES[x] for x in result.policies), dispatch_ref),
        ("序时进度", "截至第m月末应完成 m/12 × 年度目标", "各地按月对照"),
        ("到达率", "按本年已报各月审批数与季节性权重估计" + posterior_text(result), p.sources.get("arrivals", "")),
        ("季节性权重", season_text(result, season),
         p.sources.get("seasonality", "") if st.posterior.source != "history" else "历年月度表"),
        ("模型回测", backtest_line(result), "benchmarks/backtest.py；simulation/data/backtest.toml"),
        ("概率的显示", f"完成概率与结案率达标概率显示在{P_SHOWN_MIN:.0%}至{1 - P_SHOWN_MIN:.0%}之间；"
         f"很可能：≥{VERY_LIKELY:.0%}，有风险：{AT_RISK:.0%}至{VERY_LIKELY:.0%}，很难：<{AT_RISK:.0%}", "回测不支持更极端的判断"),
        ("案件结构", mix, p.sources.get("case_mix", "")),
        ("办案时长", dur, p.sources.get("durations", "")),
        ("办案时长校准", factors, calibration),
        ("年末集中结案", clearance_text(result), "历年月度表（各方案均未规定年末集中结案，此为历年做法的统计）"
         if st.posterior.source == "history" else "各方案均未规定年末集中结案"),
        ("承办能力", capacity, ""),
        ("结案率要求", f"≥{result.closure_min:.0%}（本年结案数/本年审批数，仅计本年审批案件）",
         close_rule.citation if close_rule else ""),
        ("就近调派", "本地承办人无剩余容量时，当日指派给距离最近且有容量的地区；审批和结案仍计入原地区", dispatch_ref),
        ("按序时进度调配", f"每月初，市中心从超序时进度且预计超额完成（保留{p.rebalance_donor_buffer:.0%}余量）的地区，"
         f"按预计超额部分平均分摊到剩余月份（每月不超过其新案的{p.rebalance_share_max:.0%}），调给落后序时进度的地区，"
         f"按各自月末与序时进度的差额分配；调入案件计入接收地区；{p.rebalance_until_month}月后不再调配",
         dispatch_ref),
        ("模型粒度", "按日批量到达（每地每日一批），承办人按地区汇总容量，不区分具体律师；结案时间按案件逐一抽取",
         "模型简化，详见开发文档"),
        ("解析对照", f"不限承办能力、不调配时全市年末审批解析均值 {float(result.analytic['approved_mean'].sum()):.1f} 件",
         "用于核对模拟结果"),
    ]
    rows += [("说明", note_text(result, n), "") for n in result.notes if n.code not in CALIBRATION]
    return pd.DataFrame(rows, columns=["项目", "取值", "说明或出处"])


def clearance_text(result: ProjectionResult) -> str:
    """年末集中结案 as modelled: the share estimated from earlier Decembers, or none."""
    post = result.state.posterior
    if post.source != "history":
        return "未计：无历年月度数据，12月按一般办案时长结案"
    if not post.has_clearance:
        return f"按{post.years}年历年12月结案数估计：历年12月结案未超出按办案时长的预计，不计年末集中结案"
    share = post.expected_clearance(result.state.params.clearance_max)
    spread = float(np.hypot(post.clearance_city_sd, post.clearance_county_sd))
    regions = "各地相同" if share.max() - share.min() < 0.005 else f"各地{float(share.min()):.0%}至{float(share.max()):.0%}"
    years = "历年间无明显波动" if spread < 0.005 else f"逐年波动约{spread:.0%}，每次模拟按此抽取"
    return (f"按{post.years}年历年12月结案数估计：1—11月审批、按1—11月办案进度预计年底仍未结的案件中，"
            f"平均约{float(share.mean()):.0%}在12月集中办结（{regions}；{years}）")


def posterior_text(result: ProjectionResult) -> str:
    """How the parameters' uncertainty was estimated, in words."""
    post = result.state.posterior
    if post.source == "none":
        return "（点估计，泊松到达，未计参数不确定性）"
    spread = f"年内趋势误差：全市共同{post.drift_city_sd:.0%}、各县{float(post.drift_county_sd.mean()):.0%}（对数标准差）"
    nb = f"月度过度离散1/φ≈{float(post.inv_phi.mean()):.3f}"
    if post.source == "history":
        return f"；按{post.years}年历年月度数据估计季节性、{nb}（负二项）和{spread}，各县向全市部分汇总"
    return f"；无历年数据：{nb}（本年各月与先验合并），{spread}（假设值，区间较宽）"


#: Sheet (and CSV) of the cases still to come, which `legalaid dispatch --expected` reads back.
EXPECTED_SHEET = "预计待来案件"


def expected_table(result: ProjectionResult) -> pd.DataFrame:
    """Cases still to come this year per county and kind (mean of the replications, ``expected_remaining``),
    with the headers of the expected-demand table (``scenarios.schema.TABLES["expected"]``)."""
    from scenarios.schema import chinese_headers
    from scenarios.vocab import CASE_KINDS

    frame = result.expected_remaining()
    frame = frame.assign(region=region_names(result.plan, frame["region"]), kind=frame["kind"].map(CASE_KINDS))
    return frame.rename(columns=chinese_headers("expected"))


def chinese_tables(result: ProjectionResult) -> dict[str, pd.DataFrame]:
    """The report tables with Chinese headers and values, by sheet name."""
    return {"进度预测": summary_table(result), "策略比较": comparison_table(result), "月度预测": monthly_table(result),
            EXPECTED_SHEET: expected_table(result), "模型说明": model_notes_table(result)}


def unlikely(result: ProjectionResult) -> pd.Series:
    """Rows of the summary unlikely to reach the target or the closure minimum (painted red)."""
    s = result.summary
    return (s["p_reach"] < LIKELY) | (s["p_closure_ok"] < LIKELY)


def metadata(result: ProjectionResult) -> dict:
    """Run parameters for the record (运行参数.json)."""
    st, p = result.state, result.state.params
    return {
        "plan": result.plan.id, "month": result.month, "runs": result.runs, "seed": result.seed,
        "policies": list(result.policies), "seconds": round(result.seconds, 3),
        "seasonality": [round(w, 4) for w in p.seasonality],
        "kind_mix": dict(zip(KINDS, p.kind_mix, strict=True)),
        "durations_mean_days_uncalibrated": {k: d.mean_days for k, d in zip(KINDS, p.durations, strict=True)},
        "duration_factor_city": round(st.city_duration_factor, 4),
        "duration_factor": {rid: round(float(f), 4) for rid, f in zip(st.region_ids, st.duration_factor, strict=True)},
        "rate_uncertainty": p.rate_uncertainty, "deterministic": p.deterministic,
        "rebalance": {"share_max": p.rebalance_share_max, "donor_buffer": p.rebalance_donor_buffer,
                      "include_city_centre": p.rebalance_city_centre, "until_month": p.rebalance_until_month},
        "capacity": "unlimited" if st.unlimited else {
            rid: {"lawyers": float(c[0]), "grassroots": float(c[1])}
            for rid, c in zip(st.region_ids, st.capacity, strict=True)},
        "closure_min": result.closure_min, "notes": notes(result),
    }


def sheets(result: ProjectionResult) -> list[Sheet]:
    """The report's sheets; rows unlikely to reach the target or the closure minimum are red."""
    tables = chinese_tables(result)
    flag = pd.Series(unlikely(result).to_numpy(), index=tables["进度预测"].index)
    return [Sheet("进度预测", tables["进度预测"], flag), Sheet("策略比较", tables["策略比较"]),
            Sheet("月度预测", tables["月度预测"]), Sheet(EXPECTED_SHEET, tables[EXPECTED_SHEET]),
            Sheet("模型说明", tables["模型说明"])]


def write(result: ProjectionResult, out_dir: str | os.PathLike, charts: bool = True) -> Path:
    """Write the report folder atomically: CSV (utf-8-sig) per table, one xlsx, PNG charts, JSON."""
    with staged_dir(out_dir, {"类型": "进度预测", "计划": result.plan.id}) as folder:
        write_tables(folder, sheets(result), workbook="进度预测.xlsx")
        write_json(metadata(result), folder / "运行参数.json")
        if charts:
            from legalaid.report.projection_charts import render_charts

            render_charts(result, folder)
    return Path(out_dir)


def describe(result: ProjectionResult) -> str:
    """The projection as Chinese text for the terminal."""
    from legalaid.text import format_table

    s = result.summary
    names = region_names(result.plan, s["region"])
    m = result.month
    head = ["地区", "目标", f"截至{m}月", "较序时进度", "年末预测（5%-95%）", "完成概率", "预计结案率",
            f"结案率≥{result.closure_min:.0%}概率"]
    rows = [[name, f"{r.target:.0f}", f"{r.approved_ytd:.0f}", f"{r.pace_gap:+.0f}",
             f"{r.approved_mean:.0f}（{r.approved_q05:.0f}-{r.approved_q95:.0f}）", chance_text(r.p_reach),
             f"{r.closure_ratio_mean:.1%}", percent(r.p_closure_ok)] for name, r in zip(names, s.itertuples(), strict=True)]
    title = f"{result.plan.city}法律援助进度预测（截至{m}月，{result.runs}次模拟）"
    lines = [title, format_table(head, rows, right={1, 2, 3, 4, 5, 6, 7}), backtest_line(result)]
    if len(result.policies) > 1:
        comp = result.comparison
        head = ["地区", *[POLICY_NAMES[p] for p in result.policies]]
        rows = []
        for region, name in zip(s["region"], names, strict=True):
            part = comp[comp["region"] == region].set_index("policy")
            rows.append([name, *[percent(part.loc[p, 'p_reach']) + (f"（{part.loc[p, 'p_reach_change']:+.0%}）"
                                                                     if p != result.policies[0] else "")
                                 for p in result.policies]])
        lines += ["", "完成目标概率（括号内为较“不调配”的变化）", format_table(head, rows, right=set(range(1, len(head))))]
    lagging = [result.plan.region(r).name for r in result.lagging]
    if lagging:
        lines += ["", f"落后序时进度的地区：{'、'.join(lagging)}"]
    return "\n".join(lines)
