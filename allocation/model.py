"""The aggregated flow model (pipeline step 2b): case classes → lawyer pools → lawyer kinds.

``build`` turns a ``Structure`` (``allocation.structure``) into a ``Network`` with one cost
vector per objective level, one function per arc family (the PyPSA pattern: each docstring
names the rule it encodes). A group g reaches region r at one of three tiers
(``detail[(g, r)]``), each a relaxation of the next:

- relaxed (absent from ``detail``): group class → pool directly, at most one member per
  lawyer of the pool; no firm cost;
- "firm": group class → (g, r) → (g, r, firm) → firm-pool, at most one member per lawyer of
  the firm-pool; the same-firm cost is exact;
- "sub": (g, r, firm) → sub-pool, at most m members in a sub-pool of m identical lawyers;
  exact (a cyclic hand-out gives distinct defenders and an even spread).

A pool's balance cost is the water-filling cost of its total (exact when its cases may go to
any of its lawyers) unless the pool is in ``exact``, where each sub-pool has its own convex
cost. ``allocation.tighten`` checks whether the per-case assignment attains the model's values
(a small max-flow "repair") and refines only where it does not. Relaxing only enlarges the
feasible set and lowers costs, so a lexicographic optimum the assignment attains with equal
values is a lexicographic optimum of the exact problem.

Arcs to regions beyond the ``NEAR`` nearest of a class's administering centre start as
candidates (column generation in ``allocation.lexflow``): exact, and far fewer arcs.

Costs: ``unassigned`` (1 per case left), ``reserve`` (1 per unit of reserved room,
``allocation.ahead``), ``social`` (−1 per social-lawyer case up to the requirement, set by the
solver), ``distance`` (metres), ``same_firm`` (1 per co-defendant beyond the first), ``balance`` (2A+1 for the unit raising a lawyer from load A to
A+1, i.e. Σ load² after), ``extra`` (1 per hypothetical extra slot, diagnosis only).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from allocation.ahead import room_kept_ahead
from allocation.constraints import codefendants_distinct_defenders, grassroots_no_criminal
from allocation.data import GRASSROOTS, KINDS, SOCIAL, STAFF
from allocation.lexflow import Network
from allocation.structure import NEAR, Structure, structure

__all__ = ["LEVELS", "NEAR", "Extras", "Model", "Structure", "build", "full_detail", "initial_detail", "structure"]

#: Objective levels in priority order (main solve).
LEVELS = ("unassigned", "cross_region", "pace", "reserve", "distance", "social", "same_firm", "balance")
#: Fixed nodes; the social-lawyer kind has one node per region (``_Nodes.ksoc``, per-county share).
SRC, SINK, K_OTHER, UNASSIGNED = range(4)
#: The first co-defendant in a firm costs nothing at level same_firm.
FIRST_IN_FIRM_FREE = 1


@dataclass
class Extras:
    """Hypothetical extra capacity for a diagnosis: unlimited new slots of ``kinds`` anywhere.

    Each slot costs 1 at level ``"extra"``; group members placed on extra slots are assumed to
    go to distinct new lawyers.
    """

    kinds: tuple[int, ...] = (SOCIAL, STAFF, GRASSROOTS)


@dataclass
class Model:
    """A built network with the arc families needed to read the solution back.

    ``family[name]`` = (first arc, end arc); ``meta[name]`` = dict of per-arc arrays.
    """

    struct: Structure
    net: Network
    family: dict[str, tuple[int, int]]
    meta: dict[str, dict[str, np.ndarray]]
    detail: dict
    exact: frozenset
    extras: Extras | None

    def arcs(self, name: str) -> np.ndarray:
        """Arc indices of a family."""
        a, b = self.family.get(name, (0, 0))
        return np.arange(a, b)

    def flows(self, name: str, flow: np.ndarray) -> np.ndarray:
        """Flows on a family's arcs."""
        a, b = self.family.get(name, (0, 0))
        return flow[a:b]


