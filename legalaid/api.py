"""The Python API: one import for notebooks, the command line and the web page.

    import legalaid as la
    plan = la.load_plan("anqing-2023")
    inputs = la.example_inputs(plan, month=6)            # or la.read_inputs(plan, folder="data/")
    result = la.dispatch(plan, inputs.cases, inputs.lawyers)
    projection = la.project(plan, inputs.progress, inputs.lawyers, runs=200, policies="all")
    budget = la.check_budget(plan, inputs.funds, month=6, cases=inputs.cases)
    brief = la.brief(plan, inputs, month=6)
    la.tables(budget)["规则核验"]                          # any result's Chinese tables
    la.charts(projection)["全市概览"]                      # and its charts
    la.write_report(brief, "out/月通报")

Engines get validated canonical tables; here paths, plan ids and example data are accepted
too. Results are the engines' typed dataclasses (English columns); ``tables``/``charts``/
``write_report`` give what users read.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from allocation import DispatchResult
from legalaid.briefing import Brief, build_brief
from scenarios.budget import DEFAULT_GRID, BudgetResult, Scenario, SubsidySchedule, SweepGrid, SweepResult
from scenarios.errors import InputError, InputIssue
from scenarios.plans import Plan
from scenarios.tables import InputTables
from simulation import ProjectionResult, SimulationParams

PathLike = str | os.PathLike
#: Accepted file stems per table in a data folder.
STEMS = {"cases": ("cases", "案件"), "lawyers": ("lawyers", "律师"), "progress": ("progress", "进度", "月度进度"),
         "funds": ("funds", "经费")}
#: Optional tables of a data folder: found when present, never required.
OPTIONAL_STEMS = {"history": ("history", "历年", "历年月度", "历年进度")}
EXTENSIONS = (".csv", ".xlsx", ".xls")


def load_plan(plan: Plan | PathLike) -> Plan:
    """A plan by bundled id, user-plan id ($LEGALAID_PLANS) or TOML path (a Plan passes through)."""
    from scenarios.plans import load_plan as load

    return plan if isinstance(plan, Plan) else load(plan)


def find_files(folder: PathLike) -> dict[str, Path]:
    """The four table files in ``folder`` (cases|案件, lawyers|律师, progress|进度, funds|经费), and the
    optional history table (history|历年) when present."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError([InputIssue(str(folder), None, None, None, "不是一个目录（--data 应给出数据所在的文件夹）")])
    found, issues = {}, []
    for table, stems in STEMS.items():
        hits = [folder / f"{stem}{ext}" for stem in stems for ext in EXTENSIONS if (folder / f"{stem}{ext}").is_file()]
        if len(hits) == 1:
            found[table] = hits[0]
        else:
            names = "、".join(f"{s}{e}" for s in stems for e in (".csv", ".xlsx"))
            problem = "找不到" if not hits else f"有多个文件（{'、'.join(h.name for h in hits)}），只能保留一个："
            issues.append(InputIssue(str(folder), None, None, None, f"{problem}{names} 之一"))
    for table, stems in OPTIONAL_STEMS.items():
        hits = [folder / f"{stem}{ext}" for stem in stems for ext in EXTENSIONS if (folder / f"{stem}{ext}").is_file()]
        if len(hits) == 1:
            found[table] = hits[0]
        elif hits:
            issues.append(InputIssue(str(folder), None, None, None, f"有多个历年数据文件（{'、'.join(h.name for h in hits)}），"
                                     "只能保留一个"))
    if issues:
        raise InputError(issues)
    return found


def read_inputs(plan: Plan | PathLike, *, folder: PathLike | None = None, cases: PathLike | None = None,
                lawyers: PathLike | None = None, progress: PathLike | None = None, funds: PathLike | None = None,
                history: PathLike | None = None, month: int | None = None, cumulative: bool = False,
                sheet: str | None = None) -> InputTables:
    """Read and validate the input files (all problems of all files in one InputError).

    ``folder`` finds the four tables by name (``find_files``); single files may be given instead.
    ``month`` is the current month for the progress checks (default: the last month reported);
    ``cumulative``: the progress counts are year to date; ``sheet``: the workbook sheet to read.
    """
    from scenarios.tables import load_inputs

    files = find_files(folder) if folder is not None else {}
    given = {k: v for k, v in (("cases", cases), ("lawyers", lawyers), ("progress", progress), ("funds", funds),
                               ("history", history)) if v is not None}
    return load_inputs(load_plan(plan), **(files | given), as_of_month=month, cumulative=cumulative, sheet=sheet)


