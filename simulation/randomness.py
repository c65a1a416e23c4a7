"""A replication's randomness: named generator streams, the draws of its parameters and arrivals.

Every stream is derived from the replication's ``SeedSequence`` by a fixed spawn key, so the
same replication seed gives every policy the same rates, arrivals and closures (common random
numbers), whatever worker runs it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulation.posterior import blend_rate
from simulation.start import StartState

#: Streams derived from a replication's SeedSequence, by purpose.
STREAMS = ("rates", "arrivals", "policy", "durations", "carry", "clearance")


def child(seed: np.random.SeedSequence, *key: int) -> np.random.SeedSequence:
    """The child of ``seed`` with spawn key suffix ``key`` (fixed, independent of spawn counters)."""
    return np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, *key), pool_size=seed.pool_size)


def streams(seed: np.random.SeedSequence) -> dict[str, np.random.Generator]:
    """The replication's generators by purpose (``STREAMS``); "durations" is split per region later."""
    return {name: np.random.Generator(np.random.PCG64(child(seed, i))) for i, name in enumerate(STREAMS)}


@dataclass(frozen=True)
class YearDraw:
    """One replication's parameters (``draw_year``).

    month_mu : expected approvals per region and remaining month (C, 12 − m), drift, seasonality
        and the negative-binomial month factor included (件).
    close_factor : multiplier of each region's handling times (C,).
    clearance : share of each region's cases approved before December and open at 31 December that
        close in December instead (C,); None when the posterior has none.
    """

    month_mu: np.ndarray
    close_factor: np.ndarray
    clearance: np.ndarray | None = None


def draw_year(state: StartState, rng: np.random.Generator) -> YearDraw:
    """Draw this replication's parameters from ``state.posterior`` (point values when it is "none").

    Seasonality: each log weight moves by its posterior sd (then each region's profile is scaled
    back to mean 1) and the rate to date is re-estimated on the drawn profile (recency weighted); the rate of the rest
    of the year is that rate × exp(bias + city factor + region factor) (normal, sds
    ``drift_city_sd`` and ``drift_county_sd``); each month's mean is multiplied by a
    Gamma(φ, 1/φ) factor (negative-binomial months); handling times by exp(bias + city + region);
    the year-end clearance (drawn last, only when the posterior has one, so that the other draws
    are those of a posterior without it) = its share + city + region normal factors, within
    [0, ``clearance_max``].
    """
    post, m, C = state.posterior, state.month, state.n_regions
    if post.source == "none":
        return YearDraw(month_mu=state.rate_hat[:, None] * state.season[:, m:], close_factor=np.ones(C))
    season = state.season * np.exp(post.season_sd * rng.standard_normal((C, 12)) - post.season_sd ** 2 / 2)
    season = season / season.mean(axis=1, keepdims=True)
    if m > 0:
        r = post.recency[:m]
        rate = np.maximum((state.approved_m[:, :m] * r).sum(axis=1), 0.5 * r.max()) / (season[:, :m] * r).sum(axis=1)
        rate = blend_rate(rate, post.prior_rate, post.blend)
    else:
        rate = state.targets / season.sum(axis=1)
    drift = post.drift_bias + post.drift_city_sd * rng.standard_normal() + post.drift_county_sd * rng.standard_normal(C)
    mu = (rate * np.exp(drift))[:, None] * season[:, m:]
    k = post.inv_phi[:, None]
    if np.any(k > 0):
        shape = 1.0 / np.where(k > 0, k, 1.0)
        mu = np.where(k > 0, mu * rng.gamma(np.broadcast_to(shape, mu.shape), 1.0) / shape, mu)
    close = np.exp(post.close_bias + post.close_city_sd * rng.standard_normal()
                   + post.close_county_sd * rng.standard_normal(C))
    clearance = None
    if post.has_clearance:
        clearance = np.clip(post.clearance + post.clearance_city_sd * rng.standard_normal()
                            + post.clearance_county_sd * rng.standard_normal(C), 0.0, state.params.clearance_max)
    return YearDraw(month_mu=mu, close_factor=close, clearance=clearance)


def draw_arrivals(state: StartState, draw: YearDraw, rng: np.random.Generator) -> np.ndarray:
    """Natural applications per region, remaining day and kind, (C, D, 3): Poisson days of each month."""
    days_in = np.diff(state.edges)
    j = state.day_month
    mu = draw.month_mu[:, j - state.month] / days_in[j][None, :]
    if state.params.deterministic:
        return mu[:, :, None] * state.mix[None, None, :]
    return rng.multinomial(rng.poisson(mu), state.mix)
