"""``solve``: check → build → solve → read back → explain, into a typed ``DispatchResult``."""

from __future__ import annotations

import datetime as dt
import hashlib
import time

import numpy as np
import pandas as pd

from allocation.data import Problem, prepare
from allocation.engine import Solved, solve_problem, year_counts
from allocation.explain import assignment_reasons, blocking, close_table, diagnose, social_capacity
from allocation.result import DispatchResult, SocialShare, Solver, km
from scenarios.plans import Plan
from scenarios.vocab import Finding


def solve(plan: Plan, cases: pd.DataFrame, lawyers: pd.DataFrame, *, pinned: pd.DataFrame | None = None,
          distances: pd.DataFrame | None = None, seed: int = 0, on: dt.date | None = None,
          labels: dict[str, str] | None = None, behind: tuple[str, ...] | None = None,
          expected: pd.DataFrame | None = None) -> DispatchResult:
    """Dispatch a batch of cases to lawyers: every hard rule, lexicographically optimal.

    Parameters
    ----------
    plan : the city plan (regions, rules: yearly cap, social-lawyer share).
    cases : canonical cases table (the batch to assign; one day's or a whole year's).
    lawyers : canonical lawyers table with what each handled this year.
    pinned : assignments already made (case_id, lawyer_id); kept and counted against the cap.
    distances : km table from ``scenarios.distances.read_distances`` (else county-seat km).
    seed : tie-break among interchangeable lawyers (same inputs + seed → same output).
    on : date the rules are read at (default: the plan year's end).
    labels : table -> file name for error messages.
    behind : region ids behind 序时进度 for lack of cases (``allocation.data.behind_pace`` reads
        them from a progress table); cross-region cases go to them first (安庆2023 §3(3)2).
    expected : cases still to come this year (region, kind, cases 件), e.g. from the projection;
        today's batch then keeps room for them where it can (level ``reserve``, ``allocation.ahead``:
        never at the cost of an unassigned or a cross-region case), and the result carries
        ``room_ahead`` (local room after this batch against them), ``reserve`` (the room reserved
        per county) and a finding per county whose local room will not cover them — the early
        warning of city-wide dispatch to come.

    Returns
    -------
    DispatchResult; its ``status`` is "optimal" when every objective level is proven optimal.

    Raises
    ------
    InputError : unusable inputs (all problems at once).
    """
    start = time.perf_counter()
    labels = dict(labels or {})
    if pinned is not None and "file" in pinned.attrs:
        labels.setdefault("pinned", pinned.attrs["file"])
    problem = prepare(plan, cases, lawyers, pinned=pinned, distances=distances, on=on, seed=seed, labels=labels,
                      behind=behind, expected=expected)
    t_prepare = time.perf_counter() - start
    solved = solve_problem(problem)
    t_solve = time.perf_counter() - start - t_prepare
    result = assemble(solved, {"prepare": t_prepare, "solve": t_solve}, start)
    result.inputs_sha256 = inputs_hash(plan, cases, lawyers, pinned, distances, seed, behind,
                                       checked=solved.problem.checked, expected=expected)
    if expected is not None:
        result.reserve = problem.reserve
        result.room_ahead = room_ahead(plan, result.loads, expected)
        short = result.room_ahead[result.room_ahead["short"] > 0]
        if len(short):
            result.findings.append(Finding("room_short_ahead", tuple(short["region"]), {
                "reference": plan.provision("city_wide_dispatch"),
                "rows": tuple((plan.region(r).name, k, e, m, sh) for r, k, e, m, sh in
                              short[["region", "kind", "expected", "room", "short"]].itertuples(index=False, name=None))}))
    result.seed = seed
    return result


