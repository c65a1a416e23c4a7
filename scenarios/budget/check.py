"""``check_budget``: the whole budget check from Python, and its result with ``.write(out_dir)``.

    from scenarios.budget import check_budget, Scenario, Overrides
    result = check_budget("anqing-2023", "funds.xlsx", month=6,
                          scenarios=[Scenario("上级资金减少20%", Overrides(upper_funds=-0.2))], sweep=True)
    result.verdicts        # 规则核验 (Chinese, with references)
    result.write("out/budget")

With ``funds=None`` the seeded example data (``scenarios.example.generate_example``) is used.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from scenarios.budget import report
from scenarios.budget.evaluate import budgets_from_funds, checks_frame, evaluate, validate_funds
from scenarios.budget.least import least_local_budget
from scenarios.budget.risk import METHODS, samples_by_region, subsidy_risk
from scenarios.budget.rules import FAIL, RULE_LABELS, CountyBudget
from scenarios.budget.scenario import (
    BASE,
    DEFAULT_GRID,
    Scenario,
    ScenarioFile,
    SweepGrid,
    load_scenario_file,
    resolve_overrides,
)
from scenarios.budget.schedule import SubsidySchedule, load_schedule, region_mixes
from scenarios.budget.sweep import SweepResult, sweep
from scenarios.plans import Plan, load_plan

#: File name of the report workbook.
WORKBOOK = "经费测算.xlsx"

#: A sweep's long table with more rows than this is written as CSV only (not into the workbook).
MAX_WORKBOOK_ROWS = 50_000


@dataclass
class BudgetResult:
    """Everything the budget check found.

    Attributes
    ----------
    plan, month : the plan and the reading month (12 = year end).
    schedule : the subsidy schedule used.
    source : where the funds came from (file or example data).
    budgets : base per-region budgets.
    checks : base verdicts, long (English columns, see ``evaluate.CHECK_COLUMNS``).
    least : least local budget per region (English columns, ``least.LEAST_COLUMNS``).
    scenarios : the scenarios run (the base first).
    scenario_checks, scenario_least : the same tables for every scenario (column ``scenario``).
    sweep : the sweep, or None.
    risk : the subsidy risk per region (English columns, ``risk.RISK_COLUMNS``), or None.
    notes : remarks in Chinese (example data, fallbacks, missing regions).
    """

    plan: Plan
    month: int
    schedule: SubsidySchedule
    source: str
    budgets: list[CountyBudget]
    checks: pd.DataFrame
    least: pd.DataFrame
    scenarios: list[Scenario]
    scenario_checks: pd.DataFrame
    scenario_least: pd.DataFrame
    sweep: SweepResult | None = None
    risk: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)

    # --- tables users read ---------------------------------------------------------------
    @property
    def verdicts(self) -> pd.DataFrame:
        """规则核验: one row per region and rule, in Chinese, with references."""
        return report.verdict_table(self.checks, self.month)

    @property
    def summary(self) -> pd.DataFrame:
        """地区汇总: one row per region with every verdict, the least budget and the gap."""
        return report.summary_table(self.checks, self.least)

    @property
    def least_budget(self) -> pd.DataFrame:
        """最低地方预算: each rule's bound, the least budget, the binding rule, the gap."""
        return report.least_table(self.least, self.risk is not None)

    @property
    def scenario_overview(self) -> pd.DataFrame:
        """情景比较: per scenario, non-compliant regions and the city's gap."""
        descriptions = {s.name: s.overrides.describe(self.plan) for s in self.scenarios}
        return report.scenario_overview(self.scenario_checks, self.scenario_least, descriptions)

    @property
    def risk_table(self) -> pd.DataFrame | None:
        """补贴风险 in Chinese, or None."""
        return None if self.risk is None else report.risk_table(self.risk)

    @property
    def ok(self) -> bool:
        """True when no region and not the city fails any rule in the base case."""
        return not (self.checks["status"] == FAIL).any()

    @property
    def failing(self) -> pd.DataFrame:
        """The base checks that failed (English columns)."""
        return self.checks[self.checks["status"] == FAIL].reset_index(drop=True)

    def sheets(self) -> list:
        """The report's sheets, non-compliant rows flagged red."""
        from scenarios.output import Sheet

        verdicts, summary, least = self.verdicts, self.summary, self.least_budget
        sheets = [
            Sheet("规则核验", verdicts, report.flag_failures(verdicts, "结论")),
            Sheet("地区汇总", summary, summary["不达标项数"] > 0),
            Sheet("最低地方预算", least, least["地方预算缺口（元）"] > 0),
        ]
        if len(self.scenarios) > 1:
            overview = self.scenario_overview
            detail = report.scenario_detail(self.scenario_checks, self.scenario_least)
            sheets += [Sheet("情景比较", overview, overview["不达标地区数"] > 0),
                       Sheet("情景明细", detail, detail["不达标项数"] > 0)]
        if self.sweep is not None:
            summary_sweep = self.sweep.summary()
            sheets.append(Sheet("网格测算汇总", summary_sweep, summary_sweep["不达标地区数"] > 0))
            if self._detail_in_workbook():
                detail_sweep = self.sweep.to_frame()
                sheets.append(Sheet("网格测算明细", detail_sweep, report.flag_failures(detail_sweep, "是否达标", "否")))
        if self.risk is not None:
            table = self.risk_table
            sheets.append(Sheet("补贴风险", table, pd.Series(self.risk["p_exceed"] > self.risk["level"]).set_axis(
                table.index)))
        return sheets

    def charts(self) -> dict:
        """Figures by file stem (Chinese labels)."""
        from scenarios.budget import charts

        figures = {
            "合规情况": charts.compliance_chart(self.checks, f"经费规则核验结果（{self.plan.city}，{self._reading()}）"),
            "地方预算缺口": charts.gap_chart(self.least),
        }
        if len(self.scenarios) > 1:
            figures["情景比较"] = charts.scenario_chart(self.scenario_overview)
        if self.sweep is not None:
            figures["网格测算"] = charts.sweep_chart(self.sweep.summary())
        if self.risk is not None and len(self.risk):
            figures["补贴风险"] = charts.risk_chart(self.risk)
        return figures

    def info(self) -> dict:
        """Parameters and notes of the run (for 说明.json)."""
        return {
            "计划": f"{self.plan.title}（{self.plan.id}）",
            "读数月份": self._reading(),
            "经费数据": self.source,
            "补贴标准": f"{self.schedule.name}（{self.schedule.source}）" + ("：示例数值，非官方标准" if self.schedule.example
                                                                       else ""),
            "情景": {s.name: s.overrides.describe(self.plan) for s in self.scenarios},
            "网格测算点数": 0 if self.sweep is None else int(self.sweep.grid.shape[0]),
            "网格测算明细": "" if self._detail_in_workbook() else
            f"超过{MAX_WORKBOOK_ROWS:,}行，只写入 网格测算明细.csv，未放入工作簿",
            "说明": self.notes,
        }

    def write(self, out_dir: str | os.PathLike) -> Path:
        """Write tables (CSV utf-8-sig + one xlsx, red rows), charts (PNG) and 说明.json atomically."""
        from scenarios.output import staged_dir, write_csv, write_json, write_tables

        with staged_dir(out_dir) as folder:
            write_tables(folder, self.sheets(), workbook=WORKBOOK)
            if self.sweep is not None and not self._detail_in_workbook():
                write_csv(self.sweep.to_frame(), folder / "网格测算明细.csv")
            for stem, figure in self.charts().items():
                figure.savefig(folder / f"{stem}.png", dpi=130)
            write_json(self.info(), folder / "说明.json")
        return Path(out_dir)

    def describe(self) -> str:
        """A short Chinese text summary for the terminal."""
        lines = [f"{self.plan.title}：经费测算（{self._reading()}；经费数据：{self.source}）"]
        regions = self.checks[self.checks["region"] != "全市合计"]
        for rule, label in RULE_LABELS.items():
            rows = regions[regions["rule"] == rule]
            if rows.empty or (rows["status"] == "不适用").all():
                continue
            bad = rows[rows["status"] == FAIL]
            text = "全部达标" if bad.empty else f"{len(bad)}个地区不达标（{'、'.join(bad['name'])}），缺口合计 {bad['shortfall'].sum():,.0f} 元"
            if (rows["status"] == "无数据").any():
                text += f"；{int((rows['status'] == '无数据').sum())}个地区无数据"
            lines.append(f"  {label}：{text}")
        total = self.least[self.least["region"] == "全市合计"]
        if len(total):
            lines.append(f"  最低达标地方预算合计 {total['least_local'].iloc[0]:,.0f} 元，"
                         f"较当前缺口合计 {total['gap'].iloc[0]:,.0f} 元")
        if len(self.scenarios) > 1:
            overview = self.scenario_overview
            for name, bad, gap in zip(overview["情景"], overview["不达标地区数"], overview["地方预算缺口合计（元）"],
                                      strict=True):
                lines.append(f"  情景“{name}”：{bad}个地区不达标，地方预算缺口合计 {gap:,.0f} 元")
        if self.sweep is not None:
            lines.append(f"  网格测算：{self.sweep.grid.shape[0]}个情景 × {len(self.sweep.region_ids) - 1}个地区")
        lines += [f"  注：{n}" for n in self.notes]
        return "\n".join(lines)

    def _detail_in_workbook(self) -> bool:
        return self.sweep is None or self.sweep.status.shape[0] * self.sweep.status.shape[1] <= MAX_WORKBOOK_ROWS

    def _reading(self) -> str:
        return "年末读数" if self.month == 12 else f"截至{self.month}月读数"