class _Builder:
    """Nodes and arc families added in order; ``network`` stacks them."""

    def __init__(self) -> None:
        self.n = 0
        self.parts: list[tuple] = []
        self.count = 0
        self.family: dict[str, tuple[int, int]] = {}
        self.meta: dict[str, dict[str, np.ndarray]] = {}

    def nodes(self, k: int) -> np.ndarray:
        out = np.arange(self.n, self.n + k, dtype=np.int64)
        self.n += k
        return out

    def arcs(self, name: str, tail, head, cap, costs: dict | None = None, candidate=False, **meta) -> None:
        tail, head, cap = (np.atleast_1d(np.asarray(v, dtype=np.int64)) for v in (tail, head, cap))
        k = max(len(tail), len(head), len(cap)) if min(len(tail), len(head), len(cap)) else 0
        tail, head, cap = (np.broadcast_to(v, (k,)) for v in (tail, head, cap))
        cost = {lvl: np.broadcast_to(np.asarray(c, dtype=np.int64), (k,)) for lvl, c in (costs or {}).items()}
        if name in self.family:
            raise ValueError(f"family {name} added twice")
        self.family[name] = (self.count, self.count + k)
        self.meta[name] = {key: np.broadcast_to(np.asarray(v), (k,)) for key, v in meta.items()}
        self.parts.append((tail, head, cap, cost, np.broadcast_to(np.asarray(candidate, dtype=bool), (k,))))
        self.count += k

    def network(self, supply: np.ndarray) -> Network:
        tails = np.concatenate([p[0] for p in self.parts]).astype(np.int32)
        heads = np.concatenate([p[1] for p in self.parts]).astype(np.int32)
        caps = np.concatenate([p[2] for p in self.parts]).astype(np.int64)
        candidate = np.concatenate([p[4] for p in self.parts])
        levels = sorted({lvl for p in self.parts for lvl in p[3]})
        costs = {lvl: np.concatenate([p[3].get(lvl, np.zeros(len(p[0]), dtype=np.int64)) for p in self.parts])
                 for lvl in levels}
        return Network(self.n, tails, heads, caps, supply, costs, candidate if candidate.any() else None)


@dataclass
class _Nodes:
    """Node indices shared by the arc families."""

    cls: np.ndarray
    gc: np.ndarray
    pool: np.ndarray
    cls_n: np.ndarray
    gc_n: np.ndarray
    big: int
    ksoc: np.ndarray



def _criminal_kind(kind: np.ndarray) -> np.ndarray:
    return grassroots_no_criminal(True, np.asarray(KINDS, dtype=object)[kind])


def _empty() -> np.ndarray:
    return np.zeros(0, dtype=np.int64)


def every_case_assigned_or_counted(b: _Builder, n: _Nodes) -> None:
    """Each case leaves the source through its class and is either placed or counted unassigned.

    The law requires every approved case to be assigned (法律援助法第四十三条 指派); level 1
    (``unassigned``) costs 1 per case left, so only cases no rule lets anyone take stay.
    """
    b.arcs("src_class", SRC, n.cls, n.cls_n)
    b.arcs("src_gc", SRC, n.gc, n.gc_n)
    b.arcs("unassigned_class", n.cls, UNASSIGNED, n.cls_n, {"unassigned": 1})
    b.arcs("unassigned_gc", n.gc, UNASSIGNED, n.gc_n, {"unassigned": 1})
    b.arcs("unassigned_sink", [UNASSIGNED], SINK, n.big)


def ordinary_cases_to_pools(b: _Builder, s: Structure, n: _Nodes) -> None:
    """Ordinary classes → pools allowed to take them: grassroots workers never defend (《刑事诉讼法》
    第35条), a case needing a senior defender or one experienced with minors only to lawyers who
    are (法律援助法第二十六条), never to a lawyer it must avoid (回避) — placed at the costs of
    ``_placement_costs`` from the administering centre (安庆2023 §3(3)2)."""
    all_pools = np.arange(len(s.pool_m))
    ci, pi = [], []
    for c in range(len(s.cls_cases)):
        ok = np.flatnonzero(s.allowed(bool(s.cls_criminal[c]), s.cls_req[c], s.cls_owner[c], all_pools))
        ci.append(np.full(len(ok), c, dtype=np.int64))
        pi.append(ok)
    ci = np.concatenate(ci) if ci else _empty()
    pi = np.concatenate(pi) if pi else _empty()
    b.arcs("class_pool", n.cls[ci], n.pool[pi], n.cls_n[ci], s.placement_costs(s.cls_centre[ci], s.pool_region[pi]),
           candidate=~s.is_near(s.cls_centre[ci], s.pool_region[pi]), cls=ci, pool=pi)


