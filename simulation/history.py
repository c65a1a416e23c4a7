"""Estimating the projection's posterior from a history table (earlier complete years).

See ``simulation.posterior`` for what is estimated; here: the history as arrays, empirical-Bayes
shrinkage, the seasonal profile with partial pooling, the overdispersion, the rate estimator's
errors in earlier years and their split into a city and a region component, the handling-time
drift, the year-end clearance, and ``history_posterior`` that puts them together.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from simulation.params import SimulationParams
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


def split_errors(e: np.ndarray, noise: np.ndarray, prior_var: float = 0.0, prior_weight: float = 0.0) -> dict:
    """Split errors e (Y, C; NaN = missing) into a region bias, a city-year factor and a region factor.

    ``noise`` (Y, C) is the part of each error's variance the model adds itself (negative-binomial
    months, estimation noise); it is subtracted from the region component. Returns bias (C,),
    bias_var (C,), city_var, county_var (region component beyond ``noise``), df (city factor).

    The city factor is seen once a year, so a few years say little about its variance (with 4 years
    the moment estimate is 0 in about a third of cities whose factor is real). Its variance is the
    conjugate (scaled inverse χ²) posterior: the years' sum of squares of the city-year means plus
    ``prior_weight`` pseudo-years at ``prior_var`` (the no-history assumption) + the within-year part,
    df = prior_weight + years − 1; with ``prior_weight`` 0 it is the moment estimate. It is the
    predictive variance of a new year's factor: × (1 + 1/years), as the mean (the bias) is estimated
    from the same years and its error is shared by every region.
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
    inner = float(np.mean(county_var + noise[ok])) / max(float(np.mean(c_y[rows])), 1.0) if ok.any() else 0.0
    ss = float(np.nansum((g[rows] - np.mean(g[rows])) ** 2)) if years >= 2 else 0.0
    dof = max(years - 1, 0) + prior_weight
    if dof > 0:
        city_var = max(0.0, (ss + prior_weight * (prior_var + inner)) / dof - inner)
        city_var *= 1 + 1 / max(years, 1)  # a new year's factor around a mean estimated from these years
    return {"bias": bias, "bias_var": bias_var, "city_var": city_var, "county_var": county_var,
            "df": float(max(dof, 1)), "u2": u2}


