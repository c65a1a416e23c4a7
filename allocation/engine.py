"""Solve and read back (pipeline steps 3 and 4): levels, repair/refine, per-case assignment.

``run_levels`` solves the lexicographic levels on a built model. ``tighten`` checks the
relaxations of ``allocation.model`` against the flow by handing co-defendants out to
sub-pools (a small max-flow) and says what to refine when that fails; ``disaggregate`` turns
class, pool and hand-out flows into one lawyer per case, deterministically; ``measure``
recomputes every objective level from the per-case assignment alone, and ``solve_problem``
insists the two agree (that equality is the proof that the relaxed model's optimum is the
exact optimum) and that no hard rule is broken."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from allocation.constraints import social_lawyer_share_min, violations
from allocation.data import GRASSROOTS, Problem
from allocation.lexflow import LevelStat, LexFlow
from allocation.model import LEVELS, Model, Structure, build, full_detail, initial_detail, structure

#: Refinement rounds before switching to the fully detailed model (every group detailed in
#: every region, every pool's balance per sub-pool), which is exact by construction.
MAX_ROUNDS = 8


@dataclass
class YearCounts:
    """The year's cases before this batch's new assignments (件): all, and by social lawyers."""

    total: int
    social: int


def year_counts(problem: Problem) -> YearCounts:
    """Handled this year by every lawyer plus this batch's pinned cases."""
    lawyers = problem.lawyers
    social = lawyers["kind"].to_numpy() == "social"
    handled = lawyers["handled_this_year"].to_numpy(dtype=np.int64)
    pinned = lawyers["pinned"].to_numpy(dtype=np.int64)
    return YearCounts(total=int(handled.sum() + pinned.sum()), social=int(handled[social].sum() + pinned[social].sum()))


@dataclass
class LevelRun:
    """Result of solving the levels of one model."""

    flow: np.ndarray
    values: dict[str, int]
    social_needed: int
    stats: list[LevelStat]


def run_levels(model: Model, year: YearCounts) -> LevelRun:
    """Solve unassigned → social → distance → same_firm → balance on ``model``.

    The social requirement depends on how many cases level 1 assigns, so the capacity of the
    social-credit arc is set between levels 1 and 2. Reported ``social`` is the shortfall (件).
    """
    struct = model.struct
    lf = LexFlow(model.net)
    values = {"unassigned": lf.minimise("unassigned")}
    assigned = struct.n_batch - values["unassigned"]
    need = social_lawyer_share_min(struct.problem.rules, year.total + assigned, year.social)
    lf.set_upper(model.arcs("social_credit"), need)
    values["social"] = need + lf.minimise("social")
    for level in LEVELS[2:]:
        values[level] = lf.minimise(level)
    return LevelRun(flow=lf.flow, values=values, social_needed=need, stats=lf.stats)


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
    keys = sorted(demand)
    source_arc, group_arcs = {}, []
    for g, r in keys:
        d = net.node()
        source_arc[(g, r)] = net.arc(0, d, demand[(g, r)])
        spare = net.node() if extras.get((g, r)) else None
        if spare is not None:
            net.arc(d, spare, extras[(g, r)])
        firm_node = {}
        for sub in subs_of[r].tolist():
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
            group_arcs.append((net.arc(tail, s_node[sub], int(struct.sub_m[sub])), g, sub))
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
            tier = model.detail.get((g, r))
            if tier is None:
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


