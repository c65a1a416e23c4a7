"""What a history table says about closures: the handling-time drift after the months to date and
the year-end clearance (December's closures beyond the lags fitted to January-November)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy import special

from simulation.params import SimulationParams
from simulation.pooling import eb_shrink

if TYPE_CHECKING:
    from simulation.history import HistoryArrays


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