def relaxed_groups_to_pools(b: _Builder, s: Structure, n: _Nodes, detail: dict) -> None:
    """Relaxed groups → defender pools, at most one member per lawyer of the pool (distinct
    defenders, 刑诉法解释第43条); groups detailed in a region use ``detailed_groups`` there."""
    n_regions = len(s.problem.regions)
    crim_pools = np.flatnonzero(_criminal_kind(s.pool_kind))
    gi = np.repeat(np.arange(len(s.gc_cases)), len(crim_pools))
    pi = np.tile(crim_pools, len(s.gc_cases))
    gg, rr = s.gc_group[gi], s.pool_region[pi]
    keys = np.array(sorted(g * n_regions + r for g, r in detail), dtype=np.int64)
    pinned = np.array([s.pinned_pool.get((g, q), 0) for g, q in zip(gg, pi, strict=True)], dtype=np.int64) \
        if s.pinned_pool else np.zeros(len(gi), np.int64)
    cap = np.minimum(n.gc_n[gi], (s.pool_m[pi] - pinned) * codefendants_distinct_defenders())
    allowed = np.ones(len(gi), dtype=bool)
    for g in np.flatnonzero((s.group_req > 0) | (s.group_owner >= 0)):
        mine = gg == g
        allowed[mine] = s.group_allowed(int(g), pi[mine])
    keep = ~np.isin(gg * n_regions + rr, keys) & (cap > 0) & allowed
    gi, pi, cap = gi[keep], pi[keep], cap[keep]
    b.arcs("gc_pool", n.gc[gi], n.pool[pi], cap, s.placement_costs(s.gc_centre[gi], s.pool_region[pi]),
           candidate=~s.is_near(s.gc_centre[gi], s.pool_region[pi]), gc=gi, pool=pi)


def groups_to_regions(b: _Builder, s: Structure, n: _Nodes, pairs: list) -> dict:
    """Detailed groups → one node per (group, region) at the distance from the administering centre.

    Returns the (group, region) → node map."""
    dist = s.problem.dist_m
    gr_node = dict(zip(pairs, b.nodes(len(pairs)).tolist(), strict=True))
    t, h, c, d_gc, d_region = [], [], [], [], []
    for k in range(len(s.gc_cases)):
        g = int(s.gc_group[k])
        for r in range(len(s.problem.regions)):
            if (g, r) in gr_node:
                t.append(n.gc[k])
                h.append(gr_node[(g, r)])
                c.append(int(dist[s.gc_centre[k], r]))
                d_gc.append(k)
                d_region.append(r)
    d_gc_arr, d_region_arr = np.array(d_gc, dtype=np.int64), np.array(d_region, dtype=np.int64)
    costs = s.placement_costs(s.gc_centre[d_gc_arr], d_region_arr) if d_gc else {"distance": c}
    b.arcs("gc_region", t, h, n.gc_n[d_gc_arr] if d_gc else _empty(), costs,
           gc=np.array(d_gc, dtype=np.int64), region=np.array(d_region, dtype=np.int64))
    return gr_node


