"""Many cities in one run: a province or the nation as many city plans, each with its own centre.

Dispatch never crosses a city: 市域一体通办 and 全市一盘棋 are city-wide (安庆2023 §3(3)2), and each
city's plan names its own city legal-aid centre (市本级), which administers the tiered
categories' second instance. So a province is a list of independent city problems, one per plan,
and they can be solved side by side in worker processes. Each city's result depends only on its
own batch and seed, so the results are the same for any number of workers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import pandas as pd

from allocation.api import solve
from allocation.result import DispatchResult
from scenarios.plans import Plan


@dataclass(frozen=True)
class CityBatch:
    """One city's dispatch: its plan (regions, rules, city centre) and the tables ``solve`` takes.

    ``options`` are further keyword arguments of ``allocation.solve`` (distances, behind, on, ...).
    """

    plan: Plan
    cases: pd.DataFrame
    lawyers: pd.DataFrame
    pinned: pd.DataFrame | None = None
    seed: int = 0
    options: dict = field(default_factory=dict)


#: A city's batch, or a picklable zero-argument callable that makes it (so that a worker reads
#: its own city's files instead of the parent sending every table through a pipe).
CityJob = CityBatch | Callable[[], CityBatch]


def solve_city(job: CityJob) -> DispatchResult:
    """Dispatch one city's batch (made first when ``job`` is a callable)."""
    batch = job if isinstance(job, CityBatch) else job()
    return solve(batch.plan, batch.cases, batch.lawyers, pinned=batch.pinned, seed=batch.seed, **batch.options)


def solve_cities(jobs: Iterable[CityJob], workers: int = 1) -> Iterator[DispatchResult]:
    """Dispatch every city's batch, ``workers`` processes side by side; results in job order.

    Parameters
    ----------
    jobs : city batches, or zero-argument picklable callables returning them.
    workers : worker processes (1: in this process, one city after the other).

    Yields
    ------
    DispatchResult per city, in the order of ``jobs`` (identical for any ``workers``).
    """
    if workers <= 1:
        for job in jobs:
            yield solve_city(job)
        return
    with ProcessPoolExecutor(workers) as pool:
        yield from pool.map(solve_city, jobs, chunksize=1)
