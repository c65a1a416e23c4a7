"""Why each case went where it went, what blocked the rest, and the least extra capacity.

- ``assignment_reasons``: a reason code per case, read from the final loads (``REASONS``); a
  cross-region case names what was missing locally. Co-defendants carry their group size.
- ``blocking``: for each unassigned case the hard rule that left no room (``BLOCKING``): the
  yearly cap, the distinct-defender rule when every lawyer with room already defends a
  co-defendant, or nobody to assign at all.
- ``diagnose``: the least extra capacity that would place every case — a small lexicographic
  flow on the same model plus unlimited "extra slot" arcs per region and lawyer kind: first no
  case unassigned, then fewest extra slots, then the social-lawyer share, then distance.
- ``social_capacity``: the fewest extra social-lawyer slots (and where) that would close a
  social-share shortfall with the same number of cases assigned.

Codes only: ``legalaid.report.dispatch`` words them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from allocation.constraints import grassroots_no_criminal
from allocation.data import KINDS, Problem
from allocation.engine import Solved
from allocation.lexflow import LexFlow
from allocation.model import Extras, build
from scenarios import law

#: Reason codes of an assigned case. "local": a handler of the administering centre's own
#: region. Cross-region: what the administering region lacked, for the handler's kind —
#: "no_social"/"social_full" (a social lawyer), "no_defender"/"no_handler" (nobody of a kind
#: allowed to take the case), "defenders_full"/"handlers_full" (all of them at the cap),
#: "kind_full" (this kind at the cap while others have room), "codefendants" (every local
#: defender with room already defends another member of the group). "pinned": kept as given;
#: "requested"/"continuity": the recipient's choice / the earlier-stage lawyer (``allocation.requests``).
REASONS = ("local", "pinned", "requested", "continuity", "no_social", "social_full", "no_defender", "no_handler", "defenders_full",
           "handlers_full", "kind_full", "codefendants", "no_qualified", "conflict")
#: Blocking-rule codes of an unassigned case.
BLOCKING = ("cap", "codefendants", "nobody", "qualification", "conflict", "other")


def final_loads(problem: Problem, lawyer: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(new cases, load after) per lawyer (件); pinned cases are already in ``base``."""
    batch = problem.cases["pinned_lawyer"].to_numpy() == ""
    new = np.bincount(lawyer[batch & (lawyer >= 0)], minlength=len(problem.lawyers))
    return new, problem.lawyers["base"].to_numpy(dtype=np.int64) + new


def _local_state(problem: Problem, after: np.ndarray) -> tuple[dict, dict]:
    """(exists, room) per (region id, kind): eligible lawyers at all / with headroom left after."""
    lawyers = problem.lawyers
    eligible = lawyers["eligible"].to_numpy(dtype=bool)
    room = eligible & (after < problem.rules.cap)
    frame = pd.DataFrame({"region": lawyers["region"], "kind": lawyers["kind"], "e": eligible, "r": room})
    agg = frame.groupby(["region", "kind"])[["e", "r"]].any()
    return agg["e"].to_dict(), agg["r"].to_dict()


def _cross_reason(criminal: bool, centre: str, kind: str, exists: dict, room: dict) -> str:
    """What the administering region lacked when a case of it went to another region's ``kind``."""
    allowed = [k for k in KINDS if grassroots_no_criminal(criminal, k)]
    if kind == "social":
        return "social_full" if exists.get((centre, kind), False) else "no_social"
    if not any(exists.get((centre, k), False) for k in allowed):
        return "no_defender" if criminal else "no_handler"
    if not any(room.get((centre, k), False) for k in allowed):
        return "defenders_full" if criminal else "handlers_full"
    return "kind_full"


@dataclass
class Reasons:
    """Per case of the problem (input order): ``code`` (``REASONS``, "" when unassigned),
    ``group_size`` (co-defendants in the case's group, 0 when none)."""

    code: np.ndarray
    group_size: np.ndarray