def detailed_groups(b: _Builder, s: Structure, n: _Nodes, detail: dict, exact: frozenset) -> None:
    """Detailed groups: (group, region) → firm → firm-pool ("firm") or sub-pool ("sub") tier.

    The first co-defendant in a firm is free, each further one costs 1 at level ``same_firm``
    (《律师办理刑事案件规范》: one firm for co-defendants needs the clients' consent, so it is
    avoided where distance allows). At most one member per lawyer (刑诉法解释第43条).
    """
    pairs = sorted(detail)
    gr_node = groups_to_regions(b, s, n, pairs)
    per_group = codefendants_distinct_defenders()
    crim_subs = np.flatnonzero(_criminal_kind(s.sub_kind))
    crim_fps = np.flatnonzero(_criminal_kind(s.pool_kind[s.fp_pool]))
    fp_region = s.pool_region[s.fp_pool]
    n_fps = len(s.fp_pool)
    fp_m = np.bincount(s.sub_fp, weights=s.sub_m, minlength=n_fps).astype(np.int64)
    fp_cap = np.bincount(s.sub_fp, weights=s.sub_m * s.sub_h, minlength=n_fps).astype(np.int64)
    firm_arcs = {"tail": [], "head": [], "first": [], "group": [], "firm": []}
    to_fp = {"tail": [], "fp": [], "cap": [], "group": []}
    to_sub = {"tail": [], "sub": [], "cap": [], "group": []}
    fp_used, sub_used = set(), set()
    for (g, r) in pairs:
        node = gr_node[(g, r)]
        fps = crim_fps[fp_region[crim_fps] == r]
        fps = fps[s.group_allowed(g, s.fp_pool[fps])]
        firms_here = np.unique(s.fp_firm[fps][s.fp_firm[fps] >= 0])
        fnode = dict(zip(firms_here.tolist(), b.nodes(len(firms_here)).tolist(), strict=True))
        for f, head in fnode.items():
            for key, value in (("tail", node), ("head", head), ("group", g), ("firm", f),
                               ("first", max(0, FIRST_IN_FIRM_FREE - s.pinned_firm.get((g, f), 0)))):
                firm_arcs[key].append(value)
        if detail[(g, r)] == "firm":
            for k in fps:
                m = int(fp_m[k]) - s.pinned_fp.get((g, int(k)), 0)
                if m > 0:
                    for key, value in (("tail", fnode.get(int(s.fp_firm[k]), node)), ("fp", int(k)),
                                       ("cap", m * per_group), ("group", g)):
                        to_fp[key].append(value)
                    fp_used.add(int(k))
        else:
            here = crim_subs[s.sub_region[crim_subs] == r]
            for sub in here[s.group_allowed(g, s.sub_pool[here])]:
                if g in s.sub_pinned[sub]:
                    continue
                for key, value in (("tail", fnode.get(int(s.sub_firm[sub]), node)), ("sub", int(sub)),
                                   ("cap", int(s.sub_m[sub]) * per_group), ("group", g)):
                    to_sub[key].append(value)
                sub_used.add(int(sub))
    groups, firms = np.array(firm_arcs["group"], int), np.array(firm_arcs["firm"], int)
    b.arcs("group_firm_first", firm_arcs["tail"], firm_arcs["head"], firm_arcs["first"], group=groups, firm=firms)
    b.arcs("group_firm_extra", firm_arcs["tail"], firm_arcs["head"], n.big, {"same_firm": 1}, group=groups,
           firm=firms)
    fps_used = np.array(sorted(fp_used), dtype=np.int64)
    fp_node = np.full(n_fps, -1, dtype=np.int64)
    fp_node[fps_used] = b.nodes(len(fps_used))
    fp_arr = np.array(to_fp["fp"], dtype=np.int64)
    b.arcs("group_fp", to_fp["tail"], fp_node[fp_arr] if len(fp_arr) else _empty(), to_fp["cap"],
           group=np.array(to_fp["group"], int), fp=fp_arr)
    b.arcs("fp_pool", fp_node[fps_used], n.pool[s.fp_pool[fps_used]], fp_cap[fps_used], fp=fps_used)
    pool_balance(b, s, n, exact, sub_used, to_sub)


