"""The parameter posterior (simulation.posterior, simulation.history) on data drawn here, not by the model."""

import numpy as np
import pandas as pd
import pytest

from scenarios.example import generate_example
from simulation import SimulationParams, build_start, project
from simulation.history import HistoryArrays, eb_shrink, history_arrays, overdispersion, seasonal_profile
from simulation.posterior import this_year_posterior

PROFILE = np.array([0.8, 0.6, 1.0, 1.0, 1.1, 1.2, 0.9, 0.9, 1.0, 1.0, 1.1, 1.4])
PROFILE = PROFILE / PROFILE.mean()


def nb_years(rng, years, sizes, phi, profile=PROFILE, city_sd=0.0):
    """Monthly negative-binomial counts (years, regions, 12) with a known profile and dispersion φ."""
    mu = np.asarray(sizes)[None, :, None] / 12 * profile[None, None, :]
    mu = mu * np.exp(city_sd * rng.standard_normal((years, 1, 1)))
    return rng.poisson(rng.gamma(phi, mu / phi))


def test_partial_pooling_shrinks_short_histories_more():
    """A county with one year borrows more from the city profile than one with eight (empirical Bayes)."""
    rng = np.random.default_rng(1)
    own = PROFILE * np.array([1.3, 1.3, 1, 1, 1, 1, 0.8, 0.8, 1, 1, 1, 0.8])
    a = np.concatenate([nb_years(rng, 8, [3000] * 6, 40.0), nb_years(rng, 8, [3000], 40.0, own / own.mean())], axis=1)
    complete = np.ones(a.shape[:2], bool)
    long_season, _ = seasonal_profile(a, complete)
    short = complete.copy()
    short[:7, 6] = False  # the odd county has only its last year
    short_season, short_sd = seasonal_profile(a, short)
    city = long_season[:6].mean(axis=0)
    gap_long = np.abs(long_season[6] - city).sum()
    gap_short = np.abs(short_season[6] - city).sum()
    assert gap_short < gap_long  # pulled towards the city
    assert np.abs(long_season[6] - own / own.mean()).sum() < np.abs(city - own / own.mean()).sum()  # but still its own
    assert short_sd[6].mean() > short_sd[0].mean()  # and less sure of it
    assert np.allclose(long_season.mean(axis=1), 1.0)


def test_overdispersion_recovers_a_known_phi():
    """1/φ by moments around year total × profile, pooled: within 30% of the truth on 11 regions × 6 years."""
    rng = np.random.default_rng(2)
    for phi in (15.0, 60.0):
        a = nb_years(rng, 6, rng.uniform(300, 3000, 11), phi)
        season, _ = seasonal_profile(a, np.ones((6, 11), bool))
        k = overdispersion(a, np.ones((6, 11), bool), season)
        assert np.median(k) == pytest.approx(1 / phi, rel=0.3)


def test_eb_shrink_by_hand():
    """τ² = var(raw) − mean(var) by moments; B = v / (v + τ²); no data → the centre and τ²."""
    raw, var = np.array([1.0, 3.0, 0.0]), np.array([0.5, 0.5, 1.0])
    post, pvar = eb_shrink(raw, var, np.array([True, True, False]), 2.0)
    tau2 = np.var([1.0, 3.0], ddof=1) - 0.5
    b = 0.5 / (0.5 + tau2)
    assert post == pytest.approx([b * 2 + (1 - b) * 1, b * 2 + (1 - b) * 3, 2.0])
    assert pvar == pytest.approx([(1 - b) * 0.5, (1 - b) * 0.5, tau2])


def test_city_factor_is_found_when_years_move_together(anqing):
    """Years with a common city shock give a city drift sd; without one the regions' drift dominates."""
    rng = np.random.default_rng(3)
    C = len(anqing.region_ids)
    sizes = rng.uniform(200, 1500, C)

    def history(shared):
        a = nb_years(rng, 6, sizes, 80.0)
        second_half = np.exp(shared * rng.standard_normal((6, 1, 1)))
        a[:, :, 6:] = rng.poisson(a[:, :, 6:] * second_half)
        rows = [(anqing.region_ids[c], 2017 + y, j + 1, int(a[y, c, j]), int(a[y, c, j] * 0.7))
                for y in range(6) for c in range(C) for j in range(12)]
        return pd.DataFrame(rows, columns=["region", "year", "month", "approved", "closed"])

    example = generate_example(anqing, month=6, seed=0)
    moving = build_start(anqing, example.progress, history=history(0.25)).posterior
    still = build_start(anqing, example.progress, history=history(0.0)).posterior
    assert moving.source == still.source == "history" and moving.years == 6
    assert moving.drift_city_sd > 0.1 > still.drift_city_sd