def disaggregate(model: Model, flow: np.ndarray, tight: Tightening) -> np.ndarray:
    """One lawyer position (or −1) per case of the problem, from a tight model's flow.

    Deterministic: cases of a class are taken first-come first-served (received, case id) and
    the earliest go to the nearest pools; a class's unassigned cases are its latest. Inside a
    sub-pool, co-defendants come first, each group's members consecutively, and case j goes to
    the sub-pool's lawyer j mod m (tie order), which spreads the sub-pool's total evenly and
    gives a group's members (at most m) distinct lawyers.
    """
    struct = model.struct
    problem = struct.problem
    n_cases = len(problem.cases)
    lawyer = np.full(n_cases, -1, dtype=np.int64)
    pinned_ids = problem.cases["pinned_lawyer"].to_numpy(dtype=object)
    pos = pd.Series(np.arange(len(problem.lawyers)), index=problem.lawyers["lawyer_id"])
    is_pinned = pinned_ids != ""
    lawyer[is_pinned] = pos.reindex(pinned_ids[is_pinned]).to_numpy()
    case_pool = np.full(n_cases, -1, dtype=np.int64)
    case_sub = np.full(n_cases, -1, dtype=np.int64)
    dist = problem.dist_m

    # ordinary classes → pools (nearest pools get the earliest cases)
    x = model.flows("class_pool", flow)
    meta = model.meta["class_pool"]
    for c, cases in enumerate(struct.cls_cases):
        sel = np.flatnonzero((meta["cls"] == c) & (x > 0))
        pools = meta["pool"][sel]
        key = np.lexsort((pools, dist[struct.cls_centre[c], struct.pool_region[pools]]))
        counts = x[sel][key]
        case_pool[cases[: counts.sum()]] = np.repeat(pools[key], counts)

    # group classes → regions (detailed and relaxed arcs) → sub-pools (the repair's hand-out)
    per_gc: dict[int, dict[int, int]] = {}
    for name, key in (("gc_region", "region"), ("gc_pool", "pool")):
        y = model.flows(name, flow)
        gm = model.meta[name]
        for j in np.flatnonzero(y > 0):
            r = int(gm[key][j]) if key == "region" else int(struct.pool_region[gm[key][j]])
            counts = per_gc.setdefault(int(gm["gc"][j]), {})
            counts[r] = counts.get(r, 0) + int(y[j])
    region_cases: dict[tuple[int, int], list[int]] = {}
    for k, counts in sorted(per_gc.items()):
        regions = sorted(counts, key=lambda r, k=k: (dist[struct.gc_centre[k], r], r))
        start = 0
        for r in regions:
            cases = struct.gc_cases[k][start:start + counts[r]]
            region_cases.setdefault((int(struct.gc_group[k]), r), []).extend(cases.tolist())
            start += counts[r]
    by_group_region: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for (g, s), n in sorted(tight.group_sub.items()):
        by_group_region.setdefault((g, int(struct.sub_region[s])), []).append((s, n))
    for (g, r), cases in sorted(region_cases.items()):
        subs = np.repeat([s for s, _ in by_group_region.get((g, r), [])],
                         [n for _, n in by_group_region.get((g, r), [])]).astype(np.int64)
        if len(subs) != len(cases):
            raise RuntimeError("group flow into a region does not match its hand-out to sub-pools")
        case_sub[np.array(cases, dtype=np.int64)] = subs
    sub_group = np.zeros(len(struct.sub_m), dtype=np.int64)
    for (_, s), n in tight.group_sub.items():
        sub_group[s] += n

    # ordinary cases of each pool → its sub-pools (each takes its total minus its group cases);
    # where the hand-out moved co-defendants between a region's defender pools, ordinary cases
    # move the other way (same region: same distance; social/staff pools take every kind)
    plain = np.flatnonzero(case_pool >= 0)
    cls_of = np.full(n_cases, -1, dtype=np.int64)
    for c, cases in enumerate(struct.cls_cases):
        cls_of[cases] = c
    order = problem.cases["order"].to_numpy()
    need = tight.sub_total - sub_group
    if np.any(need < 0):
        raise RuntimeError("a sub-pool holds more group cases than its total")
    _rebalance_pools(struct, case_pool, plain, need, order, cls_of)
    plain = plain[np.lexsort((order[plain], cls_of[plain], case_pool[plain]))]
    subs_by_pool = np.lexsort((np.arange(len(struct.sub_m)), struct.sub_pool))
    filler = np.repeat(subs_by_pool, need[subs_by_pool])
    if len(filler) != len(plain) or np.any(struct.sub_pool[filler] != case_pool[plain]):
        raise RuntimeError("pool totals do not match the cases sent to the pools")
    case_sub[plain] = filler

    # inside each sub-pool: group cases first (by group), then ordinary cases; case j → lawyer j mod m
    placed = np.flatnonzero(case_sub >= 0)
    gcode = {g: i for i, g in enumerate(struct.groups)}
    group_rank = np.array([gcode.get(g, len(struct.groups)) for g in problem.cases["group"].to_numpy()[placed]])
    placed = placed[np.lexsort((order[placed], cls_of[placed], group_rank, case_sub[placed]))]
    subs = case_sub[placed]
    first = np.searchsorted(subs, subs, side="left")
    j = np.arange(len(placed)) - first
    flat = np.concatenate(struct.sub_lawyers) if struct.sub_lawyers else np.zeros(0, np.int64)
    start = np.cumsum(struct.sub_m) - struct.sub_m
    lawyer[placed] = flat[start[subs] + j % struct.sub_m[subs]]
    return lawyer


