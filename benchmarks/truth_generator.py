"""An independent truth generator for the projection backtest: cities' monthly counts over years.

Written without looking at the model's assumptions (``simulation/``) and never tuned to it. A
"world" is one city of counties over consecutive years; the last year is the one forecast, the
earlier ones are its history table. Features monthly legal-aid counts have:

- county sizes spread over an order of magnitude (lognormal), a few very small counties;
- growth: a city growth rate per year (autocorrelated) + a persistent county trend + yearly noise,
  compounding month by month inside the year;
- seasonality: a city profile (quarter- and half-year assessment pushes in March/June/September,
  summer court recess in July/August, the National Day week in October) × a county deviation;
- Chinese New Year: its date moves between 21 January and 20 February; a three-week dip
  (−35% to −65%) falls in January, February or both;
- a December push toward the target: counties behind their target at the end of November
  push harder the further behind they are; counties far ahead slacken;
- targets are set by the bureau from last year's count plus a planned increase (city-wide and
  per county), so some are easy and some out of reach;
- negative-binomial months with a county-specific dispersion;
- mid-year shocks: a county's level shifts for the rest of the year (a new station opens, a
  judge's office is re-organised), and city-wide campaigns (专项行动) raise two to four months;
- late reporting: now and then part of a month's count is reported in the next month;
- closures: lognormal lags per county (year-to-year variation), a year-end clearance of open
  cases in December (stronger when the closure ratio is short of 80%), a summer slowdown.

    world = generate_world(seed, counties=11, years=6)
    world.approved, world.closed  # (years, counties, 12)
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: City seasonal profile before the New Year dip (January..December), relative.
CITY_PROFILE = np.array([1.02, 1.0, 1.07, 1.0, 0.98, 1.1, 0.9, 0.88, 1.06, 0.86, 1.03, 1.12])


@dataclass(frozen=True)
class World:
    """One synthetic city: monthly approvals and closures (years, counties, 12), targets (years, counties)."""

    first_year: int
    approved: np.ndarray
    closed: np.ndarray
    targets: np.ndarray
    new_year_day: np.ndarray

    def history(self, region_ids: list[str], years: int | None = None) -> pd.DataFrame:
        """The history table of all years but the last (region, year, month, approved, closed)."""
        Y = self.approved.shape[0] - 1
        rows = [(region_ids[c], self.first_year + y, j + 1, int(self.approved[y, c, j]), int(self.closed[y, c, j]))
                for y in range(Y - (years or Y), Y) for c in range(len(region_ids)) for j in range(12)]
        return pd.DataFrame(rows, columns=["region", "year", "month", "approved", "closed"])

    def progress(self, region_ids: list[str], month: int) -> pd.DataFrame:
        """The last year's progress table up to ``month``."""
        y = self.approved.shape[0] - 1
        rows = [(region_ids[c], j + 1, int(self.approved[y, c, j]), int(self.closed[y, c, j]))
                for c in range(len(region_ids)) for j in range(month)]
        return pd.DataFrame(rows, columns=["region", "month", "approved", "closed"])


def _new_year_factor(rng, year: int) -> tuple[np.ndarray, int]:
    """Per-month multipliers of the New Year dip for one year, and the festival's day of year (0-based)."""
    day = int(rng.integers(20, 51))  # 21 January .. 20 February
    depth = rng.uniform(0.35, 0.65)
    lengths = [calendar.monthrange(year, m)[1] for m in range(1, 13)]
    start = np.cumsum([0, *lengths])
    window = np.arange(day - 7, day + 14)
    factor = np.ones(12)
    for j in range(12):
        inside = np.sum((window >= start[j]) & (window < start[j + 1]))
        factor[j] = 1 - depth * inside / lengths[j]
    return factor, day


def _closures(rng, counts: np.ndarray, year: int, median: float, sigma: float, clearance: float) -> np.ndarray:
    """Closures per month of one county-year's approvals: lognormal lags, summer slowdown, December clearance."""
    lengths = np.array([calendar.monthrange(year, m)[1] for m in range(1, 13)])
    edges = np.concatenate([[0], np.cumsum(lengths)])
    month = np.repeat(np.arange(12), counts.astype(int))
    start = edges[month] + rng.uniform(0, lengths[month])
    lag = rng.lognormal(np.log(median), sigma, size=len(start))
    summer = (start + lag > edges[6]) & (start < edges[8])
    lag = np.where(summer, lag * rng.uniform(1.0, 1.25), lag)
    end = start + lag
    closed_month = np.searchsorted(edges, end, side="right") - 1
    out = np.bincount(closed_month[closed_month < 12], minlength=12).astype(float)
    # December clearance: some cases still open on 1 December that would close within ~3 months are pushed through
    ratio_nov = out[:11].sum() / max(1, (month < 11).sum())
    strength = clearance * (1.6 if ratio_nov < 0.7 else 1.0)
    candidates = np.flatnonzero((end >= edges[12]) & (end < edges[12] + 90) & (start < edges[11] - 10))
    pushed = rng.random(len(candidates)) < min(strength, 0.9)
    out[11] += pushed.sum()
    return out


