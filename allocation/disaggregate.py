"""Reading the solution back (pipeline step 4b): one lawyer per case from a tight model's flow."""

from __future__ import annotations

import numpy as np
import pandas as pd

from allocation.data import GRASSROOTS
from allocation.model import Model, Structure
from allocation.tighten import Tightening


class NotSwappable(RuntimeError):
    """The repair moved co-defendants between pools of one region, but no ordinary case the other
    pool may take (qualification, conflict) can move back: the hand-out does not exist on this
    model; ``engine.solve_problem`` then solves the fully detailed model, exact by construction."""


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
    case_pool = _classes_to_pools(model, flow, n_cases)
    case_sub = np.full(n_cases, -1, dtype=np.int64)
    sub_group = _groups_to_sub_pools(model, flow, tight, case_sub)
    cls_of = np.full(n_cases, -1, dtype=np.int64)
    for c, cases in enumerate(struct.cls_cases):
        cls_of[cases] = c
    order = problem.cases["order"].to_numpy()
    _ordinary_to_sub_pools(struct, tight, case_pool, case_sub, sub_group, order, cls_of)
    _hand_out(struct, case_sub, order, cls_of, lawyer)
    _prefer_specialty(struct, case_sub, lawyer)
    return lawyer


def _classes_to_pools(model: Model, flow: np.ndarray, n_cases: int) -> np.ndarray:
    """Pool of every ordinary case (−1 otherwise): the nearest pools get each class's earliest cases."""
    struct = model.struct
    dist = struct.problem.dist_m
    case_pool = np.full(n_cases, -1, dtype=np.int64)
    x = model.flows("class_pool", flow)
    meta = model.meta["class_pool"]
    for c, cases in enumerate(struct.cls_cases):
        sel = np.flatnonzero((meta["cls"] == c) & (x > 0))
        pools = meta["pool"][sel]
        key = np.lexsort((pools, dist[struct.cls_centre[c], struct.pool_region[pools]]))
        counts = x[sel][key]
        case_pool[cases[: counts.sum()]] = np.repeat(pools[key], counts)
    return case_pool


def _groups_to_sub_pools(model: Model, flow: np.ndarray, tight: Tightening, case_sub: np.ndarray) -> np.ndarray:
    """Group classes → regions (detailed and relaxed arcs) → sub-pools (the repair's hand-out).

    Fills ``case_sub`` for co-defendants; returns the group cases per sub-pool."""
    struct = model.struct
    dist = struct.problem.dist_m
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
    return sub_group


def _ordinary_to_sub_pools(struct: Structure, tight: Tightening, case_pool: np.ndarray, case_sub: np.ndarray,
                           sub_group: np.ndarray, order: np.ndarray, cls_of: np.ndarray) -> None:
    """Ordinary cases of each pool → its sub-pools (each takes its total minus its group cases).

    Where the hand-out moved co-defendants between a region's defender pools, ordinary cases
    move the other way (same region: same distance; social/staff pools take every kind)."""
    plain = np.flatnonzero(case_pool >= 0)
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


def _hand_out(struct: Structure, case_sub: np.ndarray, order: np.ndarray, cls_of: np.ndarray,
              lawyer: np.ndarray) -> None:
    """Inside each sub-pool: group cases first (by group), then ordinary cases; case j → lawyer j mod m."""
    placed = np.flatnonzero(case_sub >= 0)
    gcode = {g: i for i, g in enumerate(struct.groups)}
    group_rank = np.array([gcode.get(g, len(struct.groups)) for g in struct.problem.cases["group"].to_numpy()[placed]])
    placed = placed[np.lexsort((order[placed], cls_of[placed], group_rank, case_sub[placed]))]
    subs = case_sub[placed]
    first = np.searchsorted(subs, subs, side="left")
    j = np.arange(len(placed)) - first
    flat = np.concatenate(struct.sub_lawyers) if struct.sub_lawyers else np.zeros(0, np.int64)
    start = np.cumsum(struct.sub_m) - struct.sub_m
    lawyer[placed] = flat[start[subs] + j % struct.sub_m[subs]]


