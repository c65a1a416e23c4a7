"""Build the monthly brief (月通报): dispatch, projection and budget on one set of inputs.

Pipeline: inputs (validated tables) → ``allocation.solve`` (the cases awaiting assignment) →
``simulation.project`` under every city-centre policy → ``scenarios.budget.check_budget`` with the
projected year-end cases as risk samples → one report folder written atomically.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from legalaid.brief import progress as progress_sheet
from legalaid.brief.attention import Concern, top_concerns
from legalaid.brief.loads import load_chart, load_flags
from scenarios.plans import Plan
from scenarios.tables import InputTables

WORKBOOK = "月通报.xlsx"
#: The budget check that rests on the editable subsidy schedule rather than on a plan rule.
SUBSIDY_ESTIMATE = "subsidy_coverage"
CHART_DIR = "图表"


@dataclass
class Brief:
    """Everything the monthly brief shows (engine results and the derived tables)."""

    plan: Plan
    month: int
    seed: int
    inputs: InputTables
    source: str
    dispatch: object
    projection: object
    budget: object
    progress: pd.DataFrame
    seconds: dict[str, float] = field(default_factory=dict)

    # --- tables ---------------------------------------------------------------------------
    def loads(self) -> pd.DataFrame:
        """Lawyer loads after dispatch with accountability flags (安庆2023 §6(2))."""
        table = self.dispatch.loads_zh()
        cap = self.plan.rule("lawyer_yearly_cap")
        table[f"问责提示（{cap.citation}）"] = load_flags(self.dispatch.loads["after"], cap.value).to_numpy()
        return table

    def supply(self) -> pd.DataFrame:
        """Legal-aid supply per 100,000 residents (六安2025 §2(1)) where population is known."""
        summary = self.projection.summary.set_index("region")
        rows = []
        for region in self.plan.regions:
            approved = int(self.progress.set_index("region").loc[region.id, "approved"])
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
            r.population for r in self.plan.regions) else self.plan.population_reference
        rows.append({"单位": "说明", "常住人口（2020）": note})
        return pd.DataFrame(rows)

    def findings(self) -> pd.DataFrame:
        """Findings and notes: over-cap handlers, data notes, model notes."""
        rows = [("承办人员", text) for text in self.inputs.findings]
        rows += [("数据", self.source)]
        rows += [("进度预测", text) for text in getattr(self.projection, "notes", ())]
        rows += [("经费测算", text) for text in getattr(self.budget, "notes", ())]
        return pd.DataFrame(rows, columns=["类别", "内容"])

    def sheets(self) -> list:
        """The workbook's sheets in reading order; non-compliant rows flagged red."""
        from scenarios.output import Sheet

        closure_min = self.plan.rule_value("closure_ratio_min")
        front = progress_sheet.to_chinese(self.progress, closure_min)
        sheets = [Sheet("总览", front, pd.Series(self.progress["light"] == "red", index=front.index))]
        sheets += self.dispatch_sheets()
        loads = self.loads()
        flag_col = next(c for c in loads.columns if c.startswith("问责提示"))
        sheets.append(Sheet("律师负荷", loads, loads[flag_col].str.startswith("超过")))
        tables = self.projection.chinese_tables()
        summary = self.projection.summary
        flag = pd.Series(((summary["p_reach"] < progress_sheet.LIKELY) | (summary["p_closure_ok"] < 0.5)).to_numpy(),
                         index=tables["进度预测"].index)
        sheets += [Sheet("进度预测", tables["进度预测"], flag), Sheet("策略比较", tables["策略比较"])]
        budget = {s.name: s for s in self.budget.sheets()}
        for name, label in (("规则核验", "经费核查"), ("地区汇总", "经费汇总"), ("最低地方预算", "最低地方预算"),
                            ("补贴风险", "补贴风险")):
            if name in budget:
                sheets.append(Sheet(label, budget[name].frame, budget[name].flag))
        sheets.append(Sheet("每10万人供给", self.supply()))
        sheets.append(Sheet("提示", self.findings()))
        return sheets

    def dispatch_sheets(self) -> list:
        """The dispatch engine's sheets (assignments, unassigned, diagnosis), as it names them."""
        from scenarios.output import Sheet

        out = []
        for sheet in self.dispatch.sheets():
            if sheet.name in ("律师负荷",):
                continue
            out.append(Sheet(sheet.name, sheet.frame, sheet.flag))
        return out

    # --- summary --------------------------------------------------------------------------
    def concerns(self) -> list[Concern]:
        """The three counties that most need attention, with reasons (see ``attention``)."""
        plan = self.plan
        summary = self.projection.summary.set_index("region")
        closure_min = plan.rule_value("closure_ratio_min")
        concerns = {r.id: Concern(r.id, r.name, order=i) for i, r in enumerate(plan.regions)}
        for row in self.progress.itertuples(index=False):
            if row.region not in concerns:
                continue
            c = concerns[row.region]
            p = summary.loc[row.region]
            c.p_reach = float(p["p_reach"])
            if row.light in ("red", "amber"):
                word = "仅" if row.light == "red" else ""
                c.add(1 + 3 * (1 - c.p_reach), f"落后序时进度{-row.gap:.0f}件（序时完成率{row.pace:.0%}），"
                      f"按当前进度完成全年目标的概率{word}{c.p_reach:.0%}")
            if p["p_closure_ok"] < 0.5:
                c.add(1, f"预计年末结案率{p['closure_ratio_mean']:.0%}，达到{closure_min:.0%}的概率{p['p_closure_ok']:.0%}")
        failing = self.plan_rule_failures()
        for region, part in failing.groupby("region", sort=False):
            if region in concerns:
                rules = "、".join(dict.fromkeys(part["label"] if "label" in part else part["rule"]))
                concerns[region].add(min(2, len(part)), f"经费规则不达标：{rules}（缺口{part['shortfall'].sum():,.0f}元）")
        for region, count in self.dispatch_counts("unassigned").items():
            if region in concerns and count:
                concerns[region].add(2, f"{count}件案件因承办能力不足未能指派")
        for region, count in self.dispatch_counts("cross_region").items():
            if region in concerns and count:
                concerns[region].add(0.5, f"本地承办能力不足，{count}件案件跨区调配")
        over = self.over_cap_by_region()
        for region, count in over.items():
            if region in concerns and count:
                concerns[region].add(1, f"{count}名承办人员本年办案超过{plan.rule_value('lawyer_yearly_cap'):g}件上限")
        return top_concerns(concerns)

    def plan_rule_failures(self) -> pd.DataFrame:
        """Failed funding checks of plan rules (the example-schedule subsidy estimate excluded)."""
        failing = self.budget.failing
        return failing[(failing["rule"] != SUBSIDY_ESTIMATE) & (failing["region"] != "全市合计")]

    def subsidy_estimate_failures(self) -> pd.DataFrame:
        """Regions whose funds fall short of the subsidies on the (example) subsidy schedule."""
        failing = self.budget.failing
        return failing[(failing["rule"] == SUBSIDY_ESTIMATE) & (failing["region"] != "全市合计")]

    def dispatch_counts(self, what: str) -> dict[str, int]:
        """Per administering region: unassigned or cross-region case counts from the dispatch."""
        return self.dispatch.counts_by_region(what)

    def over_cap_by_region(self) -> dict[str, int]:
        """Handlers whose handled_this_year is above the cap, per region."""
        lawyers = self.inputs.lawyers
        cap = self.plan.rule_value("lawyer_yearly_cap")
        return lawyers[lawyers["handled_this_year"] > cap].groupby("region").size().to_dict()

    def key_figures(self) -> dict:
        """The headline numbers of the brief."""
        total = self.progress[self.progress["region"] == "city"].iloc[0]
        city = self.projection.summary[self.projection.summary["region"] == "TOTAL"].iloc[0]
        lights = self.progress[self.progress["region"] != "city"]["light"].value_counts()
        return {
            "approved": int(total["approved"]), "expected": float(total["expected"]), "pace": float(total["pace"]),
            "closed": int(total["closed"]), "closure_ratio": float(total["closure_ratio"]),
            "target": int(self.plan.target_total), "projected_mean": float(city["approved_mean"]),
            "projected_q05": float(city["approved_q05"]), "projected_q95": float(city["approved_q95"]),
            "p_reach": float(city["p_reach"]), "closure_mean": float(city["closure_ratio_mean"]),
            "green": int(lights.get("green", 0)), "amber": int(lights.get("amber", 0)), "red": int(lights.get("red", 0)),
        }


