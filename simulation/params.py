"""Simulation parameters: seasonality, case mix, handling times, rate model, rebalance rule.

Defaults are documented assumptions in ``simulation/data/defaults.toml``; a user overrides any
of them with a TOML file of the same shape (``SimulationParams.from_toml``). Problems in an
override file are reported together as one ``InputError``.
"""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

from scenarios.errors import InputError, InputIssue

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
    kind_mix : share of approvals per kind, in ``KINDS`` order, summing to 1.
    durations : handling-time distribution per kind, in ``KINDS`` order.
    calibrate : "region" (default): scale the mean durations of each region by a factor fitted to
        its own closures to date (regions with fewer than ``calibrate_min_cases`` approvals use the
        city factor); "city": one factor fitted to the city's closures; "none": as given.
    calibrate_bounds : (min, max) of the factor.
    calibrate_min_cases : approvals to date a region needs for its own factor (件).
    rate_uncertainty : draw each replication's arrival rate from its Gamma posterior.
    rebalance_share_max : at most this share of a donor's expected monthly applications moves.
    rebalance_donor_buffer : donors keep a projected year-end ≥ target × (1 + buffer).
    rebalance_city_centre : the city centre (市本级) takes part in rebalancing.
    rebalance_until_month : the last month (1-12) in which the centre still moves applications.
    deterministic : zero-variance mode: expected arrivals (fractional 件), mean handling times,
        no rate uncertainty; the year then follows the arithmetic exactly.
    sources : the ``source`` notes of the data file, per section (Chinese), for the report.
    """

    seasonality: tuple[float, ...]
    kind_mix: tuple[float, ...]
    durations: tuple[Duration, ...]
    calibrate: str = "region"
    calibrate_bounds: tuple[float, float] = (0.25, 4.0)
    calibrate_min_cases: int = 30
    rate_uncertainty: bool = True
    rebalance_share_max: float = 0.3
    rebalance_donor_buffer: float = 0.05
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
        path = Path(path)
        if not path.is_file():
            raise InputError([InputIssue(str(path), None, None, None, "找不到模拟参数文件")])
        try:
            override = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputError([InputIssue(str(path), None, None, None, f"不是有效的TOML文件（{exc}）")]) from None
        return params_from_dict(_merge(_defaults_dict(), override), str(path))

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


class _Checks:
    """Problems found while reading a parameter file, with typed readers that record them."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def number(self, value, where, positive=True) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            self.problems.append(f"{where} 应为数字，实为 {value!r}")
            return 1.0
        if (positive and value <= 0) or value < 0:
            self.problems.append(f"{where} 应为{'正数' if positive else '非负数'}，实为 {value!r}")
            return 1.0
        return float(value)

    def flag(self, value, where) -> bool:
        if not isinstance(value, bool):
            self.problems.append(f"{where} 应为 true 或 false，实为 {value!r}")
            return False
        return value

    def whole(self, value, where, lo: int, hi: int, default: int, text: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            self.problems.append(f"{where} 应为{text}，实为 {value!r}")
            return default
        return value


def _seasonality(data: dict, c: _Checks) -> tuple[float, ...]:
    season = data.get("seasonality", {}).get("weights")
    if not isinstance(season, list) or len(season) != 12:
        c.problems.append("seasonality.weights 应为12个月的权重列表")
        weights = (1.0,) * 12
    else:
        weights = tuple(c.number(w, f"seasonality.weights[{i + 1}]") for i, w in enumerate(season))
    mean = sum(weights) / 12
    return tuple(w / mean for w in weights)


def _mix(data: dict, c: _Checks) -> tuple[float, ...]:
    mix_table = data.get("case_mix", {})
    mix = tuple(c.number(mix_table.get(k), f"case_mix.{k}", positive=False) for k in KINDS)
    if sum(mix) <= 0:
        c.problems.append("case_mix 各类比例之和应大于0")
        mix = (1.0, 1.0, 1.0)
    return tuple(m / sum(mix) for m in mix)


def _durations(data: dict, c: _Checks) -> dict:
    dur_table = data.get("durations", {})
    durations = []
    for k in KINDS:
        entry = dur_table.get(k)
        if not isinstance(entry, dict):
            c.problems.append(f"durations.{k} 应为 {{ mean_days = …, shape = … }}")
            durations.append(Duration(1.0, 1.0))
            continue
        durations.append(Duration(c.number(entry.get("mean_days"), f"durations.{k}.mean_days"),
                                  c.number(entry.get("shape"), f"durations.{k}.shape")))
    lo = c.number(dur_table.get("calibrate_min", 0.25), "durations.calibrate_min")
    hi = c.number(dur_table.get("calibrate_max", 4.0), "durations.calibrate_max")
    if lo > 1 or hi < 1:
        c.problems.append("durations.calibrate_min 应 ≤ 1 且 calibrate_max 应 ≥ 1")
    calibrate = dur_table.get("calibrate", "region")
    calibrate = {True: "region", False: "none"}.get(calibrate, calibrate) if isinstance(calibrate, bool) else calibrate
    if calibrate not in CALIBRATE:
        c.problems.append(f"durations.calibrate 应为 {'、'.join(CALIBRATE)} 之一（或 true/false），实为 {calibrate!r}")
        calibrate = "region"
    min_cases = c.whole(dur_table.get("calibrate_min_cases", 30), "durations.calibrate_min_cases", 1, 10**9, 30,
                        "正整数")
    return {"durations": tuple(durations), "calibrate": calibrate, "calibrate_bounds": (lo, hi),
            "calibrate_min_cases": min_cases}


def _rebalance(data: dict, c: _Checks) -> dict:
    rebalance = data.get("rebalance", {})
    share = c.number(rebalance.get("share_max", 0.3), "rebalance.share_max")
    if share > 1:
        c.problems.append(f"rebalance.share_max 应在 0 到 1 之间，实为 {share}")
    return {"rebalance_share_max": share,
            "rebalance_donor_buffer": c.number(rebalance.get("donor_buffer", 0.05), "rebalance.donor_buffer",
                                               positive=False),
            "rebalance_city_centre": c.flag(rebalance.get("include_city_centre", False),
                                            "rebalance.include_city_centre"),
            "rebalance_until_month": c.whole(rebalance.get("until_month", 12), "rebalance.until_month", 1, 12, 12,
                                             "1至12的整数")}


def params_from_dict(data: dict, source: str) -> SimulationParams:
    """Validate a parsed parameter file; every problem is listed in one ``InputError``."""
    c = _Checks()
    params = SimulationParams(
        seasonality=_seasonality(data, c), kind_mix=_mix(data, c), **_durations(data, c),
        rate_uncertainty=c.flag(data.get("arrivals", {}).get("rate_uncertainty", True), "arrivals.rate_uncertainty"),
        **_rebalance(data, c), deterministic=c.flag(data.get("deterministic", False), "deterministic"),
        sources={k: v["source"] for k, v in data.items() if isinstance(v, dict) and isinstance(v.get("source"), str)},
    )
    if c.problems:
        raise InputError([InputIssue(source, None, None, None, p) for p in c.problems])
    return params
