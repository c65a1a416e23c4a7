"""The SimPy model of the rest of the legal-aid year, one replication at a time.

Processes (module-level generator functions taking ``env`` and the replication's ``Year``;
time in days from 1 January 00:00):

- ``centre``: the city legal-aid centre. At each month start (an integer time) it publishes the
  month's new applications per region; under ``rebalance`` it first redirects part of the
  applications of regions ahead of 序时进度 to regions behind it (``policies.rebalance_rule``).
- ``intake`` (one per region): each day at noon (time d + ½) the region approves that day's
  applications, adds them to its waiting list and assigns waiting cases to its handlers with
  room under the yearly cap; under ``overflow`` cases it has no room for go to the nearest
  region with room. Cases that find no handler wait (all year if need be).

Shared things are SimPy's own: each region's room under the yearly cap (安庆2023 §6(2)) is a
``simpy.Container`` per handler pool (lawyers; grassroots workers, who may not defend), from
which an assignment ``get``s; all regions wait on one shared "noon" timeout per day.
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

from dataclasses import dataclass, field

import numpy as np
import simpy
from scipy import special

from simulation.policies import KIND_POOLS, rebalance_rule
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


@dataclass
class Year:
    """The mutable state of one replication's year, shared by its processes.

    Attributes
    ----------
    state : the starting state (read only).
    policy : "none", "overflow" or "rebalance".
    arrivals : natural applications per region, remaining day and kind (C, D, 3); the centre's
        rebalancing changes it month by month before publishing.
    policy_rng : the stream of the policy's own draws.
    rooms : per region, one ``simpy.Container`` per handler pool (lawyers, grassroots workers)
        holding the room under the yearly cap (件); None when capacity is unlimited.
    backlog : per region, cases waiting for a handler, per kind.
    published : month offset → applications per region, day and kind (lists).
    changed : (region, day) → cases assigned per kind, where that differs from the day's approvals.
    moved_out, moved_in, overflow_out, overflow_in : per region (件).
    noon : remaining day → the shared "noon of that day" timeout.
    steps : process steps (one per region and remaining day, one per remaining month).
    log : the event log when traced, else None.
    """

    state: StartState
    policy: str
    arrivals: np.ndarray
    policy_rng: np.random.Generator
    rooms: list[tuple[simpy.Container, simpy.Container]] | None
    backlog: list[list]
    moved_out: np.ndarray
    moved_in: np.ndarray
    overflow_out: np.ndarray
    overflow_in: np.ndarray
    published: dict[int, list] = field(default_factory=dict)
    changed: dict[tuple[int, int], list] = field(default_factory=dict)
    noon: dict[int, simpy.Event] = field(default_factory=dict)
    steps: int = 0
    log: list | None = None

    @property
    def first_day(self) -> list[int]:
        """Offset of each remaining month's first day from the simulation start."""
        st = self.state
        return [int(st.edges[j] - st.start_time) for j in range(st.month, 13)]


def new_year(env: simpy.Environment, state: StartState, policy: str, arrivals: np.ndarray,
             policy_rng: np.random.Generator, trace: bool) -> Year:
    """The year's shared state: handler room as Containers (whole 件 unless deterministic)."""
    C = state.n_regions
    rooms = None
    if not state.unlimited:
        det = state.params.deterministic
        rooms = [tuple(simpy.Container(env, capacity=float("inf"), init=room if det or np.isinf(room) else int(room))
                       for room in row) for row in state.capacity]
    return Year(state=state, policy=policy, arrivals=arrivals, policy_rng=policy_rng, rooms=rooms,
                backlog=[[0, 0, 0] for _ in range(C)], moved_out=np.zeros(C), moved_in=np.zeros(C),
                overflow_out=np.zeros(C), overflow_in=np.zeros(C), log=[] if trace else None)


def next_noon(env: simpy.Environment, year: Year, i: int) -> simpy.Event:
    """The shared event "noon of remaining day i": one timeout per day for all regions."""
    event = year.noon.get(i)
    if event is None:
        event = year.noon[i] = env.timeout(0.5 if i == 0 else 1)
    return event