def test_without_history_uncertainty_is_wider_for_smaller_counties(anqing):
    """No history: this year's months give 1/φ (with its prior) and each county's sd includes its estimation noise."""
    example = generate_example(anqing, month=6, seed=0)
    state = build_start(anqing, example.progress)
    post = state.posterior
    assert post.source == "this_year" and post.years == 0
    ytd = state.approved_m.sum(axis=1)
    assert post.drift_county_sd[np.argmin(ytd)] > post.drift_county_sd[np.argmax(ytd)]
    params = SimulationParams.default()
    scale = post.inv_phi[0] / params.overdispersion_prior  # the assumed drift sds scale with the months' noise
    assert np.all(post.drift_county_sd ** 2 >= scale * params.drift_county_sd ** 2 - 1e-12)
    on_profile = np.tile(np.asarray(params.seasonality) * 100.0, (4, 1))  # months exactly on the profile
    still = this_year_posterior(3, on_profile, params)
    assert still.inv_phi[0] < params.overdispersion_prior
    # counties that wobble each their own way: overdispersion, wider for every county
    own = np.array([[1.5, 0.6, 1.3], [0.6, 1.4, 0.8], [1.2, 0.7, 1.1], [0.7, 1.3, 0.9]])
    wobbly = this_year_posterior(3, on_profile * np.hstack([own, np.ones((4, 9))]), params)
    assert wobbly.inv_phi[0] > params.overdispersion_prior
    assert wobbly.drift_county_sd[0] > still.drift_county_sd[0] and wobbly.drift_city_sd > still.drift_city_sd


def test_without_history_the_months_to_date_correct_the_assumed_profile():
    """A New Year dip shallower than assumed, in every county: the weights of January and February
    move towards what the months show (against March), the months ahead keep the assumed weights,
    and the profile's error stays in the city factor of the drift."""
    params = SimulationParams.default()
    assumed = np.asarray(params.seasonality)
    shallow = assumed.copy()
    shallow[:2] = [1.0, 0.95]  # this city's January and February
    months = np.tile(shallow * 200.0, (4, 1))
    post = this_year_posterior(3, months, params)
    profile = post.season[0] / post.season[0, 2]  # relative to March
    assert assumed[0] / assumed[2] < profile[0] <= shallow[0] / shallow[2] + 1e-9
    assert assumed[1] / assumed[2] < profile[1] <= shallow[1] / shallow[2] + 1e-9
    assert profile[0] > 0.95 and profile[1] > 0.85  # 800 cases a month measure the dip well
    np.testing.assert_allclose(post.season[0, 3:] / post.season[0, 3], assumed[3:] / assumed[3])
    assert post.inv_phi[0] < params.overdispersion_prior  # a shared dip is the profile's, not noise
    ahead = np.sqrt(sum((assumed[3:] / assumed[3:].sum()) ** 2 * np.asarray(params.seasonality_sd[3:]) ** 2))
    assert post.drift_city_sd > ahead
    flat = this_year_posterior(3, months, params.with_(seasonality_sd=(0.0,) * 12))
    np.testing.assert_allclose(flat.season[0], assumed / assumed.mean())  # no uncertainty: nothing learned


def test_short_history_is_not_used_and_said_so(anqing):
    """One complete year is below history_min_years: the posterior is this year's, with a note."""
    example = generate_example(anqing, month=6, seed=0)
    rows = [(r, 2022, m, 30, 20) for r in anqing.region_ids for m in range(1, 13)]
    state = build_start(anqing, example.progress, history=pd.DataFrame(rows, columns=["region", "year", "month",
                                                                                      "approved", "closed"]))
    assert state.posterior.source == "this_year"
    assert [n.code for n in state.notes if n.code.startswith("history")] == ["history_short"]


def test_history_arrays_ignore_the_plan_year_and_mark_incomplete_years():
    """Years from the plan's on are dropped; a region-year missing a month is not complete."""
    frame = pd.DataFrame([("a", 2021, m, 1, 0) for m in range(1, 13)] + [("b", 2021, m, 1, 0) for m in range(1, 12)]
                         + [("a", 2023, 1, 5, 0)], columns=["region", "year", "month", "approved", "closed"])
    h = history_arrays(frame, ("a", "b"), before=2023)
    assert isinstance(h, HistoryArrays) and h.years == (2021,)
    assert h.complete.tolist() == [[True, False]] and h.city_years == 1


def test_history_posterior_same_seed_same_results_across_workers(anqing):
    """With a history table and every policy, 1 and 2 workers give bit-identical replications."""
    rng = np.random.default_rng(4)
    C = len(anqing.region_ids)
    a = nb_years(rng, 4, rng.uniform(200, 1500, C), 30.0)
    rows = [(anqing.region_ids[c], 2019 + y, j + 1, int(a[y, c, j]), int(a[y, c, j] * 0.8))
            for y in range(4) for c in range(C) for j in range(12)]
    history = pd.DataFrame(rows, columns=["region", "year", "month", "approved", "closed"])
    example = generate_example(anqing, month=6, seed=0)
    one = project(anqing, example.progress, example.lawyers, runs=50, seed=7, policies="all", workers=1, history=history)
    two = project(anqing, example.progress, example.lawyers, runs=50, seed=7, policies="all", workers=2, history=history)
    assert one.state.posterior.source == "history"
    for p in one.policies:
        for field in ("approved", "closed", "waiting", "moved_in", "overflow_in", "events"):
            assert np.array_equal(getattr(one.samples[p], field), getattr(two.samples[p], field))
    assert one.summary.equals(two.summary)
