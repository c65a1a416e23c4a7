"""Lexicographic min-cost flow: minimise cost level 1, then level 2 among level-1 optima, ...

Each level is one OR-Tools ``SimpleMinCostFlow`` solve on integer data, so each is exact.
After a level is solved, optimal node potentials are computed on the residual graph
(Bellman–Ford from a virtual root) and every arc with a non-zero reduced cost is fixed at the
bound complementary slackness forces on it: flow at its lower bound when the reduced cost is
positive, at its capacity when negative. By LP duality every optimal flow satisfies
complementary slackness with any optimal dual, so the flows left feasible are exactly the
optimal flows of that level; the next level then minimises its own cost over them. No big-M
weights are involved, so levels with very different magnitudes (cases, metres, squares of
loads) never overflow or lose precision.

Column generation: arcs marked as candidates (``Network.candidate``) start outside the solved
network. After each solve they are priced with the level's potentials: a candidate with a
negative reduced cost joins and the level is solved again; one with a positive reduced cost
can carry no flow in any optimum of this level and is dropped; one with a zero reduced cost
stays a candidate for the next level. The result is the same as solving with every arc
present (the potentials certify optimality over all arcs), with far fewer arcs in practice.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow


@dataclass
class Network:
    """A flow network with several named cost vectors (one per objective level).

    Attributes
    ----------
    n_nodes : number of nodes.
    tail, head : arc end points (int32).
    cap : arc capacities (int64, ≥ 0).
    supply : node supplies (int64; positive = source), summing to 0.
    costs : level name -> per-arc integer cost (int64); a missing level costs 0.
    candidate : arcs that start outside the solved network and are priced in (column
        generation); None = every arc is in from the start.
    """

    n_nodes: int
    tail: np.ndarray
    head: np.ndarray
    cap: np.ndarray
    supply: np.ndarray
    costs: dict[str, np.ndarray] = field(default_factory=dict)
    candidate: np.ndarray | None = None

    @property
    def n_arcs(self) -> int:
        """Number of arcs."""
        return len(self.tail)


@dataclass
class LevelStat:
    """One solved level: its name, optimal value, active arcs, solves (pricing rounds), time (s)."""

    level: str
    value: int
    active_arcs: int
    seconds: float
    solves: int = 1


class LexFlow:
    """Solve a ``Network`` level by level, fixing each level's optimal face before the next.

    Use ``minimise(level)`` in priority order; ``flow`` is the current optimal flow and
    ``lo``/``hi`` the bounds left after fixing. ``set_upper`` may tighten capacities between
    levels (e.g. a requirement that depends on an earlier level's value).
    """

    def __init__(self, net: Network) -> None:
        self.net = net
        self.lo = np.zeros(net.n_arcs, dtype=np.int64)
        self.hi = net.cap.astype(np.int64).copy()
        self.inside = np.ones(net.n_arcs, dtype=bool) if net.candidate is None else ~net.candidate
        self.flow: np.ndarray | None = None
        self.stats: list[LevelStat] = []

    def set_upper(self, arcs: np.ndarray, values) -> None:
        """Lower the capacity of ``arcs`` to ``values`` (never below their fixed lower bound)."""
        arcs = np.asarray(arcs, dtype=np.int64)
        self.hi[arcs] = np.maximum(np.minimum(self.hi[arcs], values), self.lo[arcs])

    def fix(self, arcs: np.ndarray, values) -> None:
        """Fix the flow on ``arcs`` to ``values`` (a constraint from outside the levels)."""
        arcs = np.asarray(arcs, dtype=np.int64)
        self.lo[arcs] = values
        self.hi[arcs] = values
        self.inside[arcs] = True

    def minimise(self, level: str) -> int:
        """Minimise cost ``level`` over the flows still optimal for earlier levels; return it.

        Raises ``RuntimeError`` when the remaining problem is infeasible (a modelling bug: the
        networks built by ``allocation.model`` always admit a flow).
        """
        start = time.perf_counter()
        net = self.net
        cost = net.costs.get(level)
        if cost is None:
            cost = np.zeros(net.n_arcs, dtype=np.int64)
        supply = net.supply.astype(np.int64).copy()
        np.subtract.at(supply, net.tail, self.lo)
        np.add.at(supply, net.head, self.lo)
        solves = 0
        while True:
            solves += 1
            active = np.flatnonzero(self.inside & (self.hi > self.lo))
            tail, head = net.tail[active], net.head[active]
            cap = (self.hi - self.lo)[active]
            c = cost[active]
            g = _solve(net.n_nodes, tail, head, cap, c, supply, level)
            d = _potentials(net.n_nodes, tail, head, cap, c, g)
            waiting = np.flatnonzero(~self.inside & (self.hi > self.lo))
            priced = cost[waiting] + d[net.tail[waiting]] - d[net.head[waiting]]
            if not (priced < 0).any():
                break
            self.inside[waiting[priced < 0]] = True
        self.hi[waiting[priced > 0]] = self.lo[waiting[priced > 0]]
        flow = self.lo.copy()
        flow[active] += g
        self.flow = flow
        reduced = c + d[tail] - d[head]
        at_lower, at_upper = active[reduced > 0], active[reduced < 0]
        self.hi[at_lower] = self.lo[at_lower]
        self.lo[at_upper] = self.hi[at_upper]
        value = int(np.dot(cost, flow))
        self.stats.append(LevelStat(level, value, len(active), time.perf_counter() - start, solves))
        return value


def _solve(n: int, tail, head, cap, cost, supply, level: str) -> np.ndarray:
    """One OR-Tools min-cost-flow solve; the flow on each given arc."""
    solver = min_cost_flow.SimpleMinCostFlow()
    if len(tail):
        solver.add_arcs_with_capacity_and_unit_cost(tail.astype(np.int32), head.astype(np.int32),
                                                    cap.astype(np.int64), cost.astype(np.int64))
    solver.set_nodes_supplies(np.arange(n, dtype=np.int32), supply)
    status = solver.solve()
    if status != solver.OPTIMAL:
        raise RuntimeError(f"min-cost flow at level {level!r} returned status {status}")
    return solver.flows(np.arange(len(tail), dtype=np.int32)) if len(tail) else np.zeros(0, np.int64)


def _potentials(n: int, tail, head, cap, cost, flow) -> np.ndarray:
    """Shortest-path distances on the residual graph from a virtual root joined to every node.

    The residual graph of an optimal flow has no negative cycle, so Bellman–Ford converges;
    ``d`` then satisfies cost + d[u] − d[v] ≥ 0 on every residual arc (optimal duals).
    """
    fwd, bwd = flow < cap, flow > 0
    u = np.concatenate([tail[fwd], head[bwd]]).astype(np.int64)
    v = np.concatenate([head[fwd], tail[bwd]]).astype(np.int64)
    w = np.concatenate([cost[fwd], -cost[bwd]]).astype(np.int64)
    d = np.zeros(n, dtype=np.int64)
    if not len(u):
        return d
    order = np.argsort(v, kind="stable")
    u, v, w = u[order], v[order], w[order]
    targets, starts = np.unique(v, return_index=True)
    for _ in range(n + 1):
        best = np.minimum.reduceat(d[u] + w, starts)
        improved = best < d[targets]
        if not improved.any():
            return d
        d[targets[improved]] = best[improved]
    raise RuntimeError("negative cycle in the residual graph: the flow was not optimal")