def centre(env: simpy.Environment, year: Year):
    """The city centre: at each month start, rebalance (if the policy says so) and publish the month."""
    st = year.state
    m, first_day = st.month, year.first_day
    ytd = st.approved_m[:, :m].sum(axis=1)
    for j in range(m, 12):
        lo, hi = first_day[j - m], first_day[j - m + 1]
        if year.policy == "rebalance" and j < st.params.rebalance_until_month:
            redirect(env, year, j, lo, hi, ytd + year.arrivals[:, :lo, :].sum(axis=(1, 2)))
        year.published[j - m] = year.arrivals[:, lo:hi, :].tolist()
        year.steps += 1
        yield env.timeout(hi - lo)


def redirect(env: simpy.Environment, year: Year, j: int, lo: int, hi: int, cum: np.ndarray) -> None:
    """Move part of month j's applications from donors to regions behind 序时进度 (``rebalance_rule``)."""
    st, p, arrivals = year.state, year.state.params, year.arrivals
    q, share = rebalance_rule(j, cum, st.targets, st.rate_hat, st.weights, st.rebalance_ok, p.rebalance_share_max,
                              p.rebalance_donor_buffer)
    donors = np.flatnonzero(q > 0)
    if not len(donors):
        return
    block = arrivals[donors, lo:hi, :]
    if p.deterministic:
        moved = block * q[donors, None, None]
        got = moved.sum(axis=0)[None, :, :] * share[:, None, None]
    else:
        moved = year.policy_rng.binomial(block, q[donors, None, None])
        got = np.moveaxis(year.policy_rng.multinomial(moved.sum(axis=0), share), -1, 0)
    arrivals[donors, lo:hi, :] -= moved
    arrivals[:, lo:hi, :] += got
    out = np.zeros(st.n_regions)
    out[donors] = moved.sum(axis=(1, 2))
    into = got.sum(axis=(1, 2))
    year.moved_out[:] += out
    year.moved_in[:] += into
    if year.log is not None:
        for c in range(st.n_regions):
            if out[c]:
                year.log.append((env.now, st.names[c], "transfer_out", _num(out[c]), f"{j + 1}月"))
            if into[c]:
                year.log.append((env.now, st.names[c], "transfer_in", _num(into[c]), f"{j + 1}月"))


def assign(backlog: list, rooms: tuple[simpy.Container, ...]) -> list:
    """Assign waiting cases to handlers with room under the yearly cap (安庆2023 §6(2)).

    ``backlog`` holds waiting cases per kind (criminal, civil, administrative), updated in place;
    each pool's room is taken from its Container. Criminal cases need a lawyer (grassroots workers
    may not defend); civil and administrative cases go to grassroots workers first, keeping
    lawyers' room for criminal cases (``policies.KIND_POOLS``). Returns the cases assigned per kind.
    """
    started = [0, 0, 0]
    for k, pools in enumerate(KIND_POOLS):
        want = backlog[k]
        if not want:
            continue
        for pool in pools:
            room = rooms[pool].level
            if room <= 0:
                continue
            got = want if want <= room else room
            rooms[pool].get(got)
            want -= got
            started[k] += got
            if not want:
                break
        backlog[k] = want
    return started


def _overflow(env: simpy.Environment, year: Year, c: int, wait: list, got: list) -> list:
    """Under ``overflow``: cases region c had no room for go to the nearest regions with room."""
    st = year.state
    for nb in st.neighbours[c]:
        sent = assign(wait, year.rooms[nb])
        n = sent[0] + sent[1] + sent[2]
        if n:
            year.overflow_out[c] += n
            year.overflow_in[nb] += n
            got = [g + x for g, x in zip(got, sent, strict=True)]
            if year.log is not None:
                year.log.append((env.now, st.names[c], "overflow", _num(n), st.names[nb]))
        if not (wait[0] or wait[1] or wait[2]):
            break
    return got


