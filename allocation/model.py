"""The aggregated flow model: case classes → lawyer pools → lawyer kinds (pipeline step 2).

``Structure`` groups the ``Problem`` once:

- classes: the batch's ordinary cases with the same administering centre and the same
  eligible lawyer kinds (criminal or not) are interchangeable for every rule and objective;
- group classes: the unpinned members of one co-defendant group with one administering centre;
- pools: eligible lawyers of one region and kind (same distance, same eligibility, same
  social/non-social status);
- firm-pools: the lawyers of one pool in one firm (or with no firm);
- sub-pools: lawyers of one firm-pool with the same load so far and the same pinned
  co-defendants — interchangeable even for the group and balance levels.

``build`` turns it into a ``Network`` with one cost vector per objective level. A group g
reaches region r at one of three tiers (``detail[(g, r)]``), each a relaxation of the next:

- relaxed (absent from ``detail``): group class → pool directly, at most one member per
  lawyer of the pool; no firm cost;
- "firm": group class → (g, r) → (g, r, firm) → firm-pool, at most one member per lawyer of
  the firm-pool; the same-firm cost is exact;
- "sub": (g, r, firm) → sub-pool, at most m members in a sub-pool of m identical lawyers;
  exact (a cyclic hand-out gives distinct defenders and an even spread).

A pool's balance cost is the water-filling cost of its total (exact when its cases may go to
any of its lawyers) unless the pool is in ``exact``, where each sub-pool has its own convex
cost. ``allocation.engine`` checks whether the per-case assignment attains the model's values
(a small max-flow "repair") and refines only where it does not. Relaxing only enlarges the
feasible set and lowers costs, so a lexicographic optimum the assignment attains with equal
values is a lexicographic optimum of the exact problem.

Arcs to regions beyond the ``NEAR`` nearest of a class's administering centre start as
candidates (column generation in ``allocation.lexflow``): exact, and far fewer arcs.
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
#: Regions (nearest first, the centre's own included) whose arcs are in the network from the
#: start; the others are priced in when needed.
NEAR = 4
#: The first co-defendant in a firm costs nothing at level same_firm.
FIRST_IN_FIRM_FREE = 1


@dataclass
class Structure:
    """The aggregation of one problem (see module docstring). Arrays are indexed by id.

    Classes: ``cls_centre`` (region code), ``cls_criminal``, ``cls_cases`` (case positions in
    first-come first-served order). Groups: ``groups`` (keys), ``gc_group``, ``gc_centre``,
    ``gc_cases``. Pools: ``pool_region``, ``pool_kind``, ``pool_m``, ``pool_bases`` (sorted
    loads). Firm-pools: ``fp_pool``, ``fp_firm`` (firm code, −1 for none). Sub-pools:
    ``sub_pool``, ``sub_fp``, ``sub_region``, ``sub_kind``, ``sub_firm``, ``sub_base``,
    ``sub_m``, ``sub_lawyers`` (lawyer positions, tie order), ``sub_pinned`` (groups pinned to
    its lawyers). ``pinned_firm[(g, firm)]``, ``pinned_pool[(g, pool)]`` and
    ``pinned_fp[(g, fp)]`` count a group's pinned members. ``near[a]``: region codes nearest
    to region a first.
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
    fp_pool: np.ndarray
    fp_firm: np.ndarray
    sub_pool: np.ndarray
    sub_fp: np.ndarray
    sub_region: np.ndarray
    sub_kind: np.ndarray
    sub_firm: np.ndarray
    sub_base: np.ndarray
    sub_m: np.ndarray
    sub_lawyers: list[np.ndarray]
    sub_pinned: list[frozenset]
    firms: list[tuple[str, str]]
    near: np.ndarray
    pinned_firm: dict[tuple[int, int], int] = field(default_factory=dict)
    pinned_pool: dict[tuple[int, int], int] = field(default_factory=dict)
    pinned_fp: dict[tuple[int, int], int] = field(default_factory=dict)

    @property
    def cap(self) -> int:
        """The yearly cap (件/年)."""
        return self.problem.rules.cap

    @property
    def sub_h(self) -> np.ndarray:
        """Headroom of each sub-pool's lawyers (件)."""
        return self.cap - self.sub_base

    def is_near(self, centre: np.ndarray, region: np.ndarray) -> np.ndarray:
        """Whether ``region`` is among the ``NEAR`` nearest regions of ``centre`` (elementwise)."""
        rank = np.argsort(self.near, axis=1)
        return rank[centre, region] < NEAR


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
    pg_key = np.array([",".join(map(str, sorted(pinned_groups[i]))) if i in pinned_groups else ""
                       for i in range(len(lawyers))], dtype=object)
    frame = pd.DataFrame({"pos": elig, "region": region[elig], "kind": kind_code[elig], "firm": firm_code[elig],
                          "base": base[elig], "pg": pg_key[elig], "tie": tie[elig]})
    frame = frame.sort_values(["region", "kind", "firm", "base", "pg", "tie"], kind="stable")
    sub_id = frame.groupby(["region", "kind", "firm", "base", "pg"], sort=False).ngroup().to_numpy()
    fp_id = frame.groupby(["region", "kind", "firm"], sort=False).ngroup().to_numpy()
    pool_id = frame.groupby(["region", "kind"], sort=False).ngroup().to_numpy()

    def starts(ids: np.ndarray) -> np.ndarray:
        return np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]]) if len(ids) else np.zeros(0, np.int64)

    first, fp_first, pool_first = starts(sub_id), starts(fp_id), starts(pool_id)
    pos = frame["pos"].to_numpy()
    sub_lawyers = np.split(pos, first[1:]) if len(pos) else []
    pool_members = np.split(pos, pool_first[1:]) if len(pos) else []
    fp_members = np.split(pos, fp_first[1:]) if len(pos) else []
    n_regions = len(problem.regions)
    near = np.argsort(problem.dist_m + np.eye(n_regions, dtype=np.int64) * -1, axis=1, kind="stable")

    struct = Structure(
        problem=problem, n_batch=int(batch.sum()),
        cls_centre=cls_keys // 2, cls_criminal=(cls_keys % 2).astype(bool), cls_cases=cls_cases,
        groups=groups, gc_group=gc_keys // n_regions, gc_centre=gc_keys % n_regions, gc_cases=gc_cases,
        pool_region=frame["region"].to_numpy()[pool_first], pool_kind=frame["kind"].to_numpy()[pool_first],
        pool_m=np.array([len(m) for m in pool_members], dtype=np.int64),
        pool_bases=[np.sort(base[m]) for m in pool_members],
        fp_pool=pool_id[fp_first], fp_firm=frame["firm"].to_numpy()[fp_first],
        sub_pool=pool_id[first], sub_fp=fp_id[first], sub_region=frame["region"].to_numpy()[first],
        sub_kind=frame["kind"].to_numpy()[first], sub_firm=frame["firm"].to_numpy()[first],
        sub_base=frame["base"].to_numpy()[first], sub_m=np.array([len(s) for s in sub_lawyers], dtype=np.int64),
        sub_lawyers=sub_lawyers, sub_pinned=[frozenset(pinned_groups.get(int(s[0]), ())) for s in sub_lawyers],
        firms=firms, near=near,
    )
    where = {}
    for k, members in enumerate(fp_members):
        for i in members:
            where[int(i)] = (int(struct.fp_pool[k]), k)
    for g_name, lw in zip(pinned_cases["group"], pinned_cases["pinned_lawyer"], strict=True):
        i, g = int(lawyer_pos[lw]), gindex[g_name]
        if firm_code[i] >= 0:
            struct.pinned_firm[(g, int(firm_code[i]))] = struct.pinned_firm.get((g, int(firm_code[i])), 0) + 1
        if i in where:
            q, k = where[i]
            struct.pinned_pool[(g, q)] = struct.pinned_pool.get((g, q), 0) + 1
            struct.pinned_fp[(g, k)] = struct.pinned_fp.get((g, k), 0) + 1
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