def generate_world(seed: int, counties: int = 11, years: int = 6, first_year: int = 2018) -> World:
    """One city over ``years`` consecutive years (the last is the year to forecast)."""
    rng = np.random.default_rng(np.random.SeedSequence([20261202, seed]))
    base = rng.lognormal(np.log(420), 0.75, size=counties)
    base[rng.random(counties) < 0.15] *= 0.25  # a few very small counties
    county_season = CITY_PROFILE[None, :] * rng.lognormal(0, 0.06, size=(counties, 12))
    county_trend = rng.normal(0.0, 0.05, size=counties)
    dispersion = rng.lognormal(np.log(30), 0.7, size=counties)  # φ of the monthly negative binomial
    lag_median = rng.uniform(30, 95, size=counties)
    lag_sigma = rng.uniform(0.45, 1.0, size=counties)
    push_strength = rng.uniform(0.1, 0.5, size=counties)
    clearance = rng.uniform(0.05, 0.35, size=counties)
    exposure = rng.uniform(0.4, 1.6, size=counties)
    approved = np.zeros((years, counties, 12))
    closed = np.zeros((years, counties, 12))
    targets = np.zeros((years, counties))
    new_year = np.zeros(years, dtype=int)
    city_growth = rng.normal(0.04, 0.05)
    level = base.copy()
    for y in range(years):
        year = first_year + y
        if y:
            city_growth = 0.6 * city_growth + 0.4 * 0.03 + rng.normal(0, 0.05)
        growth = city_growth + county_trend + rng.normal(0, 0.04, size=counties)
        if y == 0:
            targets[y] = np.round(level * rng.uniform(0.95, 1.1, size=counties))
        else:
            planned = rng.uniform(0.0, 0.12) + rng.normal(0, 0.05, size=counties)
            targets[y] = np.round(approved[y - 1].sum(axis=1) * (1 + planned))
        ny, new_year[y] = _new_year_factor(rng, year)
        shocks = np.ones((counties, 12))
        for c in range(counties):
            if rng.random() < 0.12:
                at = int(rng.integers(2, 11))
                shocks[c, at:] *= rng.lognormal(0, 0.25)
        if rng.random() < 0.15:
            at, length = int(rng.integers(0, 11)), int(rng.integers(2, 5))
            lift = rng.uniform(0.15, 0.35)
            shocks[:, at:at + length] *= 1 + lift * exposure[:, None]
        months = np.arange(12) + 0.5
        mean = (level[:, None] / 12 * np.exp(growth[:, None] * months[None, :] / 12)
                * county_season / county_season.mean(axis=1, keepdims=True) * ny[None, :] * shocks)
        for c in range(counties):
            counts = np.zeros(12)
            for j in range(12):
                mu = mean[c, j]
                if j == 11:
                    behind = targets[y, c] - counts[:11].sum()
                    usual = mu
                    gap = (behind - usual) / max(usual, 1.0)
                    if gap > 0:
                        mu = usual * (1 + push_strength[c] * min(gap, 1.5) + 0.05)
                    elif behind < -0.1 * targets[y, c]:
                        mu = usual * 0.92
                lam = rng.gamma(dispersion[c], mu / dispersion[c])
                counts[j] += rng.poisson(lam)
                if j < 11 and rng.random() < 0.05:  # late reporting into next month
                    late = int(rng.binomial(int(counts[j]), rng.uniform(0.3, 1.0)))
                    counts[j] -= late
                    counts[j + 1] += late
            approved[y, c] = counts
            median = lag_median[c] * rng.lognormal(0, 0.1)
            closed[y, c] = _closures(rng, counts, year, median, lag_sigma[c], clearance[c])
        level = level * np.exp(growth)
    return World(first_year=first_year, approved=approved, closed=closed, targets=targets, new_year_day=new_year)
