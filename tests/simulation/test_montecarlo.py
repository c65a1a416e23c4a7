"""Monte Carlo: the same seed gives identical results with 1 or 2 processes and on a Dask cluster."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from simulation import build_start, project
from simulation.model import simulate
from simulation.montecarlo import CHUNK, FIELDS, run_monte_carlo


def assert_same_samples(a, b):
    assert a.policies == b.policies
    for policy in a.policies:
        for field in (*FIELDS, "events"):
            np.testing.assert_array_equal(getattr(a.samples[policy], field), getattr(b.samples[policy], field))
    assert a.summary.equals(b.summary) and a.comparison.equals(b.comparison)


def test_one_and_two_workers_give_identical_results(anqing, example6):
    """All three policies, 60 replications (3 chunks): 1 process vs a pool of 2 processes, bit for bit."""
    kwargs = dict(runs=60, seed=7, policies="all")
    one = project(anqing, example6.progress, example6.lawyers, workers=1, **kwargs)
    two = project(anqing, example6.progress, example6.lawyers, workers=2, **kwargs)
    assert_same_samples(one, two)
    other = project(anqing, example6.progress, example6.lawyers, workers=1, runs=60, seed=8, policies="all")
    assert not np.array_equal(one.samples["none"].approved, other.samples["none"].approved)


def test_replication_r_uses_the_r_th_spawned_seed(anqing, example6):
    """Replication r is SeedSequence(seed).spawn(N)[r], whatever N and chunking: a prefix of a longer run matches."""
    state = build_start(anqing, example6.progress, example6.lawyers)
    short = run_monte_carlo(state, ("overflow",), CHUNK + 3, seed=2)["overflow"]
    with ThreadPoolExecutor(max_workers=2) as pool:
        longer = run_monte_carlo(state, ("overflow",), 2 * CHUNK + 1, seed=2, executor=pool)["overflow"]
    np.testing.assert_array_equal(short.approved, longer.approved[:CHUNK + 3])
    direct = simulate(state, "overflow", np.random.SeedSequence(2).spawn(1000)[CHUNK + 1])
    np.testing.assert_array_equal(direct.closed, longer.closed[CHUNK + 1])


def test_dask_local_cluster_gives_identical_results(anqing, example6):
    """--scheduler path: a Dask LocalCluster (threads, no extra processes) reproduces the local run."""
    distributed = pytest.importorskip("dask.distributed")
    kwargs = dict(runs=30, seed=4, policies=("none", "rebalance"))
    local = project(anqing, example6.progress, example6.lawyers, workers=1, **kwargs)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        remote = project(anqing, example6.progress, example6.lawyers, scheduler=cluster.scheduler_address, **kwargs)
    assert_same_samples(local, remote)
