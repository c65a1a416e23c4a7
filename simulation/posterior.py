"""The posterior of a projection's parameters: seasonality, overdispersion, rate and closure drift.

A replication of the rest of the year draws its parameters from a ``Posterior`` (see
``simulation.randomness.draw_year``):

- seasonality ``season`` (C, 12), mean 1 per region, with the sd of each log weight;
- month-to-month overdispersion ``inv_phi`` = 1/φ of a negative binomial month (Var = μ + μ²/φ);
- the rate drift: log(rate of months m+1..12 / rate of months 1..m) = bias + a city factor shared
  by every region + a region factor (both normal; the region sd includes the estimation noise of
  this year's rate; the city sd is widened so that its 90% interval is the Student t one with
  the history's degrees of freedom: five years do not pretend to know the city's spread
  exactly); trends, mid-year shocks and the December push are all in it, as far as earlier
  years show them;
- the handling-time drift: log(factor fitted to January-November / factor fitted to date), with a
  bias and city and region sds;
- the year-end clearance (history only): the share of the cases approved before December and still
  open at 31 December that close in December instead, per region, with city and region sds
  (``simulation.history_closures.clearance_posterior``); none without history (no plan sets one).

Two sources:

``history_posterior`` (a history table of earlier complete years): seasonality with partial
pooling (empirical Bayes, normal-normal): each region's profile is its own mean share shrunk
towards the city profile by B = v / (v + τ²), v its sampling variance, τ² the between-region
variance (method of moments); overdispersion by moments, pooled the same way; the rate
estimator (recency-weighted rate to date, blended with last year's level × the city's typical
growth; its time constant τ and blend weight w are the pair whose errors in the earlier years
at month m were smallest); the drifts from the errors that estimator made in every earlier
year at the same month m (leave-one-year-out profile), split into a city-year component and a
region component (method of moments, the negative-binomial noise of the months subtracted).

``this_year_posterior`` (no history): the assumed seasonality, each weight with an assumed
uncertainty (``SimulationParams.seasonality_sd``), corrected by the city's months to date where
they measure it (``learn_profile``: e.g. how deep this year's New Year dip was, against March);
the error the profile can still make (the posterior of the months to date, the prior of the
months ahead) is added to the city factor of the drift: it is shared by every county.
Overdispersion by moments from this year's months around that profile, combined with a prior
(``SimulationParams.overdispersion_prior``); drift sds from the parameters (assumptions) plus the
estimation noise of the rate to date: wide, honestly.
The assumed drift variances (``drift_city_sd``, ``drift_county_sd``) are for a city whose months
vary with the prior's overdispersion; they scale with the ratio of the 1/φ found to the prior's (a
city whose months follow Poisson around the profile shows no sign of a wandering rate).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulation.params import SimulationParams


@dataclass(frozen=True)
class Posterior:
    """Parameter posterior for the months after m (arrays by region in plan order).

    Attributes
    ----------
    source : "history", "this_year" or "none" (no uncertainty: point estimates, Poisson).
    years : earlier complete city-years used (0 without history).
    season : seasonal weights (C, 12), mean 1 per region.
    season_sd : posterior sd of each log weight (C, 12).
    inv_phi : monthly overdispersion 1/φ per region (C,).
    recency : weight of each month to date in the rate estimate (12,): exp(−(m − j)/τ) for months
        j < m, τ chosen on the history (the τ whose errors in earlier years were smallest; a
        level that shifts mid-year is followed sooner); ones without history.
    blend : per region, weight w of this year's rate against last year's level grown by the city's
        typical growth (log rate = w · log rate to date + (1 − w) · log prior): w = A / (A + v), v the
        variance of the log rate to date, A chosen on the history with τ; ones without history (C,).
    prior_rate : last year's level × growth per region (件 per unit seasonal weight); NaN where unknown.
    drift_bias : mean of the log rate drift (C,).
    drift_city_sd : sd of the city factor of the drift (shared by every region).
    drift_county_sd : sd of each region's own drift, estimation noise included (C,).
    close_bias : mean of the log handling-time drift per region (C,): a region whose lags have a longer
        tail than the gamma shape assumed closes slower later in the year than its months to date show.
    close_city_sd, close_county_sd : sds of the handling-time drift, city-wide and per region.
    clearance : year-end clearance share per region (C,); None = none.
    clearance_city_sd, clearance_county_sd : sds of a year's clearance around it (city-wide, per region).
    """

    source: str
    years: int
    season: np.ndarray
    season_sd: np.ndarray
    inv_phi: np.ndarray
    recency: np.ndarray
    blend: np.ndarray
    prior_rate: np.ndarray
    drift_bias: np.ndarray
    drift_city_sd: float
    drift_county_sd: np.ndarray
    close_bias: np.ndarray
    close_city_sd: float
    close_county_sd: float
    clearance: np.ndarray | None = None
    clearance_city_sd: float = 0.0
    clearance_county_sd: float = 0.0

    @property
    def has_clearance(self) -> bool:
        """True when a year-end clearance is modelled (some share or spread above zero)."""
        return self.clearance is not None and (bool(np.any(self.clearance > 0)) or self.clearance_city_sd > 0
                                               or self.clearance_county_sd > 0)

    def expected_clearance(self, cap: float) -> np.ndarray:
        """E[clearance share] per region of a replication's draw (normal, clipped to [0, ``cap``]) (C,)."""
        if not self.has_clearance:
            return np.zeros(len(self.drift_county_sd))
        from scipy import stats

        mu, sd = np.asarray(self.clearance, dtype=float), float(np.hypot(self.clearance_city_sd,
                                                                         self.clearance_county_sd))
        if sd == 0:
            return np.clip(mu, 0.0, cap)
        a, b = (0.0 - mu) / sd, (cap - mu) / sd
        inside = mu * (stats.norm.cdf(b) - stats.norm.cdf(a)) - sd * (stats.norm.pdf(b) - stats.norm.pdf(a))
        return inside + cap * stats.norm.sf(b)

    def interval_width(self) -> float:
        """Typical sd of a region's log rate drift (city and region parts), for the report."""
        return float(np.sqrt(self.drift_city_sd ** 2 + np.median(self.drift_county_sd) ** 2))