def pool_balance(b: _Builder, s: Structure, n: _Nodes, exact: frozenset, sub_used: set, to_sub: dict) -> None:
    """Pools → social/other kind nodes under the yearly cap, with the balance cost (均衡指派).

    Each lawyer's room is cap − handled − pinned (安庆2023 §6(2)); the cost 2A+1 of raising a load
    from A to A+1 makes the level minimise Σ load² (water-filling per pool; per sub-pool in
    ``exact`` pools). "sub"-tier groups reach their sub-pools here.
    """
    n_subs, n_pools = len(s.sub_m), len(s.pool_m)
    sub_h = s.sub_h
    exact_set = set(exact)
    exact_subs = np.flatnonzero(np.isin(s.sub_pool, list(exact_set))) if exact_set else _empty()
    node_subs = np.array(sorted(sub_used | set(exact_subs.tolist())), dtype=np.int64)
    sub_node = np.full(n_subs, -1, dtype=np.int64)
    sub_node[node_subs] = b.nodes(len(node_subs))
    sub_arr = np.array(to_sub["sub"], dtype=np.int64)
    b.arcs("group_sub", to_sub["tail"], sub_node[sub_arr] if len(sub_arr) else _empty(), to_sub["cap"],
           group=np.array(to_sub["group"], int), sub=sub_arr)
    kind_node = np.where(s.pool_kind == SOCIAL, n.ksoc[s.pool_region], K_OTHER)
    in_exact = np.isin(s.sub_pool[node_subs], list(exact_set)) if exact_set else np.zeros(len(node_subs), bool)
    relaxed_subs, exact_node_subs = node_subs[~in_exact], node_subs[in_exact]
    b.arcs("sub_pool", sub_node[relaxed_subs], n.pool[s.sub_pool[relaxed_subs]],
           s.sub_m[relaxed_subs] * sub_h[relaxed_subs], sub=relaxed_subs)
    b.arcs("pool_sub", n.pool[s.sub_pool[exact_node_subs]], sub_node[exact_node_subs],
           s.sub_m[exact_node_subs] * sub_h[exact_node_subs], sub=exact_node_subs)
    # exact pools: per sub-pool convex cost, unit t raises its lawyers from base+t to base+t+1
    reps = sub_h[exact_node_subs]
    s_rep = np.repeat(exact_node_subs, reps)
    step = np.arange(len(s_rep)) - np.repeat(np.cumsum(reps) - reps, reps)
    b.arcs("sub_convex", sub_node[s_rep], kind_node[s.sub_pool[s_rep]], s.sub_m[s_rep],
           {"balance": 2 * (s.sub_base[s_rep] + step) + 1,
            "reserve": room_kept_ahead(s.pool_reserve, s.sub_pool[s_rep], s.sub_base[s_rep] + step)}, sub=s_rep)
    # other pools: water-filling cost of the pool total
    w_pool, w_level, w_cap = [], [], []
    for q in range(n_pools):
        if q in exact_set:
            continue
        bases = s.pool_bases[q]
        levels = np.arange(bases[0], s.cap)
        w_pool.append(np.full(len(levels), q))
        w_level.append(levels)
        w_cap.append(np.searchsorted(bases, levels, side="right"))
    w_pool = np.concatenate(w_pool) if w_pool else _empty()
    w_level = np.concatenate(w_level) if w_level else _empty()
    w_cap = np.concatenate(w_cap) if w_cap else _empty()
    b.arcs("pool_fill", n.pool[w_pool], kind_node[w_pool], w_cap,
           {"balance": 2 * w_level + 1, "reserve": room_kept_ahead(s.pool_reserve, w_pool, w_level)}, pool=w_pool, level=w_level)