def room_ahead(plan: Plan, loads: pd.DataFrame, expected: pd.DataFrame) -> pd.DataFrame:
    """Per county and kind (criminal / all): cases still expected this year, the local room left
    after this batch for them (件: criminal — lawyers who may defend; all — every handler), and the
    shortfall that city-wide dispatch will have to carry (安庆2023 §3(3)2)."""
    from scenarios.vocab import may_defend

    room = loads.assign(room=loads["headroom"].clip(lower=0) * loads["available"].astype(int))
    rows = []
    want = expected.assign(criminal=expected["kind"] == "criminal").groupby(["region", "criminal"])["cases"].sum()
    for rid in plan.region_ids:
        here = room[room["region"] == rid]
        defenders = int(here.loc[np.asarray(may_defend(here["kind"].to_numpy(), True), dtype=bool), "room"].sum())
        total = int(here["room"].sum())
        crim, other = int(want.get((rid, True), 0)), int(want.get((rid, False), 0))
        rows.append({"region": rid, "kind": "criminal", "expected": crim, "room": defenders,
                     "short": max(0, crim - defenders)})
        rows.append({"region": rid, "kind": "all", "expected": crim + other, "room": total,
                     "short": max(0, crim + other - total)})
    return pd.DataFrame(rows)


def inputs_hash(plan: Plan, cases: pd.DataFrame, lawyers: pd.DataFrame, pinned: pd.DataFrame | None,
                distances: pd.DataFrame | None, seed: int, behind=None,
                checked: tuple[pd.DataFrame, pd.DataFrame] | None = None,
                expected: pd.DataFrame | None = None) -> str:
    """SHA-256 of everything that decides a dispatch — the plan (id and rules as loaded), the
    canonical cases, lawyers, pinned and distance tables, the counties behind pace, the expected
    demand (when given) and the seed —
    so anyone holding the inputs can check that a published draw was made from them with that seed
    (``legalaid verify``). Tables are hashed as UTF-8 CSV of their canonical columns in input order;
    ``checked`` passes the canonical tables when ``prepare`` has already made them."""
    from scenarios.frames import check_cases, check_lawyers

    digest = hashlib.sha256()
    digest.update(f"plan={plan.id};year={plan.year};seed={int(seed)};behind={sorted(behind or ())}".encode())
    for name in plan.rules.names():
        for value in (plan.rules.get(name, plan.default_date),):
            digest.update(f";{name}={value.value if value else None}".encode())
    frames = list(checked) if checked is not None else [check_cases(cases, plan)[0], check_lawyers(lawyers, plan)[0]]
    frames += [f for f in (pinned, distances) if f is not None]
    if expected is not None:
        frames.append(expected[["region", "kind", "cases"]])
    for frame in frames:
        digest.update(b"\n--\n" + frame.to_csv(index=False, date_format="%Y-%m-%d").encode("utf-8"))
    return digest.hexdigest()


def deadlines(problem: Problem) -> np.ndarray:
    """Per case: the last day to assign it — the decision date (决定援助日期) plus
    ``assignment_deadline_days`` (《办理法律援助案件程序规定》: 三日内指派); NaT when not given."""
    days = int(problem.law["assignment_deadline_days"].value)
    decided = pd.to_datetime(problem.cases["decided"])
    return (decided + pd.Timedelta(days=days)).to_numpy(dtype="datetime64[s]")


