"""The SimPy model of the rest of the legal-aid year, one replication at a time.

Processes (generator functions taking ``env``; time in days from 1 January 00:00):

- ``centre``: the city legal-aid centre. At each month start (an integer time) it publishes the
  month's new applications per region; under ``rebalance`` it first redirects part of the
  applications of regions ahead of 序时进度 to regions behind it (``policies.rebalance_rule``).
- ``intake`` (one per region): each day at noon (time d + ½) the region approves that day's
  applications, adds them to its waiting list and assigns waiting cases to its handlers with
  room under the yearly cap (``policies.assign``); under ``overflow`` cases it has no room for
  go to the nearest region with room. Cases that find no handler wait (all year if need be).
- closures: a case assigned at time s closes at s + its handling time (gamma by kind). Closing
  feeds nothing back into the model (the yearly cap counts assignments, not concurrent cases),
  so closure times are computed in one vectorised step from the assignment record instead of
  being scheduled as events; this is exact, not an approximation.

Granularity and what it costs in fidelity: applications arrive in daily batches per region
(Poisson counts per day, split into kinds multinomially), not one process per case. Times of
approval and assignment are resolved to the day (all of a day's cases are approved at noon);
within-day order does not matter because capacity is a yearly count. Handlers are pooled per
region (lawyers / grassroots workers), not individual people: the model does not see one
lawyer at 90 while a colleague has room (it assumes the centre assigns to whoever has room),
nor co-defendant conflicts (刑诉法解释 §43), specialisation or concurrent workload. The
allocation engine (issue 3) handles those case by case.

Randomness: ``numpy.random.Generator`` streams per replication derived from its ``SeedSequence``
by fixed spawn keys (rates, arrivals, policy draws, handling times — one stream per region —
and open-case residuals). The same replication seed gives every policy the same rates, natural
arrivals and open-case closures, and every region whose assignments a policy does not change
the same handling times (common random numbers), so policy differences carry little noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import simpy
from scipy import special

from simulation.policies import KIND_POOLS, assign, rebalance_rule
from simulation.start import StartState

#: Streams derived from a replication's SeedSequence, by purpose.
STREAMS = ("rates", "arrivals", "policy", "durations", "carry")


@dataclass
class Replication:
    """One simulated year (arrays by region in plan order; counts 件, fractional in deterministic mode).

    Attributes
    ----------
    approved : approvals per month (C, 12), reported months included.
    closed : closures within the year per month of closure (C, 12), of this year's approvals,
        counted for the approving region.
    waiting : cases approved but still without a handler at the year end (C,).
    overflow_out / overflow_in : cases handled by another region's handlers (sent / taken).
    moved_out / moved_in : applications redirected by the city centre (given / received).
    events : SimPy events processed by the model's processes (one per region and remaining day,
        one per remaining month for the centre).
    log : when traced, the event log as ``(time 天, region name, event, amount 件, detail)`` sorted by
        time: "approve" (detail ""), "assign" (detail: the region whose handlers took them),
        "overflow" (detail: the region taking cases it had no room for), "wait" (amount: all
        cases waiting after the day's assignments), "close" (computed closing times, see the
        module docstring), "transfer_out" / "transfer_in" (rebalance, detail: the month);
        None when not traced.
    """

    approved: np.ndarray
    closed: np.ndarray
    waiting: np.ndarray
    overflow_out: np.ndarray
    overflow_in: np.ndarray
    moved_out: np.ndarray
    moved_in: np.ndarray
    events: int
    log: list | None = None


def child(seed: np.random.SeedSequence, *key: int) -> np.random.SeedSequence:
    """The child of ``seed`` with spawn key suffix ``key`` (fixed, independent of spawn counters)."""
    return np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, *key), pool_size=seed.pool_size)


def streams(seed: np.random.SeedSequence) -> dict[str, np.random.Generator]:
    """The replication's generators by purpose (``STREAMS``); "durations" is split per region later."""
    return {name: np.random.Generator(np.random.PCG64(child(seed, i))) for i, name in enumerate(STREAMS)}


def draw_rates(state: StartState, rng: np.random.Generator) -> np.ndarray:
    """Each region's arrival rate for this replication (posterior draw, or the point estimate)."""
    if state.rate_rate <= 0 or state.params.deterministic:
        return state.rate_hat.copy()
    return rng.gamma(state.rate_shape, 1.0 / state.rate_rate)


