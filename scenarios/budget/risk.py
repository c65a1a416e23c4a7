"""Risk that the case subsidies due exceed the funds, from projected year-end cases.

Input: samples of each region's projected year-end cases (件), e.g. the replications of the
simulation's projection (``simulation`` is not imported here: pass its numbers). With N a
sample of cases and a per-case subsidy of mean μ and standard deviation σ (schedule × case
mix, ``SubsidySchedule.per_case``), the subsidies due are

- method "cases":     N μ (only the number of cases is uncertain). The funds keeping
  P(due > F) ≤ α are F = μ × the (1 − α) quantile of N (closed form, empirical quantile).
- method "cases+mix": also which cases arrive is uncertain: given N, due ≈ Normal(N μ, N σ²)
  (a sum of N independent case subsidies). P(due > F) = mean over samples of the normal tail;
  it is continuous and decreasing in F, and F is found with ``scipy.optimize.brentq``.

The local budget needed is F − central/provincial funds (never below 0). Each sample is taken
at least at the budget's case basis (the target, or the planned cases when larger: the same count
the verdicts use), so a county short for its case basis is at risk in every sample.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.stats import norm

from scenarios.budget.least import ceil_yuan
from scenarios.budget.rules import CountyBudget
from scenarios.errors import InputError, InputIssue
from scenarios.plans import Plan

METHODS = ("cases", "cases+mix")

#: Columns of the risk table (English).
RISK_COLUMNS = ["region", "replications", "cases_mean", "cases_p50", "cases_p95", "subsidy_per_case",
                "due_mean", "funds", "p_exceed", "level", "funds_needed", "local_needed", "gap"]

_VALUE_COLUMNS = ("cases", "year_end", "year_end_cases", "projected", "projected_cases", "approved", "total", "value")


def samples_by_region(plan: Plan, samples: object, source: str = "预测案件样本") -> dict[str, np.ndarray]:
    """Projected year-end cases per region id from one of the accepted forms.

    Accepted: a mapping region → array of samples; a wide DataFrame (index = regions, one
    column per replication); or a long DataFrame with a ``region`` column and a numeric column
    named one of cases, year_end, year_end_cases, projected, projected_cases, approved, total,
    value. Regions may be ids or names. A projection result of the simulation engine (an
    object with ``samples[policy].approved`` of shape (replications, regions, 12) and
    ``state.region_ids``) is read as its year-end approvals under policy "none" (else the first).
    """
    if hasattr(samples, "samples") and hasattr(samples, "state"):
        runs = samples.samples
        chosen = runs["none"] if "none" in runs else next(iter(runs.values()))
        year_end = np.asarray(chosen.approved, dtype=float).sum(axis=2)
        samples = {rid: year_end[:, j] for j, rid in enumerate(samples.state.region_ids)}
    if isinstance(samples, pd.DataFrame):
        if "region" in samples.columns:
            value = next((c for c in _VALUE_COLUMNS if c in samples.columns), None)
            if value is None:
                raise InputError([InputIssue(source, None, None, None,
                                             f"长表需要一列案件数（{', '.join(_VALUE_COLUMNS)} 之一）")])
            raw = {k: g[value].to_numpy(dtype=float) for k, g in samples.groupby("region", sort=False)}
        else:
            raw = {k: row.to_numpy(dtype=float) for k, row in samples.iterrows()}
    elif isinstance(samples, Mapping):
        raw = {k: np.asarray(v, dtype=float).ravel() for k, v in samples.items()}
    else:
        raise InputError([InputIssue(source, None, None, None, "应为 {地区: 样本数组} 或 DataFrame")])
    out, issues = {}, []
    for key, values in raw.items():
        rid = plan.resolve_region(key)
        if rid is None:
            issues.append(InputIssue(source, None, None, str(key), f"不是{plan.city}的地区"))
            continue
        values = values[~np.isnan(values)]
        if values.size == 0 or np.any(values < 0):
            issues.append(InputIssue(source, None, None, str(key), "样本应为非负的案件数，且至少一个"))
            continue
        out[rid] = values
    if issues:
        raise InputError(issues)
    return out


def exceed_probability(funds: float, cases: np.ndarray, mean: float, sd: float, method: str = "cases+mix") -> float:
    """P(subsidies due > funds) over the case samples (see the module docstring)."""
    cases = np.asarray(cases, dtype=float)
    point = cases * mean
    if method == "cases" or sd <= 0:
        return float(np.mean(point > funds))
    spread = sd * np.sqrt(cases)
    with np.errstate(divide="ignore", invalid="ignore"):
        tail = np.where(spread > 0, norm.sf((funds - point) / np.where(spread > 0, spread, 1.0)),
                        (point > funds).astype(float))
    return float(np.mean(tail))


def funds_for_level(cases: np.ndarray, mean: float, sd: float, level: float, method: str = "cases+mix") -> float:
    """Least funds F (元, whole 元) with P(subsidies due > F) ≤ ``level``."""
    if not 0 < level < 1:
        raise ValueError("level must be within (0, 1)")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}")
    cases = np.asarray(cases, dtype=float)
    if method == "cases" or sd <= 0:
        return float(ceil_yuan(mean * np.quantile(cases, 1 - level, method="inverted_cdf")))
    if exceed_probability(0.0, cases, mean, sd, method) <= level:
        return 0.0
    hi = float(np.max(cases * mean + 12 * sd * np.sqrt(cases))) + 1.0
    root = brentq(lambda f: exceed_probability(f, cases, mean, sd, method) - level, 0.0, hi, xtol=1e-3)
    return _least_whole_yuan(lambda f: exceed_probability(f, cases, mean, sd, method) <= level, root)


def _least_whole_yuan(ok, guess: float) -> float:
    """Least whole 元 F ≥ 0 with ``ok(F)`` for a monotone predicate, starting from brentq's root.

    Where the probability is flat (samples far apart, tiny spread) any point of the flat part is
    a root; the integer bisection below then finds its lower end.
    """
    hi = float(ceil_yuan(guess))
    step = 1.0
    while not ok(hi):
        hi += step
        step *= 2
    lo = hi - 1
    if ok(lo):
        lo = -1.0
        while hi - lo > 1:
            mid = float((lo + hi) // 2)
            if ok(mid):
                hi = mid
            else:
                lo = mid
    return max(hi, 0.0)


def subsidy_risk(budgets: list[CountyBudget], samples: dict[str, np.ndarray],
                 per_case: dict[str, tuple[float, float]], *, level: float = 0.05,
                 method: str = "cases+mix") -> pd.DataFrame:
    """Per region: the chance the subsidies due exceed the year's funds, and the budget for ``level``.

    Parameters
    ----------
    budgets : per-region budgets (funds = central+provincial + local, 元).
    samples : projected year-end cases per region id (``samples_by_region``).
    per_case : (mean, standard deviation) of the subsidy per case per region id (元/件).
    level : the accepted chance of running short (e.g. 0.05).
    method : "cases" or "cases+mix" (see the module docstring).

    Returns
    -------
    DataFrame with ``RISK_COLUMNS``; regions without samples are left out.
    """
    rows = []
    for b in budgets:
        if b.region not in samples:
            continue
        n = np.maximum(samples[b.region], b.cases)  # the budget funds at least its case basis
        mean, sd = per_case[b.region]
        funds = b.upper + b.local
        needed = funds_for_level(n, mean, sd, level, method)
        local_needed = max(0.0, needed - b.upper)
        rows.append([b.region, int(n.size), float(n.mean()), float(np.quantile(n, 0.5)),
                     float(np.quantile(n, 0.95)), mean, float(n.mean() * mean), funds,
                     exceed_probability(funds, n, mean, sd, method), level, needed, local_needed,
                     max(0.0, local_needed - b.local)])
    return pd.DataFrame(rows, columns=RISK_COLUMNS)
