"""The monthly brief (月通报) as data: dispatch, projection and budget results on one set of inputs.

Pipeline: inputs (validated tables) → ``simulation.project`` under every city-centre policy →
``allocation.solve`` (the cases awaiting assignment, keeping room for the projection's cases still
to come per county and kind, ``ProjectionResult.expected_remaining``) → ``scenarios.budget.check_budget`` with
the projected year-end cases as risk samples. ``legalaid.report.brief`` turns a ``Brief`` into
the workbook, 月通报.docx, the charts and 摘要.txt.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from allocation import DispatchResult
from scenarios.budget import BudgetResult
from scenarios.plans import Plan
from scenarios.tables import InputTables
from simulation import ProjectionResult


@dataclass
class Brief:
    """Everything the monthly brief shows: the inputs and the three engines' typed results.

    Attributes
    ----------
    plan, month, seed : the plan, the last reported month (1-12) and the seed.
    inputs : the validated tables (cases = the cases awaiting assignment).
    source : where the data came from (a sentence for the reader).
    dispatch, projection, budget : the engines' results.
    seconds : wall time per engine (s).
    previous : the same projection made at the end of the month before (months 1..m−1 of the
        same progress table, same lawyers table, no policies), for the month-over-month changes;
        None in January.
    """

    plan: Plan
    month: int
    seed: int
    inputs: InputTables
    source: str
    dispatch: DispatchResult
    projection: ProjectionResult
    budget: BudgetResult
    seconds: dict[str, float] = field(default_factory=dict)
    previous: ProjectionResult | None = None


def build_brief(plan: Plan, inputs: InputTables, month: int, *, seed: int = 0, runs: int = 1000, workers: int = 2,
                source: str = "", show_progress: bool = False) -> Brief:
    """Run the three engines on ``inputs`` and keep their results.

    Parameters
    ----------
    plan : the city plan.
    inputs : validated tables (cases = the cases awaiting assignment).
    month : last reported month m (1-12).
    seed : seed for the dispatch tie-breaks and the Monte Carlo.
    runs : Monte Carlo replications per policy.
    workers : local processes for the Monte Carlo.
    source : where the data came from, for the reader.
    show_progress : a progress bar on a terminal.
    """
    from allocation import solve
    from allocation.data import behind_pace
    from legalaid.console import progress_bar
    from scenarios.budget import check_budget, load_schedule
    from simulation import project

    seconds = {}
    t0 = time.perf_counter()
    with progress_bar(runs, show_progress) as bar:
        projection = project(plan, inputs.progress, inputs.lawyers, runs=runs, seed=seed, month=month,
                             policies="all", workers=workers, on_chunk=bar, history=inputs.history)
    previous = None
    if month > 1:
        earlier = inputs.progress[inputs.progress["month"] <= month - 1]
        previous = project(plan, earlier, inputs.lawyers, runs=runs, seed=seed, month=month - 1, policies=("none",),
                           workers=workers, history=inputs.history)
    seconds["projection"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    # the projection's cases still to come keep room in today's dispatch (allocation.ahead)
    dispatch = solve(plan, inputs.cases, inputs.lawyers, seed=seed, behind=behind_pace(plan, inputs.progress, month),
                     expected=projection.expected_remaining())
    seconds["dispatch"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    samples = projection.samples["none"].approved.sum(axis=2)  # (runs, regions): year-end approvals 件
    risk = {rid: samples[:, j] for j, rid in enumerate(projection.state.region_ids)}
    budget = check_budget(plan, inputs.funds, schedule=load_schedule(), month=month, cases=inputs.cases,
                          risk_samples=risk, source=inputs.sources.get("funds", "经费表（DataFrame）"))
    seconds["budget"] = time.perf_counter() - t0
    return Brief(plan=plan, month=month, seed=seed, inputs=inputs, source=source, dispatch=dispatch,
                 projection=projection, budget=budget, seconds=seconds, previous=previous)
