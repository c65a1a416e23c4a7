"""The year-end clearance: estimated from earlier Decembers, applied to the cases open at year end.

The history here is drawn case by case with lognormal handling times (the model assumes gamma ones)
and a known share of the cases approved before December, still open at 31 December, closed in
December instead.
"""

import calendar
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from scenarios.example import generate_example
from simulation import build_start, closed_form, simulate
from simulation.history import history_arrays
from simulation.history_closures import clearance_posterior
from simulation.montecarlo import run_monte_carlo
from simulation.params import SimulationParams


def case_history(rng, region_ids, share, years=5, first=2018, sizes=None):
    """Monthly approvals and closures drawn case by case: lognormal lags (median 60 天, σ 0.7) and a
    year-end clearance ``share`` (one number, or one per region)."""
    sizes = rng.uniform(300, 1500, len(region_ids)) if sizes is None else sizes
    shares = np.broadcast_to(np.asarray(share, dtype=float), (len(region_ids),))
    rows = []
    for y in range(years):
        year = first + y
        lengths = np.array([calendar.monthrange(year, m)[1] for m in range(1, 13)])
        edges = np.concatenate([[0], np.cumsum(lengths)])
        for c, rid in enumerate(region_ids):
            counts = rng.poisson(sizes[c] / 12, 12)
            month = np.repeat(np.arange(12), counts)
            start = edges[month] + rng.uniform(0, lengths[month])
            end = start + rng.lognormal(np.log(60), 0.7, len(start))
            pulled = (start < edges[11]) & (end >= edges[12]) & (rng.random(len(start)) < shares[c])
            end = np.where(pulled, edges[12] - 1, end)
            closed = np.bincount(np.searchsorted(edges, end[end < edges[12]], side="right") - 1, minlength=12)
            rows += [(rid, year, j + 1, int(counts[j]), int(closed[j])) for j in range(12)]
    return pd.DataFrame(rows, columns=["region", "year", "month", "approved", "closed"])


def test_clearance_is_found_in_decembers_that_close_more(anqing):
    """A 30% clearance in the history gives a share near 0.3; none gives a share near 0."""
    rng = np.random.default_rng(21)
    ids = anqing.region_ids
    params = SimulationParams.default()
    strong = clearance_posterior(history_arrays(case_history(rng, ids, 0.3), ids), params)
    none = clearance_posterior(history_arrays(case_history(rng, ids, 0.0), ids), params)
    assert np.median(strong["clearance"]) == pytest.approx(0.3, abs=0.08)
    assert np.median(none["clearance"]) < 0.06
    assert np.all((strong["clearance"] >= 0) & (strong["clearance"] <= params.clearance_max))


def test_regions_keep_their_own_clearance_when_the_history_shows_it(anqing):
    """Half the regions clear 40%, half none: the estimates separate (partial pooling, not a city mean)."""
    rng = np.random.default_rng(22)
    ids = anqing.region_ids
    share = np.where(np.arange(len(ids)) % 2 == 0, 0.4, 0.0)
    got = clearance_posterior(history_arrays(case_history(rng, ids, share, sizes=np.full(len(ids), 1200.0)), ids),
                              SimulationParams.default())["clearance"]
    assert got[share > 0].min() > got[share == 0].max()


def test_clearance_moves_only_late_cases_into_december_and_keeps_every_case_once(anqing):
    """Same replication with and without the clearance: approvals and the months before December
    are identical (common random numbers); December gains exactly the cases no longer closing after
    the year; no case closes twice (closures within the year never exceed the year's approvals + the
    cases carried into the year, here none beyond the approvals to date)."""
    rng = np.random.default_rng(23)
    example = generate_example(anqing, month=9, seed=0)
    state = build_start(anqing, example.progress, history=case_history(rng, anqing.region_ids, 0.35))
    assert state.posterior.has_clearance and state.posterior.clearance.min() > 0.1
    without = replace(state, posterior=replace(state.posterior, clearance=None))
    for s in range(20):
        seed = np.random.SeedSequence([5, s])
        a, b = simulate(state, "none", seed), simulate(without, "none", seed)
        assert np.array_equal(a.approved, b.approved)
        assert np.array_equal(a.closed[:, :11], b.closed[:, :11])
        assert np.all(a.closed[:, 11] >= b.closed[:, 11])
        assert np.all(a.closed.sum(axis=1) <= a.approved.sum(axis=1))
    runs = run_monte_carlo(state, ("none",), 100, seed=3)["none"]
    base = run_monte_carlo(without, ("none",), 100, seed=3)["none"]
    gain = runs.closed[:, :, 11].sum() / base.closed[:, :, 11].sum()
    assert gain > 1.1


def test_simpy_with_clearance_agrees_with_closed_form(anqing):
    """300 SimPy replications with a history's clearance: yearly closures within 4 standard errors of
    the closed form (which moves E[share] of the after-the-year probability into December)."""
    rng = np.random.default_rng(24)
    example = generate_example(anqing, month=6, seed=0)
    state = build_start(anqing, example.progress, history=case_history(rng, anqing.region_ids, 0.3))
    post = state.posterior
    state = replace(state, posterior=replace(post, season_sd=np.zeros_like(post.season_sd)))
    s = run_monte_carlo(state, ("none",), 300, seed=9)["none"]
    exact = closed_form(state)
    closed = s.closed.sum(axis=2)
    se = closed.std(axis=0, ddof=1) / np.sqrt(len(closed))
    assert np.all(np.abs(closed.mean(axis=0) - exact["closed_mean"]) < 4 * se + 1e-9)
    no_clearance = closed_form(replace(state, posterior=replace(state.posterior, clearance=None)))
    assert np.all(exact["closed_mean"] > no_clearance["closed_mean"])


def test_no_history_no_clearance(anqing, example6):
    """Without a history table no plan or data gives a clearance: none is modelled."""
    state = build_start(anqing, example6.progress)
    assert not state.posterior.has_clearance


def test_expected_clearance_is_the_mean_of_the_clipped_draw(anqing, example6):
    """E[clip(share + city + region factor, 0, cap)] in closed form equals the mean of many draws."""
    state = build_start(anqing, example6.progress)
    C = state.n_regions
    share = np.linspace(-0.05, 0.9, C)
    post = replace(state.posterior, clearance=share, clearance_city_sd=0.1, clearance_county_sd=0.15)
    rng = np.random.default_rng(25)
    draws = np.clip(share + 0.1 * rng.standard_normal((200_000, 1)) + 0.15 * rng.standard_normal((200_000, C)),
                    0.0, 0.95)
    assert post.expected_clearance(0.95) == pytest.approx(draws.mean(axis=0), abs=2e-3)