def assignment_reasons(solved: Solved) -> Reasons:
    """The reason of every assigned case (see ``REASONS``)."""
    problem, lawyer = solved.problem, solved.lawyer
    cases, lawyers = problem.cases, problem.lawyers
    _, after = final_loads(problem, lawyer)
    exists, room = _local_state(problem, after)
    n = len(cases)
    code = np.full(n, "", dtype=object)
    assigned = np.flatnonzero(lawyer >= 0)
    centre = cases["centre"].to_numpy()[assigned]
    lregion = lawyers["region"].to_numpy()[lawyer[assigned]]
    lkind = lawyers["kind"].to_numpy()[lawyer[assigned]]
    criminal = cases["criminal"].to_numpy(dtype=bool)[assigned]
    pinned = cases["placed_by"].to_numpy()[assigned]
    memo: dict[tuple, str] = {}
    for j, key in enumerate(zip(centre, lregion, lkind, criminal, pinned, strict=True)):
        if key not in memo:
            c, lreg, lk, crim, pin = key
            if pin:
                memo[key] = pin
            elif lreg == c:
                memo[key] = "local"
            else:
                # the share level ranks below cross_region and distance: it never sends a case away
                memo[key] = _cross_reason(crim, c, lk, exists, room)
        code[assigned[j]] = memo[key]
    group = cases["group"].to_numpy()
    sizes = pd.Series(group[group != ""]).value_counts().to_dict()
    group_size = np.array([sizes.get(g, 0) for g in group], dtype=np.int64)
    _codefendant_reasons(solved, after, code)
    _legal_reasons(solved, after, code)
    return Reasons(code, group_size)


def _legal_reasons(solved: Solved, after: np.ndarray, code: np.ndarray) -> None:
    """A case sent away while local handlers of its kind had room, because none of them has the
    qualification it needs ("no_qualified", 法律援助法第二十六条) or all of them are in conflict
    with it ("conflict", 回避)."""
    problem, lawyer = solved.problem, solved.lawyer
    cases, lawyers = problem.cases, problem.lawyers
    req = cases["req"].to_numpy(dtype=np.int64)
    special = np.flatnonzero((lawyer >= 0) & (cases["placed_by"].to_numpy() == "") & (code != "local")
                             & ((req > 0) | np.isin(np.arange(len(cases)), list(problem.conflicts))))
    if not len(special):
        return
    room = lawyers["eligible"].to_numpy(dtype=bool) & (after < problem.rules.cap)
    region = lawyers["region"].to_numpy()
    qual = lawyers["qual"].to_numpy(dtype=np.int64)
    kinds = lawyers["kind"].to_numpy()
    centre, criminal = cases["centre"].to_numpy(), cases["criminal"].to_numpy(dtype=bool)
    for i in special:
        local = room & (region == centre[i]) & grassroots_no_criminal(bool(criminal[i]), kinds)
        if not local.any():
            continue
        qualified = local & ((req[i] & ~qual) == 0)
        if not qualified.any():
            code[i] = "no_qualified"
        elif all(q in problem.conflicts.get(int(i), ()) for q in np.flatnonzero(qualified)):
            code[i] = "conflict"


def _codefendant_reasons(solved: Solved, after: np.ndarray, code: np.ndarray) -> None:
    """A co-defendant sent away while every local defender with room defends another member: "codefendants"."""
    problem, lawyer = solved.problem, solved.lawyer
    cases, lawyers = problem.cases, problem.lawyers
    defends = _group_defenders(problem, lawyer)
    elig = lawyers["eligible"].to_numpy(dtype=bool) & (after < problem.rules.cap)
    lawyer_region = lawyers["region"].to_numpy()
    defender = grassroots_no_criminal(True, lawyers["kind"].to_numpy())
    group, centre = cases["group"].to_numpy(), cases["centre"].to_numpy()
    moved = np.flatnonzero((group != "") & (lawyer >= 0) & (cases["pinned_lawyer"].to_numpy() == ""))
    for i in moved:
        if lawyer_region[lawyer[i]] == centre[i]:
            continue
        local = np.flatnonzero(elig & (lawyer_region == centre[i]) & defender)
        if len(local) and all(q in defends.get(group[i], set()) for q in local):
            code[i] = "codefendants"


