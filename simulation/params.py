"""Simulation parameters: seasonality, case mix, handling times, rate model, rebalance rule.

Defaults are documented assumptions in ``simulation/data/defaults.toml``; a user overrides any
of them with a TOML file of the same shape (``SimulationParams.from_toml``). Problems in an
override file are reported together as one ``InputError``.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from importlib import resources

from scenarios.schemas.files import PARAMS_FILE, ParamsSpec, check, read

#: Case kinds in model order; index 0 (criminal) needs a lawyer, never a grassroots worker.
KINDS = ("criminal", "civil", "administrative")

#: Ways to calibrate handling times on the closures to date (see ``SimulationParams.calibrate``).
CALIBRATE = ("region", "city", "none")


@dataclass(frozen=True)
class Duration:
    """Gamma-distributed handling time from assignment to closure.

    Attributes
    ----------
    mean_days : mean handling time (天).
    shape : gamma shape k (1 = exponential); scale = mean_days / shape.
    """

    mean_days: float
    shape: float

    @property
    def scale(self) -> float:
        """Gamma scale θ (天)."""
        return self.mean_days / self.shape


@dataclass(frozen=True)
class SimulationParams:
    """Assumptions of the legal-aid year model (see ``data/defaults.toml`` for sources).

    Attributes
    ----------
    seasonality : 12 relative monthly weights (January..December), mean 1.0.
    seasonality_sd : without a history table, how far each assumed weight may be off (sd of its
        log); this year's months correct the weights to date (``simulation.posterior.learn_profile``).
    kind_mix : share of approvals per kind, in ``KINDS`` order, summing to 1.
    durations : handling-time distribution per kind, in ``KINDS`` order.
    calibrate : "region" (default): scale the mean durations of each region by a factor fitted to
        its own closures to date (regions with fewer than ``calibrate_min_cases`` approvals use the
        city factor); "city": one factor fitted to the city's closures; "none": as given.
    calibrate_bounds : (min, max) of the factor.
    calibrate_min_cases : approvals to date a region needs for its own factor (件).
    clearance_max : with a history table, the year-end clearance (the share of the cases approved
        before December and still open at 31 December that close in December instead,
        ``simulation.history_closures.clearance_posterior``) drawn per replication is at most this share.
    rate_uncertainty : draw each replication's parameters (rate drift with a shared city factor,
        seasonality, month-to-month overdispersion, handling-time drift) from their posterior
        (``simulation.posterior``); False: the point estimates and Poisson arrivals only.
    overdispersion_prior, overdispersion_prior_weight : without a history table, the prior of the
        monthly negative-binomial overdispersion 1/φ (Var = μ + μ²/φ) and its weight in county-months,
        combined with the moment estimate from this year's months.
    drift_city_sd, drift_county_sd : without a history table, the sd of log(rate of the rest of the
        year / rate to date) shared by the city and per county, beyond the estimation noise, for
        months with 1/φ = ``overdispersion_prior``; the variances scale with the 1/φ found.
    drift_city_prior_weight : with a history table, the weight (in years) of ``drift_city_sd`` and
        ``closure_drift_city_sd`` as the prior of the city factors' variances (seen once a year).
    closure_drift_city_sd, closure_drift_county_sd : without a history table, the sd of the log
        change of the handling-time factor between the one fitted to date and the year's.
    history_min_years : complete years a history table needs before it is used.
    rebalance_share_max : at most this share of a donor's expected monthly applications moves.
    rebalance_donor_buffer : donors keep a pessimistic projected year-end ≥ target × (1 + buffer).
    rebalance_donor_quantile : the quantile of a donor's remaining applications that is its
        pessimistic projection (0.1: a donor gives only what leaves it 90% sure of its own target).
    rebalance_city_centre : the city centre (市本级) takes part in rebalancing.
    rebalance_until_month : the last month (1-12) in which the centre still moves applications.
    deterministic : zero-variance mode: expected arrivals (fractional 件), mean handling times,
        no rate uncertainty; the year then follows the arithmetic exactly.
    sources : the ``source`` notes of the data file, per section (Chinese), for the report.
    """

    seasonality: tuple[float, ...]
    kind_mix: tuple[float, ...]
    durations: tuple[Duration, ...]
    seasonality_sd: tuple[float, ...] = (0.0,) * 12
    calibrate: str = "region"
    calibrate_bounds: tuple[float, float] = (0.25, 4.0)
    calibrate_min_cases: int = 30
    clearance_max: float = 0.95
    rate_uncertainty: bool = True
    overdispersion_prior: float = 0.02
    overdispersion_prior_weight: float = 24.0
    drift_city_sd: float = 0.06
    drift_county_sd: float = 0.08
    drift_city_prior_weight: float = 4.0
    closure_drift_city_sd: float = 0.1
    closure_drift_county_sd: float = 0.15
    history_min_years: int = 2
    rebalance_share_max: float = 0.3
    rebalance_donor_buffer: float = 0.05
    rebalance_donor_quantile: float = 0.1
    rebalance_city_centre: bool = False
    rebalance_until_month: int = 12
    deterministic: bool = False
    sources: dict[str, str] = field(default_factory=dict, compare=False)

    @classmethod
    def default(cls) -> SimulationParams:
        """The documented defaults (``simulation/data/defaults.toml``)."""
        return params_from_dict(_defaults_dict(), "defaults.toml")

    @classmethod
    def from_toml(cls, path: str | os.PathLike) -> SimulationParams:
        """Defaults overridden by the tables and keys present in the TOML file ``path``."""
        return params_from_dict(_merge(_defaults_dict(), read(path, PARAMS_FILE)), str(path))

    def with_(self, **changes) -> SimulationParams:
        """A copy with some fields changed (e.g. ``params.with_(deterministic=True)``)."""
        return replace(self, **changes)


def _defaults_dict() -> dict:
    text = resources.files("simulation").joinpath("data", "defaults.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _merge(base: dict, override: dict) -> dict:
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def params_from_dict(data: dict, source: str) -> SimulationParams:
    """Validate a parsed parameter file (``scenarios.schemas.files.ParamsSpec``); every problem is
    listed in one ``InputError``."""
    spec = check(data, ParamsSpec, source)
    weights = tuple(spec.seasonality.weights)
    mean = sum(weights) / 12
    mix = tuple(getattr(spec.case_mix, k) for k in KINDS)
    d = spec.durations
    calibrate = {True: "region", False: "none"}.get(d.calibrate, d.calibrate) if isinstance(d.calibrate, bool) \
        else d.calibrate
    r, a = spec.rebalance, spec.arrivals
    return SimulationParams(
        seasonality=tuple(w / mean for w in weights), seasonality_sd=tuple(spec.seasonality.sd), kind_mix=tuple(m / sum(mix) for m in mix),
        durations=tuple(Duration(getattr(d, k).mean_days, getattr(d, k).shape) for k in KINDS),
        calibrate=calibrate, calibrate_bounds=(d.calibrate_min, d.calibrate_max),
        calibrate_min_cases=d.calibrate_min_cases, clearance_max=d.clearance_max, rate_uncertainty=a.rate_uncertainty,
        overdispersion_prior=a.overdispersion_prior, overdispersion_prior_weight=a.overdispersion_prior_weight,
        drift_city_sd=a.drift_city_sd, drift_county_sd=a.drift_county_sd,
        drift_city_prior_weight=a.drift_city_prior_weight,
        closure_drift_city_sd=a.closure_drift_city_sd, closure_drift_county_sd=a.closure_drift_county_sd,
        history_min_years=a.history_min_years,
        rebalance_share_max=r.share_max, rebalance_donor_buffer=r.donor_buffer,
        rebalance_donor_quantile=r.donor_quantile,
        rebalance_city_centre=r.include_city_centre, rebalance_until_month=r.until_month,
        deterministic=spec.deterministic,
        sources={k: v["source"] for k, v in data.items() if isinstance(v, dict) and isinstance(v.get("source"), str)},
    )
