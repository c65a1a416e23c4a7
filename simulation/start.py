"""The starting state of a projection: year to date, arrival rates, handler capacity, open cases.

Everything the model needs is computed here once, in the calling process, from the plan and the
canonical progress and lawyers tables (``scenarios.schema``), and shipped to the workers as one
picklable ``StartState``:

- year to date: monthly approvals and closures of months 1..m (the progress table);
- arrival rates: a county's expected approvals in month j are ``rate × w[c, j]`` with ``w`` its
  seasonal profile (``simulation.posterior``: estimated from a history table with partial
  pooling, else the default profile); the rate is estimated from months 1..m as
  approved / Σ w[c, 1..m]; with no month reported (m = 0) the rate is target / Σ w, i.e. the
  county is assumed on pace; each replication draws the drift of the rate, the seasonality,
  negative-binomial months and a handling-time drift from the ``Posterior``;
- capacity (安庆2023 §6(2)): per region, the room of its available handlers under the yearly cap,
  Σ max(0, cap − handled_this_year), cap = plan.rule_value("lawyer_yearly_cap"), split into a
  lawyer pool (social and staff lawyers) and a grassroots pool (grassroots legal-service workers,
  who by law may not defend criminal cases); unlimited when no lawyers table is given;
- open cases (approved − closed to date) carried into the simulation: each is attributed to an
  approval day and kind with probability ∝ approvals that day × kind share × P(still open at the
  as-of date), and closes after the gamma residual given its age (exact under the model);
- handling times: gamma per kind; with ``calibrate = "region"`` (default) each region's means
  are scaled by one factor fitted so that the model's expected closures to date equal that
  region's reported closures to date (the city factor for regions with little data); with
  ``"city"`` one factor for all regions, fitted to the city's closures.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from scenarios.frames import check_progress
from scenarios.plans import Plan
from scenarios.vocab import Finding, headroom, may_defend
from simulation.history import history_arrays
from simulation.params import KINDS, SimulationParams
from simulation.posterior import Posterior, blend_rate, estimate, weighted_rate


@dataclass(frozen=True)
class StartState:
    """Everything one replication needs (picklable; arrays indexed by region in plan order).

    Attributes
    ----------
    region_ids, names, levels : regions in plan order.
    targets : yearly targets (件/年), shape (C,).
    month : last reported month m (0..12); the model simulates months m+1..12.
    edges : day offsets of month starts from 1 January, shape (13,); edges[12] = days in year.
    approved_m, closed_m : reported monthly approvals / closures (件), shape (C, 12), zero after m.
    rate_hat : point estimate of each region's rate (件 per unit seasonal weight), shape (C,).
    weights : the city's seasonality (12,), mean 1 (the mean of the regions' profiles).
    season : each region's seasonality (C, 12), mean 1 per region.
    posterior : the parameter posterior each replication draws from (``simulation.posterior``).
    day_month : month index 0..11 of each remaining day, (D,).
    capacity : room under the yearly cap per region, (C, 2): lawyer pool, grassroots pool (件);
        ``inf`` when no lawyers table was given.
    open_cases : cases open at the as-of date per region (件), (C,).
    carry_age, carry_kind, carry_prob, carry_surv : per region, the classes (age in days at the
        as-of date, kind index, probability, gamma survival at that age) of its open cases.
    mix, shape : kind shares and gamma shapes per kind, (3,).
    scale : calibrated gamma scale (天) per region and kind, (C, 3).
    duration_factor : calibration factor per region applied to the mean handling times (1 = as given), (C,).
    city_duration_factor : the factor fitted to the whole city's closures to date.
    closure_min : the plan's closure-ratio minimum (安庆2023 §6(2)).
    closes_in_year : P(a case assigned in the middle of month j closes by 31 December), (C, 12).
    low : pessimistic factor of each region's remaining applications (its
        ``rebalance_donor_quantile`` quantile under the drift ÷ the forecast), (C,).
    neighbours : per region, the other regions by increasing distance (plan.distance_km).
    rebalance_ok : regions taking part in rebalancing (counties and districts by default).
    params : the parameters used.
    notes : what was assumed or adjusted while building the state (findings), for the report.
    """

    region_ids: tuple[str, ...]
    names: tuple[str, ...]
    levels: tuple[str, ...]
    targets: np.ndarray
    month: int
    edges: np.ndarray
    approved_m: np.ndarray
    closed_m: np.ndarray
    rate_hat: np.ndarray
    weights: np.ndarray
    season: np.ndarray
    posterior: Posterior
    day_month: np.ndarray
    capacity: np.ndarray
    open_cases: np.ndarray
    carry_age: tuple[np.ndarray, ...]
    carry_kind: tuple[np.ndarray, ...]
    carry_prob: tuple[np.ndarray, ...]
    carry_surv: tuple[np.ndarray, ...]
    mix: np.ndarray
    shape: np.ndarray
    scale: np.ndarray
    duration_factor: np.ndarray
    city_duration_factor: float
    closure_min: float
    closes_in_year: np.ndarray
    low: np.ndarray
    neighbours: tuple[tuple[int, ...], ...]
    rebalance_ok: np.ndarray
    params: SimulationParams
    notes: tuple[Finding, ...] = field(default=())

    @property
    def n_regions(self) -> int:
        """Number of regions C."""
        return len(self.region_ids)

    @property
    def days(self) -> int:
        """Remaining days D."""
        return len(self.day_month)

    @property
    def start_time(self) -> float:
        """Simulation start: the end of the last reported month (天 from 1 January)."""
        return float(self.edges[self.month])

    @property
    def year_end(self) -> float:
        """End of the year (天 from 1 January)."""
        return float(self.edges[12])

    @property
    def unlimited(self) -> bool:
        """True when no lawyers table was given (capacity is not a constraint)."""
        return bool(np.all(np.isinf(self.capacity)))

    @property
    def mean_days(self) -> np.ndarray:
        """Calibrated mean handling time per region and kind (天), (C, 3)."""
        return self.shape[None, :] * self.scale

    def closure_cdf(self, t: np.ndarray | float, region: int, factor: float = 1.0) -> np.ndarray:
        """P(a case of ``region``, of a random kind, closes within ``t`` days of assignment), handling
        times × ``factor``."""
        t = np.maximum(np.asarray(t, dtype=float), 0.0)
        return sum(self.mix[k] * special.gammainc(self.shape[k], t / (self.scale[region, k] * factor))
                   for k in range(len(KINDS)))


def month_edges(year: int) -> np.ndarray:
    """Day offsets of the 12 month starts and the year end from 1 January of ``year``."""
    days = [calendar.monthrange(year, m)[1] for m in range(1, 13)]
    return np.concatenate([[0], np.cumsum(days)]).astype(float)


def handler_capacity(plan: Plan, lawyers: pd.DataFrame | None) -> np.ndarray:
    """Room under the yearly cap per region (件), columns lawyer pool / grassroots pool.

    安庆2023 §6(2): a lawyer or grassroots worker handles at most ``lawyer_yearly_cap`` cases a
    year counting those already handled; room = Σ over available handlers of max(0, cap − handled).
    Grassroots workers may not defend criminal cases, hence the separate pool.
    """
    ids = plan.region_ids
    if lawyers is None:
        return np.full((len(ids), 2), np.inf)
    cap = plan.rule_value("lawyer_yearly_cap")
    frame = lawyers
    if "available" in frame:
        frame = frame[frame["available"].astype(bool)]
    room = headroom(frame["handled_this_year"].astype(float).to_numpy(), cap).astype(float)
    pool = np.where(may_defend(frame["kind"].to_numpy(), True), 0, 1)
    out = np.zeros((len(ids), 2))
    index = {rid: i for i, rid in enumerate(ids)}
    for rid, p, r in zip(frame["region"], pool, room, strict=True):
        if rid in index:
            out[index[rid], p] += r
    return np.floor(out)


def calibrate_durations(params: SimulationParams, approved_day: np.ndarray, closed_total: float,
                        as_of: float) -> tuple[float, str]:
    """Factor f on all mean handling times so that expected closures to date = reported closures.

    ``approved_day`` holds approvals per day of months 1..m (monthly counts spread evenly over
    the month's days, approved at midday). Expected closures to date are
    Σ_d approved_day[d] · Σ_k mix_k · F_k(as_of − d − ½; scale_k · f), decreasing in f.
    Returns (f, status): "fitted", "none" (nothing to fit, f = 1), "low" / "high" (the data lie
    beyond a bound of ``params.calibrate_bounds``, f = that bound).
    """
    lo, hi = params.calibrate_bounds
    if approved_day.sum() <= 0 or closed_total <= 0:
        return 1.0, "none"
    ages = as_of - (np.arange(len(approved_day)) + 0.5)

    def expected(f: float) -> float:
        cdf = sum(m * special.gammainc(d.shape, ages / (d.scale * f)) for m, d in
                  zip(params.kind_mix, params.durations, strict=True))
        return float(np.dot(approved_day, cdf))

    if closed_total >= expected(lo):
        return lo, "low"
    if closed_total <= expected(hi):
        return hi, "high"
    return float(optimize.brentq(lambda x: expected(x) - closed_total, lo, hi, xtol=1e-10)), "fitted"


#: Finding codes about the calibration of handling times.
CALIBRATION = ("durations_uncalibrated", "durations_no_data", "city_factor_bound", "durations_city", "durations_region",
               "region_factor_bound")


def duration_factors(plan: Plan, params: SimulationParams, approved_m: np.ndarray, closed_m: np.ndarray,
                     month: int, edges: np.ndarray) -> tuple[np.ndarray, float, list[Finding]]:
    """Calibration factor per region and for the city (``params.calibrate``), with findings (``CALIBRATION``)."""
    C = approved_m.shape[0]
    if params.calibrate == "none" or month == 0:
        return np.ones(C), 1.0, [Finding("durations_uncalibrated" if params.calibrate == "none" else "durations_no_data")]
    days_in = np.diff(edges)
    past = np.searchsorted(edges, np.arange(0, int(edges[month])), side="right") - 1
    as_of = float(edges[month])
    lo, hi = params.calibrate_bounds
    city, status = calibrate_durations(params, approved_m.sum(axis=0)[past] / days_in[past], closed_m.sum(), as_of)
    notes = []
    if status in ("low", "high"):
        notes.append(Finding("city_factor_bound", (), {"bound": status, "factor": city}))
    factors = np.full(C, city)
    if params.calibrate == "city":
        notes.insert(0, Finding("durations_city", (), {"factor": city}))
        return factors, city, notes
    own, bounded = [], []
    for c in range(C):
        if approved_m[c, :month].sum() >= params.calibrate_min_cases and closed_m[c].sum() > 0:
            factors[c], status = calibrate_durations(params, approved_m[c, past] / days_in[past], closed_m[c].sum(),
                                                     as_of)
            own.append(c)
            if status in ("low", "high"):
                bounded.append(plan.regions[c].id)
    notes.insert(0, Finding("durations_region", (), {"min": float(factors.min()), "max": float(factors.max()),
                                                     "city": city, "min_cases": params.calibrate_min_cases}))
    if bounded:
        notes.append(Finding("region_factor_bound", tuple(bounded), {"low": lo, "high": hi}))
    return factors, city, notes


def open_case_classes(approved_m: np.ndarray, open_cases: np.ndarray, edges: np.ndarray, month: int,
                      mix: np.ndarray, shape: np.ndarray, scale: np.ndarray, ids, notes: list) -> tuple:
    """Per region, the classes (age at the as-of date, kind, probability, gamma survival) of its open cases.

    A case approved on day d of kind k is still open with probability ∝ approvals that day × kind
    share × survival to its age; regions with open cases the model cannot explain get a note.
    """
    start = int(edges[month])
    days_in = np.diff(edges)
    past_month = np.searchsorted(edges, np.arange(0, start), side="right") - 1
    ages = float(start) - (np.arange(start) + 0.5)
    carry = ([], [], [], [])
    for c in range(approved_m.shape[0]):
        surv = np.array([special.gammaincc(shape[k], ages / scale[c, k]) for k in range(len(KINDS))])  # (3, start)
        per_day = approved_m[c, past_month] / days_in[past_month] if start else np.zeros(0)
        w = per_day[None, :] * mix[:, None] * surv
        kind_idx, day_idx = np.nonzero(w > 0)
        prob = w[kind_idx, day_idx]
        if open_cases[c] > 0 and prob.sum() <= 0:
            notes.append(Finding("open_cases_unexplained", (ids[c],)))
            kind_idx, day_idx, prob = np.arange(len(KINDS)), np.full(len(KINDS), max(start - 1, 0)), mix.copy()
        prob = prob / prob.sum() if prob.sum() > 0 else prob
        age = float(start) - (day_idx + 0.5)
        carry[0].append(age)
        carry[1].append(kind_idx.astype(np.int64))
        carry[2].append(prob)
        carry[3].append(special.gammaincc(shape[kind_idx], age / scale[c, kind_idx]))
    return carry


def monthly_arrays(progress: pd.DataFrame, index: dict[str, int], month: int) -> tuple[np.ndarray, np.ndarray]:
    """Reported approvals and closures per region and month (C, 12), zero after ``month``."""
    approved_m, closed_m = np.zeros((len(index), 12)), np.zeros((len(index), 12))
    for rid, m, a, c in zip(progress["region"], progress["month"], progress["approved"], progress["closed"],
                            strict=True):
        if int(m) <= month:
            approved_m[index[rid], int(m) - 1] += float(a)
            closed_m[index[rid], int(m) - 1] += float(c)
    return approved_m, closed_m


def rebalance_guides(edges: np.ndarray, mix: np.ndarray, shape: np.ndarray, scale: np.ndarray, posterior: Posterior,
                     params: SimulationParams) -> tuple[np.ndarray, np.ndarray]:
    """What the centre's rebalancing looks at besides the counts (``policies.rebalance_rule``).

    Returns P(a case assigned in the middle of month j closes by 31 December) per region and
    month (C, 12) (a case assigned before December that would not also closes with the expected
    year-end clearance share), and each region's pessimistic factor of its remaining applications: the
    ``rebalance_donor_quantile`` quantile of its drift, exp(bias + z_q · sd) (C,).
    """
    mid = (edges[:12] + edges[1:]) / 2
    f = np.exp(posterior.close_bias)
    closes = np.stack([sum(mix[k] * special.gammainc(shape[k], (edges[12] - mid) / (scale[c, k] * f[c]))
                           for k in range(len(KINDS))) for c in range(scale.shape[0])])
    share = posterior.expected_clearance(params.clearance_max)
    closes[:, :11] += (1.0 - closes[:, :11]) * share[:, None]
    spread = np.hypot(posterior.drift_city_sd, posterior.drift_county_sd)
    return closes, np.exp(posterior.drift_bias + stats.norm.ppf(params.rebalance_donor_quantile) * spread)


def build_start(plan: Plan, progress: pd.DataFrame, lawyers: pd.DataFrame | None = None,
                month: int | None = None, params: SimulationParams | None = None,
                history: pd.DataFrame | None = None) -> StartState:
    """The starting state at the end of ``month`` (default: the last month in ``progress``).

    ``history``: canonical history table (region, year, month, approved, closed) of earlier years;
    years from the plan's year on are ignored.
    """
    params = params or SimulationParams.default()
    month = check_progress(plan, progress, month)
    ids = plan.region_ids
    C = len(ids)
    index = {rid: i for i, rid in enumerate(ids)}
    edges = month_edges(plan.year)
    approved_m, closed_m = monthly_arrays(progress, index, month)
    targets = np.array([plan.region(r).target for r in ids], dtype=float)
    notes: list[Finding] = []
    arrays = history_arrays(history, tuple(ids), before=plan.year) if history is not None else None
    posterior = estimate(month, approved_m, params, arrays, plan.year)
    if arrays is not None:
        used = posterior.source == "history"
        notes.append(Finding("history_used" if used else "history_short", (),
                             {"years": arrays.city_years, "min_years": params.history_min_years}))
    season = posterior.season
    weights = season.mean(axis=0)
    ytd = approved_m.sum(axis=1)
    if month == 0:
        rate_hat = targets / season.sum(axis=1)
        notes.append(Finding("rates_from_targets"))
    else:
        rate_hat = blend_rate(weighted_rate(approved_m, season, posterior.recency, month), posterior.prior_rate,
                              posterior.blend)
    start, end = int(edges[month]), int(edges[12])
    day_month = np.searchsorted(edges, np.arange(start, end), side="right") - 1

    # handling times, calibrated on the closures to date
    factors, city_factor, calibration_notes = duration_factors(plan, params, approved_m, closed_m, month, edges)
    notes += calibration_notes
    shape = np.array([d.shape for d in params.durations])
    scale = np.array([d.scale for d in params.durations])[None, :] * factors[:, None]
    mix = np.array(params.kind_mix)

    # open cases at the as-of date: classes (age, kind) with their probabilities
    open_cases = ytd - closed_m.sum(axis=1)
    carry = open_case_classes(approved_m, open_cases, edges, month, mix, shape, scale, ids, notes)

    capacity = handler_capacity(plan, lawyers)
    if lawyers is not None:
        missing = tuple(r for r in ids if capacity[index[r]].sum() == 0)
        if missing:
            notes.append(Finding("no_capacity", missing))
    neighbours = tuple(tuple(sorted((j for j in range(C) if j != i), key=lambda j, i=i: (plan.distance_km(ids[i], ids[j]), j)))
                       for i in range(C))
    levels = tuple(plan.region(r).level for r in ids)
    closes, low = rebalance_guides(edges, mix, shape, scale, posterior, params)
    rebalance_ok = np.array([params.rebalance_city_centre or lvl != "city" for lvl in levels])
    return StartState(
        region_ids=tuple(ids), names=tuple(plan.region(r).name for r in ids), levels=levels, targets=targets,
        month=month, edges=edges, approved_m=approved_m, closed_m=closed_m, rate_hat=rate_hat,
        weights=weights, season=season, posterior=posterior, day_month=day_month, capacity=capacity, open_cases=open_cases,
        carry_age=tuple(carry[0]), carry_kind=tuple(carry[1]), carry_prob=tuple(carry[2]),
        carry_surv=tuple(carry[3]), mix=mix, shape=shape, scale=scale, duration_factor=factors,
        city_duration_factor=city_factor, closure_min=float(plan.rule_value("closure_ratio_min")),
        closes_in_year=closes, low=low, neighbours=neighbours, rebalance_ok=rebalance_ok, params=params, notes=tuple(notes))
