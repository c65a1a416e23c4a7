"""The projection without the event model: closed form and vectorised numpy, unlimited capacity.

With unlimited handler capacity and no dispatch policy the model is a thinned Poisson process,
so its answers follow in closed form (``closed_form``) and its Monte Carlo replications can be
drawn directly, all at once, with the same distribution (``vectorised``):

- remaining approvals in month j given the rate λ: Poisson(λ·w[j]); λ ~ Gamma(a, b) (or fixed),
  so the remaining year is negative binomial NB(a, b / (b + Σw)) — mean a/b·Σw, variance
  a/b·Σw + a/b²·(Σw)²;
- given a month's count, each case is uniform over the month's days and closes in month l with
  probability π[j, l] (gamma handling time, averaged over days and kinds): multinomial;
- each open case at the as-of date closes in month l with probability π_carry[l] (its class
  mixture of gamma residuals): multinomial.

The SimPy model with unlimited capacity and policy "none" must agree with these within Monte
Carlo error (tests/simulation); the vectorised projection is the benchmark's yardstick.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special, stats

from simulation.start import StartState


def month_closure_probs(state: StartState) -> np.ndarray:
    """π (C, 12, 13): P(a case of region c approved in month j closes in month l); l = 12: after the year.

    Rows of months before the as-of month are zero (those cases are in the carry-over).
    """
    edges = state.edges
    out = np.zeros((state.n_regions, 12, 13))
    for c in range(state.n_regions):
        for j in range(state.month, 12):
            s = np.arange(edges[j], edges[j + 1]) + 0.5
            cdf = np.stack([state.closure_cdf(edges[n + 1] - s, c) for n in range(12)])  # (12, days)
            by_month = np.diff(np.vstack([np.zeros((1, len(s))), cdf]), axis=0)
            out[c, j, :12] = by_month.mean(axis=1)
            out[c, j, 12] = 1.0 - cdf[-1].mean()
    return out


def carry_closure_probs(state: StartState) -> np.ndarray:
    """(C, 13): P(a case open at the as-of date closes in month l), l = 12 meaning after the year."""
    out = np.zeros((state.n_regions, 13))
    t0 = state.start_time
    for c in range(state.n_regions):
        age, kind, prob, surv = state.carry_age[c], state.carry_kind[c], state.carry_prob[c], state.carry_surv[c]
        if not len(age):
            out[c, 12] = 1.0
            continue
        k, th = state.shape[kind], state.scale[c, kind]
        closed_by = np.zeros(13)
        for n in range(state.month, 12):
            h = state.edges[n + 1] - t0
            s_later = special.gammaincc(k, (age + h) / th)
            closed_by[n] = float(np.dot(prob, 1.0 - np.where(surv > 0, s_later / np.where(surv > 0, surv, 1), 1.0)))
        cum = np.maximum.accumulate(closed_by[:12])
        out[c, :12] = np.diff(np.concatenate([[0.0], cum]))
        out[c, 12] = 1.0 - cum[-1]
    return np.clip(out, 0.0, 1.0)


def closed_form(state: StartState) -> pd.DataFrame:
    """Exact year-end answers per region with unlimited capacity and no policy (English columns).

    Columns: region, approved_mean, approved_sd, approved_q05, approved_q95, p_reach (P(year-end
    approvals ≥ target)), closed_mean (expected closures within the year).
    """
    m = state.month
    w_rem = float(state.weights[m:].sum())
    ytd = state.approved_m.sum(axis=1)
    need = state.targets - ytd
    rows = []
    pi = month_closure_probs(state)
    carry = carry_closure_probs(state)
    for c in range(state.n_regions):
        if state.rate_rate > 0:
            a, b = state.rate_shape[c], state.rate_rate
            dist = stats.nbinom(a, b / (b + w_rem))
            mean = a / b * w_rem
            var = mean + a / b**2 * w_rem**2
            lam = a / b
        else:
            lam = state.rate_hat[c]
            dist = stats.poisson(lam * w_rem)
            mean = var = lam * w_rem
        p_reach = 1.0 if need[c] <= 0 else float(dist.sf(np.ceil(need[c]) - 1))
        closed = (state.closed_m[c].sum() + state.open_cases[c] * carry[c, :12].sum()
                  + lam * float(np.dot(state.weights[m:], pi[c, m:, :12].sum(axis=1))))
        rows.append({"region": state.region_ids[c], "approved_mean": ytd[c] + mean, "approved_sd": np.sqrt(var),
                     "approved_q05": ytd[c] + dist.ppf(0.05), "approved_q95": ytd[c] + dist.ppf(0.95),
                     "p_reach": p_reach, "closed_mean": closed})
    return pd.DataFrame(rows)


def vectorised(state: StartState, runs: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Draw ``runs`` replications at once (unlimited capacity, no policy), as the SimPy samples.

    Returns ``approved`` and ``closed`` (runs, C, 12) monthly counts, reported months included.
    """
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    C, m = state.n_regions, state.month
    if state.rate_rate > 0:
        lam = rng.gamma(state.rate_shape[None, :], 1.0 / state.rate_rate, size=(runs, C))
    else:
        lam = np.broadcast_to(state.rate_hat, (runs, C))
    approved = np.broadcast_to(state.approved_m, (runs, C, 12)).copy()
    closed = np.broadcast_to(state.closed_m, (runs, C, 12)).copy()
    pi = month_closure_probs(state)
    for j in range(m, 12):
        n = rng.poisson(lam * state.weights[j])
        approved[:, :, j] += n
        closed += rng.multinomial(n, pi[:, j, :])[:, :, :12]
    carry = carry_closure_probs(state)
    for c in range(C):
        if state.open_cases[c] > 0:
            closed[:, c, :] += rng.multinomial(int(state.open_cases[c]), carry[c], size=runs)[:, :12]
    return {"approved": approved, "closed": closed}
