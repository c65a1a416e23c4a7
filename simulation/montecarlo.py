"""Monte Carlo over replications through any ``concurrent.futures`` executor.

Replication r always uses ``np.random.SeedSequence(seed).spawn(runs)[r]``, whichever worker runs
it; replications are cut into fixed chunks of ``CHUNK`` (independent of the number of workers)
and reassembled in order, so a seed gives identical results with 1, 2 or K workers, local
processes or a Dask cluster. Within a replication every policy uses the same seed (common
random numbers).
"""

from __future__ import annotations

import os
import sys
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass

import numpy as np

from simulation.model import simulate
from simulation.start import StartState

#: Replications per task; fixed so that chunking never depends on the number of workers.
CHUNK = 25

#: Per-replication arrays kept for every policy.
FIELDS = ("approved", "closed", "waiting", "overflow_out", "overflow_in", "moved_out", "moved_in")


@dataclass
class Samples:
    """All replications of one policy (counts 件; arrays by replication, region[, month]).

    Attributes
    ----------
    approved, closed : (R, C, 12) monthly approvals / closures within the year, reported months included.
    waiting : (R, C) cases without a handler at the year end.
    overflow_out, overflow_in : (R, C) cases handled by another region's handlers (sent / taken).
    moved_out, moved_in : (R, C) applications redirected by the city centre (given / received).
    events : (R,) SimPy events processed per replication.
    """

    approved: np.ndarray
    closed: np.ndarray
    waiting: np.ndarray
    overflow_out: np.ndarray
    overflow_in: np.ndarray
    moved_out: np.ndarray
    moved_in: np.ndarray
    events: np.ndarray

    @property
    def runs(self) -> int:
        """Number of replications R."""
        return len(self.events)


def run_chunk(state: StartState, policies: tuple[str, ...], seeds: list[np.random.SeedSequence]) -> dict:
    """Run a block of replications under each policy; returns {policy: {field: stacked array}}."""
    out: dict = {}
    for policy in policies:
        reps = [simulate(state, policy, s) for s in seeds]
        block = {f: np.stack([getattr(r, f) for r in reps]) for f in FIELDS}
        block["events"] = np.array([r.events for r in reps], dtype=np.int64)
        out[policy] = block
    return out


def default_workers() -> int:
    """Local worker processes by default: the CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def run_monte_carlo(state: StartState, policies: tuple[str, ...], runs: int, seed: int = 0, *, workers: int = 1,
                    executor: Executor | None = None, scheduler: str | None = None,
                    show_progress: bool = False) -> dict[str, Samples]:
    """``runs`` replications under each policy, in parallel.

    Parameters
    ----------
    state : the starting state (``start.build_start``).
    policies : policy names (``policies.POLICIES``).
    runs : number of replications N.
    seed : root seed; replication r uses ``SeedSequence(seed).spawn(runs)[r]``.
    workers : local worker processes (1 = in this process, no pool).
    executor : any ``concurrent.futures.Executor`` to use instead (caller keeps ownership).
    scheduler : address of a Dask scheduler (``tcp://host:8786``); needs the ``dask`` extra.
    show_progress : a tqdm bar on stderr (shown only when stderr is a terminal).
    """
    if runs < 1:
        raise ValueError("runs must be at least 1")
    seeds = np.random.SeedSequence(seed).spawn(runs)
    chunks = [seeds[i:i + CHUNK] for i in range(0, runs, CHUNK)]
    bar = _progress_bar(runs, show_progress)
    results: list = [None] * len(chunks)
    try:
        if executor is not None:
            _submit_all(executor, state, policies, chunks, results, bar)
        elif scheduler:
            client = _dask_client(scheduler)
            try:
                with client.get_executor() as pool:
                    _submit_all(pool, state, policies, chunks, results, bar)
            finally:
                client.close()
        elif workers > 1 and len(chunks) > 1:
            with ProcessPoolExecutor(max_workers=min(workers, len(chunks))) as pool:
                _submit_all(pool, state, policies, chunks, results, bar)
        else:
            for i, chunk in enumerate(chunks):
                results[i] = run_chunk(state, policies, chunk)
                if bar is not None:
                    bar.update(len(chunk))
    finally:
        if bar is not None:
            bar.close()
    merged = {}
    for policy in policies:
        merged[policy] = Samples(**{f: np.concatenate([r[policy][f] for r in results]) for f in (*FIELDS, "events")})
    return merged


def _submit_all(pool: Executor, state, policies, chunks, results, bar) -> None:
    futures = {pool.submit(run_chunk, state, policies, chunk): i for i, chunk in enumerate(chunks)}
    for future in as_completed(futures):
        i = futures[future]
        results[i] = future.result()
        if bar is not None:
            bar.update(len(chunks[i]))


def _progress_bar(total: int, show: bool):
    if not show or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc="模拟", unit="次", file=sys.stderr, leave=False)


def _dask_client(address: str):
    """A Dask distributed client for ``address``; a clear error when dask is not installed."""
    try:
        from dask.distributed import Client
    except ImportError as exc:  # pragma: no cover - dask is installed in dev
        raise RuntimeError("使用 --scheduler 需要安装 dask[distributed]（pip install 'legalaid[dask]'）") from exc
    return Client(address, timeout="20s")
