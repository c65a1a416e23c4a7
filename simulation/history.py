"""Estimating the projection's posterior from a history table (earlier complete years).

See ``simulation.posterior`` for what is estimated; here: the history as arrays, the seasonal
profile with partial pooling, the overdispersion, the rate estimator's errors in earlier years,
and ``history_posterior`` that puts them together with the closures' side
(``simulation.history_closures``: handling-time drift, year-end clearance); the empirical-Bayes
pooling and the city/region split of errors are in ``simulation.pooling``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from simulation.history_closures import clearance_posterior, closure_errors
from simulation.params import SimulationParams
from simulation.pooling import eb_shrink, split_errors
from simulation.posterior import (
    Posterior,
    blend_rate,
    est_log_var,
    nb_log_var,
    recency_weights,
    weighted_rate,
)


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


#: Time constants (months) of the recency weights tried on the history; inf = every month alike.
RECENCY_TAUS = (np.inf, 12.0, 6.0, 3.0)


#: Trust A in last year's level (a log variance) tried on the history: a region's weight of this year's
#: rate is w = A / (A + v), v the variance of its log rate to date (large counties, late months: w near 1);
#: inf = this year only.
BLENDS = (np.inf, 0.08, 0.04, 0.02, 0.01, 0.005)


def city_growth(h: HistoryArrays) -> float:
    """The city's typical yearly growth of a region's approvals: median log ratio of consecutive complete years."""
    total = h.approved.sum(axis=2)
    both = h.complete[1:] & h.complete[:-1] & (total[1:] > 0) & (total[:-1] > 0)
    if not both.any():
        return 0.0
    return float(np.median(np.log(total[1:][both] / total[:-1][both])))


def blend_weights(v: np.ndarray, trust: float) -> np.ndarray:
    """Weight of this year's rate per region: A / (A + v) (1 when A is infinite)."""
    return np.ones_like(v) if not np.isfinite(trust) else trust / (trust + v)


