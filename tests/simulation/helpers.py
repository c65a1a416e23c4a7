"""Helpers for the simulation tests: a tiny plan and canonical tables built by hand."""

import datetime as dt

import pandas as pd

from scenarios.plans import plan_from_dict
from simulation import SimulationParams
from simulation.params import Duration


def tiny_plan(targets=(12, 372, 372)):
    """City centre 市中心, 甲县 11 km north of it, 乙县 33 km north of 甲县; year 2023 (December has 31 days)."""
    regions = [
        {"id": "centre", "name": "市中心", "level": "city", "target": targets[0], "lat": 30.5, "lon": 117.0},
        {"id": "jia", "name": "甲县", "level": "county", "target": targets[1], "lat": 30.6, "lon": 117.0},
        {"id": "yi", "name": "乙县", "level": "county", "target": targets[2], "lat": 30.9, "lon": 117.0},
    ]
    return plan_from_dict({"id": "tiny", "city": "小市", "year": 2023, "title": "测试计划", "issued": dt.date(2023, 1, 1),
                           "target_total": sum(targets), "inherits": "anhui", "regions": regions}, "tiny.toml")


def progress_frame(monthly: dict[str, list[tuple[int, int]]]) -> pd.DataFrame:
    """Canonical progress from {region: [(approved, closed) per month from January]}."""
    rows = [(rid, m, a, c) for rid, months in monthly.items() for m, (a, c) in enumerate(months, start=1)]
    return pd.DataFrame(rows, columns=["region", "month", "approved", "closed"])


def lawyers_frame(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    """Canonical lawyers from (region, kind, handled_this_year) rows, all available."""
    return pd.DataFrame([(f"L{i}", r, k, "", h, True) for i, (r, k, h) in enumerate(rows)],
                        columns=["lawyer_id", "region", "kind", "firm", "handled_this_year", "available"])


def simple_params(**changes) -> SimulationParams:
    """Deterministic, flat seasonality, uncalibrated handling times: the arithmetic is checkable by hand."""
    base = SimulationParams.default()
    return base.with_(seasonality=(1.0,) * 12, deterministic=True, calibrate="none", rate_uncertainty=False,
                      **changes)


def one_kind(kind: str, mean_days: float, shape: float = 1.0) -> dict:
    """Parameter changes making every case of ``kind`` with the given handling time."""
    mix = tuple(1.0 if k == kind else 0.0 for k in ("criminal", "civil", "administrative"))
    return {"kind_mix": mix, "durations": tuple(Duration(mean_days, shape) for _ in range(3))}
