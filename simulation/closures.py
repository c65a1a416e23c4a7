"""When the cases of a simulated year close: carried-over open cases and cases assigned in the year.

Closing feeds nothing back into the model (the yearly cap counts assignments, not concurrent
cases), so closure times are drawn in one vectorised step from the assignment record after the
SimPy run; this is exact, not an approximation.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from simulation.randomness import STREAMS, child
from simulation.start import StartState


def carry_closures(state: StartState, rng: np.random.Generator, factor: np.ndarray | None = None
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Closing times of the cases open at the as-of date: (region, time, amount) arrays.

    An open case of age a (days since approval) and kind k closes after the gamma residual given
    survival to a: d = θ·Q⁻¹(k, S(a)·V) with V uniform on (0, 1], residual = d − a, θ the region's
    scale × ``factor`` (the replication's handling-time drift). In deterministic mode each class
    closes after its mean residual E[d − a | d > a].
    """
    regions, times, amounts = [], [], []
    t0 = state.start_time
    for c in range(state.n_regions):
        n = state.open_cases[c]
        if n <= 0:
            continue
        age, kind, prob, surv = state.carry_age[c], state.carry_kind[c], state.carry_prob[c], state.carry_surv[c]
        k, th = state.shape[kind], state.scale[c, kind]
        if state.params.deterministic:
            mean_total = k * th * special.gammaincc(k + 1, age / th) / np.maximum(surv, 1e-300)
            resid = np.where(surv > 1e-300, mean_total - age, th)
            regions.append(np.full(len(age), c))
            times.append(t0 + resid)
            amounts.append(n * prob)
            continue
        counts = rng.multinomial(int(n), prob)
        pick = np.repeat(np.arange(len(age)), counts)
        v = 1.0 - rng.random(len(pick))
        k, th, s = k[pick], th[pick], surv[pick]
        if factor is not None and factor[c] != 1.0:
            th = th * factor[c]
            s = special.gammaincc(k, age[pick] / th)
        total = th * special.gammainccinv(k, s * v)
        regions.append(np.full(len(pick), c))
        times.append(t0 + np.maximum(total - age[pick], 0.0))
        amounts.append(np.ones(len(pick)))
    if not regions:
        return np.zeros(0, int), np.zeros(0), np.zeros(0)
    return np.concatenate(regions), np.concatenate(times), np.concatenate(amounts)


def start_closures(state: StartState, starts: np.ndarray, seed: np.random.SeedSequence,
                   factor: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Closing times of the cases assigned during the simulation: (region, time, amount, assigned
    time) arrays.

    ``starts`` (C, D, 3) holds cases assigned per approving region, day and kind; a case assigned
    at noon of day d closes at d + ½ + its handling time (gamma draw; the mean in deterministic
    mode), scaled by the replication's ``factor`` per region. Each region draws from its own stream (spawn key of ``seed`` + region index), so a
    policy that changes one region's assignments leaves the other regions' draws untouched.
    """
    C, D, K = starts.shape
    t_start = state.start_time + np.arange(D) + 0.5
    if state.params.deterministic:
        times = np.broadcast_to(t_start[None, :, None] + state.mean_days[:, None, :], starts.shape)
        region = np.broadcast_to(np.arange(C)[:, None, None], starts.shape)
        keep = starts > 0
        begun = np.broadcast_to(t_start[None, :, None], starts.shape)
        return region[keep], times[keep], starts[keep], begun[keep]
    regions, times, begun = [], [], []
    for c in range(C):
        counts = starts[c].reshape(-1).astype(np.int64)
        cell = np.repeat(np.arange(D * K), counts)
        kind, day = cell % K, cell // K
        rng = np.random.Generator(np.random.PCG64(child(seed, c)))
        f = 1.0 if factor is None else factor[c]
        times.append(t_start[day] + rng.standard_gamma(state.shape[kind]) * state.scale[c, kind] * f)
        regions.append(np.full(len(cell), c))
        begun.append(t_start[day])
    region = np.concatenate(regions)
    return region, np.concatenate(times), np.ones(len(region)), np.concatenate(begun)


def year_end_clearance(state: StartState, region: np.ndarray, times: np.ndarray, eligible: np.ndarray,
                       share: np.ndarray, seed: np.random.SeedSequence) -> np.ndarray:
    """Closing times after the year-end clearance: each case approved before December (``eligible``)
    that would close after 31 December closes on 31 December instead with its region's ``share``.

    The uniforms come from one stream per region (spawn key of ``seed`` + region index), so that a
    policy changing one region's cases leaves the other regions' draws untouched.
    """
    late = eligible & (times >= state.year_end)
    if not late.any():
        return times
    out = times.copy()
    for c in np.unique(region[late]):
        pick = np.flatnonzero(late & (region == c))
        u = np.random.Generator(np.random.PCG64(child(seed, int(c)))).random(len(pick))
        out[pick] = pull_into_december(times[pick], u, share[c], state.year_end)
    return out


def pull_into_december(times: np.ndarray, uniforms: np.ndarray, share, year_end: float) -> np.ndarray:
    """Closing times with each one at or after ``year_end`` moved to noon of 31 December where its
    uniform is below ``share`` (a number or one per case): the year-end clearance of one case."""
    return np.where((times >= year_end) & (uniforms < share), year_end - 0.5, times)


def closures(state: StartState, year, rng: dict, seed: np.random.SeedSequence, factor: np.ndarray | None = None,
             shared: dict | None = None, clearance: np.ndarray | None = None) -> np.ndarray:
    """Closures per region and month within the year (C, 12): the reported months, the carried-over
    open cases, and the cases assigned during the simulation (counted for the approving region).

    ``clearance``: the replication's year-end clearance share per region (``year_end_clearance``;
    stochastic mode only), None for none. The carried-over cases' closing times do not depend on the
    policy: with ``shared`` (one dict per replication, see ``model.simulate``) they are drawn once
    from their own stream and reused."""
    starts = year.arrivals.copy()
    for (c, i), got in year.changed.items():
        starts[c, i] = got
    C = state.n_regions
    closed = state.closed_m.copy()
    shared = {} if shared is None else shared
    clear_seed = child(seed, STREAMS.index("clearance"))
    clearing = clearance is not None and not state.params.deterministic
    if "carry" not in shared:
        region, times, amount = carry_closures(state, rng["carry"], factor)
        if clearing:
            times = year_end_clearance(state, region, times, np.full(len(times), state.month < 12), clearance,
                                       child(clear_seed, 0))
        shared["carry"] = region, times, amount
    s_region, s_times, s_amount, begun = start_closures(state, starts, child(seed, STREAMS.index("durations")), factor)
    if clearing:
        s_times = year_end_clearance(state, s_region, s_times, begun < state.edges[11], clearance, child(clear_seed, 1))
    for region, times, amount in (shared["carry"], (s_region, s_times, s_amount)):
        month = np.searchsorted(state.edges, times, side="right") - 1
        inside = month < 12
        closed += np.bincount(region[inside] * 12 + month[inside], weights=amount[inside],
                              minlength=C * 12).reshape(C, 12)
        if year.log is not None:
            for r, t, n in sorted(zip(region[inside].tolist(), times[inside].tolist(), amount[inside].tolist(),
                                      strict=True), key=lambda x: (x[1], x[0])):
                year.log.append((t, state.names[r], "close", log_amount(n), ""))
    return closed


def log_amount(x):
    """A count for the event log: int when whole, else float."""
    x = float(x)
    return int(x) if x.is_integer() else x