def _assignments(solved: Solved) -> pd.DataFrame:
    """One row per assigned case, input order, with its reason code."""
    problem, lawyer = solved.problem, solved.lawyer
    cases, lawyers = problem.cases, problem.lawyers
    reasons = assignment_reasons(solved)
    assigned = np.flatnonzero(lawyer >= 0)
    pos = lawyer[assigned]
    centre = cases["centre"].to_numpy()[assigned]
    lregion = lawyers["region"].to_numpy()[pos]
    metres = problem.dist_m[problem.region_code(centre), problem.region_code(lregion)]
    column = {name: cases[name].to_numpy()[assigned] for name in ("case_id", "region", "kind", "instance", "group_id",
                                                                  "township")}
    return pd.DataFrame({
        **{k: column[k] for k in ("case_id", "region", "township")}, "centre": centre,
        **{k: column[k] for k in ("kind", "instance", "group_id")},
        "lawyer_id": lawyers["lawyer_id"].to_numpy()[pos], "lawyer_kind": lawyers["kind"].to_numpy()[pos],
        "firm": lawyers["firm"].to_numpy()[pos], "lawyer_region": lregion, "cross_region": lregion != centre,
        "km": km(metres), "pinned": cases["placed_by"].to_numpy()[assigned] == "pinned",
        "placed_by": cases["placed_by"].to_numpy()[assigned], "asked": cases["asked"].to_numpy()[assigned],
        "refused": cases["refused"].to_numpy()[assigned], "needs": cases["req"].to_numpy()[assigned],
        "deadline": deadlines(problem)[assigned],
        "toward_behind": (lregion != centre) & problem.behind[problem.region_code(lregion)],
        "reason": reasons.code[assigned], "group_size": reasons.group_size[assigned],
    })


def _unassigned(problem: Problem, blocked: pd.DataFrame) -> pd.DataFrame:
    """One row per case left without a handler, with the rule that blocked it."""
    left = blocked.index.to_numpy()
    frame = pd.DataFrame({name: problem.cases[name].to_numpy()[left]
                          for name in ("case_id", "region", "township", "centre", "kind", "instance", "group_id")})
    frame["needs"] = problem.cases["req"].to_numpy()[left]
    frame["deadline"] = deadlines(problem)[left]
    for name in ("rule", "citation", "candidates", "grassroots_room"):
        frame[name] = blocked[name].to_numpy()
    return frame


def _loads(problem: Problem, lawyer: np.ndarray) -> pd.DataFrame:
    """Every lawyer's load before and after the batch, against the cap."""
    cases, lawyers, cap = problem.cases, problem.lawyers, problem.rules.cap
    new = np.bincount(lawyer[(lawyer >= 0) & (cases["placed_by"].to_numpy() != "pinned")], minlength=len(lawyers))
    pinned = lawyers["pinned"].to_numpy() - lawyers["requested"].to_numpy()
    after = lawyers["handled_this_year"].to_numpy() + pinned + new
    keep = ["lawyer_id", "region", "kind", "firm", "available", "handled_this_year"]
    return lawyers[keep].assign(pinned=pinned, new=new, requested=lawyers["requested"].to_numpy(), after=after,
                                cap=cap, headroom=cap - after, utilisation=after / cap)


def _by_region(problem: Problem, assignments: pd.DataFrame, unassigned: pd.DataFrame) -> pd.DataFrame:
    """Per administering centre: cases, local, cross_region (new cross-region dispatches only),
    pinned (kept as given, wherever their lawyer is), unassigned; every case counted once."""
    ids = list(problem.regions)
    pinned = assignments["pinned"].to_numpy(dtype=bool)
    cross_mask = assignments["cross_region"].to_numpy(dtype=bool)

    def count(frame):
        return frame.groupby("centre").size().reindex(ids, fill_value=0).to_numpy()

    frame = pd.DataFrame({"centre": ids, "local": count(assignments[~cross_mask & ~pinned]),
                          "cross_region": count(assignments[cross_mask & ~pinned]),
                          "pinned": count(assignments[pinned]), "unassigned": count(unassigned)})
    frame.insert(1, "cases", frame["local"] + frame["cross_region"] + frame["pinned"] + frame["unassigned"])
    return frame


def _by_township(assignments: pd.DataFrame, unassigned: pd.DataFrame) -> pd.DataFrame:
    """Cases registered at delegated townships (安庆2023 §6(5)): township, region (the district that
    handles them), assigned, unassigned — the counts §6(5) compensation is settled on."""
    both = pd.concat([assignments[["township", "region"]].assign(assigned=1, unassigned=0),
                      unassigned[["township", "region"]].assign(assigned=0, unassigned=1)])
    both = both[both["township"] != ""]
    return both.groupby(["township", "region"], sort=True)[["assigned", "unassigned"]].sum().reset_index()


