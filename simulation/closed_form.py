"""The projection without the event model: closed form and vectorised numpy, unlimited capacity.

With unlimited handler capacity and no dispatch policy nothing in the model interacts, so its
answers follow from the posterior by quadrature (``closed_form``) and its replications can be
drawn all at once with the same distribution (``vectorised``):

- remaining approvals of region c given the drift multiplier M = exp(bias + city + region
  factor) (normal on the log scale, Gauss-Hermite quadrature): months Poisson(μ_j · M · G_j),
  G_j ~ Gamma(φ, 1/φ), so mean M Σμ and variance M Σμ + M² Σμ²/φ; the year's mean and sd are
  exact, P(target) and the 5%/95% points use a negative binomial of that mean and variance given
  M (exact when φ is infinite, i.e. Poisson months), mixed over M;
- given a month's count, each case is uniform over the month's days and closes in month l with
  probability π[j, l] (gamma handling time × the replication's factor F, averaged over days and
  kinds); each open case at the as-of date closes in month l with probability π_carry[l];
  expected closures average π over F (quadrature); approvals and F are independent; the year-end
  clearance Q (independent of both) moves E[Q] of the after-the-year probability of cases approved
  before December into December.

The seasonal draw (``Posterior.season_sd``) is not in ``closed_form`` (it is zero without a
history table). The SimPy model with unlimited capacity and policy "none" must agree with these
within Monte Carlo error (tests/simulation); the vectorised projection is the benchmark's yardstick.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special, stats

from simulation.closures import pull_into_december
from simulation.posterior import blend_rate
from simulation.randomness import draw_year
from simulation.start import StartState

#: Gauss-Hermite (probabilists') nodes and weights for a standard normal factor.
_X, _W = np.polynomial.hermite_e.hermegauss(24)
_W = _W / _W.sum()
#: Fewer nodes for the handling-time factor (expected closures are smooth in it).
_XF, _WF = np.polynomial.hermite_e.hermegauss(7)
_WF = _WF / _WF.sum()


def month_closure_probs(state: StartState, factor: float | np.ndarray = 1.0) -> np.ndarray:
    """π (C, 12, 13): P(a case of region c approved in month j closes in month l); l = 12: after the year.

    Rows of months before the as-of month are zero (those cases are in the carry-over); handling
    times × ``factor`` (a number, or one per region).
    """
    edges = state.edges
    f = np.broadcast_to(np.asarray(factor, dtype=float), (state.n_regions,))
    out = np.zeros((state.n_regions, 12, 13))
    for c in range(state.n_regions):
        for j in range(state.month, 12):
            s = np.arange(edges[j], edges[j + 1]) + 0.5
            cdf = np.stack([state.closure_cdf(edges[n + 1] - s, c, f[c]) for n in range(12)])  # (12, days)
            by_month = np.diff(np.vstack([np.zeros((1, len(s))), cdf]), axis=0)
            out[c, j, :12] = by_month.mean(axis=1)
            out[c, j, 12] = 1.0 - cdf[-1].mean()
    return out


def carry_closure_probs(state: StartState, factor: float | np.ndarray = 1.0) -> np.ndarray:
    """(C, 13): P(a case open at the as-of date closes in month l), l = 12 meaning after the year."""
    out = np.zeros((state.n_regions, 13))
    t0 = state.start_time
    f = np.broadcast_to(np.asarray(factor, dtype=float), (state.n_regions,))
    for c in range(state.n_regions):
        age, kind, prob = state.carry_age[c], state.carry_kind[c], state.carry_prob[c]
        if not len(age):
            out[c, 12] = 1.0
            continue
        k, th = state.shape[kind], state.scale[c, kind] * f[c]
        surv = special.gammaincc(k, age / th)
        closed_by = np.zeros(13)
        for n in range(state.month, 12):
            h = state.edges[n + 1] - t0
            s_later = special.gammaincc(k, (age + h) / th)
            closed_by[n] = float(np.dot(prob, 1.0 - np.where(surv > 0, s_later / np.where(surv > 0, surv, 1), 1.0)))
        cum = np.maximum.accumulate(closed_by[:12])
        out[c, :12] = np.diff(np.concatenate([[0.0], cum]))
        out[c, 12] = 1.0 - cum[-1]
    return np.clip(out, 0.0, 1.0)


def with_clearance(pi: np.ndarray, share: np.ndarray, months_before_december: slice) -> np.ndarray:
    """Closure probabilities (C, …, 13) with ``share`` (C,) of the after-the-year probability of the
    rows in ``months_before_december`` (all rows for the carried-over cases) moved into December."""
    out = pi.copy()
    rows = out[:, months_before_december]
    moved = share.reshape((-1,) + (1,) * (rows.ndim - 2)) * rows[..., 12]
    rows[..., 11] += moved
    rows[..., 12] -= moved
    out[:, months_before_december] = rows
    return out


def point_rates(state: StartState) -> np.ndarray:
    """The rate each replication starts from before its drift (``randomness.draw_year`` without the
    seasonal draw)."""
    m = state.month
    if state.posterior.source == "none":
        return state.rate_hat
    if m == 0:
        return state.targets / state.season.sum(axis=1)
    r = state.posterior.recency[:m]
    rate = np.maximum((state.approved_m[:, :m] * r).sum(axis=1), 0.5 * r.max()) / (state.season[:, :m] * r).sum(axis=1)
    return blend_rate(rate, state.posterior.prior_rate, state.posterior.blend)


def _remaining(mu: np.ndarray, k: float, log_sd: float, bias: float):
    """Mixture over M of the remaining approvals: (nodes M, weights, conditional means, variances)."""
    big_m = np.exp(bias + log_sd * _X) if log_sd > 0 else np.full(1, np.exp(bias))
    w = _W if log_sd > 0 else np.ones(1)
    a = big_m * mu.sum()
    v = a + k * big_m ** 2 * (mu ** 2).sum()
    return w, a, v


def _cdf(n: np.ndarray, w: np.ndarray, a: np.ndarray, v: np.ndarray) -> np.ndarray:
    """P(remaining ≤ n) of the mixture (negative binomial of mean a and variance v per node; Poisson if v = a)."""
    out = np.zeros(len(n))
    for wi, ai, vi in zip(w, a, v, strict=True):
        if vi > ai * (1 + 1e-9) and ai > 0:
            p = ai / vi
            out += wi * stats.nbinom.cdf(n, ai * p / (1 - p), p)
        else:
            out += wi * stats.poisson.cdf(n, ai)
    return out


def closed_form(state: StartState) -> pd.DataFrame:
    """Year-end answers per region with unlimited capacity and no policy (English columns).

    Columns: region, approved_mean, approved_sd, approved_q05, approved_q95, p_reach (P(year-end
    approvals ≥ target)), closed_mean (expected closures within the year).
    """
    m, post = state.month, state.posterior
    ytd = state.approved_m.sum(axis=1)
    need = state.targets - ytd
    rate = point_rates(state)
    close_sd = float(np.hypot(post.close_city_sd, post.close_county_sd))
    nodes = [(1.0, np.exp(post.close_bias))] if close_sd == 0 else \
        [(w, np.exp(post.close_bias + close_sd * x)) for w, x in zip(_WF, _XF, strict=True)]
    pi = sum(w * month_closure_probs(state, f) for w, f in nodes)
    carry = sum(w * carry_closure_probs(state, f) for w, f in nodes)
    share = post.expected_clearance(state.params.clearance_max)
    pi = with_clearance(pi, share, slice(0, 11))
    carry = with_clearance(carry, share, slice(None)) if m < 12 else carry
    rows = []
    for c in range(state.n_regions):
        mu = rate[c] * state.season[c, m:]
        sd = float(np.hypot(post.drift_city_sd, post.drift_county_sd[c]))
        w, a, v = _remaining(mu, float(post.inv_phi[c]), sd, float(post.drift_bias[c]))
        mean = float(np.dot(w, a))
        var = float(np.dot(w, v) + np.dot(w, a ** 2) - mean ** 2)
        hi = int(np.ceil(mean + 12 * np.sqrt(var) + 20))
        grid = np.arange(hi + 1)
        cdf = _cdf(grid, w, a, v)
        p_reach = 1.0 if need[c] <= 0 else float(1.0 - _cdf(np.array([np.ceil(need[c]) - 1]), w, a, v)[0])
        q05, q95 = (float(grid[np.searchsorted(cdf, q)]) for q in (0.05, 0.95))
        month_mean = (w[:, None] * (a / mu.sum() if mu.sum() > 0 else np.zeros_like(a))[:, None] * mu[None]).sum(0)
        closed = (state.closed_m[c].sum() + state.open_cases[c] * carry[c, :12].sum()
                  + float(np.dot(month_mean, pi[c, m:, :12].sum(axis=1))))
        rows.append({"region": state.region_ids[c], "approved_mean": ytd[c] + mean, "approved_sd": np.sqrt(var),
                     "approved_q05": ytd[c] + q05, "approved_q95": ytd[c] + q95, "p_reach": p_reach,
                     "closed_mean": closed})
    return pd.DataFrame(rows)


def vectorised(state: StartState, runs: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Draw ``runs`` replications at once (unlimited capacity, no policy), as the SimPy samples.

    Parameters of each replication come from ``randomness.draw_year``; months are Poisson, each
    case uniform over its month's days with a gamma handling time (× the replication's factor);
    a case approved before December that would close after the year closes on 31 December with the
    replication's clearance share.
    Returns ``approved`` and ``closed`` (runs, C, 12) monthly counts, reported months included.
    """
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    C, m = state.n_regions, state.month
    draws = [draw_year(state, rng) for _ in range(runs)]
    mu = np.stack([d.month_mu for d in draws])  # (R, C, 12 - m)
    factor = np.stack([d.close_factor for d in draws])  # (R, C)
    share = np.stack([np.zeros(C) if d.clearance is None else d.clearance for d in draws])  # (R, C)
    approved = np.broadcast_to(state.approved_m, (runs, C, 12)).copy()
    closed = np.broadcast_to(state.closed_m, (runs, C, 12)).copy()
    n = rng.poisson(mu)
    approved[:, :, m:] += n
    edges = state.edges
    for j in range(m, 12):
        count = n[:, :, j - m].reshape(-1)
        cell = np.repeat(np.arange(runs * C), count)
        region = cell % C
        kind = rng.choice(3, size=len(cell), p=state.mix)
        start = edges[j] + rng.integers(0, int(edges[j + 1] - edges[j]), size=len(cell)) + 0.5
        t = start + rng.standard_gamma(state.shape[kind]) * state.scale[region, kind] * factor.reshape(-1)[cell]
        if j < 11:
            t = _clear(t, share.reshape(-1)[cell], edges[12], rng)
        month = np.searchsorted(edges, t, side="right") - 1
        inside = month < 12
        closed += np.bincount(cell[inside] * 12 + month[inside], minlength=runs * C * 12).reshape(runs, C, 12)
    for c in range(C):
        if state.open_cases[c] <= 0:
            continue
        age, kind, prob = state.carry_age[c], state.carry_kind[c], state.carry_prob[c]
        counts = rng.multinomial(int(state.open_cases[c]), prob, size=runs)  # (R, L)
        rep = np.repeat(np.repeat(np.arange(runs), len(age)), counts.reshape(-1))
        cls = np.repeat(np.tile(np.arange(len(age)), runs), counts.reshape(-1))
        k, th = state.shape[kind[cls]], state.scale[c, kind[cls]] * factor[rep, c]
        total = th * special.gammainccinv(k, special.gammaincc(k, age[cls] / th) * (1.0 - rng.random(len(cls))))
        t = _clear(state.start_time + np.maximum(total - age[cls], 0.0), share[rep, c], edges[12], rng)
        month = np.searchsorted(edges, t, side="right") - 1
        inside = month < 12
        closed[:, c, :] += np.bincount(rep[inside] * 12 + month[inside], minlength=runs * 12).reshape(runs, 12)
    return {"approved": approved, "closed": closed}


def _clear(t: np.ndarray, share: np.ndarray, year_end: float, rng: np.random.Generator) -> np.ndarray:
    """Closing times ``t`` with each one after ``year_end`` moved to 31 December with probability ``share``."""
    if not np.any(share > 0):
        return t
    return pull_into_december(t, rng.random(len(t)), share, year_end)
