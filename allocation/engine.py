"""Solve and read back (pipeline steps 3 and 4): levels, repair/refine, per-case assignment.

``run_levels`` solves the lexicographic levels on a built model; ``allocation.tighten`` checks
the model's relaxations against the flow and says what to refine; ``allocation.disaggregate``
turns class, pool and hand-out flows into one lawyer per case, deterministically; ``measure``
recomputes every objective level from the per-case assignment alone, and ``solve_problem``
insists the two agree (that equality is the proof that the relaxed model's optimum is the
exact optimum) and that no hard rule is broken."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from allocation.ahead import reserved_units
from allocation.constraints import social_lawyer_share_min, violations
from allocation.data import Problem
from allocation.disaggregate import NotSwappable, disaggregate
from allocation.lexflow import LevelStat, LexFlow
from allocation.model import LEVELS, Model, Structure, build, full_detail, initial_detail, structure
from allocation.result import FEASIBLE, INFEASIBLE, OPTIMAL
from allocation.tighten import tighten

#: Refinement rounds before switching to the fully detailed model (every group detailed in
#: every region, every pool's balance per sub-pool), which is exact by construction.
MAX_ROUNDS = 8


@dataclass
class YearCounts:
    """The year's cases before this batch's new assignments (件), per region of the handler:
    ``total[r]`` all, ``social[r]`` by social lawyers (handled this year + this batch's pinned)."""

    total: np.ndarray
    social: np.ndarray


def year_counts(problem: Problem) -> YearCounts:
    """Handled this year by the lawyers of each region plus this batch's pinned cases."""
    lawyers = problem.lawyers
    region = problem.region_code(lawyers["region"])
    social = lawyers["kind"].to_numpy() == "social"
    done = lawyers["handled_this_year"].to_numpy(dtype=np.int64) + lawyers["pinned"].to_numpy(dtype=np.int64)
    n = len(problem.regions)
    return YearCounts(total=np.bincount(region, weights=done, minlength=n).astype(np.int64),
                      social=np.bincount(region, weights=done * social, minlength=n).astype(np.int64))


def social_needs(problem: Problem, year: YearCounts, new_by_region: np.ndarray) -> np.ndarray:
    """Social-lawyer cases still needed per region (件, ≥ 0) when each region's handlers take
    ``new_by_region`` new cases (安庆2023 §6(2), per county; see ``social_lawyer_share_min``)."""
    return np.array([social_lawyer_share_min(problem.rules, int(t + k), int(s))
                     for t, k, s in zip(year.total, new_by_region, year.social, strict=True)], dtype=np.int64)


def new_by_region(model: Model, flow: np.ndarray) -> np.ndarray:
    """New cases per region of the handler in a model flow (件)."""
    struct = model.struct
    out = np.zeros(len(struct.problem.regions), dtype=np.int64)
    np.add.at(out, struct.pool_region[model.meta["pool_fill"]["pool"]], model.flows("pool_fill", flow))
    np.add.at(out, struct.sub_region[model.meta["sub_convex"]["sub"]], model.flows("sub_convex", flow))
    return out


def levels_of(problem: Problem) -> tuple[str, ...]:
    """The levels solved for ``problem``: ``LEVELS``, without ``reserve`` when no room is reserved
    for cases still to come (no expected-demand input, or nothing to reserve)."""
    return tuple(lv for lv in LEVELS if lv != "reserve" or problem.reserving)


@dataclass
class LevelRun:
    """Result of solving the levels of one model (``social_needed``: per region, 件)."""

    flow: np.ndarray
    values: dict[str, int]
    social_needed: np.ndarray
    stats: list[LevelStat]


def run_levels(model: Model, year: YearCounts) -> LevelRun:
    """Solve the levels of ``LEVELS`` in order on ``model``.

    The social requirement of each county depends on how many cases its handlers take, which
    the levels above it (unassigned, cross_region, pace, distance) decide, so each region's
    credit capacity is set just before the social level. Reported ``social`` is the shortfall
    (件, summed over regions).
    """
    lf = LexFlow(model.net)
    values: dict[str, int] = {}
    need = np.zeros(len(model.struct.problem.regions), dtype=np.int64)
    for level in levels_of(model.struct.problem):
        if level == "social":
            need = social_needs(model.struct.problem, year, new_by_region(model, lf.flow))
            lf.set_upper(model.arcs("social_credit"), need)
            values[level] = int(need.sum()) + lf.minimise(level)
        else:
            values[level] = lf.minimise(level)
    return LevelRun(flow=lf.flow, values=values, social_needed=need, stats=lf.stats)


@dataclass
class Measured:
    """Objective levels recomputed from a per-case assignment (no model involved).

    ``by_region``: per region of the handler, year cases, year social cases, required, shortfall.
    """

    values: dict[str, int]
    year_total: int
    year_social: int
    social_required: int
    same_firm_total: int
    pinned_same_firm: int
    by_region: pd.DataFrame


def _social_by_region(problem: Problem, lawyer: np.ndarray, new: np.ndarray) -> pd.DataFrame:
    """Per region of the handler: year cases and social cases after the batch, required, shortfall."""
    lawyers = problem.lawyers
    year = year_counts(problem)
    n = len(problem.regions)
    lregion = problem.region_code(lawyers["region"])[lawyer[new]]
    social = (lawyers["kind"].to_numpy() == "social")[lawyer[new]]
    added = np.bincount(lregion, minlength=n)
    added_social = np.bincount(lregion, weights=social, minlength=n).astype(np.int64)
    total = year.total + added
    required = np.array([problem.rules.social_required(int(t)) for t in total], dtype=np.int64)
    have = year.social + added_social
    return pd.DataFrame({"region": list(problem.regions), "year_cases": total, "year_social_cases": have,
                         "required": required, "shortfall": np.maximum(0, required - have),
                         "new_cases": added, "new_social_cases": added_social})


def measure(problem: Problem, lawyer: np.ndarray) -> Measured:
    """Every level's value of a per-case assignment (``lawyer`` positions, −1 = unassigned)."""
    cases, lawyers = problem.cases, problem.lawyers
    batch = cases["pinned_lawyer"].to_numpy() == ""
    assigned = lawyer >= 0
    new = batch & assigned
    by_region = _social_by_region(problem, lawyer, new)
    centre = problem.region_code(cases["centre"])
    lregion = problem.region_code(lawyers["region"])
    cross = centre[new] != lregion[lawyer[new]]
    behind = problem.behind[lregion[lawyer[new]]]
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
    values = {"unassigned": int((batch & ~assigned).sum()), "cross_region": int(cross.sum()),
              "pace": int((cross & ~behind).sum()), "distance": distance,
              "social": int(by_region["shortfall"].sum()), "same_firm": same_total - same_pinned, "balance": balance}
    if problem.reserving:
        values["reserve"] = reserved_units(base, added, lawyers["reserve_from"].to_numpy(dtype=np.int64))
    values = {lv: values[lv] for lv in levels_of(problem)}
    return Measured(values, int(by_region["year_cases"].sum()), int(by_region["year_social_cases"].sum()),
                    int(by_region["required"].sum()), same_total, same_pinned, by_region)


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


def _solve_model(struct: Structure, detail: dict, exact: frozenset, year: YearCounts):
    """Build the model at this level of detail, solve its levels, and check the repair (one round)."""
    model = build(struct, detail, exact)
    run = run_levels(model, year)
    return model, run, tighten(model, run.flow)


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
    status, rounds = OPTIMAL, 0
    while True:
        rounds += 1
        model, run, tight = _solve_model(struct, detail, exact, year)
        if tight.tight:
            break
        if rounds > max_rounds:
            raise RuntimeError("the fully detailed model was not tight")
        detail = {**detail, **{k: v for k, v in tight.detail.items() if detail.get(k) != "sub"}}
        exact = exact | tight.exact
        if rounds == max_rounds:
            detail, exact = full_detail(struct)
    try:
        lawyer = disaggregate(model, run.flow, tight)
    except NotSwappable:
        # the repair's hand-out needs a swap of ordinary cases that qualifications or conflicts
        # forbid: the fully detailed model places every member in its sub-pool itself
        rounds += 1
        model, run, tight = _solve_model(struct, *full_detail(struct), year)
        if not tight.tight:
            raise RuntimeError("the fully detailed model was not tight") from None
        lawyer = disaggregate(model, run.flow, tight)
    measured = measure(problem, lawyer)
    differ = {k for k in run.values if measured.values[k] != run.values[k]}
    if differ - {"social"}:
        raise RuntimeError(f"per-case values {measured.values} differ from the model's {run.values}")
    if differ:
        # the counties' totals moved after their social requirement was set (ties at the levels
        # above): the assignment is valid but its social level is not proven optimal
        status = FEASIBLE
    broken = violations(problem, assignment_frame(problem, lawyer))
    if broken:
        raise RuntimeError("assignment breaks hard rules: " + "; ".join(broken[:5]))
    if pins_break_a_rule(problem):
        status = INFEASIBLE
    return Solved(problem, struct, model, run, lawyer, measured, rounds, status, time.perf_counter() - start)


def pins_break_a_rule(problem: Problem) -> bool:
    """True when the pinned assignments given already break a hard rule (the problem is infeasible):
    a pin to an unavailable lawyer or of a criminal case to a grassroots worker, a lawyer with pins
    over the yearly cap, or one lawyer pinned to two co-defendants."""
    lawyers = problem.lawyers
    with_pins = lawyers[lawyers["pinned"] > 0]
    if (with_pins["base"] > problem.rules.cap).any():
        return True
    return any(f.code in ("pinned_grassroots_criminal", "pinned_unavailable", "pinned_same_defender")
               for f in problem.findings)


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
        "pinned": cases["placed_by"].to_numpy()[assigned] == "pinned",
        "lawyer_id": lawyers["lawyer_id"].to_numpy()[pos],
        "lawyer_kind": lawyers["kind"].to_numpy()[pos],
        "lawyer_region": lawyers["region"].to_numpy()[pos],
    })


__all__ = ["Solved", "YearCounts", "assignment_frame", "full_detail", "levels_of", "measure", "run_levels",
           "solve_problem", "year_counts"]
