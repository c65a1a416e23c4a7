"""``project``: will each county reach its target and the closure minimum at its current pace?

The entry point of the simulation engine: builds the starting state, runs the Monte Carlo of
the SimPy model under each policy, and summarises it into a ``ProjectionResult`` holding
DataFrames (English columns for programs, Chinese tables and charts on ``write``).
"""

from __future__ import annotations

import os
import time
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from scenarios.plans import Plan
from simulation.closed_form import closed_form
from simulation.montecarlo import Samples, run_monte_carlo
from simulation.params import KINDS, SimulationParams
from simulation.policies import POLICIES, parse_policies
from simulation.start import StartState, build_start
from simulation.summary import NEVER, TOTAL, comparison, monthly, policy_stats

KIND_LABELS = {"criminal": "刑事", "civil": "民事", "administrative": "行政"}


@dataclass
class ProjectionResult:
    """The projection of the rest of the year (DataFrames with English columns).

    Attributes
    ----------
    plan : the plan.
    state : the starting state (year to date, rates, capacity, calibrated handling times).
    runs, seed, policies : the Monte Carlo set-up.
    samples : per policy, every replication's monthly approvals and closures (``Samples``).
    summary : per region and the city (region ``TOTAL``), the baseline policy's answers.
    comparison : region × policy with changes against ``none``.
    monthly : cumulative approvals by month: actual, 序时进度, projection mean and 5%-95% fan.
    analytic : the closed-form answers with unlimited capacity and no policy (for reference).
    closure_min : the plan's closure-ratio minimum (安庆2023 §6(2)).
    seconds : wall time of the Monte Carlo (s).
    """

    plan: Plan
    state: StartState
    runs: int
    seed: int
    policies: tuple[str, ...]
    samples: dict[str, Samples]
    summary: pd.DataFrame
    comparison: pd.DataFrame
    monthly: pd.DataFrame
    analytic: pd.DataFrame
    closure_min: float
    seconds: float = 0.0
    notes: tuple[str, ...] = field(default=())

    @property
    def month(self) -> int:
        """The last reported month m."""
        return self.state.month

    @property
    def lagging(self) -> list[str]:
        """Regions behind 序时进度 at the end of month m."""
        s = self.summary
        return s.loc[(s["region"] != TOTAL) & (s["pace_gap"] < 0), "region"].tolist()

    def chinese_tables(self) -> dict[str, pd.DataFrame]:
        """The report tables with Chinese headers and values, by sheet name."""
        return {"进度预测": self._summary_zh(), "策略比较": self._comparison_zh(), "月度预测": self._monthly_zh(),
                "模型说明": self._notes_zh()}

    def write(self, out_dir: str | os.PathLike, charts: bool = True) -> Path:
        """Write the report folder atomically: CSV (utf-8-sig) per table, one xlsx, PNG charts, JSON."""
        from scenarios.output import Sheet, staged_dir, write_json, write_tables

        tables = self.chinese_tables()
        base = self.summary
        flag = pd.Series((base["p_reach"] < 0.5) | (base["p_closure_ok"] < 0.5), index=tables["进度预测"].index)
        sheets = [Sheet("进度预测", tables["进度预测"], flag), Sheet("策略比较", tables["策略比较"]),
                  Sheet("月度预测", tables["月度预测"]), Sheet("模型说明", tables["模型说明"])]
        with staged_dir(out_dir) as folder:
            write_tables(folder, sheets, workbook="进度预测.xlsx")
            write_json(self.metadata(), folder / "运行参数.json")
            if charts:
                from simulation.charts import render_charts

                render_charts(self, folder)
        return Path(out_dir)

    def metadata(self) -> dict:
        """Run parameters for the record (JSON-friendly)."""
        p = self.state.params
        return {
            "plan": self.plan.id, "month": self.month, "runs": self.runs, "seed": self.seed,
            "policies": list(self.policies), "seconds": round(self.seconds, 3),
            "seasonality": [round(w, 4) for w in p.seasonality],
            "kind_mix": dict(zip(KINDS, p.kind_mix, strict=True)),
            "durations_mean_days_uncalibrated": {k: d.mean_days for k, d in zip(KINDS, p.durations, strict=True)},
            "duration_factor_city": round(self.state.city_duration_factor, 4),
            "duration_factor": {rid: round(float(f), 4) for rid, f in
                                zip(self.state.region_ids, self.state.duration_factor, strict=True)},
            "rate_uncertainty": p.rate_uncertainty, "deterministic": p.deterministic,
            "rebalance": {"share_max": p.rebalance_share_max, "donor_buffer": p.rebalance_donor_buffer,
                          "include_city_centre": p.rebalance_city_centre,
                          "until_month": p.rebalance_until_month},
            "capacity": "unlimited" if self.state.unlimited else {
                rid: {"lawyers": float(c[0]), "grassroots": float(c[1])}
                for rid, c in zip(self.state.region_ids, self.state.capacity, strict=True)},
            "closure_min": self.closure_min, "notes": list(self.notes),
        }

    # --- Chinese tables ------------------------------------------------------------------
    def _summary_zh(self) -> pd.DataFrame:
        s, m = self.summary, self.month
        return pd.DataFrame({
            "地区": s["name"],
            "年度目标（件）": s["target"].round(0).astype(int),
            f"截至{m}月审批（件）": s["approved_ytd"].round(1),
            f"截至{m}月结案（件）": s["closed_ytd"].round(1),
            f"序时进度应审批（件，{m}/12目标）": s["pace_expected"].round(1),
            "较序时进度（件）": s["pace_gap"].round(1),
            "年末审批预测均值（件）": s["approved_mean"].round(1),
            "年末审批5%分位（件）": s["approved_q05"].round(1),
            "年末审批95%分位（件）": s["approved_q95"].round(1),
            "完成目标概率": s["p_reach"].round(3),
            "预计年末结案率": s["closure_ratio_mean"].round(3),
            f"结案率≥{self.closure_min:.0%}概率": s["p_closure_ok"].round(3),
            "完成目标月份（中位数）": [self._month_text(k) for k in s["month_reached_median"]],
            "年末待指派（件，均值）": s["waiting_mean"].round(1),
            "研判": [assessment(p, g, q, self.closure_min) for p, g, q in
                   zip(s["p_reach"], s["pace_gap"], s["p_closure_ok"], strict=True)],
        })

    def _comparison_zh(self) -> pd.DataFrame:
        c = self.comparison
        base = "不调配" if "none" in self.policies else POLICIES[self.policies[0]]
        return pd.DataFrame({
            "地区": c["name"],
            "调配策略": c["policy"].map(POLICIES),
            "完成目标概率": c["p_reach"].round(3),
            f"完成目标概率较“{base}”变化": c["p_reach_change"].round(3),
            f"结案率≥{self.closure_min:.0%}概率": c["p_closure_ok"].round(3),
            f"结案率达标概率较“{base}”变化": c["p_closure_ok_change"].round(3),
            "年末审批预测均值（件）": c["approved_mean"].round(1),
            f"年末审批较“{base}”变化（件）": c["approved_change"].round(1),
            "预计年末结案率": c["closure_ratio_mean"].round(3),
            "调入案源（件，均值）": c["moved_in_mean"].round(1),
            "调出案源（件，均值）": c["moved_out_mean"].round(1),
            "外地承办本地案件（件，均值）": c["overflow_out_mean"].round(1),
            "承办外地案件（件，均值）": c["overflow_in_mean"].round(1),
            "年末待指派（件，均值）": c["waiting_mean"].round(1),
            "完成目标月份（中位数）": [self._month_text(k) for k in c["month_reached_median"]],
        })

    def _monthly_zh(self) -> pd.DataFrame:
        f = self.monthly
        return pd.DataFrame({
            "调配策略": f["policy"].map(POLICIES), "地区": f["name"], "月份": f["month"],
            "实际累计审批（件）": f["approved_actual"], "序时进度（件）": f["pace"].round(1),
            "预测累计审批均值（件）": f["approved_mean"].round(1), "预测累计审批5%分位（件）": f["approved_q05"].round(1),
            "预测累计审批95%分位（件）": f["approved_q95"].round(1), "实际累计结案（件）": f["closed_actual"],
            "预测累计结案均值（件）": f["closed_mean"].round(1),
        })

    def _notes_zh(self) -> pd.DataFrame:
        st, p, plan = self.state, self.state.params, self.plan
        cap_rule = plan.rule("lawyer_yearly_cap")
        close_rule = plan.rule("closure_ratio_min")
        season = "，".join(f"{j + 1}月{w:.2f}" for j, w in enumerate(p.seasonality))
        mix = "，".join(f"{KIND_LABELS[k]}{x:.0%}" for k, x in zip(KINDS, p.kind_mix, strict=True))
        dur = "；".join(f"{KIND_LABELS[k]}：伽马分布，形状{d.shape:g}，均值{d.mean_days:g}天（校准前）"
                       for k, d in zip(KINDS, p.durations, strict=True))
        factors = "，".join(f"{n}{f:.2f}" for n, f in zip(st.names, st.duration_factor, strict=True))
        if st.unlimited:
            capacity = "未提供律师表：不限承办能力"
        else:
            capacity = (f"各地可指派承办人本年剩余容量 = Σ max(0, {cap_rule.value:g} − 本年已办)，律师与基层法律服务工作者"
                        f"分别计算（基层法律服务工作者不承办刑事案件）；{cap_rule.citation}")
        analytic_total = float(self.analytic["approved_mean"].sum())
        rows = [
            ("计划", f"{plan.title}（{plan.id}）", plan.document),
            ("截至月份", f"{self.month}月", "模拟其后各月；1月至截至月份为月度进度表实际数"),
            ("模拟次数", str(self.runs), f"随机种子 {self.seed}；同一种子结果与并行进程数无关"),
            ("调配策略", "、".join(POLICIES[x] for x in self.policies), "安庆2023 §3(3)2 全市“一盘棋”案件调配"),
            ("序时进度", "截至第m月末应完成 m/12 × 年度目标", "各地按月对照"),
            ("到达率", "按本年已报各月审批数与季节性权重估计（泊松）" +
             ("，并计入估计误差（伽马后验）" if p.rate_uncertainty and not p.deterministic else ""),
             p.sources.get("arrivals", "")),
            ("季节性权重", season, p.sources.get("seasonality", "")),
            ("案件结构", mix, p.sources.get("case_mix", "")),
            ("办案时长", dur, p.sources.get("durations", "")),
            ("办案时长校准", factors, next((n for n in self.notes if "时长" in n), "")),
            ("承办能力", capacity, ""),
            ("结案率要求", f"≥{self.closure_min:.0%}（本年结案数/本年审批数，仅计本年审批案件）",
             close_rule.citation if close_rule else ""),
            ("就近调派", "本地承办人无剩余容量时，当日指派给距离最近且有容量的地区；审批和结案仍计入原地区",
             "安庆2023 §3(3)2"),
            ("按序时进度调配", f"每月初，市中心从超序时进度且预计超额完成（保留{p.rebalance_donor_buffer:.0%}余量）的地区，"
             f"按预计超额部分平均分摊到剩余月份（每月不超过其新案的{p.rebalance_share_max:.0%}），调给落后序时进度的地区，"
             f"按各自月末与序时进度的差额分配；调入案件计入接收地区；{p.rebalance_until_month}月后不再调配",
             "安庆2023 §3(3)2"),
            ("模型粒度", "按日批量到达（每地每日一批），承办人按地区汇总容量，不区分具体律师；结案时间按案件逐一抽取",
             "详见 simulation/model.py 说明"),
            ("解析对照", f"不限承办能力、不调配时全市年末审批解析均值 {analytic_total:.1f} 件", "simulation/closed_form.py"),
        ]
        rows += [("说明", n, "") for n in self.notes if "时长" not in n]
        return pd.DataFrame(rows, columns=["项目", "取值", "说明或出处"])

    def _month_text(self, k: int) -> str:
        if k >= NEVER:
            return "年内难以完成"
        if k <= self.month:
            return f"已完成（{k}月）"
        return f"{k}月"


