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
``simpy.Container`` per handler pool (lawyers; grassroots workers, who may not defend; ``Room``:
an assignment takes only what is there, so its get is served at once, without an event); all
regions wait on one shared "noon" timeout per day.
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
by fixed spawn keys (the replication's parameters from the posterior, arrivals, policy draws,
handling times — one stream per region — and open-case residuals). The same replication seed
gives every policy the same parameters, natural arrivals and open-case closures, and every region whose assignments a policy does not change
the same handling times (common random numbers), so policy differences carry little noise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import simpy

from simulation.closures import closures, log_amount
from simulation.policies import KIND_POOLS, OVERFLOWING, REBALANCING, rebalance_rule
from simulation.randomness import draw_arrivals, draw_year, streams
from simulation.start import StartState


@dataclass
class YearCounts:
    """What a simulated year counts per region (件; fractional in deterministic mode).

    approved : approvals per month (…, C, 12), reported months included.
    closed : closures within the year per month of closure (…, C, 12), of this year's approvals,
        counted for the approving region.
    waiting : cases approved but still without a handler at the year end (…, C).
    overflow_out / overflow_in : cases handled by another region's handlers (sent / taken).
    moved_out / moved_in : applications redirected by the city centre (given / received).
    """

    approved: np.ndarray
    closed: np.ndarray
    waiting: np.ndarray
    overflow_out: np.ndarray
    overflow_in: np.ndarray
    moved_out: np.ndarray
    moved_in: np.ndarray


@dataclass
class Replication(YearCounts):
    """One simulated year (``YearCounts`` by region in plan order), its process steps and its log.

    events : SimPy events processed (``Environment.step`` calls): process starts, the shared noons,
        the centre's months and the stop at the year end; 0 when the event run is skipped (``simulate``).
    log : when traced, the event log as ``(time 天, region name, event, amount 件, detail)`` sorted by
        time: "approve" (detail ""), "assign" (detail: the region whose handlers took them),
        "overflow" (detail: the region taking cases it had no room for), "wait" (amount: all
        cases waiting after the day's assignments), "close" (computed closing times, see
        ``simulation.closures``), "transfer_out" / "transfer_in" (rebalance, detail: the month
        1-12); None when not traced.
    """

    events: int = 0
    log: list | None = None


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


class Room(simpy.Container):
    """Handlers' room under the yearly cap (件): a ``simpy.Container`` whose gets are always served at once.

    An assignment only takes what is there (``assign`` reads ``level`` first), so nothing ever
    waits on a room and a ``get`` would succeed in the same instant; ``take`` does exactly that
    without scheduling an event for it (the step count then holds the model's real events: the
    processes' starts, the shared noons and the centre's months).
    """

    def take(self, amount: float) -> None:
        """Take ``amount`` (≤ ``level``) out of the room now."""
        if amount > self._level:
            raise ValueError(f"room {self._level} cannot give {amount}")
        self._level -= amount