def _group_defenders(problem: Problem, lawyer: np.ndarray) -> dict[str, set[int]]:
    group = problem.cases["group"].to_numpy()
    sel = np.flatnonzero((group != "") & (lawyer >= 0))
    out: dict[str, set[int]] = {}
    for g, q in zip(group[sel], lawyer[sel], strict=True):
        out.setdefault(g, set()).add(int(q))
    return out


def blocking(solved: Solved) -> pd.DataFrame:
    """For each unassigned case: ``rule`` (``BLOCKING``), ``citation``, ``candidates`` (defenders with
    room, for "codefendants") and ``grassroots_room`` (grassroots workers have room but may not defend).

    At the optimum an unassigned case has no eligible lawyer with room left anywhere in the city
    (else level 1 would have placed it), except a co-defendant whose lawyers with room all
    defend another member of the group. So the blocking rule is read from the final loads.
    """
    problem, lawyer = solved.problem, solved.lawyer
    cases, lawyers, rules = problem.cases, problem.lawyers, problem.rules
    idx = np.flatnonzero((lawyer < 0) & (cases["pinned_lawyer"].to_numpy() == ""))
    _, after = final_loads(problem, lawyer)
    kind = lawyers["kind"].to_numpy()
    available = lawyers["available"].to_numpy(dtype=bool)
    room = lawyers["eligible"].to_numpy(dtype=bool) & (after < rules.cap)
    defender = grassroots_no_criminal(True, kind)
    crim_room = np.flatnonzero(room & defender)
    grass_room = bool((room & ~defender).any())
    defends = _group_defenders(problem, lawyer)
    per_kind = {}
    for criminal in (True, False):
        suitable = available & defender if criminal else available
        if (criminal and len(crim_room)) or (not criminal and room.any()):
            per_kind[criminal] = ("other", "")
        elif not suitable.any():
            per_kind[criminal] = ("nobody", "")
        else:
            per_kind[criminal] = ("cap", rules.cap_citation)
    criminal = cases["criminal"].to_numpy(dtype=bool)[idx]
    rows = [(*per_kind[bool(c)], 0, bool(c) and grass_room) for c in criminal]
    group = cases["group"].to_numpy()[idx]
    could = np.flatnonzero(lawyers["eligible"].to_numpy(dtype=bool) & defender)
    req = cases["req"].to_numpy(dtype=np.int64)[idx]
    qual = lawyers["qual"].to_numpy(dtype=np.int64)
    for j in np.flatnonzero([int(i) in problem.conflicts for i in idx]):
        fit = np.flatnonzero(room & ((req[j] & ~qual) == 0) & (defender | ~criminal[j]))
        if len(fit) and all(q in problem.conflicts[int(idx[j])] for q in fit):
            rows[j] = ("conflict", law.CONFLICT, len(fit), False)
    for j in np.flatnonzero(req > 0):
        if not (room & ((req[j] & ~qual) == 0) & defender).any():
            rows[j] = ("qualification", problem.law["senior_defence_years_min"].reference if req[j] & 1
                       else problem.law["minor_defender_experienced"].reference, 0, False)
    for j in np.flatnonzero(criminal & (group != "")):
        mine = defends.get(group[j], set())
        if len(crim_room) and all(q in mine for q in crim_room):
            rows[j] = ("codefendants", law.CODEFENDANTS, len(crim_room), False)
        elif len(could) and all(q in mine for q in could):
            # every defender who could take a case this batch already defends a member of the
            # group: no yearly room would let any of them take this one (刑诉法解释第43条)
            rows[j] = ("codefendants", law.CODEFENDANTS, 0, False)
    return pd.DataFrame(rows, columns=["rule", "citation", "candidates", "grassroots_room"], index=idx)


@dataclass
class Diagnosis:
    """Least extra capacity that would place every case.

    Attributes
    ----------
    table : one row per (region, lawyer kind) needing slots: region, kind, slots (件),
        codefendant_slots (件 taken by co-defendants, each needing a distinct lawyer),
        min_new_lawyers (人).
    slots : total extra slots (= the number of unassigned cases).
    rules : binding rule -> unassigned cases it blocked.
    """

    table: pd.DataFrame
    slots: int
    rules: dict[str, int]


