"""Monte Carlo over replications through any ``concurrent.futures`` executor.

Replication r always uses ``np.random.SeedSequence(seed).spawn(runs)[r]``, whichever worker runs
it; replications are cut into fixed chunks of ``CHUNK`` (independent of the number of workers)
and reassembled in order, so a seed gives identical results with 1, 2 or K workers, local
processes or a Dask cluster. Within a replication every policy uses the same seed (common
random numbers).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass

import numpy as np

from simulation.model import YearCounts, simulate
from simulation.start import StartState

#: Replications per task; fixed so that chunking never depends on the number of workers.
CHUNK = 25

#: Per-replication arrays kept for every policy.
FIELDS = ("approved", "closed", "waiting", "overflow_out", "overflow_in", "moved_out", "moved_in")


@dataclass
class Samples(YearCounts):
    """All replications of one policy: ``YearCounts`` stacked by replication (R, C[, 12]), and the
    process steps of each replication, ``events`` (R,)."""

    events: np.ndarray = None

    @property
    def runs(self) -> int:
        """Number of replications R."""
        return len(self.events)


def run_chunk(state: StartState, policies: tuple[str, ...], seeds: list[np.random.SeedSequence]) -> dict:
    """Run a block of replications under each policy; returns {policy: {field: stacked array}}."""
    out: dict = {}
    shared = [{} for _ in seeds]  # per replication: the policy-independent draws (model.simulate)
    for policy in policies:
        reps = [simulate(state, policy, s, shared=m) for s, m in zip(seeds, shared, strict=True)]
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
                    progress: Callable[[int], None] | None = None) -> dict[str, Samples]:
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
    progress : called with the number of replications each finished chunk held (e.g. a bar's update).
    """
    if runs < 1:
        raise ValueError("runs must be at least 1")
    seeds = np.random.SeedSequence(seed).spawn(runs)
    chunks = [seeds[i:i + CHUNK] for i in range(0, runs, CHUNK)]
    results: list = [None] * len(chunks)
    if executor is not None:
        _submit_all(executor, state, policies, chunks, results, progress)
    elif scheduler:
        client = _dask_client(scheduler)
        try:
            with client.get_executor() as pool:
                _submit_all(pool, state, policies, chunks, results, progress)
        finally:
            client.close()
    elif workers > 1 and len(chunks) > 1:
        with ProcessPoolExecutor(max_workers=min(workers, len(chunks)), initializer=die_with_parent,
                                 initargs=(os.getpid(),)) as pool:
            _submit_all(pool, state, policies, chunks, results, progress)
    else:
        for i, chunk in enumerate(chunks):
            results[i] = run_chunk(state, policies, chunk)
            if progress is not None:
                progress(len(chunk))
    merged = {}
    for policy in policies:
        merged[policy] = Samples(**{f: np.concatenate([r[policy][f] for r in results]) for f in (*FIELDS, "events")})
    return merged


def _submit_all(pool: Executor, state, policies, chunks, results, progress) -> None:
    futures = {pool.submit(run_chunk, state, policies, chunk): i for i, chunk in enumerate(chunks)}
    for future in as_completed(futures):
        i = futures[future]
        results[i] = future.result()
        if progress is not None:
            progress(len(chunks[i]))


def die_with_parent(parent: int) -> None:
    """In a worker process: end when the parent process ends, even by SIGKILL.

    Linux: the kernel sends SIGKILL on the parent's death (``prctl(PR_SET_PDEATHSIG)``); elsewhere a
    daemon thread notices that the parent is gone (re-parented) within a second.
    """
    import ctypes
    import signal
    import threading
    import time

    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before the signal was set up
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _dask_client(address: str):
    """A Dask distributed client for ``address`` (ImportError when the ``dask`` extra is missing)."""
    from dask.distributed import Client

    return Client(address, timeout="20s")