def _rebalance_pools(struct: Structure, case_pool: np.ndarray, plain: np.ndarray, need: np.ndarray,
                     order: np.ndarray, cls_of: np.ndarray) -> None:
    """Move ordinary cases between defender pools of one region so each pool holds ``need``."""
    want = np.bincount(struct.sub_pool, weights=need, minlength=len(struct.pool_m)).astype(np.int64)
    have = np.bincount(case_pool[plain], minlength=len(struct.pool_m))
    diff = have - want
    if not diff.any():
        return
    for r in np.unique(struct.pool_region[diff != 0]):
        pools = np.flatnonzero((struct.pool_region == r) & (diff != 0))
        if diff[pools].sum() != 0 or np.any(struct.pool_kind[pools] == GRASSROOTS):
            raise RuntimeError("co-defendants moved between pools that cannot swap ordinary cases")
        takers = [int(q) for q in pools if diff[q] < 0]
        for q in (int(q) for q in pools if diff[q] > 0):
            mine = plain[case_pool[plain] == q]
            mine = mine[np.lexsort((order[mine], cls_of[mine]))][::-1][: diff[q]]
            start = 0
            for t in takers:
                k = min(-diff[t], len(mine) - start)
                case_pool[mine[start:start + k]] = t
                diff[t] += k
                start += k
            diff[q] = 0


@dataclass
class Measured:
    """Objective levels recomputed from a per-case assignment (no model involved)."""

    values: dict[str, int]
    year_total: int
    year_social: int
    social_required: int
    same_firm_total: int
    pinned_same_firm: int


def measure(problem: Problem, lawyer: np.ndarray) -> Measured:
    """Every level's value of a per-case assignment (``lawyer`` positions, −1 = unassigned)."""
    cases, lawyers = problem.cases, problem.lawyers
    batch = cases["pinned_lawyer"].to_numpy() == ""
    assigned = lawyer >= 0
    new = batch & assigned
    kind = lawyers["kind"].to_numpy()
    year = year_counts(problem)
    new_social = int(np.sum(kind[lawyer[new]] == "social"))
    total = year.total + int(new.sum())
    required = problem.rules.social_required(total)
    shortfall = max(0, required - year.social - new_social)
    centre = problem.region_code(cases["centre"])
    lregion = problem.region_code(lawyers["region"])
    distance = int(problem.dist_m[centre[new], lregion[lawyer[new]]].sum())
    grouped = assigned & (cases["group"].to_numpy() != "")
    firm = lawyers["firm"].to_numpy(dtype=object)
    frame = pd.DataFrame({"group": cases["group"].to_numpy()[grouped], "region": lawyers["region"].to_numpy()[lawyer[grouped]],
                          "firm": firm[lawyer[grouped]], "pinned": ~batch[grouped]})
    frame = frame[frame["firm"] != ""]
    per_firm = frame.groupby(["group", "region", "firm"]).agg(n=("pinned", "size"), p=("pinned", "sum"))
    same_total = int(np.maximum(per_firm["n"] - 1, 0).sum())
    same_pinned = int(np.maximum(per_firm["p"] - 1, 0).sum())
    added = np.bincount(lawyer[new], minlength=len(lawyers))
    base = lawyers["base"].to_numpy(dtype=np.int64)
    balance = int(np.sum((base + added) ** 2 - base**2))
    values = {"unassigned": int((batch & ~assigned).sum()), "social": shortfall, "distance": distance,
              "same_firm": same_total - same_pinned, "balance": balance}
    return Measured(values, total, year.social + new_social, required, same_total, same_pinned)