def extra_capacity(b: _Builder, s: Structure, n: _Nodes, extras: Extras) -> None:
    """Diagnosis only: unlimited new slots of ``extras.kinds`` in every region, 1 each at level
    ``extra``; grassroots slots never take criminal cases; co-defendants go to distinct newcomers."""
    n_regions = len(s.problem.regions)
    kinds = np.array(extras.kinds, dtype=np.int64)
    e_node = b.nodes(n_regions * len(kinds)).reshape(n_regions, len(kinds))
    n_cls, n_gc = len(s.cls_cases), len(s.gc_cases)
    ok = grassroots_no_criminal(s.cls_criminal[:, None, None], np.asarray(KINDS, dtype=object)[kinds][None, None, :])
    ci, ri, ki = np.nonzero(np.broadcast_to(ok, (n_cls, n_regions, len(kinds))))
    b.arcs("extra_class", n.cls[ci], e_node[ri, ki], n.cls_n[ci], s.placement_costs(s.cls_centre[ci], ri),
           candidate=~s.is_near(s.cls_centre[ci], ri), cls=ci, region=ri, kind=kinds[ki])
    crim_k = np.flatnonzero(_criminal_kind(kinds))
    gi = np.repeat(np.arange(n_gc), n_regions * len(crim_k))
    ri = np.tile(np.repeat(np.arange(n_regions), len(crim_k)), n_gc)
    ki = np.tile(crim_k, n_gc * n_regions)
    b.arcs("extra_gc", n.gc[gi], e_node[ri, ki], n.gc_n[gi], s.placement_costs(s.gc_centre[gi], ri),
           candidate=~s.is_near(s.gc_centre[gi], ri), gc=gi, group=s.gc_group[gi], region=ri, kind=kinds[ki])
    ri, ki = np.nonzero(np.ones((n_regions, len(kinds)), dtype=bool))
    b.arcs("extra_kind", e_node[ri, ki], np.where(kinds[ki] == SOCIAL, n.ksoc[ri], K_OTHER), n.big, {"extra": 1},
           region=ri, kind=kinds[ki])


def social_share_credit(b: _Builder, n: _Nodes) -> None:
    """Social-lawyer cases earn −1 at level ``social`` up to each county's requirement (安庆2023
    §6(2): ≥75% of closed cases by social lawyers, per 本地区): one credit arc per region, whose
    capacity the solver sets once the levels above have fixed where cases are handled. Below
    ``cross_region`` and ``distance``, the share only chooses among local handlers and never
    sends a case away."""
    regions = np.arange(len(n.ksoc))
    b.arcs("social_credit", n.ksoc, SINK, n.big, {"social": -1}, region=regions)
    b.arcs("social_rest", n.ksoc, SINK, n.big, region=regions)
    b.arcs("other_sink", [K_OTHER], SINK, n.big)


def build(struct: Structure, detail: dict | None = None, exact: frozenset = frozenset(),
          extras: Extras | None = None) -> Model:
    """Build the network for the given refinement state (see module docstring)."""
    detail = dict(detail or {})
    b = _Builder()
    b.nodes(4)
    n_cls, n_gc, n_pools = len(struct.cls_cases), len(struct.gc_cases), len(struct.pool_m)
    nodes = _Nodes(cls=b.nodes(n_cls), gc=b.nodes(n_gc), pool=b.nodes(n_pools),
                   cls_n=np.array([len(c) for c in struct.cls_cases], dtype=np.int64),
                   gc_n=np.array([len(c) for c in struct.gc_cases], dtype=np.int64), big=struct.n_batch + 1,
                   ksoc=b.nodes(len(struct.problem.regions)))
    every_case_assigned_or_counted(b, nodes)
    ordinary_cases_to_pools(b, struct, nodes)
    relaxed_groups_to_pools(b, struct, nodes, detail)
    detailed_groups(b, struct, nodes, detail, frozenset(exact))
    if extras is not None:
        extra_capacity(b, struct, nodes, extras)
    social_share_credit(b, nodes)
    supply = np.zeros(b.n, dtype=np.int64)
    supply[SRC], supply[SINK] = struct.n_batch, -struct.n_batch
    return Model(struct=struct, net=b.network(supply), family=b.family, meta=b.meta, detail=detail,
                 exact=frozenset(exact), extras=extras)


def initial_detail(struct: Structure) -> dict:
    """Start with each group at firm tier in the regions of its administering centres."""
    return {(int(g), int(r)): "firm" for g, r in zip(struct.gc_group, struct.gc_centre, strict=True)}


def full_detail(struct: Structure) -> tuple[dict, frozenset]:
    """Every group at sub-pool tier in every region, every pool balanced per sub-pool (exact)."""
    regions = range(len(struct.problem.regions))
    return ({(g, r): "sub" for g in range(len(struct.groups)) for r in regions}, frozenset(range(len(struct.pool_m))))