def new_year(env: simpy.Environment, state: StartState, policy: str, arrivals: np.ndarray,
             policy_rng: np.random.Generator, trace: bool) -> Year:
    """The year's shared state: handler room as Containers (whole 件 unless deterministic)."""
    C = state.n_regions
    rooms = None
    if not state.unlimited:
        det = state.params.deterministic
        rooms = [tuple(Room(env, capacity=float("inf"), init=room if det or np.isinf(room) else int(room))
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
        if year.policy in REBALANCING and j < st.params.rebalance_until_month:
            redirect(env, year, j, lo, hi, ytd + year.arrivals[:, :lo, :].sum(axis=(1, 2)))
        year.published[j - m] = year.arrivals[:, lo:hi, :].tolist()
        year.steps += 1
        yield env.timeout(hi - lo)


def redirect(env: simpy.Environment, year: Year, j: int, lo: int, hi: int, cum: np.ndarray) -> None:
    """Move part of month j's applications from donors to regions behind 序时进度 (``rebalance_rule``).

    The receivers' free room is their handlers' room now (the Containers' levels) minus their own
    expected applications of the rest of the year; a region receives only while a case assigned
    in month j closes within the year with at least the plan's closure-ratio minimum
    (``StartState.closes_in_year``); donors are judged on their pessimistic projection
    (``StartState.low``).
    """
    st, p, arrivals = year.state, year.state.params, year.arrivals
    room = None
    if year.rooms is not None:
        own = st.rate_hat * st.season[:, j:].sum(axis=1)
        room = np.array([sum(c.level for c in pools) for pools in year.rooms], dtype=float) - own
    q, share = rebalance_rule(j, cum, st.targets, st.rate_hat, st.season, st.rebalance_ok, p.rebalance_share_max,
                              p.rebalance_donor_buffer, room=room, closes=st.closes_in_year[:, j] >= st.closure_min,
                              low=st.low)
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
                year.log.append((env.now, st.names[c], "transfer_out", log_amount(out[c]), j + 1))
            if into[c]:
                year.log.append((env.now, st.names[c], "transfer_in", log_amount(into[c]), j + 1))


def assign(backlog: list, rooms: tuple[simpy.Container, ...]) -> list:
    """Assign waiting cases to handlers with room under the yearly cap (安庆2023 §6(2)).

    ``backlog`` holds waiting cases per kind (criminal, civil, administrative), updated in place;
    each pool's room is taken from its ``Room`` (one ``take`` per pool and day). Criminal cases
    need a lawyer (grassroots workers may not defend); civil and administrative cases go to
    grassroots workers first, keeping lawyers' room for criminal cases (``policies.KIND_POOLS``).
    Returns the cases assigned per kind.
    """
    if not (backlog[0] or backlog[1] or backlog[2]):
        return [0, 0, 0]
    started = [0, 0, 0]
    level = [rooms[0].level, rooms[1].level]
    take = [0, 0]
    for k, pools in enumerate(KIND_POOLS):
        want = backlog[k]
        if not want:
            continue
        for pool in pools:
            room = level[pool]
            if room <= 0:
                continue
            got = want if want <= room else room
            level[pool] -= got
            take[pool] += got
            want -= got
            started[k] += got
            if not want:
                break
        backlog[k] = want
    for pool in (0, 1):
        if take[pool]:
            rooms[pool].take(take[pool])
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
                year.log.append((env.now, st.names[c], "overflow", log_amount(n), st.names[nb]))
        if not (wait[0] or wait[1] or wait[2]):
            break
    return got


def intake(env: simpy.Environment, year: Year, c: int):
    """Region c: each noon, approve the day's applications and assign what its handlers have room for."""
    st, log = year.state, year.log
    month_of_day, first_day = (st.day_month - st.month).tolist(), year.first_day
    name, wait = st.names[c], year.backlog[c]
    yield next_noon(env, year, 0)
    for i in range(st.days):
        year.steps += 1
        j = month_of_day[i]
        a = year.published[j][c][i - first_day[j]]
        wait[0] += a[0]
        wait[1] += a[1]
        wait[2] += a[2]
        if log is not None and (a[0] or a[1] or a[2]):
            log.append((env.now, name, "approve", log_amount(sum(a)), ""))
        if year.rooms is None:
            got = list(wait)
            wait[0] = wait[1] = wait[2] = 0
        else:
            got = assign(wait, year.rooms[c])
        if log is not None and (got[0] or got[1] or got[2]):
            log.append((env.now, name, "assign", log_amount(sum(got)), name))
        if year.policy in OVERFLOWING and (wait[0] or wait[1] or wait[2]):
            got = _overflow(env, year, c, wait, got)
        if got != a:
            year.changed[c, i] = got
        if log is not None and (wait[0] or wait[1] or wait[2]):
            log.append((env.now, name, "wait", log_amount(sum(wait)), ""))
        yield next_noon(env, year, i + 1)


def simulate(state: StartState, policy: str, seed: np.random.SeedSequence, trace: bool = False,
             shared: dict | None = None) -> Replication:
    """Run one replication of months m+1..12 under ``policy`` (``policies.POLICIES``).

    With unlimited capacity and policy "none" nothing waits and nothing moves: every case is
    assigned on its approval day, so the SimPy run is skipped (same draws, same result, exactly;
    ``events`` is then 0); under "none" a region whose room covers all its applications of the
    year (``never_short``) runs no intake process, for the same reason. ``events`` counts the
    real ``Environment.step`` calls.

    ``shared``: a dict kept across the policies of one replication (same ``seed``): what does not
    depend on the policy — the year's parameter draw, its applications, the closures of the cases
    carried over — is drawn once, from the same streams, and reused (common random numbers; the
    results are bit-identical to drawing them again).
    """
    rng = streams(seed)
    shared = {} if shared is None else shared
    if "draw" not in shared:
        draw = draw_year(state, rng["rates"])
        arrivals = draw_arrivals(state, draw, rng["arrivals"])
        if not state.params.deterministic:
            arrivals = arrivals.astype(np.int64)
        shared["draw"], shared["arrivals"] = draw, arrivals
    draw, arrivals = shared["draw"], shared["arrivals"].copy()
    env = CountingEnvironment(initial_time=state.start_time)
    year = new_year(env, state, policy, arrivals, rng["policy"], trace)
    if not (state.unlimited and policy == "none" and not trace):
        env.process(centre(env, year))
        for c in range(state.n_regions):
            if not (policy == "none" and not trace and never_short(state, year.arrivals, c)):
                env.process(intake(env, year, c))
        if state.year_end > state.start_time:
            env.run(until=state.year_end)
    closed = closures(state, year, rng, seed, draw.close_factor, shared, draw.clearance)
    approved = state.approved_m.copy()
    first_day = year.first_day
    if state.days:
        approved[:, state.month:] += np.add.reduceat(year.arrivals.sum(axis=2), first_day[:-1], axis=1)
    if year.log is not None:
        year.log.sort(key=lambda e: e[0])
    waiting = np.array([sum(b) for b in year.backlog], dtype=float)
    return Replication(approved=approved, closed=closed, waiting=waiting, overflow_out=year.overflow_out,
                       overflow_in=year.overflow_in, moved_out=year.moved_out, moved_in=year.moved_in,
                       events=env.steps, log=year.log)


def never_short(state: StartState, arrivals: np.ndarray, c: int) -> bool:
    """Region c's handlers have room for all its applications of the year (criminal cases on lawyers).

    Criminal cases need lawyers, civil and administrative cases take grassroots room first
    (``policies.KIND_POOLS``): no day can find it short iff criminal + max(0, others − grassroots
    room) ≤ lawyers' room.
    """
    law, grass = state.capacity[c]
    total = arrivals[c].sum(axis=0)
    return bool(total[0] + max(0.0, total[1] + total[2] - grass) <= law)


class CountingEnvironment(simpy.Environment):
    """A SimPy environment that counts its ``step`` calls (the events it really processes)."""

    def __init__(self, initial_time: float = 0) -> None:
        super().__init__(initial_time)
        self.steps = 0

    def step(self) -> None:
        """Process the next event, counting it."""
        self.steps += 1
        super().step()