def nb_log_var(mu: np.ndarray, inv_phi: np.ndarray) -> np.ndarray:
    """Variance of log(Σ_j N_j) for independent NB months with means ``mu`` (…, months), delta method."""
    s = mu.sum(axis=-1)
    return (s + inv_phi * (mu ** 2).sum(axis=-1)) / np.where(s > 0, s, 1) ** 2 * (s > 0) + (s <= 0) * 4.0


def recency_weights(month: int, tau: float) -> np.ndarray:
    """Weights (12,) of months 1..m in the rate estimate: exp(−(m − 1 − j)/τ) for j < m, zero after."""
    w = np.zeros(12)
    j = np.arange(month)
    w[:month] = 1.0 if not np.isfinite(tau) else np.exp(-(month - 1 - j) / tau)
    return w


def weighted_rate(approved: np.ndarray, season: np.ndarray, weights: np.ndarray, month: int) -> np.ndarray:
    """The rate estimate Σ_j r_j N_j / Σ_j r_j w_j over months j < m (件 per unit seasonal weight)."""
    r = weights[:month]
    return (approved[..., :month] * r).sum(axis=-1) / np.maximum((season[..., :month] * r).sum(axis=-1), 1e-12)


def est_log_var(mu: np.ndarray, r: np.ndarray, inv_phi: np.ndarray) -> np.ndarray:
    """Variance of the log of the weighted rate estimate (NB months with means ``mu``, weights ``r``)."""
    s = (mu * r).sum(axis=-1)
    v = (r ** 2 * (mu + inv_phi[..., None] * mu ** 2)).sum(axis=-1)
    return np.where(s > 0, v / np.where(s > 0, s, 1) ** 2, 4.0)


def blend_rate(rate: np.ndarray, prior: np.ndarray, w: np.ndarray) -> np.ndarray:
    """exp(w log rate + (1 − w) log prior) where both are positive and the prior known, else ``rate``."""
    ok = np.isfinite(prior) & (prior > 0) & (rate > 0)
    out = np.asarray(rate, dtype=float).copy()
    w = np.broadcast_to(np.asarray(w, dtype=float), out.shape)[ok]
    out[ok] = np.exp(w * np.log(rate[ok]) + (1 - w) * np.log(prior[ok]))
    return out


def learn_profile(month: int, approved_m: np.ndarray, weights: np.ndarray, sd: np.ndarray,
                  inv_phi: float) -> tuple[np.ndarray, float]:
    """The city's seasonal profile after this year's months, and the variance of its error ahead.

    Prior: log w_j = log w0_j + δ_j, δ_j ~ N(0, sd_j²) independent (``sd``: how far each assumed
    weight may be off; the New Year months and December least sure). The city's months to date:
    log Y_j = ℓ + log w0_j + δ_j + e_j, with ℓ the level (flat prior) and e_j ~ N(0, v_j),
    v_j = (Y_j + 1/φ Σ_c N_cj²) / Y_j² (negative-binomial county months, delta method). The Gaussian
    posterior of δ_1..m follows (only their contrasts are measured: e.g. a shallower New Year dip
    than assumed, against March); the months after m keep their prior.

    Returns
    -------
    season : the profile (12,), mean 1: posterior weights to date, assumed weights after.
    variance : of log(Σ weights after m / Σ weights to date) (delta method), 0 when m is 0 or 12.
    """
    w0, sd = np.asarray(weights, dtype=float), np.asarray(sd, dtype=float)
    if not 0 < month < 12:
        return w0 / w0.mean(), 0.0
    counts = np.asarray(approved_m, dtype=float)[:, :month]
    city = np.maximum(counts.sum(axis=0), 0.5)
    v = (city + inv_phi * (counts ** 2).sum(axis=0)) / city ** 2
    design = np.hstack([np.ones((month, 1)), np.eye(month)])
    prior_precision = np.diag(np.concatenate([[0.0], 1 / np.maximum(sd[:month], 1e-6) ** 2]))
    precision = design.T @ (design / v[:, None]) + prior_precision
    cov = np.linalg.inv(precision)
    theta = cov @ (design.T @ ((np.log(city) - np.log(w0[:month])) / v))
    w = w0.copy()
    w[:month] *= np.exp(theta[1:])
    g, h = w[:month] / w[:month].sum(), w[month:] / w[month:].sum()
    variance = float(g @ cov[1:, 1:] @ g + (h ** 2 * sd[month:] ** 2).sum())
    return w / w.mean(), variance