def assessment(p_reach: float, gap: float, p_closure: float, closure_min: float) -> str:
    """A short Chinese reading of one row for officials."""
    parts = ["落后序时进度" if gap < 0 else "达到序时进度"]
    if p_reach >= 0.9:
        parts.append("大概率完成目标")
    elif p_reach >= 0.5:
        parts.append("可能完成目标")
    elif p_reach >= 0.1:
        parts.append("完成目标有风险")
    else:
        parts.append("按当前进度难以完成目标")
    if p_closure < 0.5:
        parts.append(f"结案率可能低于{closure_min:.0%}")
    return "，".join(parts)


def project(plan: Plan, progress: pd.DataFrame, lawyers: pd.DataFrame | None = None, *, runs: int = 1000,
            seed: int = 0, month: int | None = None, policies: tuple[str, ...] | str = ("none",), workers: int = 1,
            scheduler: str | None = None, executor: Executor | None = None, params: SimulationParams | None = None,
            show_progress: bool = False) -> ProjectionResult:
    """Project the rest of the year by Monte Carlo of the SimPy model.

    Parameters
    ----------
    plan : the city plan (targets; rules lawyer_yearly_cap and closure_ratio_min, 安庆2023 §6(2)).
    progress : canonical progress table (region, month, approved, closed; monthly counts 件).
    lawyers : canonical lawyers table, or None for unlimited handler capacity.
    runs : replications N.
    seed : root seed (same inputs + seed → identical results, whatever the workers).
    month : last reported month m (default: the last month in ``progress``).
    policies : "none", "overflow", "rebalance", "all", or a sequence of them.
    workers : local processes (1 = in this process).
    scheduler : Dask scheduler address, instead of local processes.
    executor : any concurrent.futures executor, instead of both.
    params : model assumptions (default ``SimulationParams.default()``).
    show_progress : progress bar on a terminal.
    """
    chosen = parse_policies(policies)
    state = build_start(plan, progress, lawyers, month=month, params=params)
    closure_min = plan.rule_value("closure_ratio_min")
    t0 = time.perf_counter()
    samples = run_monte_carlo(state, chosen, runs, seed, workers=workers, executor=executor, scheduler=scheduler,
                              show_progress=show_progress)
    seconds = time.perf_counter() - t0
    stats = {p: policy_stats(state, samples[p], closure_min) for p in chosen}
    return ProjectionResult(
        plan=plan, state=state, runs=runs, seed=seed, policies=chosen, samples=samples,
        summary=stats[chosen[0] if "none" not in chosen else "none"], comparison=comparison(stats),
        monthly=monthly(state, samples), analytic=closed_form(state), closure_min=closure_min, seconds=seconds,
        notes=state.notes)


def events_per_replication(result: ProjectionResult) -> float:
    """Mean SimPy events per replication and policy (for benchmarks)."""
    return float(np.mean([s.events.mean() for s in result.samples.values()]))
