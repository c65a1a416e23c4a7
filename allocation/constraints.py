"""The hard rules of dispatch, one function each, named after the rule and citing its source.

Every number comes from the plan's dated rules (``Rules``), never from a literal. Each rule has
two sides: what the model needs from it (eligibility, headroom, administering centre ...) and a
``check_<rule>`` that verifies a finished per-case assignment; ``violations`` runs them all and
is applied to every result before it is returned (a violation is a bug, never a user error).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scenarios.plans import Plan
from scenarios.vocab import Finding, headroom, may_defend, over_cap


# --- jurisdiction --------------------------------------------------------------------------
def administering_centre(plan: Plan, cases: pd.DataFrame) -> np.ndarray:
    """Tiered jurisdiction (安庆2023 §3(3)2 实施分级管辖): for the categories the plan lists
    (``plan.tiered_categories``: court-notified defence, organised crime, state compensation, land
    expropriation, land contract, environment, medical, petition, mass disputes) the county centre
    administers the first instance and the city centre (``plan.city_centre``, 市本级) the second;
    every other case, second instance included, is administered by its county's centre. A plan
    without such a list tiers nothing.

    Delegated townships (安庆2023 §6(5)) are already mapped to their district by the readers,
    so ``region`` is the county whose centre administers first-instance cases.
    """
    second = cases["instance"].to_numpy() == "second"
    category = cases["category"].to_numpy(dtype=object) if "category" in cases else np.full(len(cases), "")
    tiered = second & np.isin(category, list(plan.tiered_categories))
    return np.where(tiered, plan.city_centre.id, cases["region"].to_numpy()).astype(object)


def check_jurisdiction(problem, assignment: pd.DataFrame) -> list[str]:
    """Every assigned case is reported as administered by the centre the jurisdiction rule gives."""
    centre = problem.cases.set_index("case_id")["centre"]
    bad = assignment[assignment["centre"].to_numpy() != centre.reindex(assignment["case_id"]).to_numpy()]
    return [f"case {c}: administering centre breaks jurisdiction" for c in bad["case_id"].head(20)]


# --- who may take which case ---------------------------------------------------------------
def grassroots_no_criminal(criminal, lawyer_kind):
    """Grassroots legal-service workers never act as defenders in criminal cases: legal-aid
    defence is by a lawyer (《刑事诉讼法》第35条, ``scenarios.law.DEFENCE``). True where the pair
    is allowed; ``criminal`` and ``lawyer_kind`` broadcast (``scenarios.vocab.may_defend``).
    """
    return np.asarray(may_defend(lawyer_kind, criminal), dtype=bool)


def check_grassroots_no_criminal(problem, assignment: pd.DataFrame) -> list[str]:
    """No new (non-pinned) criminal case went to a grassroots worker."""
    new = assignment[~assignment["pinned"]]
    ok = grassroots_no_criminal(new["kind"].to_numpy() == "criminal", new["lawyer_kind"].to_numpy())
    return [f"criminal case {c} went to a grassroots worker" for c in new.loc[~ok, "case_id"].head(20)]


def unavailable_take_nothing(lawyers: pd.DataFrame) -> np.ndarray:
    """Lawyers marked unavailable (可指派 = 否) take no new case. Returns the available mask."""
    return lawyers["available"].to_numpy(dtype=bool)


def check_unavailable_take_nothing(problem, assignment: pd.DataFrame) -> list[str]:
    """No new case went to an unavailable lawyer."""
    available = problem.lawyers.set_index("lawyer_id")["available"]
    new = assignment[~assignment["pinned"]]
    bad = new[~available.reindex(new["lawyer_id"]).to_numpy(dtype=bool)]
    return [f"case {c} went to an unavailable lawyer" for c in bad["case_id"].head(20)]


# --- yearly cap ----------------------------------------------------------------------------
def lawyer_yearly_cap(rules, lawyers: pd.DataFrame) -> np.ndarray:
    """Yearly cap (安庆2023 §6(2); value ``lawyer_yearly_cap``): handled this year + pinned +
    new ≤ cap for every lawyer and grassroots worker. Returns the headroom (件, ≥ 0)."""
    return headroom(lawyers["base"].to_numpy(dtype=np.int64), rules.cap)


def check_lawyer_yearly_cap(problem, assignment: pd.DataFrame) -> list[str]:
    """No lawyer receives new cases beyond the cap (pinned cases count against it)."""
    new = assignment.loc[~assignment["pinned"], "lawyer_id"].value_counts()
    lawyers = problem.lawyers.set_index("lawyer_id")
    real_pins = lawyers["pinned"] - lawyers.get("requested", 0)
    headroom = np.maximum(0, problem.rules.cap - lawyers["handled_this_year"] - real_pins).reindex(new.index)
    bad = new[new.to_numpy() > headroom.to_numpy()]
    return [f"lawyer {lw}: {n} new cases exceed the headroom under the cap" for lw, n in bad.head(20).items()]


def cap_findings(rules, lawyers: pd.DataFrame) -> list[Finding]:
    """Findings: lawyers already over the cap ("lawyers_over_cap"), pushed over it by pinned
    assignments ("pinned_over_cap"), or exactly at it ("lawyers_at_cap")."""
    out = []
    values = {"cap": rules.cap, "citation": rules.cap_citation}
    handled = lawyers["handled_this_year"].to_numpy()
    over = lawyers[over_cap(handled, rules.cap)]
    if len(over):
        out.append(Finding("lawyers_over_cap", tuple(over["lawyer_id"]), values))
    pushed = lawyers[~over_cap(handled, rules.cap) & over_cap(lawyers["base"].to_numpy(), rules.cap)]
    if len(pushed):
        out.append(Finding("pinned_over_cap", tuple(pushed["lawyer_id"]), values))
    at_cap = lawyers[handled == rules.cap]
    if len(at_cap):
        out.append(Finding("lawyers_at_cap", tuple(at_cap["lawyer_id"]), values))
    return out


# --- co-defendants -------------------------------------------------------------------------
def codefendant_groups(cases: pd.DataFrame, findings: list[Finding]) -> np.ndarray:
    """Co-defendants need distinct defenders (刑诉法解释第43条): the group key of each case.

    A group is the criminal cases sharing a non-empty ``group_id``, when there are at least
    two (a lone defendant constrains nothing). The rule concerns defenders, so a ``group_id``
    on a civil or administrative case is ignored (finding "group_id_not_criminal").
    """
    gid = cases["group_id"].to_numpy(dtype=object)
    criminal = cases["criminal"].to_numpy(dtype=bool)
    non_criminal = (gid != "") & ~criminal
    if non_criminal.any():
        findings.append(Finding("group_id_not_criminal", tuple(cases["case_id"].to_numpy()[non_criminal])))
    keyed = np.where(criminal, gid, "")
    counts = pd.Series(keyed).value_counts()
    real = set(counts.index[(counts >= 2).to_numpy()]) - {""}
    return np.array([g if g in real else "" for g in keyed], dtype=object)


def codefendants_distinct_defenders() -> int:
    """Distinct defenders (刑诉法解释第43条): the most cases of one group a lawyer may defend."""
    return 1


def check_codefendants_distinct_defenders(problem, assignment: pd.DataFrame) -> list[str]:
    """No lawyer defends two cases of one co-defendant group (pinned pairs excepted as findings)."""
    grouped = assignment[assignment["group"] != ""]
    counts = grouped.groupby(["group", "lawyer_id"]).agg(n=("case_id", "size"), pinned=("pinned", "sum"))
    bad = counts[(counts["n"] > codefendants_distinct_defenders()) & (counts["n"] > counts["pinned"])]
    return [f"group {g}: {n} co-defendants defended by one lawyer {lw}" for (g, lw), n in bad["n"].head(20).items()]


# --- who may handle what under national law (allocation.legal) -------------------------------
def check_qualification(problem, assignment: pd.DataFrame) -> list[str]:
    """No new case needing a senior defender (≥3 years of criminal defence, 法律援助法第二十六条) or
    one experienced with minors went to a lawyer who is not."""
    new = assignment[~assignment["pinned"]]
    req = problem.cases.set_index("case_id")["req"].reindex(new["case_id"]).to_numpy(dtype=np.int64)
    qual = problem.lawyers.set_index("lawyer_id")["qual"].reindex(new["lawyer_id"]).to_numpy(dtype=np.int64)
    bad = new[(req & ~qual) != 0]
    return [f"case {c} went to a lawyer without the qualification it needs" for c in bad["case_id"].head(20)]


def check_conflicts(problem, assignment: pd.DataFrame) -> list[str]:
    """No new case went to a lawyer it must avoid (回避: excluded, opposing lawyer or firm)."""
    if not problem.conflicts:
        return []
    case_pos = {c: i for i, c in enumerate(problem.cases["case_id"])}
    lawyer_pos = {lw: i for i, lw in enumerate(problem.lawyers["lawyer_id"])}
    new = assignment[~assignment["pinned"]]
    bad = [c for c, lw in zip(new["case_id"], new["lawyer_id"], strict=True)
           if lawyer_pos[lw] in problem.conflicts.get(case_pos[c], ())]
    return [f"case {c} went to a lawyer in conflict" for c in bad[:20]]


def qualification_findings(cases: pd.DataFrame, lawyers: pd.DataFrame) -> list[Finding]:
    """Findings: cases need a qualification no available lawyer of the table has
    ("no_senior_defender", "no_minors_defender")."""
    out = []
    available = lawyers["available"].to_numpy(dtype=bool)
    qual = lawyers["qual"].to_numpy(dtype=np.int64)
    req = cases["req"].to_numpy(dtype=np.int64)
    for bit, code in ((1, "no_senior_defender"), (2, "no_minors_defender")):
        needing = (req & bit) != 0
        if needing.any() and not ((qual & bit) != 0)[available].any():
            out.append(Finding(code, tuple(cases["case_id"].to_numpy()[needing])))
    return out


# --- pinned --------------------------------------------------------------------------------
def check_pinned_kept(problem, assignment: pd.DataFrame) -> list[str]:
    """Pinned assignments (already made) and honoured choices are kept exactly as fixed."""
    pinned = problem.cases[problem.cases["pinned_lawyer"] != ""]
    got = assignment.set_index("case_id")["lawyer_id"].reindex(pinned["case_id"]).to_numpy()
    bad = pinned[got != pinned["pinned_lawyer"].to_numpy()]
    return [f"pinned case {c} changed lawyer" for c in bad["case_id"].head(20)]


def pinned_findings(rules, cases: pd.DataFrame, lawyers: pd.DataFrame) -> list[Finding]:
    """Findings on pinned assignments that break a rule: they are kept, and reported
    ("pinned_grassroots_criminal", "pinned_unavailable", "pinned_same_defender")."""
    pinned = cases[cases["pinned_lawyer"] != ""]
    if not len(pinned):
        return []
    info = lawyers.set_index("lawyer_id")
    kind = info["kind"].reindex(pinned["pinned_lawyer"]).to_numpy()
    avail = info["available"].reindex(pinned["pinned_lawyer"]).to_numpy(dtype=bool)
    out = []
    bad_kind = ~grassroots_no_criminal(pinned["criminal"].to_numpy(dtype=bool), kind)
    if bad_kind.any():
        out.append(Finding("pinned_grassroots_criminal", tuple(pinned.loc[bad_kind, "case_id"])))
    if (~avail).any():
        out.append(Finding("pinned_unavailable", tuple(pinned.loc[~avail, "case_id"])))
    grouped = pinned[pinned["group"] != ""]
    dup = grouped.groupby(["group", "pinned_lawyer"]).size()
    dup = dup[dup > codefendants_distinct_defenders()]
    if len(dup):
        out.append(Finding("pinned_same_defender", tuple(f"{g}/{lw}" for g, lw in dup.index)))
    return out


# --- social-lawyer share -------------------------------------------------------------------
def social_lawyer_share_min(rules, year_total: int, year_social: int) -> int:
    """Social-lawyer share (安庆2023 §6(2); value ``social_lawyer_share_min``): over the year,
    cases handled by social lawyers ≥ share × all cases handled. Measured city-wide (all
    lawyers of the plan; see the package docstring). Returns how many more social-lawyer cases
    are needed on top of ``year_social`` when the year counts ``year_total`` cases (≥ 0)."""
    return max(0, rules.social_required(year_total) - year_social)


# --- all -----------------------------------------------------------------------------------
CHECKS = (check_jurisdiction, check_grassroots_no_criminal, check_unavailable_take_nothing,
          check_lawyer_yearly_cap, check_codefendants_distinct_defenders, check_qualification, check_conflicts,
          check_pinned_kept)


def violations(problem, assignment: pd.DataFrame) -> list[str]:
    """Every hard-rule violation of a per-case assignment (empty when all rules hold).

    ``assignment`` has one row per assigned case: case_id, lawyer_id, lawyer_kind, kind,
    centre, group, pinned (bool).
    """
    out = []
    for check in CHECKS:
        out += check(problem, assignment)
    return out
