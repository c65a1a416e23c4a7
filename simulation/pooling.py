"""Empirical-Bayes pooling across regions, and the split of earlier years' errors into a city and a
region component (used by ``simulation.history`` and ``simulation.history_closures``)."""

from __future__ import annotations

import numpy as np


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
