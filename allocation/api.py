"""Public entry points: ``solve`` (check → build → solve → read back → explain) and readers."""

from __future__ import annotations

import datetime as dt
import os
import time

import numpy as np
import pandas as pd

from allocation.data import prepare
from allocation.engine import Solved, solve_problem, year_counts
from allocation.explain import assignment_reasons, blocking, diagnose, social_capacity
from allocation.model import LEVELS
from allocation.result import LEVEL_TEXT, STATUS_TEXT, DispatchResult, km
from scenarios.errors import InputError, InputIssue
from scenarios.plans import Plan
from scenarios.readers import cell_text, read_raw
from scenarios.schema import TABLES

_CASE_ID = next(c for c in TABLES["cases"] if c.name == "case_id").aliases
_LAWYER_ID = next(c for c in TABLES["lawyers"] if c.name == "lawyer_id").aliases


def read_pinned(path: str | os.PathLike) -> pd.DataFrame:
    """Read assignments already made (CSV/Excel with columns case_id/案件编号, lawyer_id/律师编号).

    Returns columns case_id, lawyer_id and _row (row number as Excel shows it); the file name is
    kept in ``frame.attrs["file"]`` for messages. Unknown ids are reported by ``solve``.
    """
    def columns_of(headers: list[str]) -> dict[str, int]:
        found = {}
        for j, h in enumerate(headers):
            key = h.strip().lower()
            if "case_id" not in found and key in {a.lower() for a in _CASE_ID if a not in ("id", "编号")}:
                found["case_id"] = j
            elif "lawyer_id" not in found and key in {a.lower() for a in _LAWYER_ID if a not in ("id", "编号")}:
                found["lawyer_id"] = j
        return found

    raw = read_raw(path, lambda row: len(columns_of(row)))
    cols = columns_of(raw.headers)
    if len(cols) < 2:
        raise InputError([InputIssue(raw.file, raw.header_row, None, None,
                                     "已指派表需要列 案件编号（case_id）和 律师编号（lawyer_id）；表头为："
                                     + ("、".join(raw.headers) or "（空）"))])
    issues = list(raw.issues)
    rows = []
    for row_no, values in raw.frame.iterrows():
        case_id, lawyer_id = cell_text(values[cols["case_id"]]), cell_text(values[cols["lawyer_id"]])
        for name, value in (("case_id", case_id), ("lawyer_id", lawyer_id)):
            if not value:
                issues.append(InputIssue(raw.file, int(row_no), raw.headers[cols[name]], None, "编号不能为空"))
        rows.append((case_id, lawyer_id, int(row_no)))
    if issues:
        raise InputError(issues)
    frame = pd.DataFrame(rows, columns=["case_id", "lawyer_id", "_row"])
    frame.attrs["file"] = raw.file
    return frame


def solve(plan: Plan, cases: pd.DataFrame, lawyers: pd.DataFrame, *, pinned: pd.DataFrame | None = None,
          distances: pd.DataFrame | None = None, seed: int = 0, on: dt.date | None = None,
          labels: dict[str, str] | None = None) -> DispatchResult:
    """Dispatch a batch of cases to lawyers: every hard rule, lexicographically optimal.

    Parameters
    ----------
    plan : the city plan (regions, rules: yearly cap, social-lawyer share).
    cases : canonical cases table (the batch to assign; one day's or a whole year's).
    lawyers : canonical lawyers table with what each handled this year.
    pinned : assignments already made (case_id, lawyer_id); kept and counted against the cap.
    distances : km table from ``read_distances`` (else county-seat great-circle km).
    seed : tie-break among interchangeable lawyers (same inputs + seed → same output).
    on : date the rules are read at (default: the plan year's end).
    labels : table -> file name for error messages.

    Returns
    -------
    DispatchResult with status "optimal" (every objective level proven optimal).

    Raises
    ------
    InputError : unusable inputs (all problems at once).
    """
    start = time.perf_counter()
    labels = dict(labels or {})
    if pinned is not None and "file" in pinned.attrs:
        labels.setdefault("pinned", pinned.attrs["file"])
    problem = prepare(plan, cases, lawyers, pinned=pinned, distances=distances, on=on, seed=seed, labels=labels)
    t_prepare = time.perf_counter() - start
    solved = solve_problem(problem)
    t_solve = time.perf_counter() - start - t_prepare
    return assemble(solved, {"prepare": t_prepare, "solve": t_solve}, start)


