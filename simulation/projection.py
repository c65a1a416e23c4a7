"""``project``: will each county reach its target and the closure minimum at its current pace?

The entry point of the simulation engine: builds the starting state, runs the Monte Carlo of
the SimPy model under each policy, and summarises it into a ``ProjectionResult`` holding
DataFrames with English columns (``legalaid.report.projection`` words, draws and writes it).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field

import pandas as pd

from scenarios.plans import Plan
from scenarios.vocab import CITY_TOTAL, Finding
from simulation.closed_form import closed_form
from simulation.montecarlo import Samples, run_monte_carlo
from simulation.params import SimulationParams
from simulation.policies import parse_policies
from simulation.start import StartState, build_start
from simulation.summary import comparison, monthly, policy_stats


@dataclass
class ProjectionResult:
    """The projection of the rest of the year (DataFrames with English columns).

    Attributes
    ----------
    plan : the plan.
    state : the starting state (year to date, rates, capacity, calibrated handling times).
    runs, seed, policies : the Monte Carlo set-up.
    samples : per policy, every replication's monthly approvals and closures (``Samples``).
    summary : per region and the city (region ``CITY_TOTAL``), the baseline policy's answers.
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
    notes: tuple[Finding, ...] = field(default=())

    @property
    def month(self) -> int:
        """The last reported month m."""
        return self.state.month

    @property
    def lagging(self) -> list[str]:
        """Regions behind 序时进度 at the end of month m."""
        s = self.summary
        return s.loc[(s["region"] != CITY_TOTAL) & (s["pace_gap"] < 0), "region"].tolist()

    def expected_remaining(self, policy: str = "none") -> pd.DataFrame:
        """Cases still to come this year per county and kind (件): the mean over replications of the
        approvals in months m+1..12 under ``policy``, split by the kind mix (``StartState.mix``) —
        the expected-demand input of a dispatch (``allocation.solve(expected=...)``). Columns
        region, kind, cases (rounded to whole cases)."""
        from simulation.params import KINDS

        ahead = self.samples[policy].approved[:, :, self.month:].sum(axis=2).mean(axis=0)  # (C,) 件
        rows = [{"region": rid, "kind": kind, "cases": round(float(ahead[j] * share))}
                for j, rid in enumerate(self.state.region_ids) for kind, share in zip(KINDS, self.state.mix, strict=True)]
        return pd.DataFrame(rows, columns=["region", "kind", "cases"])


def project(plan: Plan, progress: pd.DataFrame, lawyers: pd.DataFrame | None = None, *, runs: int = 1000,
            seed: int = 0, month: int | None = None, policies: tuple[str, ...] | str = ("none",), workers: int = 1,
            scheduler: str | None = None, executor: Executor | None = None, params: SimulationParams | None = None,
            on_chunk: Callable[[int], None] | None = None, history: pd.DataFrame | None = None) -> ProjectionResult:
    """Project the rest of the year by Monte Carlo of the SimPy model.

    Parameters
    ----------
    plan : the city plan (targets; rules lawyer_yearly_cap and closure_ratio_min, 安庆2023 §6(2)).
    progress : canonical progress table (region, month, approved, closed; monthly counts 件).
    lawyers : canonical lawyers table, or None for unlimited handler capacity.
    runs : replications N.
    seed : root seed (same inputs + seed → identical results, whatever the workers).
    month : last reported month m (default: the last month in ``progress``).
    policies : "none", "overflow", "rebalance", "combined", "all", or a sequence of them.
    workers : local processes (1 = in this process).
    scheduler : Dask scheduler address, instead of local processes.
    executor : any concurrent.futures executor, instead of both.
    params : model assumptions (default ``SimulationParams.default()``).
    on_chunk : called with the replications done as chunks finish (e.g. a progress bar's update).
    history : canonical history table of earlier years (region, year, month, approved, closed), or None;
        seasonality, overdispersion and the drifts are then estimated from it (``simulation.posterior``).
    """
    chosen = parse_policies(policies)
    state = build_start(plan, progress, lawyers, month=month, params=params, history=history)
    closure_min = plan.rule_value("closure_ratio_min")
    t0 = time.perf_counter()
    samples = run_monte_carlo(state, chosen, runs, seed, workers=workers, executor=executor, scheduler=scheduler,
                              progress=on_chunk)
    seconds = time.perf_counter() - t0
    stats = {p: policy_stats(state, samples[p], closure_min) for p in chosen}
    return ProjectionResult(
        plan=plan, state=state, runs=runs, seed=seed, policies=chosen, samples=samples,
        summary=stats[chosen[0] if "none" not in chosen else "none"], comparison=comparison(stats),
        monthly=monthly(state, samples), analytic=closed_form(state), closure_min=closure_min, seconds=seconds,
        notes=state.notes)
