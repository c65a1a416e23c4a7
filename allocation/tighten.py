"""The repair (pipeline step 4a): do the model's relaxations hold for a per-case assignment?

``tighten`` checks the relaxations of ``allocation.model`` against the flow by handing
co-defendants out to sub-pools (a small max-flow) and says what to refine when that fails; the
water-filling of each pool's total says how many cases each sub-pool of identical lawyers gets.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from allocation.data import GRASSROOTS
from allocation.model import Model, Structure


@dataclass
class Tightening:
    """What the relaxations got wrong, or, when nothing did, how to hand the cases out.

    ``detail``/``exact``: refinements for the next round (empty when the model is tight).
    ``sub_total``: new cases per sub-pool; ``group_sub``: (group, sub-pool) -> co-defendants.
    """

    detail: dict = field(default_factory=dict)
    exact: set = field(default_factory=set)
    sub_total: np.ndarray | None = None
    group_sub: dict = field(default_factory=dict)

    @property
    def tight(self) -> bool:
        """True when the model's optimum is attained by a per-case assignment."""
        return not self.detail and not self.exact


def _spread(struct: Structure, model: Model, flow: np.ndarray):
    """Per sub-pool: cases it gets for sure (``fill``), whether it may take one more per lawyer
    (``at_level``), and per pool the number of such +1s (``rem``) — from the water-filling of
    each relaxed pool's total, or the exact pools' own sub-pool totals."""
    n_subs, n_pools = len(struct.sub_m), len(struct.pool_m)
    fill = np.zeros(n_subs, dtype=np.int64)
    np.add.at(fill, model.meta["sub_convex"]["sub"], model.flows("sub_convex", flow))
    at_level = np.zeros(n_subs, dtype=bool)
    rem = np.zeros(n_pools, dtype=np.int64)
    pool_total = np.zeros(n_pools, dtype=np.int64)
    np.add.at(pool_total, model.meta["pool_fill"]["pool"], model.flows("pool_fill", flow))
    order = np.argsort(struct.sub_pool, kind="stable")
    bounds = np.searchsorted(struct.sub_pool[order], np.arange(n_pools + 1))
    for q in range(n_pools):
        if q in model.exact:
            continue
        subs = order[bounds[q]:bounds[q + 1]]
        level, f, r = waterfill_level(struct.sub_base[subs], struct.sub_m[subs], int(pool_total[q]), struct.cap)
        fill[subs] = f
        rem[q] = r
        at_level[subs] = (struct.sub_base[subs] <= level) & (level < struct.cap)
    return fill, at_level, rem


def waterfill_level(base: np.ndarray, m: np.ndarray, total: int, cap: int) -> tuple[int, np.ndarray, int]:
    """Raise the lowest loads first: the water level, cases per sub-pool below it, and the
    remainder (< lawyers at the level) that goes one per lawyer to lawyers at the level."""
    if total == 0 or not len(base):
        return int(base.min()) if len(base) else 0, np.zeros(len(base), dtype=np.int64), 0
    lo, hi = int(base.min()), cap
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if int(np.sum(m * np.maximum(0, mid - base))) <= total:
            lo = mid
        else:
            hi = mid - 1
    fill = m * np.maximum(0, lo - base)
    return lo, fill, total - int(fill.sum())


def _group_demand(model: Model, flow: np.ndarray) -> tuple[dict, dict]:
    """Co-defendants the model sends to each (group, region), and the same-firm extras it paid for there."""
    struct = model.struct
    demand: dict[tuple[int, int], int] = {}
    regions_of = {"gc_pool": lambda meta, j: struct.pool_region[meta["pool"][j]],
                  "group_fp": lambda meta, j: struct.pool_region[struct.fp_pool[meta["fp"][j]]],
                  "group_sub": lambda meta, j: struct.sub_region[meta["sub"][j]]}
    for name, region_of in regions_of.items():
        x = model.flows(name, flow)
        meta = model.meta[name]
        groups = struct.gc_group[meta["gc"]] if name == "gc_pool" else meta["group"]
        for j in np.flatnonzero(x > 0):
            key = (int(groups[j]), int(region_of(meta, j)))
            demand[key] = demand.get(key, 0) + int(x[j])
    extras: dict[tuple[int, int], int] = {}
    x = model.flows("group_firm_extra", flow)
    meta = model.meta["group_firm_extra"]
    for j in np.flatnonzero(x > 0):
        key = (int(meta["group"][j]), int(struct.problem.regions.index(struct.firms[meta["firm"][j]][0])))
        extras[key] = extras.get(key, 0) + int(x[j])
    return demand, extras


def _group_arcs(net: _Arcs, struct: Structure, g: int, r: int, demand: dict, extras: dict, subs: np.ndarray,
                s_node: dict) -> tuple[int, list]:
    """The repair's arcs of one (group, region): source → group → firm (one free, extras paid) → sub-pool."""
    d = net.node()
    source = net.arc(0, d, demand[(g, r)])
    spare = net.node() if extras.get((g, r)) else None
    if spare is not None:
        net.arc(d, spare, extras[(g, r)])
    firm_node, arcs = {}, []
    subs = subs[struct.group_allowed(g, struct.sub_pool[subs])]
    for sub in subs.tolist():
        if g in struct.sub_pinned[sub]:
            continue
        f = int(struct.sub_firm[sub])
        if f < 0:
            tail = d
        else:
            if f not in firm_node:
                firm_node[f] = net.node()
                net.arc(d, firm_node[f], max(0, 1 - struct.pinned_firm.get((g, f), 0)))
                if spare is not None:
                    net.arc(spare, firm_node[f], demand[(g, r)])
            tail = firm_node[f]
        arcs.append((net.arc(tail, s_node[sub], int(struct.sub_m[sub])), g, sub))
    return source, arcs