def example_inputs(plan: Plan | PathLike, month: int = 6, seed: int = 0, cases: str = "awaiting") -> InputTables:
    """The plan's seeded example year as validated inputs.

    ``cases="awaiting"`` (default): the cases awaiting assignment on the report date (received in
    the last days of ``month`` and not yet assigned); ``cases="rest_of_year"``: every case of months
    month+1..12 (a whole-year dispatch study or demonstration)."""
    if cases not in ("awaiting", "rest_of_year"):
        raise ValueError("cases must be 'awaiting' or 'rest_of_year'")
    from scenarios.example import generate_example
    from scenarios.tables import lawyer_findings

    plan = load_plan(plan)
    data = generate_example(plan, month=month, seed=seed)
    chosen = data.awaiting if cases == "awaiting" else data.cases
    return InputTables(plan=plan, cases=chosen, lawyers=data.lawyers, progress=data.progress, funds=data.funds,
                       findings=lawyer_findings(data.lawyers, plan), sources={})


def dispatch(plan: Plan | PathLike, cases: pd.DataFrame | PathLike, lawyers: pd.DataFrame | PathLike, *,
             pinned: pd.DataFrame | PathLike | None = None, distances: pd.DataFrame | PathLike | None = None,
             seed: int = 0, previous: pd.DataFrame | PathLike | None = None, release: Sequence[str] = (),
             expected: pd.DataFrame | PathLike | None = None, **options) -> DispatchResult:
    """Dispatch cases to lawyers (``allocation.solve``); tables may be files or canonical DataFrames.

    ``previous``: an earlier dispatch of the same cases (a result's 派案结果 table or a DataFrame with
    case_id, lawyer_id) for a what-if re-solve: its assignments stay as they were — kept like
    pinned ones — unless the case is in ``release``, the lawyer is gone or no longer available
    (the what-if changed them), or the case is not in this batch; only those are dispatched anew.
    ``expected``: cases still to come this year per county and kind (the expected-demand table,
    e.g. the 预计待来案件.csv of ``legalaid project``): the batch keeps local room for them.
    """
    from allocation import solve
    from scenarios.distances import read_distances
    from scenarios.pinned import read_pinned
    from scenarios.tables import read_table

    plan = load_plan(plan)
    labels = {}
    if not isinstance(cases, pd.DataFrame):
        labels["cases"], cases = str(cases), read_table(cases, "cases", plan)
    if not isinstance(lawyers, pd.DataFrame):
        labels["lawyers"], lawyers = str(lawyers), read_table(lawyers, "lawyers", plan)
    if pinned is not None and not isinstance(pinned, pd.DataFrame):
        pinned = read_pinned(pinned)
    if distances is not None and not isinstance(distances, pd.DataFrame):
        distances = read_distances(distances, plan)
    if expected is not None and not isinstance(expected, pd.DataFrame):
        expected = read_table(expected, "expected", plan)
    if previous is not None:
        pinned = _kept(previous, cases, lawyers, set(release), pinned)
    return solve(plan, cases, lawyers, pinned=pinned, distances=distances, seed=seed, labels=labels,
                 expected=expected, **options)


def _kept(previous, cases: pd.DataFrame, lawyers: pd.DataFrame, release: set, pinned) -> pd.DataFrame:
    """The earlier assignments a what-if re-solve keeps (see ``dispatch``), plus any pinned ones."""
    from scenarios.pinned import read_pinned

    frame = previous if isinstance(previous, pd.DataFrame) else read_pinned(previous)
    frame = frame[["case_id", "lawyer_id"]].astype(str)
    available = set(lawyers.loc[lawyers["available"].astype(bool), "lawyer_id"]) if "available" in lawyers \
        else set(lawyers["lawyer_id"])
    keep = frame["case_id"].isin(set(cases["case_id"])) & frame["lawyer_id"].isin(available) \
        & ~frame["case_id"].isin(release)
    kept = frame[keep]
    if pinned is not None and len(pinned):
        kept = pd.concat([pinned[["case_id", "lawyer_id"]], kept[~kept["case_id"].isin(set(pinned["case_id"]))]],
                         ignore_index=True)
    return kept.reset_index(drop=True)


@dataclass
class VerifyResult:
    """``verify_dispatch``: whether the hash and the per-case lawyers match, and a Chinese report."""

    ok: bool
    hash_ok: bool
    differing_cases: int
    text: str