def diagnose(solved: Solved, blocked: pd.DataFrame) -> Diagnosis:
    """Fewest extra slots (by region and kind) so that every case is placed (see module doc)."""
    struct, problem = solved.struct, solved.problem
    model = build(struct, solved.model.detail, solved.model.exact, extras=Extras())
    lf = LexFlow(model.net)
    left = lf.minimise("unassigned")
    if left:
        raise RuntimeError("extra capacity did not place every case")
    slots = lf.minimise("extra")
    for level in ("cross_region", "pace", "distance"):
        lf.minimise(level)
    flow = lf.flow
    meta = model.meta["extra_kind"]
    used = model.flows("extra_kind", flow)
    gmeta = model.meta["extra_gc"]
    gflow = model.flows("extra_gc", flow)
    per_group = pd.DataFrame({"group": gmeta["group"], "region": gmeta["region"], "kind": gmeta["kind"], "n": gflow})
    per_group = per_group[per_group["n"] > 0].groupby(["region", "kind", "group"])["n"].sum()
    rows = []
    for j in np.flatnonzero(used > 0):
        r, k = int(meta["region"][j]), int(meta["kind"][j])
        here = per_group.loc[(r, k)] if (r, k) in per_group.index.droplevel(2) else pd.Series(dtype=np.int64)
        group_slots = int(here.sum())
        distinct = int(here.max()) if len(here) else 0
        need = int(used[j])
        rows.append({"region": problem.regions[r], "kind": KINDS[k], "slots": need, "codefendant_slots": group_slots,
                     "min_new_lawyers": max(distinct, -(-need // problem.rules.cap))})
    table = pd.DataFrame(rows, columns=["region", "kind", "slots", "codefendant_slots", "min_new_lawyers"])
    rules = blocked["rule"].value_counts().to_dict() if len(blocked) else {}
    return Diagnosis(table=table, slots=int(slots), rules={str(k): int(v) for k, v in rules.items()})


@dataclass
class SocialCapacity:
    """Extra social-lawyer slots that would close the social-share shortfall of each county.

    Attributes
    ----------
    table : region, slots (件) with extra social-lawyer slots needed.
    slots : total extra social-lawyer slots.
    remaining : shortfall left even then (件; > 0 when this batch alone cannot close it).
    """

    table: pd.DataFrame
    slots: int
    remaining: int


def close_table(by_region: pd.DataFrame) -> pd.DataFrame:
    """Per county: the share after the batch, shortfall, and the social slots that would close it.

    The share is per 本地区 (安庆2023 §6(2)) and is met by choosing among local handlers: each extra
    social-lawyer slot in the county takes one of this batch's cases now with a staff lawyer or
    grassroots worker there (the same case, the same county: no level above changes), so the slots
    needed are min(shortfall, those cases) and the rest cannot be closed by this batch."""
    frame = by_region.copy()
    movable = frame["new_cases"] - frame["new_social_cases"]
    frame["close_slots"] = np.minimum(frame["shortfall"], movable)
    frame["close_remaining"] = frame["shortfall"] - frame["close_slots"]
    frame["share"] = np.where(frame["year_cases"] > 0, frame["year_social_cases"] / frame["year_cases"].clip(lower=1),
                              np.nan).round(4)
    return frame[frame["year_cases"] > 0].reset_index(drop=True)


def social_capacity(solved: Solved) -> SocialCapacity:
    """Fewest extra social-lawyer slots closing each county's shortfall (see ``close_table``)."""
    frame = close_table(solved.measured.by_region)
    need = frame[frame["close_slots"] > 0]
    table = pd.DataFrame({"region": need["region"].to_numpy(), "slots": need["close_slots"].to_numpy(dtype=np.int64)})
    return SocialCapacity(table, int(frame["close_slots"].sum()), int(frame["close_remaining"].sum()))
