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

from allocation.constraints import social_lawyer_share_min, violations
from allocation.data import Problem
from allocation.disaggregate import disaggregate
from allocation.lexflow import LevelStat, LexFlow
from allocation.model import LEVELS, Model, Structure, build, full_detail, initial_detail, structure
from allocation.result import INFEASIBLE, OPTIMAL
from allocation.tighten import tighten

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
    status, rounds = OPTIMAL, 0
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
        "pinned": cases["pinned_lawyer"].to_numpy()[assigned] != "",
        "lawyer_id": lawyers["lawyer_id"].to_numpy()[pos],
        "lawyer_kind": lawyers["kind"].to_numpy()[pos],
        "lawyer_region": lawyers["region"].to_numpy()[pos],
    })


__all__ = ["Solved", "YearCounts", "assignment_frame", "full_detail", "measure", "run_levels",
           "solve_problem", "year_counts"]
