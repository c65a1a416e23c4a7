"""The aggregated flow model: case classes → lawyer pools → lawyer kinds (pipeline step 2).

``Structure`` groups the ``Problem`` once:

- classes: the batch's ordinary cases with the same administering centre and the same
  eligible lawyer kinds (criminal or not) are interchangeable for every rule and objective;
- group classes: the unpinned members of one co-defendant group with one administering centre;
- pools: eligible lawyers of one region and kind (same distance, same eligibility, same
  social/non-social status);
- sub-pools: lawyers of one pool with the same firm, the same load so far and the same pinned
  co-defendants — interchangeable even for the group and balance levels.

``build`` turns it into a ``Network`` with one cost vector per objective level. Two parts are
relaxations that ``allocation.solve`` tightens on demand (relax-and-refine):

- a group g in region r is *relaxed* unless (g, r) is in ``detail``: its members may enter the
  region's pools up to one per lawyer (arc capacity = lawyers of the pool), ignoring firms and
  how lawyers' headroom interacts across several groups; detailed, it goes group → firm →
  sub-pool with at most m (lawyers in the sub-pool) members per sub-pool, which is exact;
- a pool's balance cost is the *water-filling* cost of its total (exact when the pool's cases
  may go to any of its lawyers) unless the pool is in ``exact``: then every sub-pool has its
  own convex cost, which stays exact whatever the groups force into it.

Relaxing only enlarges the feasible set and lowers costs, so a lexicographic optimum of the
model that the per-case assignment attains with the same values is a lexicographic optimum of
the exact problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from allocation.constraints import codefendants_distinct_defenders, grassroots_no_criminal
from allocation.data import GRASSROOTS, KINDS, SOCIAL, STAFF, Problem
from allocation.lexflow import Network

#: Objective levels in priority order (main solve).
LEVELS = ("unassigned", "social", "distance", "same_firm", "balance")
SRC, SINK, K_SOCIAL, K_OTHER, UNASSIGNED = range(5)


@dataclass
class Structure:
    """The aggregation of one problem (see module docstring). Arrays are indexed by id.

    Classes: ``cls_centre`` (region code), ``cls_criminal``, ``cls_cases`` (case positions in
    first-come first-served order). Groups: ``groups`` (keys), ``gc_group``, ``gc_centre``,
    ``gc_cases``. Pools: ``pool_region``, ``pool_kind``, ``pool_m``, ``pool_bases`` (sorted
    loads). Sub-pools: ``sub_pool``, ``sub_region``, ``sub_kind``, ``sub_firm`` (firm code,
    −1 for none), ``sub_base``, ``sub_m``, ``sub_lawyers`` (lawyer positions, tie order),
    ``sub_pinned`` (groups pinned to its lawyers). ``pinned_firm[(g, firm)]`` and
    ``pinned_pool[(g, pool)]`` count a group's pinned members.
    """

    problem: Problem
    n_batch: int
    cls_centre: np.ndarray
    cls_criminal: np.ndarray
    cls_cases: list[np.ndarray]
    groups: list[str]
    gc_group: np.ndarray
    gc_centre: np.ndarray
    gc_cases: list[np.ndarray]
    pool_region: np.ndarray
    pool_kind: np.ndarray
    pool_m: np.ndarray
    pool_bases: list[np.ndarray]
    sub_pool: np.ndarray
    sub_region: np.ndarray
    sub_kind: np.ndarray
    sub_firm: np.ndarray
    sub_base: np.ndarray
    sub_m: np.ndarray
    sub_lawyers: list[np.ndarray]
    sub_pinned: list[frozenset]
    firms: list[tuple[str, str]]
    pinned_firm: dict[tuple[int, int], int] = field(default_factory=dict)
    pinned_pool: dict[tuple[int, int], int] = field(default_factory=dict)

    @property
    def cap(self) -> int:
        """The yearly cap (件/年)."""
        return self.problem.rules.cap

    @property
    def sub_h(self) -> np.ndarray:
        """Headroom of each sub-pool's lawyers (件)."""
        return self.cap - self.sub_base