def _criminal_kind(kind: np.ndarray) -> np.ndarray:
    return grassroots_no_criminal(True, np.asarray(KINDS, dtype=object)[kind])


def _empty() -> np.ndarray:
    return np.zeros(0, dtype=np.int64)


def build(struct: Structure, detail: dict | None = None, exact: frozenset = frozenset(),
          extras: Extras | None = None) -> Model:
    """Build the network for the given refinement state (see module docstring).

    Costs: ``unassigned`` (1 per case left), ``social`` (−1 per social-lawyer case up to the
    requirement, set by the solver), ``distance`` (metres), ``same_firm`` (1 per co-defendant
    beyond the first in one firm), ``balance`` (2A+1 for the unit raising a lawyer from load A
    to A+1, i.e. Σ load² after), ``extra`` (1 per hypothetical extra slot, diagnosis only).
    """
    detail = dict(detail or {})
    p = struct.problem
    n_regions = len(p.regions)
    big = struct.n_batch + 1
    dist = p.dist_m
    per_group = codefendants_distinct_defenders()
    b = _Builder()
    b.nodes(5)
    n_cls, n_gc = len(struct.cls_cases), len(struct.gc_cases)
    n_pools, n_subs, n_fps = len(struct.pool_m), len(struct.sub_m), len(struct.fp_pool)
    cls_node, gc_node, pool_node = b.nodes(n_cls), b.nodes(n_gc), b.nodes(n_pools)
    cls_n = np.array([len(c) for c in struct.cls_cases], dtype=np.int64)
    gc_n = np.array([len(c) for c in struct.gc_cases], dtype=np.int64)
    sub_h = struct.sub_h

    b.arcs("src_class", SRC, cls_node, cls_n)
    b.arcs("src_gc", SRC, gc_node, gc_n)
    b.arcs("unassigned_class", cls_node, UNASSIGNED, cls_n, {"unassigned": 1})
    b.arcs("unassigned_gc", gc_node, UNASSIGNED, gc_n, {"unassigned": 1})
    b.arcs("unassigned_sink", [UNASSIGNED], SINK, big)

    # ordinary classes → pools (eligibility by kind; distance from the administering centre)
    ok = grassroots_no_criminal(struct.cls_criminal[:, None], np.asarray(KINDS, dtype=object)[struct.pool_kind][None, :])
    ci, pi = np.nonzero(ok)
    b.arcs("class_pool", cls_node[ci], pool_node[pi], cls_n[ci], {"distance": dist[struct.cls_centre[ci], struct.pool_region[pi]]},
           candidate=~struct.is_near(struct.cls_centre[ci], struct.pool_region[pi]), cls=ci, pool=pi)

    # relaxed groups: group class → pool, one member per lawyer of the pool
    crim_pools = np.flatnonzero(_criminal_kind(struct.pool_kind))
    gi = np.repeat(np.arange(n_gc), len(crim_pools))
    pi = np.tile(crim_pools, n_gc)
    gg, rr = struct.gc_group[gi], struct.pool_region[pi]
    keys = np.array(sorted(g * n_regions + r for g, r in detail), dtype=np.int64)
    pinned = np.array([struct.pinned_pool.get((g, q), 0) for g, q in zip(gg, pi, strict=True)], dtype=np.int64) \
        if struct.pinned_pool else np.zeros(len(gi), np.int64)
    cap = np.minimum(gc_n[gi], (struct.pool_m[pi] - pinned) * per_group)
    keep = ~np.isin(gg * n_regions + rr, keys) & (cap > 0)
    gi, pi, cap = gi[keep], pi[keep], cap[keep]
    b.arcs("gc_pool", gc_node[gi], pool_node[pi], cap, {"distance": dist[struct.gc_centre[gi], struct.pool_region[pi]]},
           candidate=~struct.is_near(struct.gc_centre[gi], struct.pool_region[pi]), gc=gi, pool=pi)

    # detailed groups: group class → (g, r) → (g, r, firm) → firm-pool ("firm") or sub-pool ("sub")
    pairs = sorted(detail)
    gr_node = dict(zip(pairs, b.nodes(len(pairs)).tolist(), strict=True))
    t, h, c, d_gc, d_region = [], [], [], [], []
    for k in range(n_gc):
        g = int(struct.gc_group[k])
        for r in range(n_regions):
            if (g, r) in gr_node:
                t.append(gc_node[k])
                h.append(gr_node[(g, r)])
                c.append(int(dist[struct.gc_centre[k], r]))
                d_gc.append(k)
                d_region.append(r)
    b.arcs("gc_region", t, h, gc_n[np.array(d_gc, dtype=np.int64)] if d_gc else _empty(), {"distance": c},
           gc=np.array(d_gc, dtype=np.int64), region=np.array(d_region, dtype=np.int64))
    crim_subs = np.flatnonzero(_criminal_kind(struct.sub_kind))
    crim_fps = np.flatnonzero(_criminal_kind(struct.pool_kind[struct.fp_pool]))
    fp_region = struct.pool_region[struct.fp_pool]
    fp_m = np.bincount(struct.sub_fp, weights=struct.sub_m, minlength=n_fps).astype(np.int64)
    fp_cap = np.bincount(struct.sub_fp, weights=struct.sub_m * sub_h, minlength=n_fps).astype(np.int64)
    exact_set = set(exact)
    f_tail, f_head, f_first, f_group, f_firm = [], [], [], [], []
    to_fp = {"tail": [], "fp": [], "cap": [], "group": []}
    to_sub = {"tail": [], "sub": [], "cap": [], "group": []}
    fp_used, sub_used = set(), set()
    for (g, r) in pairs:
        node = gr_node[(g, r)]
        fps = crim_fps[fp_region[crim_fps] == r]
        firms_here = np.unique(struct.fp_firm[fps][struct.fp_firm[fps] >= 0])
        fnode = dict(zip(firms_here.tolist(), b.nodes(len(firms_here)).tolist(), strict=True))
        for f, n in fnode.items():
            f_tail.append(node)
            f_head.append(n)
            f_first.append(max(0, FIRST_IN_FIRM_FREE - struct.pinned_firm.get((g, f), 0)))
            f_group.append(g)
            f_firm.append(f)
        if detail[(g, r)] == "firm":
            for k in fps:
                m = int(fp_m[k]) - struct.pinned_fp.get((g, int(k)), 0)
                if m > 0:
                    to_fp["tail"].append(fnode.get(int(struct.fp_firm[k]), node))
                    to_fp["fp"].append(int(k))
                    to_fp["cap"].append(m * per_group)
                    to_fp["group"].append(g)
                    fp_used.add(int(k))
        else:
            for s in crim_subs[struct.sub_region[crim_subs] == r]:
                if g in struct.sub_pinned[s]:
                    continue
                to_sub["tail"].append(fnode.get(int(struct.sub_firm[s]), node))
                to_sub["sub"].append(int(s))
                to_sub["cap"].append(int(struct.sub_m[s]) * per_group)
                to_sub["group"].append(g)
                sub_used.add(int(s))
    b.arcs("group_firm_first", f_tail, f_head, f_first, group=np.array(f_group, int), firm=np.array(f_firm, int))
    b.arcs("group_firm_extra", f_tail, f_head, big, {"same_firm": 1}, group=np.array(f_group, int),
           firm=np.array(f_firm, int))
    fps_used = np.array(sorted(fp_used), dtype=np.int64)
    fp_node = np.full(n_fps, -1, dtype=np.int64)
    fp_node[fps_used] = b.nodes(len(fps_used))
    fp_arr = np.array(to_fp["fp"], dtype=np.int64)
    b.arcs("group_fp", to_fp["tail"], fp_node[fp_arr] if len(fp_arr) else _empty(), to_fp["cap"],
           group=np.array(to_fp["group"], int), fp=fp_arr)
    b.arcs("fp_pool", fp_node[fps_used], pool_node[struct.fp_pool[fps_used]], fp_cap[fps_used], fp=fps_used)

    # sub-pool nodes: for "sub" groups, and every sub-pool of an exact pool
    exact_subs = np.flatnonzero(np.isin(struct.sub_pool, list(exact_set))) if exact_set else _empty()
    node_subs = np.array(sorted(sub_used | set(exact_subs.tolist())), dtype=np.int64)
    sub_node = np.full(n_subs, -1, dtype=np.int64)
    sub_node[node_subs] = b.nodes(len(node_subs))
    sub_arr = np.array(to_sub["sub"], dtype=np.int64)
    b.arcs("group_sub", to_sub["tail"], sub_node[sub_arr] if len(sub_arr) else _empty(), to_sub["cap"],
           group=np.array(to_sub["group"], int), sub=sub_arr)
    kind_node = np.where(struct.pool_kind == SOCIAL, K_SOCIAL, K_OTHER)
    in_exact = np.isin(struct.sub_pool[node_subs], list(exact_set)) if exact_set else np.zeros(len(node_subs), bool)
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
    # other pools: water-filling cost of the pool total
    w_pool, w_level, w_cap = [], [], []
    for q in range(n_pools):
        if q in exact_set:
            continue
        bases = struct.pool_bases[q]
        levels = np.arange(bases[0], struct.cap)
        w_pool.append(np.full(len(levels), q))
        w_level.append(levels)
        w_cap.append(np.searchsorted(bases, levels, side="right"))
    w_pool = np.concatenate(w_pool) if w_pool else _empty()
    w_level = np.concatenate(w_level) if w_level else _empty()
    w_cap = np.concatenate(w_cap) if w_cap else _empty()
    b.arcs("pool_fill", pool_node[w_pool], kind_node[w_pool], w_cap, {"balance": 2 * w_level + 1}, pool=w_pool,
           level=w_level)

    # extra capacity (diagnosis only): new slots of a kind in a region, group members on distinct newcomers
    if extras is not None:
        kinds = np.array(extras.kinds, dtype=np.int64)
        e_node = b.nodes(n_regions * len(kinds)).reshape(n_regions, len(kinds))
        ok = grassroots_no_criminal(struct.cls_criminal[:, None, None], np.asarray(KINDS, dtype=object)[kinds][None, None, :])
        ci, ri, ki = np.nonzero(np.broadcast_to(ok, (n_cls, n_regions, len(kinds))))
        b.arcs("extra_class", cls_node[ci], e_node[ri, ki], cls_n[ci], {"distance": dist[struct.cls_centre[ci], ri]},
               candidate=~struct.is_near(struct.cls_centre[ci], ri), cls=ci, region=ri, kind=kinds[ki])
        crim_k = np.flatnonzero(_criminal_kind(kinds))
        gi = np.repeat(np.arange(n_gc), n_regions * len(crim_k))
        ri = np.tile(np.repeat(np.arange(n_regions), len(crim_k)), n_gc)
        ki = np.tile(crim_k, n_gc * n_regions)
        b.arcs("extra_gc", gc_node[gi], e_node[ri, ki], gc_n[gi], {"distance": dist[struct.gc_centre[gi], ri]},
               candidate=~struct.is_near(struct.gc_centre[gi], ri), gc=gi, group=struct.gc_group[gi], region=ri,
               kind=kinds[ki])
        ri, ki = np.nonzero(np.ones((n_regions, len(kinds)), dtype=bool))
        b.arcs("extra_kind", e_node[ri, ki], np.where(kinds[ki] == SOCIAL, K_SOCIAL, K_OTHER), big, {"extra": 1},
               region=ri, kind=kinds[ki])

    b.arcs("social_credit", [K_SOCIAL], SINK, big, {"social": -1})
    b.arcs("social_rest", [K_SOCIAL], SINK, big)
    b.arcs("other_sink", [K_OTHER], SINK, big)
    supply = np.zeros(b.n, dtype=np.int64)
    supply[SRC], supply[SINK] = struct.n_batch, -struct.n_batch
    return Model(struct=struct, net=b.network(supply), family=b.family, meta=b.meta, detail=detail,
                 exact=frozenset(exact_set), extras=extras)


def initial_detail(struct: Structure) -> dict:
    """Start with each group at firm tier in the regions of its administering centres."""
    return {(int(g), int(r)): "firm" for g, r in zip(struct.gc_group, struct.gc_centre, strict=True)}


def full_detail(struct: Structure) -> tuple[dict, frozenset]:
    """Every group at sub-pool tier in every region, every pool balanced per sub-pool (exact)."""
    regions = range(len(struct.problem.regions))
    return ({(g, r): "sub" for g in range(len(struct.groups)) for r in regions}, frozenset(range(len(struct.pool_m))))