def this_year_overdispersion(month: int, approved_m: np.ndarray, season: np.ndarray, params: SimulationParams) -> float:
    """1/φ of this year's county months around ``season`` (moments), combined with the prior by weight."""
    if month < 2:
        return params.overdispersion_prior
    lam = approved_m[:, :month].sum(axis=1) / max(float(season[:month].sum()), 1e-12)
    mu = lam[:, None] * season[None, :month]
    x = ((approved_m[:, :month] - mu) ** 2 * month / (month - 1) - mu) / np.where(mu > 0, mu, 1) ** 2
    w = np.where(mu > 0, mu ** 2, 0.0)
    if w.sum() <= 0:
        return params.overdispersion_prior
    estimate = max(0.0, float((w * x).sum() / w.sum()))
    n, n0 = float((mu > 0).sum()), params.overdispersion_prior_weight
    return (n * estimate + n0 * params.overdispersion_prior) / (n + n0)


def this_year_posterior(month: int, approved_m: np.ndarray, params: SimulationParams) -> Posterior:
    """The posterior without history: the assumed seasonality corrected by the city's months to date
    (``learn_profile``), overdispersion by moments from this year's months combined with the prior,
    drift sds from the parameters plus the estimation noise to date and the profile's error ahead."""
    C = approved_m.shape[0]
    weights, sd = np.asarray(params.seasonality, dtype=float), np.asarray(params.seasonality_sd, dtype=float)
    first, _ = learn_profile(month, approved_m, weights, sd, params.overdispersion_prior)
    inv_phi = this_year_overdispersion(month, approved_m, first, params)
    profile, profile_var = learn_profile(month, approved_m, weights, sd, inv_phi)
    season = np.broadcast_to(profile, (C, 12)).copy()
    lam = approved_m[:, :month].sum(axis=1) / max(float(profile[:month].sum()), 1e-12)
    inv = np.full(C, inv_phi)
    v_est = nb_log_var(lam[:, None] * season[:, :month], inv) if month else np.zeros(C)
    scale = inv_phi / params.overdispersion_prior if params.overdispersion_prior > 0 else 1.0
    return Posterior(
        source="this_year", years=0, season=season, season_sd=np.zeros((C, 12)), inv_phi=inv,
        recency=recency_weights(month, np.inf), blend=np.ones(C), prior_rate=np.full(C, np.nan),
        drift_bias=np.zeros(C), drift_city_sd=float(np.sqrt(scale * params.drift_city_sd ** 2 + profile_var)),
        drift_county_sd=np.sqrt(scale * params.drift_county_sd ** 2 + v_est), close_bias=np.zeros(C),
        close_city_sd=params.closure_drift_city_sd, close_county_sd=params.closure_drift_county_sd)


def no_uncertainty(C: int, params: SimulationParams) -> Posterior:
    """Point estimates only: the default seasonality, Poisson months, no drift."""
    weights = np.asarray(params.seasonality, dtype=float)
    z = np.zeros(C)
    return Posterior(source="none", years=0, season=np.broadcast_to(weights, (C, 12)).copy(),
                     season_sd=np.zeros((C, 12)), inv_phi=z, recency=np.ones(12), blend=np.ones(C),
                     prior_rate=np.full(C, np.nan), drift_bias=z, drift_city_sd=0.0,
                     drift_county_sd=z, close_bias=np.zeros(C), close_city_sd=0.0, close_county_sd=0.0)


def estimate(month: int, approved_m: np.ndarray, params: SimulationParams, history=None,
             year: int = 0) -> Posterior:
    """The posterior to use: none (no uncertainty or deterministic), history (enough complete years), this year."""
    C = approved_m.shape[0]
    if not params.rate_uncertainty or params.deterministic:
        return no_uncertainty(C, params)
    if history is not None and history.city_years >= params.history_min_years:
        from simulation.history import history_posterior

        return history_posterior(history, month, approved_m, params, year)
    return this_year_posterior(month, approved_m, params)