def assemble(solved: Solved, seconds: dict[str, float], start: float) -> DispatchResult:
    """Build the result frames, reasons, diagnosis and summary from a solved problem."""
    problem, lawyer = solved.problem, solved.lawyer
    cases, lawyers, rules = problem.cases, problem.lawyers, problem.rules
    t0 = time.perf_counter()
    reasons = assignment_reasons(solved)
    blocked = blocking(solved)
    assigned = np.flatnonzero(lawyer >= 0)
    pos = lawyer[assigned]
    centre = cases["centre"].to_numpy()[assigned]
    lregion = lawyers["region"].to_numpy()[pos]
    metres = problem.dist_m[problem.region_code(centre), problem.region_code(lregion)]
    assignments = pd.DataFrame({
        "case_id": cases["case_id"].to_numpy()[assigned], "region": cases["region"].to_numpy()[assigned],
        "centre": centre, "kind": cases["kind"].to_numpy()[assigned], "instance": cases["instance"].to_numpy()[assigned],
        "group_id": cases["group_id"].to_numpy()[assigned], "lawyer_id": lawyers["lawyer_id"].to_numpy()[pos],
        "lawyer_kind": lawyers["kind"].to_numpy()[pos], "firm": lawyers["firm"].to_numpy()[pos], "lawyer_region": lregion,
        "cross_region": lregion != centre, "km": km(metres),
        "pinned": cases["pinned_lawyer"].to_numpy()[assigned] != "", "reason": reasons[assigned],
    })
    left = blocked.index.to_numpy()
    unassigned = pd.DataFrame({
        "case_id": cases["case_id"].to_numpy()[left], "region": cases["region"].to_numpy()[left],
        "centre": cases["centre"].to_numpy()[left], "kind": cases["kind"].to_numpy()[left],
        "instance": cases["instance"].to_numpy()[left], "group_id": cases["group_id"].to_numpy()[left],
        "rule": blocked["rule"].to_numpy(), "citation": blocked["citation"].to_numpy(), "reason": blocked["reason"].to_numpy(),
    })
    new = np.bincount(lawyer[(lawyer >= 0) & (cases["pinned_lawyer"].to_numpy() == "")], minlength=len(lawyers))
    after = lawyers["base"].to_numpy() + new
    loads = pd.DataFrame({
        "lawyer_id": lawyers["lawyer_id"], "region": lawyers["region"], "kind": lawyers["kind"], "firm": lawyers["firm"],
        "available": lawyers["available"], "handled_this_year": lawyers["handled_this_year"], "pinned": lawyers["pinned"],
        "new": new, "after": after, "cap": rules.cap, "headroom": rules.cap - after, "utilisation": after / rules.cap,
    })
    by_region = _by_region(problem, assignments, unassigned)
    diagnosis_frame = pd.DataFrame(columns=["region", "kind", "slots", "codefendant_slots", "min_new_lawyers"])
    diag_summary = None
    if len(unassigned):
        diag = diagnose(solved, blocked)
        diagnosis_frame = diag.table
        diag_summary = {"extra_slots": diag.slots, "binding_rules": diag.rules,
                        "by_region_kind": diag.table.to_dict(orient="records")}
    social_close = None
    if solved.run.values["social"] > 0:
        sc = social_capacity(solved)
        social_close = {"extra_social_slots": sc.slots, "remaining_shortfall": sc.remaining,
                        "by_region": sc.table.to_dict(orient="records")}
    seconds["explain"] = time.perf_counter() - t0
    seconds["total"] = time.perf_counter() - start
    summary = _summary(solved, assignments, unassigned, loads, by_region, diag_summary, social_close, seconds)
    return DispatchResult(plan=problem.plan, status=solved.status, assignments=assignments, unassigned=unassigned,
                          loads=loads, by_region=by_region, diagnosis=diagnosis_frame, summary=summary,
                          findings=list(problem.findings))


def _by_region(problem, assignments: pd.DataFrame, unassigned: pd.DataFrame) -> pd.DataFrame:
    ids = list(problem.regions)
    local = assignments[~assignments["cross_region"]].groupby("centre").size().reindex(ids, fill_value=0)
    cross = assignments[assignments["cross_region"]].groupby("centre").size().reindex(ids, fill_value=0)
    left = unassigned.groupby("centre").size().reindex(ids, fill_value=0)
    frame = pd.DataFrame({"centre": ids, "local": local.to_numpy(), "cross_region": cross.to_numpy(),
                          "unassigned": left.to_numpy()})
    frame.insert(1, "cases", frame["local"] + frame["cross_region"] + frame["unassigned"])
    return frame


