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

#: Sources of the rules that are law rather than plan numbers (quoted in reasons and findings).
CODEFENDANT_CITATION = "最高人民法院关于适用《中华人民共和国刑事诉讼法》的解释第43条"
GRASSROOTS_CITATION = "《中华人民共和国刑事诉讼法》第35条（法律援助辩护应指派律师）"
JURISDICTION_CITATION = "级别管辖：一审由县（市、区）法律援助中心、二审由市法律援助中心管辖（安庆2023 §3(3)2）"
FIRM_CITATION = "《律师办理刑事案件规范》（同一律所律师为同案被告人辩护须告知并经同意）"


# --- jurisdiction --------------------------------------------------------------------------
def administering_centre(plan: Plan, cases: pd.DataFrame) -> np.ndarray:
    """Jurisdiction (安庆2023 §3(3)2): a first-instance case is administered by its county's
    centre, a second-instance case by the city centre (``plan.city_centre``, 市本级).

    Delegated townships (安庆2023 §6(5)) are already mapped to their district by the readers,
    so ``region`` is the county whose centre administers first-instance cases.
    """
    second = cases["instance"].to_numpy() == "second"
    return np.where(second, plan.city_centre.id, cases["region"].to_numpy()).astype(object)


def check_jurisdiction(problem, assignment: pd.DataFrame) -> list[str]:
    """Every assigned case is reported as administered by the centre the jurisdiction rule gives."""
    centre = problem.cases.set_index("case_id")["centre"]
    bad = assignment[assignment["centre"].to_numpy() != centre.reindex(assignment["case_id"]).to_numpy()]
    return [f"案件 {c} 的管辖机构不符合级别管辖" for c in bad["case_id"].head(20)]


# --- who may take which case ---------------------------------------------------------------
def grassroots_no_criminal(criminal, lawyer_kind):
    """Grassroots legal-service workers never act as defenders in criminal cases: legal-aid
    defence is by a lawyer (《刑事诉讼法》第35条). Returns True where the pair is allowed.

    ``criminal`` (bool) and ``lawyer_kind`` ("social"/"staff"/"grassroots") broadcast.
    """
    return ~(np.asarray(criminal, dtype=bool) & (np.asarray(lawyer_kind, dtype=object) == "grassroots"))


def check_grassroots_no_criminal(problem, assignment: pd.DataFrame) -> list[str]:
    """No new (non-pinned) criminal case went to a grassroots worker."""
    new = assignment[~assignment["pinned"]]
    ok = grassroots_no_criminal(new["kind"].to_numpy() == "criminal", new["lawyer_kind"].to_numpy())
    return [f"刑事案件 {c} 指派给了基层法律服务工作者" for c in new.loc[~ok, "case_id"].head(20)]


def unavailable_take_nothing(lawyers: pd.DataFrame) -> np.ndarray:
    """Lawyers marked unavailable (可指派 = 否) take no new case. Returns the available mask."""
    return lawyers["available"].to_numpy(dtype=bool)


def check_unavailable_take_nothing(problem, assignment: pd.DataFrame) -> list[str]:
    """No new case went to an unavailable lawyer."""
    available = problem.lawyers.set_index("lawyer_id")["available"]
    new = assignment[~assignment["pinned"]]
    bad = new[~available.reindex(new["lawyer_id"]).to_numpy(dtype=bool)]
    return [f"案件 {c} 指派给了不可指派的律师" for c in bad["case_id"].head(20)]


# --- yearly cap ----------------------------------------------------------------------------
def lawyer_yearly_cap(rules, lawyers: pd.DataFrame) -> np.ndarray:
    """Yearly cap (安庆2023 §6(2); value ``lawyer_yearly_cap``): handled this year + pinned +
    new ≤ cap for every lawyer and grassroots worker. Returns the headroom (件, ≥ 0)."""
    return np.maximum(rules.cap - lawyers["base"].to_numpy(dtype=np.int64), 0)


def check_lawyer_yearly_cap(problem, assignment: pd.DataFrame) -> list[str]:
    """No lawyer receives new cases beyond the cap (pinned cases count against it)."""
    new = assignment.loc[~assignment["pinned"], "lawyer_id"].value_counts()
    lawyers = problem.lawyers.set_index("lawyer_id")
    headroom = lawyers["headroom"].reindex(new.index)
    bad = new[new.to_numpy() > headroom.to_numpy()]
    return [f"律师 {lw} 新增 {n} 件，超过年度上限余量" for lw, n in bad.head(20).items()]