def _read(path: str | os.PathLike, table: str, plan: Plan) -> pd.DataFrame:
    from scenarios.tables import read_table

    return read_table(path, table, plan)


def check_budget(plan: Plan | str, funds: pd.DataFrame | str | os.PathLike | None = None, *,
                 month: int | None = None, scenarios: Sequence[Scenario] = (),
                 sweep_grid: SweepGrid | bool | None = None,
                 schedule: SubsidySchedule | str | os.PathLike | None = None,
                 cases: pd.DataFrame | str | os.PathLike | None = None, risk_samples: object = None,
                 risk_level: float = 0.05, risk_method: str = "cases+mix", seed: int = 0,
                 on: dt.date | None = None) -> BudgetResult:
    """Check the funding rules per region and for the city; run scenarios, a sweep, the risk.

    Parameters
    ----------
    plan : a Plan or a plan id/path.
    funds : canonical funds DataFrame, a funds file (read with ``scenarios.tables.read_table``),
        or None for the seeded example data.
    month : reading month 1..12 of arrivals and spending (default: year end; the example's
        month, 6, for example data).
    scenarios : named overrides to compare with the base.
    sweep_grid : a ``SweepGrid``, True for ``DEFAULT_GRID``, or None/False.
    schedule : subsidy schedule (object or TOML path); default the bundled EXAMPLE schedule.
    cases : cases table (DataFrame or file) giving the case mix per region; with example data
        the example's remaining cases are used.
    risk_samples : projected year-end cases per region (see ``risk.samples_by_region``), e.g.
        from the simulation; None skips the risk reading.
    risk_level : accepted chance that the subsidies due exceed the funds (e.g. 0.05).
    risk_method : "cases+mix" (default) or "cases" (see ``scenarios.budget.risk``).
    seed : seed of the example data.
    on : date the rules are read at (default: the plan year's end).
    """
    plan = load_plan(plan) if isinstance(plan, str) else plan
    if month is not None and not 1 <= int(month) <= 12:
        raise ValueError("month must be within 1..12")
    if risk_method not in METHODS:
        raise ValueError(f"risk_method must be one of {METHODS}")
    if not isinstance(schedule, SubsidySchedule):
        schedule = load_schedule(schedule)
    notes: list[str] = []
    if schedule.example:
        notes.append(f"补贴标准为示例数值（{schedule.name}），非安徽官方标准；请按本地办案补贴标准修改后再据以决策")
    if funds is None:
        from scenarios.example import generate_example

        example = generate_example(plan, month=6 if month is None else int(month), seed=seed)
        funds_frame, month = example.funds, example.month
        source = f"示例数据（generate_example，{month}月，种子{seed}）"
        notes.append("未提供经费表，使用生成的示例数据")
        if cases is None:
            cases = example.cases
    elif isinstance(funds, pd.DataFrame):
        funds_frame, source = funds, "经费表（DataFrame）"
    else:
        funds_frame, source = _read(funds, "funds", plan), str(funds)
    month = 12 if month is None else int(month)
    funds_frame = validate_funds(plan, funds_frame)
    if cases is not None and not isinstance(cases, pd.DataFrame):
        cases = _read(cases, "cases", plan)
    ids = list(funds_frame["region"])
    missing = [plan.region(r).name for r in plan.region_ids if r not in ids]
    if missing:
        notes.append(f"经费表缺少{len(missing)}个地区（{'、'.join(missing)}），全市合计只含表中地区")
    mixes, mix_notes = region_mixes(schedule, cases, ids)
    notes += mix_notes
    budgets = budgets_from_funds(plan, funds_frame, schedule=schedule, mixes=mixes)

    risk = None
    risk_local = None
    if risk_samples is not None:
        samples = samples_by_region(plan, risk_samples)
        per_case = {rid: schedule.per_case(mixes[rid]) for rid in ids}
        risk = subsidy_risk(budgets, samples, per_case, level=risk_level, method=risk_method)
        risk_local = dict(zip(risk["region"], risk["local_needed"], strict=True))
        absent = [plan.region(r).name for r in ids if r not in samples]
        if absent:
            notes.append(f"{len(absent)}个地区没有预测案件样本，未做补贴风险测算：{'、'.join(absent)}")

    all_scenarios = [BASE, *scenarios]
    names = [s.name for s in all_scenarios]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        from scenarios.errors import InputError, InputIssue

        raise InputError([InputIssue("情景", None, None, name, f"情景名称重复（“{BASE.name}”是不变情景的保留名称）")
                          for name in duplicated])
    scenario_checks, scenario_least, resolved = [], [], []
    for scenario in all_scenarios:
        overrides = resolve_overrides(scenario.overrides, plan)
        resolved.append(Scenario(scenario.name, overrides))
        these = budgets if scenario is BASE else budgets_from_funds(plan, funds_frame, schedule=schedule,
                                                                      mixes=mixes, overrides=overrides)
        checks = checks_frame(evaluate(plan, these, month=month, schedule=schedule, on=on))
        least = least_local_budget(plan, these, on=on, risk_local=risk_local if scenario is BASE else None)
        scenario_checks.append(checks.assign(scenario=scenario.name))
        scenario_least.append(least.assign(scenario=scenario.name))
    if len(all_scenarios) > 1 and risk is not None:
        notes.append("补贴风险只对基准情景测算")
    grid = DEFAULT_GRID if sweep_grid is True else (sweep_grid or None)
    swept = sweep(plan, budgets, grid, month=month, on=on) if grid is not None else None
    return BudgetResult(
        plan=plan, month=month, schedule=schedule, source=source, budgets=budgets,
        checks=scenario_checks[0].drop(columns="scenario"), least=scenario_least[0].drop(columns="scenario"),
        scenarios=resolved, scenario_checks=pd.concat(scenario_checks, ignore_index=True),
        scenario_least=pd.concat(scenario_least, ignore_index=True), sweep=swept, risk=risk, notes=notes)