def _prefer_specialty(struct: Structure, case_sub: np.ndarray, lawyer: np.ndarray) -> None:
    """专业特长 and 执业经验 as preferences among equally good handlers (《办理法律援助案件程序规定》第二十五条:
    根据专业特长、执业经验等因素合理指派): inside a sub-pool (lawyers identical for every rule and
    level, already chosen by balance and rotation 轮候), its ordinary cases are matched to the
    lawyers' slots greedily — first the cases with a 案件领域 onto lawyers whose 专业特长 names it,
    then the rest. Where the slots' 执业年限 differ, criminal cases (the heavier stakes) go first and
    take the most experienced slots (``experienced_years_min`` years or more first, then more years);
    other cases take the slots in tie order. Each lawyer keeps the number of cases the hand-out gave
    it and co-defendants are not moved, so every level's value, the rotation and every rule stay as
    they were: experience only decides which of the chosen lawyers takes which case."""
    from scenarios.frames import split_ids

    problem = struct.problem
    cases, lawyers = problem.cases, problem.lawyers
    wanted = cases["specialty"].to_numpy(dtype=object) if "specialty" in cases else np.full(len(cases), "")
    skills = [set(split_ids(v)) for v in lawyers["specialties"].to_numpy(dtype=object)] \
        if "specialties" in lawyers else [set() for _ in range(len(lawyers))]
    years = lawyers["years"].to_numpy(dtype=np.int64) if "years" in lawyers else np.zeros(len(lawyers), np.int64)
    if "experienced_years_min" in problem.law:
        experience = (years >= problem.law["experienced_years_min"].value).astype(np.int64) * (years.max() + 1) + years
    else:
        experience = years
    has_skill = (wanted != "").any() and any(skills)
    plain = (case_sub >= 0) & (cases["group"].to_numpy(dtype=object) == "")
    criminal = cases["criminal"].to_numpy(dtype=bool)
    order = cases["order"].to_numpy()
    for sub in np.unique(case_sub[plain]):
        if struct.sub_m[sub] < 2:
            continue
        mine = np.flatnonzero(plain & (case_sub == sub))
        mine = mine[np.argsort(order[mine], kind="stable")]
        slots = list(lawyer[mine])
        by_experience = len(set(experience[slots])) > 1 and criminal[mine].any()
        if not by_experience and not (has_skill and (wanted[mine] != "").any()):
            continue
        if by_experience:
            mine = mine[np.argsort(~criminal[mine], kind="stable")]
        senior = experience if by_experience else None
        out = _match_slots(mine, slots, wanted, skills, senior, criminal)
        lawyer[mine] = out


def _match_slots(mine: np.ndarray, slots: list, wanted: np.ndarray, skills: list, experience: np.ndarray | None,
                 criminal: np.ndarray) -> np.ndarray:
    """Lawyer per case of ``mine`` (stakes order) from the sub-pool's ``slots`` (lawyer positions, tie
    order, one per case): specialty matches first, then the rest; with ``experience`` (per lawyer, or
    None) a criminal case takes its most experienced fitting slot, any other case the first."""
    out = np.full(len(mine), -1, dtype=np.int64)

    def take(k: int, fits: list[int]) -> None:
        if experience is not None and criminal[mine[k]]:
            best = max(fits, key=lambda t: (experience[slots[t]], -t))
        else:
            best = fits[0]
        out[k] = slots.pop(best)

    for k, i in enumerate(mine):
        fits = [t for t, q in enumerate(slots) if wanted[i] and wanted[i] in skills[q]]
        if fits:
            take(k, fits)
    for k in np.flatnonzero(out < 0):
        take(int(k), list(range(len(slots))))
    return out


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
            raise NotSwappable("co-defendants moved between pools that cannot swap ordinary cases")
        takers = [int(q) for q in pools if diff[q] < 0]
        for q in (int(q) for q in pools if diff[q] > 0):
            mine = plain[case_pool[plain] == q]
            mine = list(mine[np.lexsort((order[mine], cls_of[mine]))][::-1])
            for t in takers:
                # only cases the taker may take (qualification, conflicts) move to it; decided once per class
                may = {c: bool(struct.allowed(bool(struct.cls_criminal[c]), struct.cls_req[c], struct.cls_owner[c],
                                              np.array([t]))[0]) for c in {int(cls_of[i]) for i in mine}}
                fits = [i for i in mine if may[int(cls_of[i])]]
                k = min(-diff[t], diff[q], len(fits))
                moved = set(fits[:k])
                case_pool[np.array(fits[:k], dtype=np.int64)] = t
                diff[t] += k
                diff[q] -= k
                mine = [i for i in mine if i not in moved]
            if diff[q]:
                raise NotSwappable("no ordinary case may move to the pool that gave up co-defendants")