def structure(problem: Problem) -> Structure:
    """Aggregate the problem's batch into classes and its eligible lawyers into (sub-)pools."""
    cases = problem.cases
    batch = cases["pinned_lawyer"].to_numpy() == ""
    order = cases["order"].to_numpy()
    centre = problem.region_code(cases["centre"])
    criminal = cases["criminal"].to_numpy(dtype=bool)
    group = cases["group"].to_numpy(dtype=object)

    plain = np.flatnonzero(batch & (group == ""))
    plain = plain[np.argsort(order[plain], kind="stable")]
    key = centre[plain] * 2 + criminal[plain]
    cls_keys, cls_of = np.unique(key, return_inverse=True)
    cls_cases = [plain[cls_of == k] for k in range(len(cls_keys))]

    groups = sorted(set(group[group != ""]))
    gindex = {g: i for i, g in enumerate(groups)}
    grouped = np.flatnonzero(batch & (group != ""))
    gcodes = np.array([gindex[g] for g in group[grouped]], dtype=np.int64)
    grouped_order = np.lexsort((order[grouped], centre[grouped], gcodes))
    grouped, gcodes = grouped[grouped_order], gcodes[grouped_order]
    gkey = gcodes * len(problem.regions) + centre[grouped]
    gc_keys, gc_of = np.unique(gkey, return_inverse=True)
    gc_cases = [grouped[gc_of == k] for k in range(len(gc_keys))]

    lawyers = problem.lawyers
    elig = np.flatnonzero(lawyers["eligible"].to_numpy(dtype=bool))
    kind_code = lawyers["kind"].map({k: i for i, k in enumerate(KINDS)}).to_numpy(dtype=np.int64)
    region = problem.region_code(lawyers["region"])
    firm_names = lawyers["firm"].to_numpy(dtype=object)
    base = lawyers["base"].to_numpy(dtype=np.int64)
    pinned_groups: dict[int, set[int]] = {}
    pinned_cases = cases[~batch & (group != "")]
    lawyer_pos = pd.Series(np.arange(len(lawyers)), index=lawyers["lawyer_id"])
    for g, lw in zip(pinned_cases["group"], pinned_cases["pinned_lawyer"], strict=True):
        pinned_groups.setdefault(int(lawyer_pos[lw]), set()).add(gindex[g])
    firms = sorted({(problem.regions[r], f) for r, f in zip(region, firm_names, strict=True) if f})
    findex = {f: i for i, f in enumerate(firms)}
    firm_code = np.array([findex.get((problem.regions[r], f), -1) for r, f in zip(region, firm_names, strict=True)],
                         dtype=np.int64)
    tie = np.random.default_rng(problem.seed).permutation(len(lawyers)) if problem.seed else \
        np.argsort(np.argsort(lawyers["lawyer_id"].to_numpy(dtype=str), kind="stable"))
    pg_key = np.array([",".join(map(str, sorted(pinned_groups.get(i, ())))) for i in range(len(lawyers))], dtype=object)
    sub_frame = pd.DataFrame({"pos": elig, "region": region[elig], "kind": kind_code[elig], "firm": firm_code[elig],
                              "base": base[elig], "pg": pg_key[elig], "tie": tie[elig]})
    sub_frame = sub_frame.sort_values(["region", "kind", "firm", "base", "pg", "tie"], kind="stable")
    sub_id = sub_frame.groupby(["region", "kind", "firm", "base", "pg"], sort=False).ngroup().to_numpy()
    pool_id = sub_frame.groupby(["region", "kind"], sort=False).ngroup().to_numpy()
    first = np.flatnonzero(np.r_[True, sub_id[1:] != sub_id[:-1]]) if len(sub_id) else np.zeros(0, np.int64)
    pool_first = np.flatnonzero(np.r_[True, pool_id[1:] != pool_id[:-1]]) if len(pool_id) else np.zeros(0, np.int64)
    pos = sub_frame["pos"].to_numpy()
    sub_lawyers = np.split(pos, first[1:]) if len(pos) else []
    pool_members = np.split(pos, pool_first[1:]) if len(pos) else []

    struct = Structure(
        problem=problem, n_batch=int(batch.sum()),
        cls_centre=cls_keys // 2, cls_criminal=(cls_keys % 2).astype(bool), cls_cases=cls_cases,
        groups=groups, gc_group=gc_keys // len(problem.regions), gc_centre=gc_keys % len(problem.regions),
        gc_cases=gc_cases,
        pool_region=sub_frame["region"].to_numpy()[pool_first], pool_kind=sub_frame["kind"].to_numpy()[pool_first],
        pool_m=np.array([len(m) for m in pool_members], dtype=np.int64),
        pool_bases=[np.sort(base[m]) for m in pool_members],
        sub_pool=pool_id[first], sub_region=sub_frame["region"].to_numpy()[first],
        sub_kind=sub_frame["kind"].to_numpy()[first], sub_firm=sub_frame["firm"].to_numpy()[first],
        sub_base=sub_frame["base"].to_numpy()[first], sub_m=np.array([len(s) for s in sub_lawyers], dtype=np.int64),
        sub_lawyers=sub_lawyers,
        sub_pinned=[frozenset(pinned_groups.get(int(s[0]), ())) for s in sub_lawyers],
        firms=firms,
    )
    pool_of_lawyer = dict(zip(pos, pool_id, strict=True))
    for g_name, lw in zip(pinned_cases["group"], pinned_cases["pinned_lawyer"], strict=True):
        i = int(lawyer_pos[lw])
        g = gindex[g_name]
        if firm_code[i] >= 0:
            struct.pinned_firm[(g, int(firm_code[i]))] = struct.pinned_firm.get((g, int(firm_code[i])), 0) + 1
        if i in pool_of_lawyer:
            p = int(pool_of_lawyer[i])
            struct.pinned_pool[(g, p)] = struct.pinned_pool.get((g, p), 0) + 1
    return struct


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
    detail: frozenset
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

    def arcs(self, name: str, tail, head, cap, costs: dict | None = None, **meta) -> None:
        tail, head, cap = (np.atleast_1d(np.asarray(v, dtype=np.int64)) for v in (tail, head, cap))
        k = max(len(tail), len(head), len(cap)) if min(len(tail), len(head), len(cap)) else 0
        tail, head, cap = (np.broadcast_to(v, (k,)) for v in (tail, head, cap))
        cost = {lvl: np.broadcast_to(np.asarray(c, dtype=np.int64), (k,)) for lvl, c in (costs or {}).items()}
        if name in self.family:
            raise ValueError(f"family {name} added twice")
        self.family[name] = (self.count, self.count + k)
        self.meta[name] = {key: np.broadcast_to(np.asarray(v), (k,)) for key, v in meta.items()}
        self.parts.append((tail, head, cap, cost))
        self.count += k

    def network(self, supply: np.ndarray) -> Network:
        tails = np.concatenate([p[0] for p in self.parts]).astype(np.int32)
        heads = np.concatenate([p[1] for p in self.parts]).astype(np.int32)
        caps = np.concatenate([p[2] for p in self.parts]).astype(np.int64)
        levels = sorted({lvl for p in self.parts for lvl in p[3]})
        costs = {}
        for lvl in levels:
            costs[lvl] = np.concatenate([p[3].get(lvl, np.zeros(len(p[0]), dtype=np.int64)) for p in self.parts])
        return Network(self.n, tails, heads, caps, supply, costs)


