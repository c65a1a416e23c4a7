"""Solve and read back (pipeline steps 3 and 4): levels, relax-and-refine, per-case assignment.

``run_levels`` solves the lexicographic levels on a built model. ``tighten`` checks the two
relaxations of ``allocation.model`` against the flow and says what to refine; ``disaggregate``
turns class and pool flows into one lawyer per case, deterministically; ``measure`` recomputes
every objective level from the per-case assignment alone, and ``solve_problem`` insists the two
agree (that equality is the proof that the relaxed model's optimum is the exact optimum).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from allocation.constraints import social_lawyer_share_min, violations
from allocation.data import SOCIAL, Problem
from allocation.lexflow import LevelStat, LexFlow
from allocation.model import LEVELS, Model, Structure, build, initial_detail, structure

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


def waterfill(base: np.ndarray, m: np.ndarray, total: int, need: np.ndarray, cap: int) -> np.ndarray | None:
    """Spread ``total`` new cases over sub-pools (lawyers at load ``base``, ``m`` of them) so the
    lawyers' loads are as even as possible (raise the lowest first) and sub-pool s receives at
    least ``need[s]``. Returns cases per sub-pool, or None when the even spread cannot give
    every sub-pool its need (then the pool's balance must be modelled exactly).
    """
    if total == 0:
        return np.zeros(len(base), dtype=np.int64) if not need.any() else None
    lo, hi = int(base.min()), cap
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if int(np.sum(m * np.maximum(0, mid - base))) <= total:
            lo = mid
        else:
            hi = mid - 1
    level = lo
    fill = m * np.maximum(0, level - base)
    rem = total - int(fill.sum())
    at_level = (base <= level) if level < cap else np.zeros(len(base), dtype=bool)
    deficit = np.maximum(0, need - fill)
    if np.any((deficit > 0) & (~at_level | (deficit > m))) or int(deficit.sum()) > rem:
        return None
    extra = deficit.copy()
    rem -= int(deficit.sum())
    room = np.where(at_level, m - extra, 0)
    before = np.cumsum(room) - room
    extra += np.clip(rem - before, 0, room)
    out = fill + extra
    if int(out.sum()) != total:
        raise RuntimeError("water-filling did not place the pool's total")
    return out


@dataclass
class Tightening:
    """What the relaxations got wrong, and the per-sub-pool totals when nothing did."""

    detail: set = field(default_factory=set)
    exact: set = field(default_factory=set)
    sub_total: np.ndarray | None = None
    sub_group: np.ndarray | None = None

    @property
    def tight(self) -> bool:
        """True when the model's optimum is attained by a per-case assignment."""
        return not self.detail and not self.exact


def tighten(model: Model, flow: np.ndarray) -> Tightening:
    """Check both relaxations against ``flow`` (see ``allocation.model``)."""
    struct = model.struct
    out = Tightening()
    rel = model.flows("relaxed_group", flow)
    meta = model.meta["relaxed_group"]
    for g, q in zip(meta["group"][rel > 0], meta["pool"][rel > 0], strict=True):
        out.detail.add((int(g), int(struct.pool_region[q])))
    n_subs = len(struct.sub_m)
    sub_group = np.zeros(n_subs, dtype=np.int64)
    np.add.at(sub_group, model.meta["group_sub"]["sub"], model.flows("group_sub", flow))
    sub_total = np.zeros(n_subs, dtype=np.int64)
    np.add.at(sub_total, model.meta["sub_convex"]["sub"], model.flows("sub_convex", flow))
    pool_total = np.zeros(len(struct.pool_m), dtype=np.int64)
    np.add.at(pool_total, model.meta["pool_fill"]["pool"], model.flows("pool_fill", flow))
    order = np.argsort(struct.sub_pool, kind="stable")
    bounds = np.searchsorted(struct.sub_pool[order], np.arange(len(struct.pool_m) + 1))
    for q in range(len(struct.pool_m)):
        if q in model.exact:
            continue
        subs = order[bounds[q]:bounds[q + 1]]
        spread = waterfill(struct.sub_base[subs], struct.sub_m[subs], int(pool_total[q]), sub_group[subs], struct.cap)
        if spread is None:
            out.exact.add(q)
        else:
            sub_total[subs] = spread
    out.sub_total, out.sub_group = sub_total, sub_group
    return out


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

    # group classes → regions → sub-pools
    y = model.flows("gc_region", flow)
    gmeta = model.meta["gc_region"]
    region_cases: dict[tuple[int, int], list[int]] = {}
    for k, cases in enumerate(struct.gc_cases):
        sel = np.flatnonzero((gmeta["gc"] == k) & (y > 0))
        regions = gmeta["region"][sel]
        key = np.lexsort((regions, dist[struct.gc_centre[k], regions]))
        start = 0
        for r, n in zip(regions[key], y[sel][key], strict=True):
            region_cases.setdefault((int(struct.gc_group[k]), int(r)), []).extend(cases[start:start + n].tolist())
            start += n
    z = model.flows("group_sub", flow)
    zmeta = model.meta["group_sub"]
    for (g, r), cases in sorted(region_cases.items()):
        sel = np.flatnonzero((zmeta["group"] == g) & (struct.sub_region[zmeta["sub"]] == r) & (z > 0))
        subs = np.repeat(zmeta["sub"][sel], z[sel])
        if len(subs) != len(cases):
            raise RuntimeError("group flow into a region does not match its sub-pool flows")
        case_sub[np.array(cases, dtype=np.int64)] = subs

    # ordinary cases of each pool → its sub-pools (each takes its total minus its group cases)
    plain = np.flatnonzero(case_pool >= 0)
    cls_of = np.full(n_cases, -1, dtype=np.int64)
    for c, cases in enumerate(struct.cls_cases):
        cls_of[cases] = c
    order = problem.cases["order"].to_numpy()
    plain = plain[np.lexsort((order[plain], cls_of[plain], case_pool[plain]))]
    need = tight.sub_total - tight.sub_group
    if np.any(need < 0):
        raise RuntimeError("a sub-pool holds more group cases than its total")
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
        detail, exact = detail | tight.detail, exact | tight.exact
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


def full_detail(struct: Structure) -> tuple[frozenset, frozenset]:
    """Every group detailed in every region, every pool balanced per sub-pool (exact model)."""
    regions = range(len(struct.problem.regions))
    return (frozenset((g, r) for g in range(len(struct.groups)) for r in regions),
            frozenset(range(len(struct.pool_m))))


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


__all__ = ["SOCIAL", "Solved", "YearCounts", "assignment_frame", "measure", "run_levels", "solve_problem",
           "tighten", "waterfill", "year_counts"]
