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
- the handling-time drift: log(factor of the whole year / factor fitted to date), with a bias
  (e.g. the year-end clearance closes more than the lags to date predict) and city and region sds.

Two sources:

``history_posterior`` (a history table of earlier complete years): seasonality with partial
pooling (empirical Bayes, normal-normal): each region's profile is its own mean share shrunk
towards the city profile by B = v / (v + τ²), v its sampling variance, τ² the between-region
variance (method of moments); overdispersion by moments, pooled the same way; the drifts from
the errors the same estimator (rate to date × seasonality, leave-one-year-out profile) made in
every earlier year at the same month m, split into a city-year component and a region
component (method of moments, the negative-binomial noise of the months subtracted).

``this_year_posterior`` (no history): the default seasonality; overdispersion by moments from
this year's months, combined with a prior (``SimulationParams.overdispersion_prior``); drift sds
from the parameters (assumptions) plus the estimation noise of the rate to date: wide, honestly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

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
    drift_bias : mean of the log rate drift (C,).
    drift_city_sd : sd of the city factor of the drift (shared by every region).
    drift_county_sd : sd of each region's own drift, estimation noise included (C,).
    close_bias, close_city_sd, close_county_sd : the handling-time drift (log factor).
    """

    source: str
    years: int
    season: np.ndarray
    season_sd: np.ndarray
    inv_phi: np.ndarray
    recency: np.ndarray
    drift_bias: np.ndarray
    drift_city_sd: float
    drift_county_sd: np.ndarray
    close_bias: float
    close_city_sd: float
    close_county_sd: float

    def interval_width(self) -> float:
        """Typical sd of a region's log rate drift (city and region parts), for the report."""
        return float(np.sqrt(self.drift_city_sd ** 2 + np.median(self.drift_county_sd) ** 2))


@dataclass(frozen=True)
class HistoryArrays:
    """A history table as arrays: years (Y,), approvals and closures (Y, C, 12), complete (Y, C)."""

    years: tuple[int, ...]
    approved: np.ndarray
    closed: np.ndarray
    complete: np.ndarray

    @property
    def city_years(self) -> int:
        """Years in which at least one region has all 12 months."""
        return int(self.complete.any(axis=1).sum())


def history_arrays(history: pd.DataFrame, region_ids: tuple[str, ...], before: int | None = None) -> HistoryArrays:
    """Canonical history (region, year, month, approved, closed) → arrays; years ≥ ``before`` dropped."""
    frame = history if before is None else history[history["year"] < before]
    years = tuple(sorted(int(y) for y in frame["year"].unique()))
    Y, C = len(years), len(region_ids)
    a, c, seen = np.zeros((Y, C, 12)), np.zeros((Y, C, 12)), np.zeros((Y, C, 12), bool)
    yi = {y: i for i, y in enumerate(years)}
    ri = {r: i for i, r in enumerate(region_ids)}
    for r, y, m, ap, cl in zip(frame["region"], frame["year"], frame["month"], frame["approved"], frame["closed"],
                               strict=True):
        if r in ri:
            i, k, j = yi[int(y)], ri[r], int(m) - 1
            a[i, k, j] += float(ap)
            c[i, k, j] += float(cl)
            seen[i, k, j] = True
    return HistoryArrays(years=years, approved=a, closed=c, complete=seen.all(axis=2))


def eb_shrink(raw: np.ndarray, var: np.ndarray, ok: np.ndarray, centre: float) -> tuple[np.ndarray, np.ndarray]:
    """Empirical-Bayes normal-normal shrinkage of region estimates ``raw`` (sampling variances ``var``)
    towards ``centre``: τ² = max(0, var(raw) − mean(var)) by moments, B = var / (var + τ²).

    Returns (posterior means, posterior variances); regions without data (``~ok``) get the centre and τ².
    """
    n = int(ok.sum())
    tau2 = max(0.0, float(np.var(raw[ok], ddof=1) - np.mean(var[ok]))) if n >= 2 else 0.0
    post, pvar = np.full(raw.shape, centre), np.full(raw.shape, tau2)
    if tau2 == 0.0:
        post[ok], pvar[ok] = centre, 0.0
        return post, pvar
    b = var[ok] / (var[ok] + tau2)
    post[ok] = b * centre + (1 - b) * raw[ok]
    pvar[ok] = (1 - b) * var[ok]
    return post, pvar