def _social(solved: Solved) -> SocialShare:
    """The share per county after the batch; with a shortfall, the social capacity that would close it."""
    problem, m = solved.problem, solved.measured
    year = year_counts(problem)
    shortfall = int(m.by_region["shortfall"].sum())
    close = social_capacity(solved) if shortfall > 0 else None
    return SocialShare(
        rule=float(problem.rules.social_share), citation=problem.rules.social_citation, year_cases=m.year_total,
        year_social_cases=m.year_social, required=m.social_required, shortfall=shortfall,
        before_cases=int(year.total.sum()), before_social_cases=int(year.social.sum()),
        close_slots=None if close is None else close.slots, close_remaining=None if close is None else close.remaining,
        close_by_region=None if close is None else close.table, by_region=close_table(m.by_region))


def _balance(solved: Solved, loads: pd.DataFrame) -> dict:
    """Load-balance figures: Σ load² increase, highest utilisation (all eligible / takers), spread."""
    cap = solved.problem.rules.cap
    takers = loads[loads["new"] > 0]
    after_elig = loads["after"].to_numpy()[solved.problem.lawyers["eligible"].to_numpy(bool)]
    return {
        "sum_squares_increase": solved.run.values["balance"],
        "max_utilisation": round(float(after_elig.max()) / cap, 4) if len(after_elig) else None,
        "max_utilisation_takers": round(float(takers["after"].max()) / cap, 4) if len(takers) else None,
        "load_std": round(float(after_elig.std()), 3) if len(after_elig) else None,
        "lawyers_taking_cases": len(takers),
    }


def _solver(solved: Solved) -> Solver:
    struct = solved.struct
    levels = [{"level": s.level, "value": s.value, "active_arcs": s.active_arcs, "seconds": round(s.seconds, 4)}
              for s in solved.run.stats]
    network = {"nodes": solved.model.net.n_nodes, "arcs": solved.model.net.n_arcs, "classes": len(struct.cls_cases),
               "group_classes": len(struct.gc_cases), "pools": len(struct.pool_m), "sub_pools": len(struct.sub_m)}
    return Solver(rounds=solved.rounds, levels=levels, network=network)


def assemble(solved: Solved, seconds: dict[str, float], start: float) -> DispatchResult:
    """Build the result frames, reasons, diagnosis and figures from a solved problem."""
    problem = solved.problem
    t0 = time.perf_counter()
    blocked = blocking(solved)
    assignments = _assignments(solved)
    unassigned = _unassigned(problem, blocked)
    loads = _loads(problem, solved.lawyer)
    diagnosis = pd.DataFrame(columns=["region", "kind", "slots", "codefendant_slots", "min_new_lawyers"])
    slots, binding = None, {}
    if len(unassigned):
        diag = diagnose(solved, blocked)
        diagnosis, slots, binding = diag.table, diag.slots, diag.rules
    social = _social(solved)
    seconds["explain"] = time.perf_counter() - t0
    seconds["total"] = time.perf_counter() - start
    return DispatchResult(
        plan=problem.plan, status=solved.status, assignments=assignments, unassigned=unassigned, loads=loads,
        by_region=_by_region(problem, assignments, unassigned), by_township=_by_township(assignments, unassigned),
        diagnosis=diagnosis, diagnosis_slots=slots,
        binding_rules=binding, levels=dict(solved.run.values), social=social, balance=_balance(solved, loads),
        same_firm=solved.measured.same_firm_total, same_firm_pinned=solved.measured.pinned_same_firm,
        cap=problem.rules.cap, cap_citation=problem.rules.cap_citation, rules_on=problem.rules.on,
        distance_source=problem.dist_source, solver=_solver(solved),
        seconds={k: round(v, 4) for k, v in seconds.items()}, findings=list(problem.findings))