def cap_findings(rules, lawyers: pd.DataFrame) -> list[str]:
    """Findings: lawyers already over the cap, or pushed over it by pinned assignments."""
    out = []
    over = lawyers[lawyers["handled_this_year"] > rules.cap]
    if len(over):
        out.append(f"{len(over)} 名律师/基层法律服务工作者本年已办案件超过年度上限 {rules.cap} 件（{rules.cap_citation}），"
                   f"年度考核时应予问责，本次不再指派：{'、'.join(over['lawyer_id'].head(10))}"
                   + ("等" if len(over) > 10 else ""))
    pushed = lawyers[(lawyers["handled_this_year"] <= rules.cap) & (lawyers["base"] > rules.cap)]
    if len(pushed):
        out.append(f"{len(pushed)} 名律师因保留的已有指派超过年度上限 {rules.cap} 件（{rules.cap_citation}）："
                   f"{'、'.join(pushed['lawyer_id'].head(10))}")
    at_cap = lawyers[lawyers["handled_this_year"] == rules.cap]
    if len(at_cap):
        out.append(f"{len(at_cap)} 名律师本年已达年度上限 {rules.cap} 件，本次不再指派。")
    return out


# --- co-defendants -------------------------------------------------------------------------
def codefendant_groups(cases: pd.DataFrame, findings: list[str]) -> np.ndarray:
    """Co-defendants need distinct defenders (刑诉法解释第43条): the group key of each case.

    A group is the criminal cases sharing a non-empty ``group_id``, when there are at least
    two (a lone defendant constrains nothing). The rule concerns defenders, so a ``group_id``
    on a civil or administrative case is ignored (a finding says so).
    """
    gid = cases["group_id"].to_numpy(dtype=object)
    criminal = cases["criminal"].to_numpy(dtype=bool)
    non_criminal = (gid != "") & ~criminal
    if non_criminal.any():
        findings.append(f"{int(non_criminal.sum())} 件非刑事案件填写了同案编号；“同案被告人须由不同律师辩护”只适用于刑事案件，"
                        "这些案件按普通案件指派。")
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
    return [f"同案 {g} 有 {n} 名被告人由同一律师 {lw} 辩护" for (g, lw), n in bad["n"].head(20).items()]


# --- pinned --------------------------------------------------------------------------------
def check_pinned_kept(problem, assignment: pd.DataFrame) -> list[str]:
    """Pinned assignments (already made) are kept exactly as given."""
    pinned = problem.cases[problem.cases["pinned_lawyer"] != ""]
    got = assignment.set_index("case_id")["lawyer_id"].reindex(pinned["case_id"]).to_numpy()
    bad = pinned[got != pinned["pinned_lawyer"].to_numpy()]
    return [f"已指派案件 {c} 的律师被改动" for c in bad["case_id"].head(20)]


def pinned_findings(rules, cases: pd.DataFrame, lawyers: pd.DataFrame) -> list[str]:
    """Findings on pinned assignments that break a rule: they are kept, and reported."""
    pinned = cases[cases["pinned_lawyer"] != ""]
    if not len(pinned):
        return []
    info = lawyers.set_index("lawyer_id")
    kind = info["kind"].reindex(pinned["pinned_lawyer"]).to_numpy()
    avail = info["available"].reindex(pinned["pinned_lawyer"]).to_numpy(dtype=bool)
    out = []
    bad_kind = pinned["criminal"].to_numpy(dtype=bool) & (kind == "grassroots")
    if bad_kind.any():
        out.append(f"保留的已有指派中有 {int(bad_kind.sum())} 件刑事案件由基层法律服务工作者承办（{GRASSROOTS_CITATION}）："
                   + "、".join(pinned.loc[bad_kind, "case_id"].head(10)))
    if (~avail).any():
        out.append(f"保留的已有指派中有 {int((~avail).sum())} 件的律师标为不可指派：" + "、".join(pinned.loc[~avail, "case_id"].head(10)))
    grouped = pinned[pinned["group"] != ""]
    dup = grouped.groupby(["group", "pinned_lawyer"]).size()
    dup = dup[dup > codefendants_distinct_defenders()]
    if len(dup):
        out.append(f"保留的已有指派中有 {len(dup)} 处同一律师为同案多名被告人辩护（{CODEFENDANT_CITATION}）："
                   + "、".join(f"{g}/{lw}" for g, lw in dup.index[:10]))
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
          check_lawyer_yearly_cap, check_codefendants_distinct_defenders, check_pinned_kept)


def violations(problem, assignment: pd.DataFrame) -> list[str]:
    """Every hard-rule violation of a per-case assignment (empty when all rules hold).

    ``assignment`` has one row per assigned case: case_id, lawyer_id, lawyer_kind, kind,
    centre, group, pinned (bool).
    """
    out = []
    for check in CHECKS:
        out += check(problem, assignment)
    return out