@dataclass
class Solved:
    """A proven lexicographic optimum: per-case lawyers and how it was obtained."""

    problem: Problem
    struct: Structure
    model: Model
    run: LevelRun
    lawyer: np.ndarray
    measured: Measured
    rounds: int
    status: str
    seconds: float


def solve_problem(problem: Problem, max_rounds: int = MAX_ROUNDS) -> Solved:
    """Solve, refine the relaxations until tight, read back, verify rules and values.

    ``max_rounds`` = 0 starts from the fully detailed model (used by tests to check that both
    routes reach the same optimum).
    """
    start = time.perf_counter()
    struct = structure(problem)
    year = year_counts(problem)
    detail, exact = initial_detail(struct), frozenset()
    if max_rounds == 0:
        detail, exact = full_detail(struct)
    status, rounds = "optimal", 0
    while True:
        rounds += 1
        model = build(struct, detail, exact)
        run = run_levels(model, year)
        tight = tighten(model, run.flow)
        if tight.tight:
            break
        if rounds > max_rounds:
            raise RuntimeError("the fully detailed model was not tight")
        detail = {**detail, **{k: v for k, v in tight.detail.items() if detail.get(k) != "sub"}}
        exact = exact | tight.exact
        if rounds == max_rounds:
            detail, exact = full_detail(struct)
    lawyer = disaggregate(model, run.flow, tight)
    measured = measure(problem, lawyer)
    if measured.values != run.values:
        raise RuntimeError(f"per-case values {measured.values} differ from the model's {run.values}")
    broken = violations(problem, assignment_frame(problem, lawyer))
    if broken:
        raise RuntimeError("assignment breaks hard rules: " + "; ".join(broken[:5]))
    return Solved(problem, struct, model, run, lawyer, measured, rounds, status, time.perf_counter() - start)


def assignment_frame(problem: Problem, lawyer: np.ndarray) -> pd.DataFrame:
    """One row per assigned case: the columns ``constraints.violations`` checks."""
    cases, lawyers = problem.cases, problem.lawyers
    assigned = np.flatnonzero(lawyer >= 0)
    pos = lawyer[assigned]
    return pd.DataFrame({
        "case_id": cases["case_id"].to_numpy()[assigned],
        "kind": cases["kind"].to_numpy()[assigned],
        "centre": cases["centre"].to_numpy()[assigned],
        "group": cases["group"].to_numpy()[assigned],
        "pinned": cases["pinned_lawyer"].to_numpy()[assigned] != "",
        "lawyer_id": lawyers["lawyer_id"].to_numpy()[pos],
        "lawyer_kind": lawyers["kind"].to_numpy()[pos],
        "lawyer_region": lawyers["region"].to_numpy()[pos],
    })


__all__ = ["Solved", "YearCounts", "assignment_frame", "full_detail", "measure", "run_levels",
           "solve_problem", "tighten", "waterfill_level", "year_counts"]