def tighten(model: Model, flow: np.ndarray) -> Tightening:
    """Hand co-defendants out to sub-pools consistently with the model's values, or say what to refine.

    A small max-flow (the "repair") places, for each group and region, the members the model
    sends there on the region's defender sub-pools: at most m per sub-pool of m lawyers, at
    most one per firm plus as many same-firm extras as the model paid for (none for a relaxed
    group), and every sub-pool within what the water-filling of its pool gives it (each pool's
    +1s shared). Members may change firm and pool inside the region: distance, social count
    and firm cost stay the same, and ``disaggregate`` moves ordinary cases between the
    region's pools to keep every pool's total. If every member is placed, the per-case
    assignment attains the model's values at every level; otherwise the unplaced (group,
    region) pairs are refined (relaxed → firm tier → sub-pool tier with exact pool balance).
    """
    struct = model.struct
    fill, at_level, rem = _spread(struct, model, flow)
    demand, extras = _group_demand(model, flow)
    out = Tightening()
    sub_total = fill.copy()
    if not demand:
        _share_rest(struct, sub_total, at_level, rem, np.zeros(len(struct.sub_m), np.int64))
        out.sub_total = sub_total
        return out
    crim = np.flatnonzero(struct.sub_kind != GRASSROOTS)
    regions = sorted({r for _, r in demand})
    subs_of = {r: crim[struct.sub_region[crim] == r] for r in regions}
    pools = sorted({int(q) for r in regions for q in struct.sub_pool[subs_of[r]]})
    net = _Arcs()
    x_node = {q: net.node() for q in pools}
    s_node = {int(sub): net.node() for r in regions for sub in subs_of[r]}
    source_arc, group_arcs = {}, []
    for g, r in sorted(demand):
        source_arc[(g, r)], arcs = _group_arcs(net, struct, g, r, demand, extras, subs_of[r], s_node)
        group_arcs += arcs
    extra_arc = {}
    for sub, node in s_node.items():
        net.arc(node, 1, int(fill[sub]))
        if at_level[sub]:
            extra_arc[sub] = net.arc(node, x_node[int(struct.sub_pool[sub])], int(struct.sub_m[sub]))
    for q in pools:
        net.arc(x_node[q], 1, int(rem[q]))
    f = net.max_flow()
    for (g, r), j in source_arc.items():
        if f[j] < demand[(g, r)]:
            if model.detail.get((g, r)) is None:
                out.detail[(g, r)] = "firm"
            else:
                out.detail[(g, r)] = "sub"
                out.exact |= {int(q) for q in struct.sub_pool[subs_of[r]]}
    if not out.tight:
        return out
    used = np.zeros(len(struct.sub_m), dtype=np.int64)
    for sub, j in extra_arc.items():
        used[sub] = f[j]
    for j, g, sub in group_arcs:
        if f[j]:
            out.group_sub[(g, sub)] = out.group_sub.get((g, sub), 0) + int(f[j])
    sub_total += used
    _share_rest(struct, sub_total, at_level, rem, used)
    out.sub_total = sub_total
    return out


class _Arcs:
    """A small max-flow network built arc by arc (node 0 = source, node 1 = sink)."""

    def __init__(self) -> None:
        self.n, self.tails, self.heads, self.caps = 2, [], [], []

    def node(self) -> int:
        self.n += 1
        return self.n - 1

    def arc(self, tail: int, head: int, cap: int) -> int:
        self.tails.append(tail)
        self.heads.append(head)
        self.caps.append(cap)
        return len(self.tails) - 1

    def max_flow(self) -> np.ndarray:
        from ortools.graph.python import max_flow

        solver = max_flow.SimpleMaxFlow()
        solver.add_arcs_with_capacity(np.array(self.tails, dtype=np.int32), np.array(self.heads, dtype=np.int32),
                                      np.array(self.caps, dtype=np.int64))
        if solver.solve(0, 1) != solver.OPTIMAL:
            raise RuntimeError("repair max-flow failed")
        return solver.flows(np.arange(len(self.tails), dtype=np.int32))


def _share_rest(struct: Structure, sub_total: np.ndarray, at_level: np.ndarray, rem: np.ndarray,
                used: np.ndarray) -> None:
    """Give each pool's remaining +1s to lawyers at the water level, sub-pools in order."""
    for q in np.flatnonzero(rem > 0):
        subs = np.flatnonzero((struct.sub_pool == q) & at_level)
        left = int(rem[q] - used[subs].sum())
        room = struct.sub_m[subs] - used[subs]
        before = np.cumsum(room) - room
        sub_total[subs] += np.clip(left - before, 0, room)
