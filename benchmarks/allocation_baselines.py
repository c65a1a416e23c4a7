"""Baselines of the allocation benchmark: the per-case CP-SAT model, its LP certificate, a greedy dispatcher.

Used by ``bench_allocation.py`` (parts cpsat, lpcert, greedy); see its docstring.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from allocation_instances import first_cases, median_time, peak_mb, province_lawyers, province_plan, rss_mb


def per_case_pairs(problem):
    """Eligible (case, lawyer) pairs of the per-case model with their distances (metres)."""
    c, lw = problem.cases, problem.lawyers
    elig = np.flatnonzero(lw["eligible"].to_numpy(bool))
    kind = lw["kind"].to_numpy()
    criminal = c["criminal"].to_numpy(bool)
    ci = np.repeat(np.arange(len(c)), len(elig))
    li = np.tile(elig, len(c))
    keep = ~(criminal[ci] & (kind[li] == "grassroots"))
    ci, li = ci[keep], li[keep]
    dist = problem.dist_m[problem.region_code(c["centre"])[ci], problem.region_code(lw["region"])[li]]
    return ci, li, dist


def part_lpcert(repeats: int) -> dict:
    """Independent optimality certificate for the per-case comparison instance: the LP relaxation
    of the per-case level-3 model (levels 1-2 fixed at the engine's values) solved by scipy's
    HiGHS (interior point + crossover). Its optimum is a lower bound on every integral
    assignment; if it equals the engine's distance, the engine is proven optimal by another solver."""
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix, vstack

    from allocation.data import prepare
    from allocation.engine import solve_problem

    plan, cases, lawyers = first_cases()
    problem = prepare(plan, cases, lawyers)
    solved = solve_problem(problem)
    values = solved.run.values
    ci, li, dist = per_case_pairs(problem)
    n = len(ci)
    cols = np.arange(n)
    lw = problem.lawyers
    kind, group = lw["kind"].to_numpy(), problem.cases["group"].to_numpy()
    a_ub = [coo_matrix((np.ones(n), (ci, cols)), shape=(len(problem.cases), n)),
            coo_matrix((np.ones(n), (li, cols)), shape=(len(lw), n))]
    b_ub = [np.ones(len(problem.cases)), lw["headroom"].to_numpy(dtype=float)]
    gsel = np.flatnonzero(group[ci] != "")
    if len(gsel):
        code, uniq = pd.factorize(pd.Series([f"{g}|{q}" for g, q in zip(group[ci[gsel]], li[gsel], strict=True)]))
        a_ub.append(coo_matrix((np.ones(len(gsel)), (code, gsel)), shape=(len(uniq), n)))
        b_ub.append(np.ones(len(uniq)))
    social_min = solved.run.social_needed - values["social"]
    a_ub.append(coo_matrix(-(kind[li] == "social").astype(float).reshape(1, -1)))
    b_ub.append(np.array([-float(social_min)]))
    assigned = len(problem.cases) - values["unassigned"]
    t0 = time.perf_counter()
    res = linprog(dist.astype(float), A_ub=vstack(a_ub).tocsr(), b_ub=np.concatenate(b_ub),
                  A_eq=coo_matrix(np.ones((1, n))).tocsr(), b_eq=[float(assigned)], bounds=(0, 1), method="highs-ipm",
                  options={"time_limit": 300})
    return {"columns": n, "status": int(res.status), "message": str(res.message), "seconds": time.perf_counter() - t0,
            "lp_bound_m": float(res.fun) if res.status == 0 else None, "engine_distance_m": values["distance"]}


def part_cpsat(repeats: int, limit: float) -> dict:
    from ortools.sat.python import cp_model

    from allocation.data import prepare
    from allocation.engine import solve_problem

    plan, cases, lawyers = first_cases(1000)
    problem = prepare(plan, cases, lawyers)
    solve_problem(problem)
    t_engine, solved = median_time(lambda: solve_problem(prepare(plan, cases, lawyers)), repeats)
    values = solved.run.values
    rss0 = rss_mb()
    t0 = time.perf_counter()
    c, lw = problem.cases, problem.lawyers
    ci, li, dist = per_case_pairs(problem)
    kind = lw["kind"].to_numpy()
    group = c["group"].to_numpy()
    model = cp_model.CpModel()
    x = [model.new_bool_var("") for _ in range(len(ci))]
    by_case, by_lawyer, by_group_lawyer = {}, {}, {}
    for j, (i, q) in enumerate(zip(ci.tolist(), li.tolist(), strict=True)):
        by_case.setdefault(i, []).append(x[j])
        by_lawyer.setdefault(q, []).append(x[j])
        if group[i]:
            by_group_lawyer.setdefault((group[i], q), []).append(x[j])
    for xs in by_case.values():
        model.add(sum(xs) <= 1)
    headroom = lw["headroom"].to_numpy()
    for q, xs in by_lawyer.items():
        model.add(sum(xs) <= int(headroom[q]))
    for xs in by_group_lawyer.values():
        if len(xs) > 1:
            model.add(sum(xs) <= 1)
    assigned = len(c) - values["unassigned"]
    model.add(sum(x) == assigned)
    need = solved.run.social_needed - values["social"]
    model.add(sum(x[j] for j in np.flatnonzero(kind[li] == "social")) >= need)
    nz = np.flatnonzero(dist > 0)
    model.minimize(cp_model.LinearExpr.weighted_sum([x[j] for j in nz], dist[nz].tolist()))
    t_build = time.perf_counter() - t0
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = limit
    solver.parameters.num_workers = 2
    t1 = time.perf_counter()
    status = solver.solve(model)
    t_solve = time.perf_counter() - t1
    has_solution = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    # verification (not timed against the engine): the same model hinted with the engine's solution
    mine = set(zip(np.flatnonzero(solved.lawyer >= 0).tolist(), solved.lawyer[solved.lawyer >= 0].tolist(), strict=True))
    for j, (i, q) in enumerate(zip(ci.tolist(), li.tolist(), strict=True)):
        model.add_hint(x[j], (i, q) in mine)
    hinted = cp_model.CpSolver()
    hinted.parameters.max_time_in_seconds = limit
    hinted.parameters.num_workers = 2
    t2 = time.perf_counter()
    h_status = hinted.solve(model)
    h_ok = h_status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    return {"hinted_status": hinted.status_name(h_status), "hinted_s": time.perf_counter() - t2,
            "hinted_distance_m": int(hinted.objective_value) if h_ok else None,
            "hinted_bound_m": int(hinted.best_objective_bound) if h_ok else None,
            "hinted_gap_m": int(hinted.objective_value - hinted.best_objective_bound) if h_ok else None,"cases": len(c), "lawyers": len(lw), "booleans": len(x), "assigned": assigned, "social_min": need,
            "engine_s": t_engine, "engine_distance_m": values["distance"], "cpsat_build_s": t_build,
            "cpsat_solve_s": t_solve, "cpsat_status": solver.status_name(status), "limit_s": limit,
            "cpsat_distance_m": int(solver.objective_value) if has_solution else None,
            "cpsat_bound_m": int(solver.best_objective_bound) if has_solution else None,
            "cpsat_rss_increase_mb": rss_mb() - rss0, "peak_mb": peak_mb()}


def greedy(problem) -> dict:
    """Greedy local-first: cases in received order; the least-loaded eligible lawyer with room in
    the administering centre's region, else in the nearest region that has one; co-defendants
    on distinct lawyers. No look-ahead, no social-share or balance objective."""
    c, lw = problem.cases, problem.lawyers
    cap = problem.rules.cap
    load = lw["base"].to_numpy().copy()
    kind = lw["kind"].to_numpy()
    lreg = problem.region_code(lw["region"])
    ok = lw["eligible"].to_numpy(bool)
    n_regions = len(problem.regions)
    members = [np.flatnonzero(ok & (lreg == r)) for r in range(n_regions)]
    defenders = [m[kind[m] != "grassroots"] for m in members]
    near = np.argsort(problem.dist_m, axis=1, kind="stable")
    centre = problem.region_code(c["centre"])
    criminal = c["criminal"].to_numpy(bool)
    group = c["group"].to_numpy()
    used: dict[str, set] = {}
    metres = unassigned = social = 0
    for i in np.argsort(c["order"].to_numpy()):
        best = -1
        for r in near[centre[i]]:
            cand = defenders[r] if criminal[i] else members[r]
            cand = cand[load[cand] < cap]
            if group[i] and group[i] in used:
                cand = cand[~np.isin(cand, list(used[group[i]]))]
            if len(cand):
                best = int(cand[np.argmin(load[cand])])
                break
        if best < 0:
            unassigned += 1
            continue
        load[best] += 1
        metres += int(problem.dist_m[centre[i], lreg[best]])
        social += kind[best] == "social"
        if group[i]:
            used.setdefault(group[i], set()).add(best)
    handled = lw["handled_this_year"].to_numpy()
    total = int(handled.sum()) + int(lw["pinned"].sum()) + len(c) - unassigned
    year_social = int(handled[kind == "social"].sum()) + int(social)
    return {"distance_km": metres / 1000, "unassigned": unassigned,
            "social_shortfall": max(0, problem.rules.social_required(total) - year_social),
            "max_load": int(load[ok].max()) if ok.any() else 0}


def part_greedy(repeats: int) -> dict:
    from allocation.data import prepare
    from allocation.engine import solve_problem
    from allocation.lexflow import LexFlow
    from allocation.model import build, full_detail, initial_detail, structure
    from scenarios.example import generate_example
    from scenarios.plans import load_plan

    out = {}
    instances = []
    for plan_id in ("anqing-2023", "luan-2025"):
        plan = load_plan(plan_id)
        data = generate_example(plan, month=0, seed=0)
        instances.append((plan_id, plan, data.cases, data.lawyers, True))
    plan = province_plan()
    cases = generate_example(plan, month=0, seed=0).cases
    instances.append(("province", plan, cases, province_lawyers(plan, cases), False))
    for name, plan, cases, lawyers, exact in instances:
        problem = prepare(plan, cases, lawyers)
        solved = solve_problem(problem)
        t_greedy, g = median_time(lambda p=problem: greedy(p), 1)
        # levels 1 and 3 only (no social-share level), apples to apples with greedy: exact on the
        # fully detailed model for a city; a lower bound (relaxed groups) for the province
        struct = structure(problem)
        model = build(struct, *full_detail(struct)) if exact else build(struct, initial_detail(struct))
        lf = LexFlow(model.net)
        lf.minimise("unassigned")
        dist_only = lf.minimise("distance")
        out[name] = {"greedy": g, "greedy_s": t_greedy, "optimum_km": solved.run.values["distance"] / 1000,
                     "optimum_social_shortfall": solved.run.values["social"],
                     "optimum_unassigned": solved.run.values["unassigned"],
                     "distance_only_km": dist_only / 1000, "distance_only_exact": exact}
    return out