def run_scenario_file(path: str | os.PathLike | ScenarioFile, *, plan: Plan | str | None = None,
                      funds: pd.DataFrame | str | os.PathLike | None = None, month: int | None = None,
                      sweep_grid: SweepGrid | bool | None = None,
                      schedule: SubsidySchedule | str | os.PathLike | None = None,
                      cases: pd.DataFrame | str | os.PathLike | None = None, seed: int | None = None,
                      **kwargs) -> BudgetResult:
    """Run a scenario file; arguments given here take precedence over its [base].

    With ``sweep_grid=True`` the file's [sweep] grid is used (``DEFAULT_GRID`` if it has none);
    a file with a [sweep] table is swept unless ``sweep_grid=False``. Other keyword arguments
    go to ``check_budget`` (e.g. ``risk_samples``).
    """
    from scenarios.errors import InputError, InputIssue

    plan_obj = load_plan(plan) if isinstance(plan, str) else plan
    spec = path if isinstance(path, ScenarioFile) else load_scenario_file(path, plan_obj)
    if plan_obj is None:
        if spec.plan is None:
            raise InputError([InputIssue(spec.source, None, None, None, "[base] 缺少 plan，命令行也未给出 --plan")])
        plan_obj = load_plan(spec.plan)
    if sweep_grid is True or (sweep_grid is None and spec.sweep is not None):
        sweep_grid = spec.sweep or DEFAULT_GRID
    return check_budget(
        plan_obj, funds if funds is not None else spec.funds, month=month if month is not None else spec.month,
        scenarios=spec.scenarios, sweep_grid=sweep_grid, schedule=schedule if schedule is not None else spec.schedule,
        cases=cases if cases is not None else spec.cases, seed=seed if seed is not None else spec.seed, **kwargs)