def draw_arrivals(state: StartState, rates: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Natural applications per region, remaining day and kind, (C, D, 3)."""
    mu = rates[:, None] * state.day_weight[None, :]
    if state.params.deterministic:
        return mu[:, :, None] * state.mix[None, None, :]
    return rng.multinomial(rng.poisson(mu), state.mix)


def carry_closures(state: StartState, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Closing times of the cases open at the as-of date: (region, time, amount) arrays.

    An open case of age a (days since approval) and kind k closes after the gamma residual given
    survival to a: d = θ·Q⁻¹(k, S(a)·V) with V uniform on (0, 1], residual = d − a. In
    deterministic mode each class closes after its mean residual E[d − a | d > a].
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
        total = th[pick] * special.gammainccinv(k[pick], surv[pick] * v)
        regions.append(np.full(len(pick), c))
        times.append(t0 + np.maximum(total - age[pick], 0.0))
        amounts.append(np.ones(len(pick)))
    if not regions:
        return np.zeros(0, int), np.zeros(0), np.zeros(0)
    return np.concatenate(regions), np.concatenate(times), np.concatenate(amounts)


def start_closures(state: StartState, starts: np.ndarray, seed: np.random.SeedSequence
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Closing times of the cases assigned during the simulation: (region, time, amount) arrays.

    ``starts`` (C, D, 3) holds cases assigned per approving region, day and kind; a case assigned
    at noon of day d closes at d + ½ + its handling time (gamma draw; the mean in deterministic
    mode). Each region draws from its own stream (spawn key of ``seed`` + region index), so a
    policy that changes one region's assignments leaves the other regions' draws untouched.
    """
    C, D, K = starts.shape
    t_start = state.start_time + np.arange(D) + 0.5
    if state.params.deterministic:
        times = np.broadcast_to(t_start[None, :, None] + state.mean_days[:, None, :], starts.shape)
        region = np.broadcast_to(np.arange(C)[:, None, None], starts.shape)
        keep = starts > 0
        return region[keep], times[keep], starts[keep]
    regions, times = [], []
    for c in range(C):
        counts = starts[c].reshape(-1).astype(np.int64)
        cell = np.repeat(np.arange(D * K), counts)
        kind, day = cell % K, cell // K
        rng = np.random.Generator(np.random.PCG64(child(seed, c)))
        times.append(t_start[day] + rng.standard_gamma(state.shape[kind]) * state.scale[c, kind])
        regions.append(np.full(len(cell), c))
    region = np.concatenate(regions)
    return region, np.concatenate(times), np.ones(len(region))


def simulate(state: StartState, policy: str, seed: np.random.SeedSequence, trace: bool = False) -> Replication:
    """Run one replication of months m+1..12 under ``policy`` ("none", "overflow", "rebalance")."""
    rng = streams(seed)
    det = state.params.deterministic
    C, D = state.n_regions, len(state.day_weight)
    m = state.month
    start = state.start_time
    rates = draw_rates(state, rng["rates"])
    arrivals = draw_arrivals(state, rates, rng["arrivals"])
    if not det:
        arrivals = arrivals.astype(np.int64)
    log: list | None = [] if trace else None
    names = state.names
    unlimited = state.unlimited
    overflow = policy == "overflow"
    rooms = [list(row) for row in state.capacity]
    if not det:
        rooms = [[r if np.isinf(r) else int(r) for r in row] for row in rooms]
    backlog = [[0, 0, 0] for _ in range(C)]
    changed: dict[tuple[int, int], list] = {}  # (region, day) -> assigned per kind, where ≠ that day's approvals
    moved_out, moved_in = np.zeros(C), np.zeros(C)
    over_out, over_in = np.zeros(C), np.zeros(C)
    published: dict[int, list] = {}
    month_of_day = (state.day_month - m).tolist()
    first_day = [int(state.edges[j] - start) for j in range(m, 13)]
    counter = [0]
    ytd = state.approved_m[:, :m].sum(axis=1)

    def centre(env):
        for j in range(m, 12):
            lo, hi = first_day[j - m], first_day[j - m + 1]
            if policy == "rebalance" and j < state.params.rebalance_until_month:
                cum = ytd + arrivals[:, :lo, :].sum(axis=(1, 2))
                redirect(env, j, lo, hi, cum)
            published[j - m] = arrivals[:, lo:hi, :].tolist()
            counter[0] += 1
            yield env.timeout(hi - lo)

    def redirect(env, j, lo, hi, cum):
        p = state.params
        q, share = rebalance_rule(j, cum, state.targets, state.rate_hat, state.weights, state.rebalance_ok,
                                  p.rebalance_share_max, p.rebalance_donor_buffer)
        donors = np.flatnonzero(q > 0)
        if not len(donors):
            return
        block = arrivals[donors, lo:hi, :]
        if det:
            moved = block * q[donors, None, None]
            got = moved.sum(axis=0)[None, :, :] * share[:, None, None]
        else:
            moved = rng["policy"].binomial(block, q[donors, None, None])
            got = np.moveaxis(rng["policy"].multinomial(moved.sum(axis=0), share), -1, 0)
        arrivals[donors, lo:hi, :] -= moved
        arrivals[:, lo:hi, :] += got
        out = np.zeros(C)
        out[donors] = moved.sum(axis=(1, 2))
        into = got.sum(axis=(1, 2))
        moved_out[:] += out
        moved_in[:] += into
        if log is not None:
            for c in range(C):
                if out[c]:
                    log.append((env.now, names[c], "transfer_out", _num(out[c]), f"{j + 1}月"))
                if into[c]:
                    log.append((env.now, names[c], "transfer_in", _num(into[c]), f"{j + 1}月"))

    noon: dict[int, simpy.Event] = {}

    def next_noon(env, i):
        """The shared event "noon of remaining day i": one timeout per day for all regions."""
        event = noon.get(i)
        if event is None:
            event = noon[i] = env.timeout(0.5 if i == 0 else 1)
        return event

    def intake(env, c):
        yield next_noon(env, 0)
        mine, wait = rooms[c], backlog[c]
        for i in range(D):
            counter[0] += 1
            j = month_of_day[i]
            a = published[j][c][i - first_day[j]]
            wait[0] += a[0]
            wait[1] += a[1]
            wait[2] += a[2]
            if log is not None and (a[0] or a[1] or a[2]):
                log.append((env.now, names[c], "approve", _num(sum(a)), ""))
            if unlimited:
                got = list(wait)
                wait[0] = wait[1] = wait[2] = 0
            else:
                got = assign(wait, mine, KIND_POOLS)
            if log is not None and (got[0] or got[1] or got[2]):
                log.append((env.now, names[c], "assign", _num(sum(got)), names[c]))
            if overflow and (wait[0] or wait[1] or wait[2]):
                for nb in state.neighbours[c]:
                    sent = assign(wait, rooms[nb], KIND_POOLS)
                    n = sent[0] + sent[1] + sent[2]
                    if n:
                        over_out[c] += n
                        over_in[nb] += n
                        got = [g + x for g, x in zip(got, sent, strict=True)]
                        if log is not None:
                            log.append((env.now, names[c], "overflow", _num(n), names[nb]))
                    if not (wait[0] or wait[1] or wait[2]):
                        break
            if got != a:
                changed[c, i] = got
            if log is not None and (wait[0] or wait[1] or wait[2]):
                log.append((env.now, names[c], "wait", _num(sum(wait)), ""))
            yield next_noon(env, i + 1)

    env = simpy.Environment(initial_time=start)
    env.process(centre(env))
    for c in range(C):
        env.process(intake(env, c))
    if state.year_end > start:
        env.run(until=state.year_end)

    # closures: carried-over open cases and cases assigned in the simulation
    starts = arrivals.copy()
    for (c, i), got in changed.items():
        starts[c, i] = got
    closed = state.closed_m.copy()
    for region, times, amount in (carry_closures(state, rng["carry"]), start_closures(state, starts, child(seed, STREAMS.index("durations")))):
        month = np.searchsorted(state.edges, times, side="right") - 1
        inside = month < 12
        closed += np.bincount(region[inside] * 12 + month[inside], weights=amount[inside],
                              minlength=C * 12).reshape(C, 12)
        if log is not None:
            for r, t, n in sorted(zip(region[inside].tolist(), times[inside].tolist(), amount[inside].tolist(),
                                      strict=True), key=lambda x: (x[1], x[0])):
                log.append((t, names[r], "close", _num(n), ""))
    approved = state.approved_m.copy()
    approved[:, m:] += np.add.reduceat(arrivals.sum(axis=2), first_day[:-1], axis=1) if D else 0
    if log is not None:
        log.sort(key=lambda e: e[0])
    waiting = np.array([sum(b) for b in backlog], dtype=float)
    return Replication(approved=approved, closed=closed, waiting=waiting, overflow_out=over_out,
                       overflow_in=over_in, moved_out=moved_out, moved_in=moved_in, events=counter[0], log=log)


def _num(x):
    """A count for the event log: int when whole, else float."""
    x = float(x)
    return int(x) if x.is_integer() else x