def verify_dispatch(plan: Plan | PathLike, cases: PathLike, lawyers: PathLike, result_dir: PathLike, *,
                    pinned: PathLike | None = None, distances: PathLike | None = None, seed: int = 0,
                    expected: PathLike | None = None) -> VerifyResult:
    """Recompute a published dispatch's inputs hash from the files and seed, then re-dispatch and
    compare every case's lawyer with the published 派案结果.csv (a verifiable draw)."""
    import json

    folder = Path(result_dir)
    recorded = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    again = dispatch(plan, cases, lawyers, pinned=pinned, distances=distances, seed=seed, expected=expected)
    hash_ok = recorded.get("draw", {}).get("inputs_sha256") == again.inputs_sha256
    published = pd.read_csv(folder / "派案结果.csv", encoding="utf-8-sig", dtype=str)
    mine = dict(zip(again.assignments["case_id"], again.assignments["lawyer_id"], strict=True))
    differing = sum(mine.get(c) != lw for c, lw in zip(published["案件编号"], published["律师编号"], strict=True))
    differing += abs(len(mine) - len(published))
    ok = hash_ok and differing == 0
    text = (f"输入数据与种子的哈希：{'一致' if hash_ok else '不一致（输入文件或种子与发布时不同）'}"
            f"（{again.inputs_sha256[:16]}…）；重新派案与已发布结果{'逐案一致' if differing == 0 else f'有{differing}件不同'}。")
    return VerifyResult(ok, hash_ok, differing, text)


def project(plan: Plan | PathLike, progress: pd.DataFrame | PathLike, lawyers: pd.DataFrame | PathLike | None = None,
            *, runs: int = 1000, seed: int = 0, month: int | None = None, policies: str | Sequence[str] = "none",
            workers: int = 1, params: SimulationParams | PathLike | None = None,
            history: pd.DataFrame | PathLike | None = None, **options) -> ProjectionResult:
    """Project the rest of the year (``simulation.project``); tables may be files or DataFrames.

    ``history``: earlier years' monthly counts (the progress format plus a year column), or None.
    """
    from scenarios.tables import read_table
    from simulation import project as run

    plan = load_plan(plan)
    if not isinstance(progress, pd.DataFrame):
        progress = read_table(progress, "progress", plan, as_of_month=month)
    if lawyers is not None and not isinstance(lawyers, pd.DataFrame):
        lawyers = read_table(lawyers, "lawyers", plan)
    if params is not None and not isinstance(params, SimulationParams):
        params = SimulationParams.from_toml(params)
    if history is not None and not isinstance(history, pd.DataFrame):
        history = read_table(history, "history", plan)
    return run(plan, progress, lawyers, runs=runs, seed=seed, month=month, policies=policies, workers=workers,
               params=params, history=history, **options)


def load_schedule(schedule: SubsidySchedule | PathLike | None = None) -> SubsidySchedule:
    """A subsidy schedule from a TOML file; None gives the bundled EXAMPLE (not an Anhui standard)."""
    from scenarios.budget import load_schedule as load

    return schedule if isinstance(schedule, SubsidySchedule) else load(schedule)


def check_budget(plan: Plan | PathLike, funds: pd.DataFrame | Mapping | PathLike | None = None, *, month: int | None = None,
                 scenarios: Sequence[Scenario] = (), sweep: SweepGrid | bool | None = None,
                 schedule: SubsidySchedule | PathLike | None = None, cases: pd.DataFrame | PathLike | None = None,
                 risk_samples: object = None, seed: int = 0, **options) -> BudgetResult:
    """Check the funding rules (``scenarios.budget.check_budget``) from files, frames or example data.

    ``funds`` may be a canonical funds table, a mapping of its columns, a file, or None.
    ``funds=None`` uses the seeded example year (month 6 unless ``month`` says otherwise); a
    funds table is read at year end unless ``month`` is given. ``sweep=True`` sweeps
    ``DEFAULT_GRID``. ``risk_samples``: projected year-end cases (a ``ProjectionResult`` or samples).
    """
    from scenarios.budget import check_budget as run
    from scenarios.example import generate_example
    from scenarios.tables import read_table
    from scenarios.vocab import Finding

    plan = load_plan(plan)
    extra = []
    if isinstance(funds, Mapping):
        funds = pd.DataFrame(funds)
    if funds is None:
        example = generate_example(plan, month=6 if month is None else int(month), seed=seed)
        funds, month, source = example.funds, example.month, f"示例数据（按计划生成的示例年，截至{example.month}月，种子{seed}）"
        cases = example.cases if cases is None else cases
        extra.append(Finding("example_funds"))
    elif isinstance(funds, pd.DataFrame):
        source = "经费表（DataFrame）"
    else:
        funds, source = read_table(funds, "funds", plan), str(funds)
    if cases is not None and not isinstance(cases, pd.DataFrame):
        cases = read_table(cases, "cases", plan)
    grid = DEFAULT_GRID if sweep is True else (sweep or None)
    result = run(plan, funds, schedule=load_schedule(schedule), month=12 if month is None else int(month),
                 scenarios=scenarios, sweep_grid=grid, cases=cases, risk_samples=risk_samples, source=source, **options)
    result.findings += extra
    return result