def intake(env: simpy.Environment, year: Year, c: int):
    """Region c: each noon, approve the day's applications and assign what its handlers have room for."""
    st, log = year.state, year.log
    month_of_day, first_day = (st.day_month - st.month).tolist(), year.first_day
    name, wait = st.names[c], year.backlog[c]
    yield next_noon(env, year, 0)
    for i in range(len(st.day_weight)):
        year.steps += 1
        j = month_of_day[i]
        a = year.published[j][c][i - first_day[j]]
        wait[0] += a[0]
        wait[1] += a[1]
        wait[2] += a[2]
        if log is not None and (a[0] or a[1] or a[2]):
            log.append((env.now, name, "approve", _num(sum(a)), ""))
        if year.rooms is None:
            got = list(wait)
            wait[0] = wait[1] = wait[2] = 0
        else:
            got = assign(wait, year.rooms[c])
        if log is not None and (got[0] or got[1] or got[2]):
            log.append((env.now, name, "assign", _num(sum(got)), name))
        if year.policy == "overflow" and (wait[0] or wait[1] or wait[2]):
            got = _overflow(env, year, c, wait, got)
        if got != a:
            year.changed[c, i] = got
        if log is not None and (wait[0] or wait[1] or wait[2]):
            log.append((env.now, name, "wait", _num(sum(wait)), ""))
        yield next_noon(env, year, i + 1)


def closures(state: StartState, year: Year, rng: dict, seed: np.random.SeedSequence) -> np.ndarray:
    """Closures per region and month within the year (C, 12): the reported months, the carried-over
    open cases, and the cases assigned during the simulation (counted for the approving region)."""
    starts = year.arrivals.copy()
    for (c, i), got in year.changed.items():
        starts[c, i] = got
    C = state.n_regions
    closed = state.closed_m.copy()
    for region, times, amount in (carry_closures(state, rng["carry"]),
                                  start_closures(state, starts, child(seed, STREAMS.index("durations")))):
        month = np.searchsorted(state.edges, times, side="right") - 1
        inside = month < 12
        closed += np.bincount(region[inside] * 12 + month[inside], weights=amount[inside],
                              minlength=C * 12).reshape(C, 12)
        if year.log is not None:
            for r, t, n in sorted(zip(region[inside].tolist(), times[inside].tolist(), amount[inside].tolist(),
                                      strict=True), key=lambda x: (x[1], x[0])):
                year.log.append((t, state.names[r], "close", _num(n), ""))
    return closed


def simulate(state: StartState, policy: str, seed: np.random.SeedSequence, trace: bool = False) -> Replication:
    """Run one replication of months m+1..12 under ``policy`` ("none", "overflow", "rebalance")."""
    rng = streams(seed)
    arrivals = draw_arrivals(state, draw_rates(state, rng["rates"]), rng["arrivals"])
    if not state.params.deterministic:
        arrivals = arrivals.astype(np.int64)
    env = simpy.Environment(initial_time=state.start_time)
    year = new_year(env, state, policy, arrivals, rng["policy"], trace)
    env.process(centre(env, year))
    for c in range(state.n_regions):
        env.process(intake(env, year, c))
    if state.year_end > state.start_time:
        env.run(until=state.year_end)
    closed = closures(state, year, rng, seed)
    approved = state.approved_m.copy()
    first_day = year.first_day
    if len(state.day_weight):
        approved[:, state.month:] += np.add.reduceat(year.arrivals.sum(axis=2), first_day[:-1], axis=1)
    if year.log is not None:
        year.log.sort(key=lambda e: e[0])
    waiting = np.array([sum(b) for b in year.backlog], dtype=float)
    return Replication(approved=approved, closed=closed, waiting=waiting, overflow_out=year.overflow_out,
                       overflow_in=year.overflow_in, moved_out=year.moved_out, moved_in=year.moved_in,
                       events=year.steps, log=year.log)


def _num(x):
    """A count for the event log: int when whole, else float."""
    x = float(x)
    return int(x) if x.is_integer() else x