def rate_errors(h: HistoryArrays, month: int, inv_phi: np.ndarray, tau: float = np.inf, trust: float = np.inf,
                growth: float = 0.0) -> dict[str, np.ndarray]:
    """The rate estimator's errors in earlier years at month m, per (year, region).

    e = log((R + ½) / (R̂ + ½)) with R the approvals of months m+1..12 and R̂ = the rate × the
    remaining seasonal weight (profile without that year), the rate being the recency-weighted
    rate to date blended (weight ``blend_weights``) with the year before's level × exp(growth); v_est,
    v_nb: the negative-binomial variances of the estimate to date (× w²) and of the remaining months
    (log). Years without a complete year before are left out (NaN) for every weight.
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
        v = est_log_var(lam[:, None] * season[:, :month], r[:month], inv_phi)
        w = blend_weights(v, trust)
        ok = h.complete[y] & (past > 0)
        if y == 0:
            ok[:] = False
        else:
            prior = np.where(h.complete[y - 1], h.approved[y - 1].sum(axis=1) / 12 * np.exp(growth), np.nan)
            ok &= np.isfinite(prior) & (prior > 0)
            lam = blend_rate(lam, prior, w)
        pred = lam * season[:, month:].sum(axis=1)
        rest = h.approved[y, :, month:].sum(axis=1)
        e[y, ok] = np.log((rest[ok] + 0.5) / (pred[ok] + 0.5))
        v_est[y] = w ** 2 * v
        v_nb[y] = nb_log_var(lam[:, None] * season[:, month:], inv_phi)
    return {"e": e, "v_est": v_est, "v_nb": v_nb}


def held_out_errors(tries: dict) -> np.ndarray:
    """Each earlier year's errors (Y, C) under the estimator (τ, A) chosen on the other years.

    The estimator is the one whose errors were smallest; its own errors in the years it was chosen
    on are optimistic (the choice fitted their noise), so the spread is measured on years left out
    of the choice (leave one year out), as the forecast year is.
    """
    keys = list(tries)
    e = np.stack([tries[k]["e"] for k in keys])  # (K, Y, C)
    sq = np.where(np.isnan(e), 0.0, e ** 2)
    n = (~np.isnan(e)).sum(axis=2)  # (K, Y)
    out = np.full(e.shape[1:], np.nan)
    for y in range(e.shape[1]):
        rest = np.arange(e.shape[1]) != y
        cnt = n[:, rest].sum(axis=1)
        if cnt[0] == 0:
            continue
        best = int(np.argmin(sq[:, rest].sum(axis=(1, 2)) / np.maximum(cnt, 1)))
        out[y] = e[best, y]
    return out


def t_widening(df: float) -> float:
    """Ratio of the Student t (``df``) 95% quantile to the normal one (1 when df is infinite)."""
    from scipy import stats

    return 1.0 if not np.isfinite(df) else float(stats.t.ppf(0.95, df) / stats.norm.ppf(0.95))


def history_posterior(h: HistoryArrays, month: int, approved_m: np.ndarray, params: SimulationParams,
                      year: int) -> Posterior:
    """The posterior from earlier complete years (see the module docstring), for month ``month``.

    The month-to-month overdispersion measured within years also holds the moving New Year and
    other profile shifts that cancel over a quarter; when the negative-binomial noise it implies
    exceeds the earlier years' error variance at month m, 1/φ is scaled down (factor f ≤ 1) so
    that the model's error variance at month m equals the one observed, and the region drift is 0.
    """
    season, season_sd = seasonal_profile(h.approved, h.complete)
    inv_phi = overdispersion(h.approved, h.complete, season)
    C = approved_m.shape[0]
    tau, trust, growth = np.inf, np.inf, city_growth(h)
    if 1 <= month <= 11 and h.complete.shape[0] >= 2:
        tries = {(t, b): rate_errors(h, month, inv_phi, t, b, growth) for t in RECENCY_TAUS for b in BLENDS}
        tau, trust = min(tries, key=lambda k: float(np.nanmean(tries[k]["e"] ** 2)))
        err = dict(tries[tau, trust], e=held_out_errors(tries))
        poisson = rate_errors(h, month, np.zeros(C), tau, trust, growth)
        base = poisson["v_est"] + poisson["v_nb"]
        extra = err["v_est"] + err["v_nb"] - base
        u2 = split_errors(err["e"], base + extra)["u2"]
        ok = ~np.isnan(err["e"])
        f = float(np.clip((u2 - base[ok].mean()) / extra[ok].mean(), 0.0, 1.0)) if ok.any() and extra[ok].mean() > 0 \
            else 1.0
        inv_phi = inv_phi * f
        split = split_errors(err["e"], base + f * extra, params.drift_city_sd ** 2, params.drift_city_prior_weight)
        close = split_errors(closure_errors(h, month, params), np.zeros(err["e"].shape),
                             params.closure_drift_city_sd ** 2, params.drift_city_prior_weight)
    else:
        zero = {"bias": np.zeros(C), "bias_var": np.zeros(C), "city_var": 0.0, "county_var": 0.0, "df": np.inf}
        split = close = zero
    r = recency_weights(month, tau)
    last = h.approved.shape[0] - 1
    prior = np.where(h.complete[last], h.approved[last].sum(axis=1) / 12 * np.exp(growth * (year - h.years[last])),
                     np.nan)
    lam = weighted_rate(approved_m, season, r, month)
    v = est_log_var(lam[:, None] * season[:, :month], r[:month], inv_phi) if month else np.zeros(C)
    w = blend_weights(v, trust) if month else np.ones(C)
    v_est = w ** 2 * v
    county_sd = np.sqrt(split["county_var"] + split["bias_var"] + v_est)
    return Posterior(
        source="history", years=h.city_years, season=season, season_sd=season_sd, inv_phi=inv_phi, recency=r,
        blend=w, prior_rate=prior,
        drift_bias=np.asarray(split["bias"], dtype=float),
        drift_city_sd=float(np.sqrt(split["city_var"]) * t_widening(split["df"])), drift_county_sd=county_sd,
        close_bias=np.asarray(close["bias"], dtype=float), close_city_sd=float(np.sqrt(close["city_var"])),
        close_county_sd=float(np.sqrt(close["county_var"] + float(np.mean(close["bias_var"])))),
        **clearance_posterior(h, params))