def budget_scenarios(path: PathLike, *, plan: Plan | PathLike | None = None, funds: pd.DataFrame | PathLike | None = None,
                     month: int | None = None, sweep: SweepGrid | bool | None = None,
                     schedule: SubsidySchedule | PathLike | None = None, cases: pd.DataFrame | PathLike | None = None,
                     seed: int | None = None, **options) -> BudgetResult:
    """Run a budget scenario file (TOML, see ``scenarios.budget.scenario``); arguments override its [base].

    With ``sweep=True`` the file's [sweep] grid is used (``DEFAULT_GRID`` if it has none); a file
    with a [sweep] table is swept unless ``sweep=False``.
    """
    from scenarios.budget import load_scenario_file

    plan_obj = None if plan is None else load_plan(plan)
    spec = load_scenario_file(path, plan_obj)
    if plan_obj is None:
        if spec.plan is None:
            raise InputError([InputIssue(spec.source, None, None, None, "[base] 缺少 plan，命令行也未给出 --plan")])
        plan_obj = load_plan(spec.plan)
    if sweep is True or (sweep is None and spec.sweep is not None):
        sweep = spec.sweep or DEFAULT_GRID
    return check_budget(
        plan_obj, funds if funds is not None else spec.funds, month=month if month is not None else spec.month,
        scenarios=spec.scenarios, sweep=sweep or None, schedule=schedule if schedule is not None else spec.schedule,
        cases=cases if cases is not None else spec.cases, seed=seed if seed is not None else spec.seed, **options)


def sweep(plan: Plan | PathLike, funds: pd.DataFrame | PathLike | None = None, grid: SweepGrid = DEFAULT_GRID,
          **options) -> SweepResult:
    """Every funding rule over a grid of all-region changes (vectorised); see ``check_budget``."""
    return check_budget(plan, funds, sweep=grid, **options).sweep


def brief(plan: Plan | PathLike, inputs: InputTables | None = None, month: int = 6, *, seed: int = 0,
          runs: int = 1000, workers: int = 2, source: str | None = None, show_progress: bool = False) -> Brief:
    """The monthly brief: dispatch, projection under every policy and the budget on ``inputs``.

    ``inputs=None`` uses the plan's example year (and the source says so).
    """
    plan = load_plan(plan)
    if inputs is None:
        inputs = example_inputs(plan, month=month, seed=seed)
        source = source or (f"内置示例数据（按计划生成的示例年，截至{month}月，种子{seed}，"
                            "非真实数据）")
    return build_brief(plan, inputs, month, seed=seed, runs=runs, workers=workers, source=source or "",
                       show_progress=show_progress)


def describe(result) -> str:
    """A few Chinese lines about any result (what the command line prints)."""
    from legalaid.report import describe_any

    return describe_any(result)


def tables(result) -> dict[str, pd.DataFrame]:
    """The Chinese tables of any result (dispatch, projection, budget, brief), by sheet name."""
    from legalaid.report import report_sheets

    return {sheet.name: sheet.frame for sheet in report_sheets(result)}


def charts(result, only: Sequence[str] | None = None) -> dict:
    """The charts of any result, by name (matplotlib figures with Chinese labels); ``only`` some of them."""
    from legalaid.report import report_charts

    return report_charts(result, only)


def write_report(result, out_dir: PathLike) -> Path:
    """Write any result's report folder atomically (CSV, one workbook, charts; 月通报.docx and 摘要.txt for a brief)."""
    from legalaid.report import write_any

    return write_any(result, out_dir)