def _criminal_kind(kind: np.ndarray) -> np.ndarray:
    return grassroots_no_criminal(True, np.asarray(KINDS, dtype=object)[kind])


def build(struct: Structure, detail: frozenset = frozenset(), exact: frozenset = frozenset(),
          extras: Extras | None = None) -> Model:
    """Build the network for the given refinement state (see module docstring).

    Nodes: source, sink, social and non-social kind nodes, an unassigned collector; one node
    per class, group class, (group, region), pool, needed sub-pool, (group, region, firm) and
    extra-capacity (region, kind). Costs: ``unassigned`` (1 per case left), ``social`` (−1 per
    social-lawyer case up to the requirement, set by the solver), ``distance`` (metres),
    ``same_firm`` (1 per co-defendant beyond the first in one firm), ``balance`` (2A+1 for the
    unit raising a lawyer from load A to A+1, i.e. Σ load² after), ``extra`` (1 per slot).
    """
    p = struct.problem
    n_regions = len(p.regions)
    big = struct.n_batch + 1
    dist = p.dist_m
    b = _Builder()
    b.nodes(5)
    n_cls, n_gc, n_groups = len(struct.cls_cases), len(struct.gc_cases), len(struct.groups)
    n_pools, n_subs = len(struct.pool_m), len(struct.sub_m)
    cls_node = b.nodes(n_cls)
    gc_node = b.nodes(n_gc)
    gr_node = b.nodes(n_groups * n_regions).reshape(n_groups, n_regions) if n_groups else np.zeros((0, n_regions), int)
    pool_node = b.nodes(n_pools)
    cls_n = np.array([len(c) for c in struct.cls_cases], dtype=np.int64)
    gc_n = np.array([len(c) for c in struct.gc_cases], dtype=np.int64)

    b.arcs("src_class", SRC, cls_node, cls_n)
    b.arcs("src_gc", SRC, gc_node, gc_n)
    b.arcs("unassigned_class", cls_node, UNASSIGNED, cls_n, {"unassigned": 1})
    b.arcs("unassigned_gc", gc_node, UNASSIGNED, gc_n, {"unassigned": 1})
    b.arcs("unassigned_sink", [UNASSIGNED], SINK, big)

    # ordinary classes → pools (eligibility by kind; distance from the administering centre)
    ok = grassroots_no_criminal(struct.cls_criminal[:, None], np.asarray(KINDS, dtype=object)[struct.pool_kind][None, :])
    ci, pi = np.nonzero(ok)
    b.arcs("class_pool", cls_node[ci], pool_node[pi], cls_n[ci],
           {"distance": dist[struct.cls_centre[ci], struct.pool_region[pi]]}, cls=ci, pool=pi)

    # group classes → (group, region)
    crim_pool = _criminal_kind(struct.pool_kind)
    regions_with = np.zeros(n_regions, dtype=bool)
    regions_with[struct.pool_region[crim_pool]] = True
    target_regions = np.arange(n_regions) if extras is not None else np.flatnonzero(regions_with)
    gi = np.repeat(np.arange(n_gc), len(target_regions))
    ri = np.tile(target_regions, n_gc)
    b.arcs("gc_region", gc_node[gi], gr_node[struct.gc_group[gi], ri], gc_n[gi],
           {"distance": dist[struct.gc_centre[gi], ri]}, gc=gi, region=ri)

    # relaxed groups: (g, r) → pool, one member per lawyer of the pool
    cp = np.flatnonzero(crim_pool)
    gg = np.repeat(np.arange(n_groups), len(cp))
    pp = np.tile(cp, n_groups)
    rr = struct.pool_region[pp]
    detail_keys = np.array(sorted(g * n_regions + r for g, r in detail), dtype=np.int64)
    relaxed = ~np.isin(gg * n_regions + rr, detail_keys)
    pinned = np.zeros((n_groups, n_pools), dtype=np.int64)
    for (g, q), k in struct.pinned_pool.items():
        pinned[g, q] = k
    cap = struct.pool_m[pp] - pinned[gg, pp]
    keep = relaxed & (cap > 0)
    gg, pp, cap = gg[keep], pp[keep], cap[keep]
    b.arcs("relaxed_group", gr_node[gg, struct.pool_region[pp]], pool_node[pp], cap * codefendants_distinct_defenders(),
           group=gg, pool=pp)

    # detailed groups: (g, r) → (g, r, firm) → sub-pool
    crim_sub = np.flatnonzero(_criminal_kind(struct.sub_kind))
    has_pinned = np.array([bool(x) for x in struct.sub_pinned], dtype=bool)
    needed_subs = set()
    codefendants_per_firm_free = 1  # the first co-defendant in a firm costs nothing at level same_firm
    d_tail, d_head_sub, d_cap, d_group = [], [], [], []
    f_tail, f_node_list, f_first_cap, f_group, f_firm = [], [], [], [], []
    for g, r in sorted(detail):
        subs = crim_sub[struct.sub_region[crim_sub] == r]
        subs = subs[[g not in struct.sub_pinned[s] for s in subs]] if has_pinned[subs].any() else subs
        needed_subs.update(subs.tolist())
        firm_of = struct.sub_firm[subs]
        firms_here = np.unique(firm_of[firm_of >= 0])
        fnodes = b.nodes(len(firms_here))
        for f, node in zip(firms_here.tolist(), fnodes.tolist(), strict=True):
            f_tail.append(gr_node[g, r])
            f_node_list.append(node)
            f_first_cap.append(max(0, codefendants_per_firm_free - struct.pinned_firm.get((g, f), 0)))
            f_group.append(g)
            f_firm.append(f)
        lookup = np.full(len(struct.firms) + 1, gr_node[g, r], dtype=np.int64)
        lookup[firms_here] = fnodes
        tails = lookup[firm_of]
        d_tail.append(tails)
        d_head_sub.append(subs)
        d_cap.append(struct.sub_m[subs] * codefendants_distinct_defenders())
        d_group.append(np.full(len(subs), g))
    b.arcs("group_firm_first", f_tail, f_node_list, f_first_cap, group=np.array(f_group, int), firm=np.array(f_firm, int))
    b.arcs("group_firm_extra", f_tail, f_node_list, big, {"same_firm": 1}, group=np.array(f_group, int),
           firm=np.array(f_firm, int))

    # sub-pool nodes: needed by detailed groups, or all sub-pools of exact pools
    exact_subs = np.flatnonzero(np.isin(struct.sub_pool, list(exact))) if exact else np.zeros(0, np.int64)
    node_subs = np.array(sorted(needed_subs | set(exact_subs.tolist())), dtype=np.int64)
    sub_node = np.full(n_subs, -1, dtype=np.int64)
    sub_node[node_subs] = b.nodes(len(node_subs))
    if d_tail:
        tails, subs = np.concatenate(d_tail), np.concatenate(d_head_sub)
        b.arcs("group_sub", tails, sub_node[subs], np.concatenate(d_cap), group=np.concatenate(d_group), sub=subs)
    else:
        b.arcs("group_sub", [], [], [], group=np.zeros(0, int), sub=np.zeros(0, int))

    sub_h = struct.sub_h
    kind_node = np.where(struct.pool_kind == SOCIAL, K_SOCIAL, K_OTHER)
    in_exact = np.isin(struct.sub_pool[node_subs], list(exact)) if exact else np.zeros(len(node_subs), bool)
    relaxed_subs, exact_node_subs = node_subs[~in_exact], node_subs[in_exact]
    b.arcs("sub_pool", sub_node[relaxed_subs], pool_node[struct.sub_pool[relaxed_subs]],
           struct.sub_m[relaxed_subs] * sub_h[relaxed_subs], sub=relaxed_subs)
    b.arcs("pool_sub", pool_node[struct.sub_pool[exact_node_subs]], sub_node[exact_node_subs],
           struct.sub_m[exact_node_subs] * sub_h[exact_node_subs], sub=exact_node_subs)
    # exact pools: per sub-pool convex cost, unit t raises its lawyers from base+t to base+t+1
    reps = sub_h[exact_node_subs]
    s_rep = np.repeat(exact_node_subs, reps)
    step = np.arange(len(s_rep)) - np.repeat(np.cumsum(reps) - reps, reps)
    b.arcs("sub_convex", sub_node[s_rep], kind_node[struct.sub_pool[s_rep]], struct.sub_m[s_rep],
           {"balance": 2 * (struct.sub_base[s_rep] + step) + 1}, sub=s_rep)
    # relaxed pools: water-filling cost of the pool total
    w_pool, w_level, w_cap = [], [], []
    for q in range(n_pools):
        if q in exact:
            continue
        bases = struct.pool_bases[q]
        levels = np.arange(bases[0], struct.cap)
        w_pool.append(np.full(len(levels), q))
        w_level.append(levels)
        w_cap.append(np.searchsorted(bases, levels, side="right"))
    w_pool = np.concatenate(w_pool) if w_pool else np.zeros(0, np.int64)
    w_level = np.concatenate(w_level) if w_level else np.zeros(0, np.int64)
    w_cap = np.concatenate(w_cap) if w_cap else np.zeros(0, np.int64)
    b.arcs("pool_fill", pool_node[w_pool], kind_node[w_pool], w_cap, {"balance": 2 * w_level + 1}, pool=w_pool,
           level=w_level)

    # extra capacity (diagnosis only)
    if extras is not None:
        kinds = np.array(extras.kinds, dtype=np.int64)
        e_node = b.nodes(n_regions * len(kinds)).reshape(n_regions, len(kinds))
        ok = grassroots_no_criminal(struct.cls_criminal[:, None, None],
                                    np.asarray(KINDS, dtype=object)[kinds][None, None, :])
        ok = np.broadcast_to(ok, (n_cls, n_regions, len(kinds)))
        ci, ri, ki = np.nonzero(ok)
        b.arcs("extra_class", cls_node[ci], e_node[ri, ki], cls_n[ci], {"distance": dist[struct.cls_centre[ci], ri]},
               cls=ci, region=ri, kind=kinds[ki])
        crim_k = np.flatnonzero(_criminal_kind(kinds))
        gg = np.repeat(np.arange(n_groups), n_regions * len(crim_k))
        ri = np.tile(np.repeat(np.arange(n_regions), len(crim_k)), n_groups)
        ki = np.tile(crim_k, n_groups * n_regions)
        b.arcs("extra_group", gr_node[gg, ri], e_node[ri, ki], big, group=gg, region=ri, kind=kinds[ki])
        ri, ki = np.nonzero(np.ones((n_regions, len(kinds)), dtype=bool))
        b.arcs("extra_kind", e_node[ri, ki], np.where(kinds[ki] == SOCIAL, K_SOCIAL, K_OTHER), big, {"extra": 1},
               region=ri, kind=kinds[ki])

    b.arcs("social_credit", [K_SOCIAL], SINK, big, {"social": -1})
    b.arcs("social_rest", [K_SOCIAL], SINK, big)
    b.arcs("other_sink", [K_OTHER], SINK, big)
    supply = np.zeros(b.n, dtype=np.int64)
    supply[SRC], supply[SINK] = struct.n_batch, -struct.n_batch
    return Model(struct=struct, net=b.network(supply), family=b.family, meta=b.meta, detail=frozenset(detail),
                 exact=frozenset(exact), extras=extras)


def initial_detail(struct: Structure) -> frozenset:
    """Start by detailing each group in the regions of its administering centres."""
    return frozenset((int(g), int(r)) for g, r in zip(struct.gc_group, struct.gc_centre, strict=True))