def seasonal_profile(approved: np.ndarray, complete: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Seasonality (C, 12) with partial pooling across regions, and the sd of each log weight.

    A region-year's shares are 12 × N_j / N; the city profile pools all complete region-years; a
    region's raw profile is the mean of its years' shares, with sampling variance W_j Σ_y (1/N_y) / n²
    (W_j pooled from the within-region spread of shares times N, never below the multinomial value).
    """
    total = approved.sum(axis=2)
    ok = complete & (total > 0)
    C = approved.shape[1]
    if not ok.any():
        return np.ones((C, 12)), np.zeros((C, 12))
    rows = approved[ok]
    city = 12 * rows.sum(axis=0) / rows.sum()
    share = np.where(ok[..., None], 12 * approved / np.where(total > 0, total, 1)[..., None], np.nan)
    n = ok.sum(axis=0)
    raw = np.where(n[:, None] > 0, np.nansum(share, axis=0) / np.maximum(n, 1)[:, None], city[None, :])
    resid2 = np.where(ok[..., None], (share - raw[None]) ** 2 * total[..., None], 0.0)
    dof = float(np.maximum(n - 1, 0).sum())
    floor = 12 * city * (1 - city / 12)
    w = np.maximum(resid2.sum(axis=(0, 1)) / dof, floor) if dof > 0 else floor
    inv = np.where(ok, 1 / np.where(total > 0, total, 1), 0.0).sum(axis=0) / np.maximum(n, 1) ** 2  # (C,)
    season, var = np.zeros((C, 12)), np.zeros((C, 12))
    for j in range(12):
        season[:, j], var[:, j] = eb_shrink(raw[:, j], w[j] * inv, n > 0, float(city[j]))
    mean = season.mean(axis=1, keepdims=True)
    season = season / mean
    return season, np.sqrt(var) / mean / season


def overdispersion(approved: np.ndarray, complete: np.ndarray, season: np.ndarray) -> np.ndarray:
    """Monthly 1/φ per region by moments around (year total / 12) × season, pooled by empirical Bayes.

    x = ((N − μ)² · 12/11 − μ) / μ² is unbiased for 1/φ (12/11: the year total is fitted), weighted by μ².
    """
    total = approved.sum(axis=2)
    ok = complete & (total > 0)
    C = approved.shape[1]
    if not ok.any():
        return np.zeros(C)
    mu = total[..., None] / 12 * season[None]
    x = ((approved - mu) ** 2 * 12 / 11 - mu) / np.where(mu > 0, mu, 1) ** 2
    w = np.where(ok[..., None] & (mu > 0), mu ** 2, 0.0)
    sw = w.sum(axis=(0, 2))
    has = sw > 0
    k = np.where(has, (w * x).sum(axis=(0, 2)) / np.where(has, sw, 1), 0.0)
    var = np.where(has, (w ** 2 * (x - k[None, :, None]) ** 2).sum(axis=(0, 2)) / np.where(has, sw, 1) ** 2, 0.0)
    city = float((w * x).sum() / w.sum())
    post, _ = eb_shrink(k, var, has, city)
    return np.maximum(post, 0.0)


def _nb_log_var(mu: np.ndarray, inv_phi: np.ndarray) -> np.ndarray:
    """Variance of log(Σ_j N_j) for independent NB months with means ``mu`` (…, months), delta method."""
    s = mu.sum(axis=-1)
    return (s + inv_phi * (mu ** 2).sum(axis=-1)) / np.where(s > 0, s, 1) ** 2 * (s > 0) + (s <= 0) * 4.0


#: Time constants (months) of the recency weights tried on the history; inf = every month alike.
RECENCY_TAUS = (np.inf, 12.0, 6.0, 3.0)


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


def _est_log_var(mu: np.ndarray, r: np.ndarray, inv_phi: np.ndarray) -> np.ndarray:
    """Variance of the log of the weighted rate estimate (NB months with means ``mu``, weights ``r``)."""
    s = (mu * r).sum(axis=-1)
    v = (r ** 2 * (mu + inv_phi[..., None] * mu ** 2)).sum(axis=-1)
    return np.where(s > 0, v / np.where(s > 0, s, 1) ** 2, 4.0)


def rate_errors(h: HistoryArrays, month: int, inv_phi: np.ndarray, tau: float = np.inf) -> dict[str, np.ndarray]:
    """The rate estimator's errors in earlier years at month m, per (year, region).

    e = log((R + ½) / (R̂ + ½)) with R the approvals of months m+1..12 and R̂ = the (recency
    weighted) rate to date × the remaining seasonal weight (profile without that year); v_est,
    v_nb: the negative-binomial variances of the estimate to date and of the remaining months (log).
    """
    Y, C, _ = h.approved.shape
    e, v_est, v_nb = np.full((Y, C), np.nan), np.zeros((Y, C)), np.zeros((Y, C))
    for y in range(Y):
        others = np.arange(Y) != y
        season = seasonal_profile(h.approved[others], h.complete[others])[0] if Y > 1 else \
            seasonal_profile(h.approved, h.complete)[0]
        past = h.approved[y, :, :month].sum(axis=1)
        r = recency_weights(month, tau)
        lam = weighted_rate(h.approved[y], season, r, month)
        pred = lam * season[:, month:].sum(axis=1)
        rest = h.approved[y, :, month:].sum(axis=1)
        ok = h.complete[y] & (past > 0)
        e[y, ok] = np.log((rest[ok] + 0.5) / (pred[ok] + 0.5))
        v_est[y] = _est_log_var(lam[:, None] * season[:, :month], r[:month], inv_phi)
        v_nb[y] = _nb_log_var(lam[:, None] * season[:, month:], inv_phi)
    return {"e": e, "v_est": v_est, "v_nb": v_nb}


def split_errors(e: np.ndarray, noise: np.ndarray) -> dict:
    """Split errors e (Y, C; NaN = missing) into a region bias, a city-year factor and a region factor.

    ``noise`` (Y, C) is the part of each error's variance the model adds itself (negative-binomial
    months, estimation noise); it is subtracted from the region component. Returns bias (C,),
    bias_var (C,), city_var, county_var (region component beyond ``noise``), df (city factor).
    """
    ok = ~np.isnan(e)
    C = e.shape[1]
    n = ok.sum(axis=0)
    overall = float(np.nanmean(e)) if ok.any() else 0.0
    mean_c = np.where(n > 0, np.nansum(e, axis=0) / np.maximum(n, 1), overall)
    within = np.where(ok, (e - mean_c[None]) ** 2, 0.0)
    dof = float(np.maximum(n - 1, 0).sum())
    w_var = within.sum() / dof if dof > 0 else float(np.nanvar(e)) if ok.any() else 0.0
    bias, bias_var = eb_shrink(mean_c, np.full(C, w_var) / np.maximum(n, 1), n > 0, overall)
    d = np.where(ok, e - bias[None], np.nan)
    rows = ok.sum(axis=1) >= 1
    g = np.where(rows, np.nansum(d, axis=1) / np.maximum(ok.sum(axis=1), 1), np.nan)
    u = np.where(ok, d - g[:, None], np.nan)
    c_y = ok.sum(axis=1)
    shrink = 1 - 1 / np.maximum(c_y, 1)
    u2 = np.nansum(u ** 2) / max(float((np.where(ok, shrink[:, None], 0.0)).sum()), 1e-9)
    mean_noise = float(np.mean(noise[ok])) if ok.any() else 0.0
    county_var = max(0.0, u2 - mean_noise)
    years = int(rows.sum())
    city_var = 0.0
    if years >= 2:
        inner = float(np.mean(county_var + noise[ok])) / max(float(np.mean(c_y[rows])), 1.0)
        city_var = max(0.0, float(np.nanvar(g[rows], ddof=1)) - inner)
    return {"bias": bias, "bias_var": bias_var, "city_var": city_var, "county_var": county_var,
            "df": float(max(years - 1, 1)), "u2": u2}


def closure_errors(h: HistoryArrays, month: int, params: SimulationParams) -> np.ndarray:
    """log(factor fitted to the whole year / factor fitted to months 1..m) per (year, region); NaN where
    either fit is not possible or lies on a bound (``start.calibrate_durations``)."""
    from simulation.start import calibrate_durations, month_edges

    Y, C, _ = h.approved.shape
    out = np.full((Y, C), np.nan)
    for y, year in enumerate(h.years):
        edges = month_edges(year)
        days_in = np.diff(edges)
        day_month = np.searchsorted(edges, np.arange(int(edges[12])), side="right") - 1
        for c in range(C):
            a, k = h.approved[y, c], h.closed[y, c]
            if not h.complete[y, c] or a[:month].sum() < params.calibrate_min_cases or k[:month].sum() <= 0:
                continue
            per_day = a[day_month] / days_in[day_month]
            upto = int(edges[month])
            f_m, s_m = calibrate_durations(params, per_day[:upto], float(k[:month].sum()), float(edges[month]))
            f_y, s_y = calibrate_durations(params, per_day, float(k.sum()), float(edges[12]))
            if s_m == "fitted" and s_y == "fitted":
                out[y, c] = np.log(f_y / f_m)
    return out


def t_widening(df: float) -> float:
    """Ratio of the Student t (``df``) 95% quantile to the normal one (1 when df is infinite)."""
    from scipy import stats

    return 1.0 if not np.isfinite(df) else float(stats.t.ppf(0.95, df) / stats.norm.ppf(0.95))


def history_posterior(h: HistoryArrays, month: int, approved_m: np.ndarray, params: SimulationParams) -> Posterior:
    """The posterior from earlier complete years (see the module docstring), for month ``month``.

    The month-to-month overdispersion measured within years also holds the moving New Year and
    other profile shifts that cancel over a quarter; when the negative-binomial noise it implies
    exceeds the earlier years' error variance at month m, 1/φ is scaled down (factor f ≤ 1) so
    that the model's error variance at month m equals the one observed, and the region drift is 0.
    """
    season, season_sd = seasonal_profile(h.approved, h.complete)
    inv_phi = overdispersion(h.approved, h.complete, season)
    C = approved_m.shape[0]
    tau = np.inf
    if 1 <= month <= 11:
        tries = {t: rate_errors(h, month, inv_phi, t) for t in RECENCY_TAUS}
        tau = min(RECENCY_TAUS, key=lambda t: float(np.nanmean(tries[t]["e"] ** 2)))
        err = tries[tau]
        poisson = rate_errors(h, month, np.zeros(C), tau)
        base = poisson["v_est"] + poisson["v_nb"]
        extra = err["v_est"] + err["v_nb"] - base
        u2 = split_errors(err["e"], base + extra)["u2"]
        ok = ~np.isnan(err["e"])
        f = float(np.clip((u2 - base[ok].mean()) / extra[ok].mean(), 0.0, 1.0)) if ok.any() and extra[ok].mean() > 0 \
            else 1.0
        inv_phi = inv_phi * f
        split = split_errors(err["e"], base + f * extra)
        close = split_errors(closure_errors(h, month, params), np.zeros(err["e"].shape))
    else:
        zero = {"bias": np.zeros(C), "bias_var": np.zeros(C), "city_var": 0.0, "county_var": 0.0, "df": np.inf}
        split = close = zero
    r = recency_weights(month, tau)
    lam = weighted_rate(approved_m, season, r, month)
    v_est = _est_log_var(lam[:, None] * season[:, :month], r[:month], inv_phi) if month else np.zeros(C)
    county_sd = np.sqrt(split["county_var"] + split["bias_var"] + v_est)
    return Posterior(
        source="history", years=h.city_years, season=season, season_sd=season_sd, inv_phi=inv_phi, recency=r,
        drift_bias=np.asarray(split["bias"], dtype=float),
        drift_city_sd=float(np.sqrt(split["city_var"]) * t_widening(split["df"])), drift_county_sd=county_sd, close_bias=float(np.mean(close["bias"])),
        close_city_sd=float(np.sqrt(close["city_var"])), close_county_sd=float(np.sqrt(close["county_var"])))


def this_year_posterior(month: int, approved_m: np.ndarray, params: SimulationParams) -> Posterior:
    """The posterior without history: default seasonality, overdispersion by moments from this year's
    months combined with the prior, drift sds from the parameters plus the estimation noise to date."""
    C = approved_m.shape[0]
    weights = np.asarray(params.seasonality, dtype=float)
    season = np.broadcast_to(weights, (C, 12)).copy()
    inv_phi = params.overdispersion_prior
    lam = approved_m[:, :month].sum(axis=1) / max(float(weights[:month].sum()), 1e-12)
    if month >= 2:
        mu = lam[:, None] * season[:, :month]
        x = ((approved_m[:, :month] - mu) ** 2 * month / (month - 1) - mu) / np.where(mu > 0, mu, 1) ** 2
        w = np.where(mu > 0, mu ** 2, 0.0)
        if w.sum() > 0:
            estimate = max(0.0, float((w * x).sum() / w.sum()))
            n, n0 = float((mu > 0).sum()), params.overdispersion_prior_weight
            inv_phi = (n * estimate + n0 * params.overdispersion_prior) / (n + n0)
    inv = np.full(C, inv_phi)
    v_est = _nb_log_var(lam[:, None] * season[:, :month], inv) if month else np.zeros(C)
    return Posterior(
        source="this_year", years=0, season=season, season_sd=np.zeros((C, 12)), inv_phi=inv,
        recency=recency_weights(month, np.inf),
        drift_bias=np.zeros(C), drift_city_sd=params.drift_city_sd,
        drift_county_sd=np.sqrt(params.drift_county_sd ** 2 + v_est), close_bias=0.0,
        close_city_sd=params.closure_drift_city_sd, close_county_sd=params.closure_drift_county_sd)


def no_uncertainty(C: int, params: SimulationParams) -> Posterior:
    """Point estimates only: the default seasonality, Poisson months, no drift."""
    weights = np.asarray(params.seasonality, dtype=float)
    z = np.zeros(C)
    return Posterior(source="none", years=0, season=np.broadcast_to(weights, (C, 12)).copy(),
                     season_sd=np.zeros((C, 12)), inv_phi=z, recency=np.ones(12), drift_bias=z, drift_city_sd=0.0,
                     drift_county_sd=z, close_bias=0.0, close_city_sd=0.0, close_county_sd=0.0)


def estimate(month: int, approved_m: np.ndarray, params: SimulationParams, history: HistoryArrays | None = None
             ) -> Posterior:
    """The posterior to use: none (no uncertainty or deterministic), history (enough complete years), this year."""
    C = approved_m.shape[0]
    if not params.rate_uncertainty or params.deterministic:
        return no_uncertainty(C, params)
    if history is not None and history.city_years >= params.history_min_years:
        return history_posterior(history, month, approved_m, params)
    return this_year_posterior(month, approved_m, params)
