"""From replications to answers: per region and city, per policy (English columns; Chinese on write).

For each region (and the city as a whole, id ``scenarios.vocab.CITY_TOTAL``): target, year to date, 序时进度
(m/12 of the target) and the gap, projected year-end approvals (mean, 5%, 95%), probability of
reaching the target, projected closure ratio and the probability it is ≥ the plan's minimum
(安庆2023 §6(2)), the median month the target is reached, and per policy the change against
``none`` (or against the first policy run when ``none`` was not run).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scenarios.vocab import CITY_TOTAL
from simulation.montecarlo import Samples
from simulation.policies import POLICIES
from simulation.start import StartState

#: Month number meaning "not reached within the year".
NEVER = 13


def _with_total(x: np.ndarray) -> np.ndarray:
    """Append the city total along the region axis (axis 1)."""
    return np.concatenate([x, x.sum(axis=1, keepdims=True)], axis=1)


def month_reached(approved: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """(R, C) first month (1..12) cumulative approvals reach the target; ``NEVER`` if not in the year."""
    hit = np.cumsum(approved, axis=-1) >= targets[None, :, None] - 1e-9
    return np.where(hit.any(axis=-1), hit.argmax(axis=-1) + 1, NEVER)


def closure_ratio(approved: np.ndarray, closed: np.ndarray) -> np.ndarray:
    """Closures within the year / approvals in the year; 1.0 where nothing was approved."""
    a, c = approved.sum(axis=-1), closed.sum(axis=-1)
    return np.where(a > 0, c / np.where(a > 0, a, 1), 1.0)


def policy_stats(state: StartState, samples: Samples, closure_min: float) -> pd.DataFrame:
    """One row per region plus the city total: the answers for one policy (English columns)."""
    targets = np.append(state.targets, state.targets.sum())
    approved = _with_total(samples.approved)
    closed = _with_total(samples.closed)
    year = approved.sum(axis=-1)
    ratio = closure_ratio(approved, closed)
    reached = month_reached(approved, targets)
    m = state.month
    ytd = approved[0, :, :m].sum(axis=-1)
    closed_ytd = closed[0, :, :m].sum(axis=-1) if m else np.zeros(len(targets))
    pace = m / 12 * targets
    extra = {f: _with_total(getattr(samples, f)).mean(axis=0) for f in
             ("waiting", "overflow_out", "overflow_in", "moved_out", "moved_in")}
    return pd.DataFrame({
        "region": [*state.region_ids, CITY_TOTAL],
        "target": targets,
        "approved_ytd": ytd,
        "closed_ytd": closed_ytd,
        "pace_expected": pace,
        "pace_gap": ytd - pace,
        "approved_mean": year.mean(axis=0),
        "approved_q05": np.quantile(year, 0.05, axis=0),
        "approved_q95": np.quantile(year, 0.95, axis=0),
        "p_reach": (year >= targets - 1e-9).mean(axis=0),
        "closure_ratio_mean": ratio.mean(axis=0),
        "p_closure_ok": (ratio >= closure_min - 1e-12).mean(axis=0),
        "month_reached_median": np.quantile(reached, 0.5, axis=0, method="inverted_cdf").astype(int),
        **{f"{k}_mean": v for k, v in extra.items()},
    })


def comparison(stats: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Long table region × policy with the change of each answer against the baseline policy."""
    base_name = "none" if "none" in stats else next(iter(stats))
    base = stats[base_name].set_index("region")
    frames = []
    for policy, frame in stats.items():
        f = frame.copy()
        f.insert(1, "policy", policy)
        b = base.loc[f["region"]]
        f["p_reach_change"] = f["p_reach"].to_numpy() - b["p_reach"].to_numpy()
        f["p_closure_ok_change"] = f["p_closure_ok"].to_numpy() - b["p_closure_ok"].to_numpy()
        f["approved_change"] = f["approved_mean"].to_numpy() - b["approved_mean"].to_numpy()
        frames.append(f)
    order = {p: i for i, p in enumerate(POLICIES)}
    out = pd.concat(frames, ignore_index=True)
    region_order = {r: i for i, r in enumerate(stats[base_name]["region"])}
    out = out.sort_values(by=["region", "policy"], key=lambda s: s.map(region_order) if s.name == "region"
                          else s.map(order), kind="stable")
    return out.reset_index(drop=True)


def monthly(state: StartState, samples: dict[str, Samples]) -> pd.DataFrame:
    """Cumulative approvals and closures by month: actual to date, 序时进度, projection fan per policy."""
    targets = np.append(state.targets, state.targets.sum())
    ids = [*state.region_ids, CITY_TOTAL]
    m = state.month
    rows = []
    for policy, s in samples.items():
        cum = np.cumsum(_with_total(s.approved), axis=-1)
        ccum = np.cumsum(_with_total(s.closed), axis=-1)
        mean, q05, q95 = cum.mean(axis=0), np.quantile(cum, 0.05, axis=0), np.quantile(cum, 0.95, axis=0)
        cmean = ccum.mean(axis=0)
        for c in range(len(ids)):
            for j in range(12):
                actual = cum[0, c, j] if j < m else np.nan
                rows.append((policy, ids[c], j + 1, actual, (j + 1) / 12 * targets[c],
                             mean[c, j], q05[c, j], q95[c, j], ccum[0, c, j] if j < m else np.nan, cmean[c, j]))
    return pd.DataFrame(rows, columns=["policy", "region", "month", "approved_actual", "pace",
                                       "approved_mean", "approved_q05", "approved_q95", "closed_actual",
                                       "closed_mean"])
