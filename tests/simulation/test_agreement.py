"""The SimPy model against the arithmetic and the closed form (unlimited capacity, policy none)."""

import numpy as np
import pytest
from scipy import special

from simulation import build_start, closed_form, simulate, vectorised
from simulation.montecarlo import run_monte_carlo
from simulation.params import KINDS

from .helpers import simple_params


def test_deterministic_mode_equals_the_arithmetic(anqing, example6):
    """Zero variance: monthly approvals are rate × weight and closures follow mean handling times, exactly.

    Seasonal profile, calibrated durations and carried-over cases are all in play; the expected
    figures are recomputed here by plain loops over days, kinds and open-case classes.
    """
    params = simple_params().with_(seasonality=tuple(np.linspace(0.7, 1.3, 12)), calibrate="region")
    state = build_start(anqing, example6.progress, None, params=params)
    rep = simulate(state, "none", np.random.SeedSequence(0))
    m, edges, w = state.month, state.edges, state.weights
    year_end = edges[12]
    for c in range(state.n_regions):
        ytd = example6.progress.query("region == @state.region_ids[@c]")["approved"].sum()
        rate = ytd / w[:m].sum()
        for j in range(m, 12):
            assert rep.approved[c, j] == pytest.approx(rate * w[j], rel=1e-12)
        closed = example6.progress.query("region == @state.region_ids[@c]")["closed"].sum()
        for day in range(int(edges[m]), int(year_end)):
            j = int(np.searchsorted(edges, day, side="right") - 1)
            per_day = rate * w[j] / (edges[j + 1] - edges[j])
            for k in range(len(KINDS)):
                if day + 0.5 + state.mean_days[c, k] <= year_end:
                    closed += per_day * state.mix[k]
        for age, kind, prob in zip(state.carry_age[c], state.carry_kind[c], state.carry_prob[c], strict=True):
            shape, scale = state.shape[kind], state.scale[c, kind]
            residual = shape * scale * special.gammaincc(shape + 1, age / scale) / special.gammaincc(shape, age / scale) - age
            if edges[m] + residual <= year_end:
                closed += state.open_cases[c] * prob
        assert rep.closed[c].sum() == pytest.approx(closed, rel=1e-9)
    assert len(set(state.duration_factor)) == state.n_regions  # per-region calibration was really exercised


def test_simpy_agrees_with_closed_form_within_monte_carlo_error(anqing, example6):
    """300 SimPy replications vs exact NB/Poisson answers: means and P(target) within 4 standard errors."""
    state = build_start(anqing, example6.progress, None)
    runs = 300
    s = run_monte_carlo(state, ("none",), runs, seed=11)["none"]
    exact = closed_form(state)
    year = s.approved.sum(axis=2)
    closed = s.closed.sum(axis=2)
    se = year.std(axis=0, ddof=1) / np.sqrt(runs)
    assert np.all(np.abs(year.mean(axis=0) - exact["approved_mean"]) < 4 * se)
    assert np.allclose(year.std(axis=0, ddof=1), exact["approved_sd"], rtol=0.2)
    p = exact["p_reach"].to_numpy()
    p_sim = (year >= state.targets).mean(axis=0)
    assert np.all(np.abs(p_sim - p) < 4 * np.sqrt(p * (1 - p) / runs) + 0.01)
    se_c = closed.std(axis=0, ddof=1) / np.sqrt(runs)
    assert np.all(np.abs(closed.mean(axis=0) - exact["closed_mean"]) < 4 * se_c + 1e-9)


def test_vectorised_projection_agrees_with_closed_form(anqing, example6):
    """5,000 vectorised replications: means of approvals and closures within 4 standard errors of exact."""
    state = build_start(anqing, example6.progress, None)
    v = vectorised(state, 5_000, seed=3)
    exact = closed_form(state)
    for key, col in (("approved", "approved_mean"), ("closed", "closed_mean")):
        year = v[key].sum(axis=2)
        se = year.std(axis=0, ddof=1) / np.sqrt(len(year))
        assert np.all(np.abs(year.mean(axis=0) - exact[col]) < 4 * se)


def test_point_estimate_mode_is_poisson(anqing, example6):
    """Without rate uncertainty the remaining year is Poisson: SimPy variance ≈ mean remaining approvals."""
    params = simple_params().with_(deterministic=False, seasonality=tuple(np.ones(12)))
    state = build_start(anqing, example6.progress, None, params=params)
    s = run_monte_carlo(state, ("none",), 200, seed=5)["none"]
    remaining = s.approved[:, :, 6:].sum(axis=2)
    ratio = remaining.var(axis=0, ddof=1) / remaining.mean(axis=0)
    assert np.all((ratio > 0.6) & (ratio < 1.5))  # chi-square(199)/199 stays within this band
    exact = closed_form(state)
    assert np.allclose(exact["approved_sd"] ** 2, exact["approved_mean"] - state.approved_m.sum(axis=1))


def test_per_region_calibration_reproduces_each_regions_closures_to_date(anqing, example6):
    """Each region's fitted handling-time factor makes its expected closures to date equal its reported ones."""
    state = build_start(anqing, example6.progress, None)
    assert state.params.calibrate == "region"
    edges, m = state.edges, state.month
    lo, hi = state.params.calibrate_bounds
    for c in range(state.n_regions):
        assert lo < state.duration_factor[c] < hi
        expected = 0.0
        for day in range(int(edges[m])):
            j = int(np.searchsorted(edges, day, side="right") - 1)
            per_day = state.approved_m[c, j] / (edges[j + 1] - edges[j])
            age = edges[m] - day - 0.5
            expected += per_day * sum(state.mix[k] * special.gammainc(state.shape[k], age / state.scale[c, k])
                                      for k in range(len(KINDS)))
        assert expected == pytest.approx(state.closed_m[c].sum(), rel=1e-8)
    assert np.ptp(state.duration_factor) > 0.2  # the example's counties close at different paces