def _summary(solved: Solved, assignments, unassigned, loads, by_region, diagnosis, social_close, seconds) -> dict:
    problem = solved.problem
    rules, m = problem.rules, solved.measured
    values = dict(solved.run.values)
    objective = []
    for i, level in enumerate(LEVELS, start=1):
        name, unit = LEVEL_TEXT[level]
        value = values[level] / 1000 if level == "distance" else values[level]
        objective.append({"level": i, "key": level, "name": name, "value": value, "unit": unit})
    takers = loads[loads["new"] > 0]
    eligible = problem.lawyers["eligible"].to_numpy(bool)
    after_elig = loads["after"].to_numpy()[eligible]
    year = year_counts(problem)
    batch = int((problem.cases["pinned_lawyer"] == "").sum())
    return {
        "plan": problem.plan.id,
        "status": solved.status,
        "status_text": STATUS_TEXT[solved.status] + (f"；另有{len(unassigned)}件在现行规则和现有人员下无法指派（见诊断）"
                                                     if len(unassigned) else ""),
        "all_assigned": len(unassigned) == 0,
        "cases": {"input": len(problem.cases), "pinned": len(problem.cases) - batch, "to_assign": batch,
                  "assigned": int((~assignments["pinned"]).sum()), "unassigned": len(unassigned),
                  "local": int((~assignments["cross_region"]).sum()), "cross_region": int(assignments["cross_region"].sum())},
        "objective": objective,
        "social_share": {
            "rule": float(rules.social_share), "citation": rules.social_citation,
            "scope": "全市全年口径：本年已办 + 本批（含保留指派）",
            "year_cases": m.year_total, "year_social_cases": m.year_social,
            "achieved": round(m.year_social / m.year_total, 4) if m.year_total else None,
            "required_social_cases": m.social_required, "shortfall_cases": values["social"],
            "before_batch": round(year.social / year.total, 4) if year.total else None,
            "capacity_to_close": social_close,
        },
        "distance": {"total_km": values["distance"] / 1000, "source": problem.dist_source,
                     "cross_region_cases": int(assignments["cross_region"].sum())},
        "balance": {
            "measure": "调配后各可指派承办人办案数的平方和最小（在前几级最优的前提下）；等价于先使最高利用率最小、"
                       "再使达到最高负荷的人数最少，依此类推（字典序最均衡）",
            "sum_squares_increase": values["balance"],
            "max_utilisation": round(float(after_elig.max()) / rules.cap, 4) if len(after_elig) else None,
            "max_utilisation_takers": round(float(takers["after"].max()) / rules.cap, 4) if len(takers) else None,
            "load_std": round(float(after_elig.std()), 3) if len(after_elig) else None,
            "lawyers_taking_cases": len(takers),
        },
        "same_firm": {"codefendants_in_same_firm": m.same_firm_total, "of_which_pinned": m.pinned_same_firm},
        "rules": {"lawyer_yearly_cap": rules.cap, "cap_citation": rules.cap_citation, "on": rules.on.isoformat()},
        "by_region": [{"centre": r.centre, "name": problem.region_name(r.centre), "cases": int(r.cases),
                       "local": int(r.local), "cross_region": int(r.cross_region), "unassigned": int(r.unassigned)}
                      for r in by_region.itertuples(index=False)],
        "diagnosis": diagnosis,
        "findings": list(problem.findings),
        "solver": {"method": "聚合后的字典序最小费用流（OR-Tools SimpleMinCostFlow，逐级固定最优面）",
                   "refinement_rounds": solved.rounds,
                   "levels": [{"level": s.level, "value": s.value, "active_arcs": s.active_arcs,
                               "seconds": round(s.seconds, 4)} for s in solved.run.stats],
                   "network": {"nodes": solved.model.net.n_nodes, "arcs": solved.model.net.n_arcs,
                               "classes": len(solved.struct.cls_cases), "group_classes": len(solved.struct.gc_cases),
                               "pools": len(solved.struct.pool_m), "sub_pools": len(solved.struct.sub_m)}},
        "seconds": {k: round(v, 4) for k, v in seconds.items()},
    }