def _year_days(year: int, approved: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Month edges of ``year`` (13,) and its approvals per day (monthly counts spread evenly)."""
    from simulation.start import month_edges

    edges = month_edges(year)
    day_month = np.searchsorted(edges, np.arange(int(edges[12])), side="right") - 1
    return edges, approved[day_month] / np.diff(edges)[day_month]


def _fit_to_november(params: SimulationParams, edges: np.ndarray, per_day: np.ndarray, closed: np.ndarray
                     ) -> float | None:
    """The handling-time factor fitted to January-November (closures to 30 November); None if not fitted."""
    from simulation.start import calibrate_durations

    f, status = calibrate_durations(params, per_day[:int(edges[11])], float(closed[:11].sum()), float(edges[11]))
    return f if status == "fitted" else None


def closure_errors(h: HistoryArrays, month: int, params: SimulationParams) -> np.ndarray:
    """log(factor fitted to January-November / factor fitted to months 1..m) per (year, region); NaN
    where either fit is not possible or lies on a bound (``start.calibrate_durations``).

    December is left out: its extra closures are the year-end clearance (``clearance_errors``)."""
    from simulation.start import calibrate_durations

    Y, C, _ = h.approved.shape
    out = np.full((Y, C), np.nan)
    for y, year in enumerate(h.years):
        for c in range(C):
            a, k = h.approved[y, c], h.closed[y, c]
            if not h.complete[y, c] or a[:month].sum() < params.calibrate_min_cases or k[:month].sum() <= 0:
                continue
            edges, per_day = _year_days(year, a)
            f_m, s_m = calibrate_durations(params, per_day[:int(edges[month])], float(k[:month].sum()),
                                           float(edges[month]))
            f_11 = _fit_to_november(params, edges, per_day, k)
            if s_m == "fitted" and f_11 is not None:
                out[y, c] = np.log(f_11 / f_m)
    return out


def december_expectations(params: SimulationParams, edges: np.ndarray, per_day: np.ndarray, factor: float
                          ) -> tuple[float, float]:
    """Under handling times × ``factor``: expected December closures of the year's approvals, and
    expected cases approved before December still open at 31 December (件)."""
    ages_end = edges[12] - (np.arange(len(per_day)) + 0.5)
    ages_dec = np.maximum(edges[11] - (np.arange(len(per_day)) + 0.5), 0.0)

    def cdf(t):
        return sum(m * special.gammainc(d.shape, t / (d.scale * factor))
                   for m, d in zip(params.kind_mix, params.durations, strict=True))

    before = np.arange(len(per_day)) < edges[11]
    dec = float(np.dot(per_day, cdf(ages_end) - np.where(before, cdf(ages_dec), 0.0)))
    still_open = float(np.dot(per_day[before], 1.0 - cdf(ages_end[before])))
    return dec, still_open


def clearance_errors(h: HistoryArrays, params: SimulationParams) -> dict[str, np.ndarray]:
    """Each earlier year's year-end clearance per (year, region): December's closures beyond the lags.

    Under the handling-time factor fitted to January-November: ``pulled`` = December closures − those
    expected, ``open`` = the cases approved before December expected still open at 31 December, and
    ``december`` = December closures (its Poisson variance is the sampling noise of ``pulled``).
    pulled / open is the share of those cases that closed in December instead (negative when
    December closed fewer than the lags predict). NaN where the region-year is incomplete, has
    fewer than ``calibrate_min_cases`` approvals by November, the fit lies on a bound, or less than
    one case is expected open.
    """
    Y, C, _ = h.approved.shape
    out = {key: np.full((Y, C), np.nan) for key in ("pulled", "open", "december")}
    for y, year in enumerate(h.years):
        for c in range(C):
            a, k = h.approved[y, c], h.closed[y, c]
            if not h.complete[y, c] or a[:11].sum() < params.calibrate_min_cases or k[:11].sum() <= 0:
                continue
            edges, per_day = _year_days(year, a)
            f = _fit_to_november(params, edges, per_day, k)
            if f is None:
                continue
            dec, still_open = december_expectations(params, edges, per_day, f)
            if still_open < 1.0:
                continue
            out["pulled"][y, c], out["open"][y, c], out["december"][y, c] = k[11] - dec, still_open, k[11]
    return out


def clearance_posterior(h: HistoryArrays, params: SimulationParams) -> dict:
    """The year-end clearance share per region and the sds of a new year's around it.

    Ratio estimators (Σ pulled / Σ open, so a region-year with few open cases weighs little): the
    city's share over all years; each region's over its years, shrunk towards the city's by
    empirical Bayes (its Poisson noise Σ december / (Σ open)²); the city-year shares' spread beyond
    their noise is the city sd (× (1 + 1/years): the mean is estimated from the same years); the
    region-years' spread around region + city-year, weighted by precision, beyond their noise is the
    region sd (plus the shrinkage's posterior variance). The share is kept within [0, ``clearance_max``].
    """
    e = clearance_errors(h, params)
    ok = np.isfinite(e["pulled"])
    C = ok.shape[1]
    if not ok.any():
        return {"clearance": np.zeros(C), "clearance_city_sd": 0.0, "clearance_county_sd": 0.0}
    pulled, still_open, dec = (np.where(ok, e[k], 0.0) for k in ("pulled", "open", "december"))
    city = float(pulled.sum() / still_open.sum())
    years = ok.any(axis=1)
    q_y = pulled.sum(axis=1)[years] / still_open.sum(axis=1)[years]
    v_y = np.maximum(dec.sum(axis=1)[years], 1.0) / still_open.sum(axis=1)[years] ** 2
    n_y = int(years.sum())
    city_var = max(0.0, float(np.var(q_y, ddof=1) - v_y.mean())) * (1 + 1 / n_y) if n_y >= 2 else 0.0
    has = ok.any(axis=0)
    o_c = still_open.sum(axis=0)
    raw = np.where(has, pulled.sum(axis=0) / np.where(has, o_c, 1.0), city)
    var = np.where(has, np.maximum(dec.sum(axis=0), 1.0) / np.where(has, o_c, 1.0) ** 2, 0.0)
    share, share_var = eb_shrink(raw, var, has, city)
    q_yc = np.where(ok, pulled / np.where(ok, still_open, 1.0), 0.0)
    v_yc = np.where(ok, np.maximum(dec, 1.0) / np.where(ok, still_open, 1.0) ** 2, 1.0)
    g = np.zeros(ok.shape[0])
    g[years] = q_y - city
    resid = np.where(ok, q_yc - share[None, :] - g[:, None], 0.0)
    w = np.where(ok, 1.0 / v_yc, 0.0)
    county_var = max(0.0, float((w * (resid ** 2 - v_yc)).sum() / w.sum()))
    return {"clearance": np.clip(share, 0.0, params.clearance_max), "clearance_city_sd": float(np.sqrt(city_var)),
            "clearance_county_sd": float(np.sqrt(county_var + float(np.mean(share_var[has]))))}


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