def build_brief(plan: Plan, inputs: InputTables, month: int, *, seed: int = 0, runs: int = 1000, workers: int = 2,
                source: str = "", show_progress: bool = False) -> Brief:
    """Run the three engines on ``inputs`` and assemble the brief.

    Parameters
    ----------
    plan : the city plan.
    inputs : validated tables (cases = the cases awaiting assignment).
    month : last reported month m (1-12).
    seed : seed for the dispatch tie-breaks and the Monte Carlo.
    runs : Monte Carlo replications per policy.
    workers : local processes for the Monte Carlo.
    """
    from allocation import solve
    from scenarios.budget import check_budget
    from simulation import project

    seconds = {}
    t0 = time.perf_counter()
    dispatch = solve(plan, inputs.cases, inputs.lawyers, seed=seed)
    seconds["dispatch"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    projection = project(plan, inputs.progress, inputs.lawyers, runs=runs, seed=seed, month=month, policies="all",
                         workers=workers, show_progress=show_progress)
    seconds["projection"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    samples = projection.samples["none"].approved.sum(axis=2)  # (runs, regions): year-end approvals 件
    risk = {rid: samples[:, j] for j, rid in enumerate(projection.state.region_ids)}
    budget = check_budget(plan, inputs.funds, month=month, cases=inputs.cases, risk_samples=risk, seed=seed)
    seconds["budget"] = time.perf_counter() - t0
    reach = projection.summary.set_index("region")["p_reach"]
    table = progress_sheet.progress_table(plan, inputs.progress, month, reach)
    return Brief(plan=plan, month=month, seed=seed, inputs=inputs, source=source, dispatch=dispatch,
                 projection=projection, budget=budget, progress=table, seconds=seconds)


def write_brief(brief: Brief, out_dir: str | Path) -> Path:
    """Write 月通报.xlsx, one CSV per sheet, charts and summary.md into ``out_dir`` atomically."""
    from legalaid.brief.summary import summary_markdown
    from scenarios.output import staged_dir, write_json, write_tables

    with staged_dir(out_dir) as folder:
        write_tables(folder, brief.sheets(), workbook=WORKBOOK)
        from simulation import render_charts

        render_charts(brief.projection, folder)
        charts = folder / CHART_DIR
        charts.mkdir(exist_ok=True)
        before, after = brief.dispatch.load_series()
        load_chart(brief.plan, before, after, charts / "律师办案量分布.png")
        import matplotlib.pyplot as plt

        for stem, figure in brief.budget.charts().items():
            figure.savefig(charts / f"{stem}.png", dpi=120)
            plt.close(figure)
        (folder / "summary.md").write_text(summary_markdown(brief), encoding="utf-8")
        write_json({"plan": brief.plan.id, "month": brief.month, "seed": brief.seed,
                    "runs": brief.projection.runs, "source": brief.source}, folder / "运行信息.json")
    return Path(out_dir)

