"""Reasons a person understands, blocking rules, and the least extra capacity (diagnosis).

- ``assignment_reasons``: why each case went where it went (本地律师; 二审案件由市法律援助中心
  指派; 本地社会律师额度已满，跨区调配至桐城市; 同案被告人须由不同律师辩护 …), read from the final
  loads: a cross-region case names what was missing locally.
- ``blocking``: for each unassigned case the hard rule that left no room (the yearly cap, or the
  distinct-defender rule when every lawyer with room already defends a co-defendant).
- ``diagnose``: the least extra capacity that would place every case — a small lexicographic
  flow on the same model plus unlimited "extra slot" arcs per region and lawyer kind: first no
  case unassigned, then fewest extra slots, then the social-lawyer share, then distance.
- ``social_capacity``: the fewest extra social-lawyer slots (and where) that would close a
  social-share shortfall with the same number of cases assigned.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from allocation.constraints import CODEFENDANT_CITATION, GRASSROOTS_CITATION, social_lawyer_share_min
from allocation.data import KINDS, SOCIAL, Problem
from allocation.engine import Solved, year_counts
from allocation.lexflow import LexFlow
from allocation.model import Extras, build

KIND_LABEL = {"social": "社会律师", "staff": "法援律师", "grassroots": "基层法律服务工作者"}
RULE_CAP = "年度承办上限"
RULE_CODEFENDANT = "同案被告人须由不同律师辩护"
RULE_NOBODY = "无可指派人员"


def _share_text(problem: Problem) -> str:
    return f"{float(problem.rules.social_share):.0%}"


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


def assignment_reasons(solved: Solved) -> np.ndarray:
    """One Chinese reason per case (empty for unassigned cases)."""
    problem, lawyer = solved.problem, solved.lawyer
    cases, lawyers = problem.cases, problem.lawyers
    _, after = final_loads(problem, lawyer)
    exists, room = _local_state(problem, after)
    social_needed = solved.run.social_needed > 0
    city = problem.regions[problem.city]
    out = np.full(len(cases), "", dtype=object)
    assigned = np.flatnonzero(lawyer >= 0)
    lregion = lawyers["region"].to_numpy()[lawyer[assigned]]
    lkind = lawyers["kind"].to_numpy()[lawyer[assigned]]
    frame = pd.DataFrame({
        "centre": cases["centre"].to_numpy()[assigned], "lregion": lregion, "lkind": lkind,
        "criminal": cases["criminal"].to_numpy()[assigned], "second": cases["instance"].to_numpy()[assigned] == "second",
        "pinned": cases["pinned_lawyer"].to_numpy()[assigned] != "", "group": cases["group"].to_numpy()[assigned],
    })
    sizes = cases[cases["group"] != ""].groupby("group").size().to_dict()
    defends = _group_defenders(problem, lawyer)
    elig = lawyers["eligible"].to_numpy(dtype=bool) & (after < problem.rules.cap)
    lawyer_region = lawyers["region"].to_numpy()
    lawyer_kind = lawyers["kind"].to_numpy()
    key_cols = ["centre", "lregion", "lkind", "criminal", "second", "pinned"]
    reasons = {}
    for key in frame[key_cols].drop_duplicates().itertuples(index=False):
        centre, lreg, lk, criminal, second, pinned = key
        if pinned:
            reasons[tuple(key)] = "保留已有指派"
            continue
        parts = ["二审案件由市法律援助中心指派"] if second else []
        here = "市本级" if centre == city else "本地"
        label = KIND_LABEL[lk]
        if lreg == centre:
            parts.append(f"{here}{'基层法律服务工作者' if lk == 'grassroots' else '律师'}")
        else:
            eligible = [k for k in KINDS if not (criminal and k == "grassroots")]
            local_room = [k for k in eligible if room.get((centre, k), False)]
            if lk == "social":
                why = (f"{here}没有可指派的社会律师" if not exists.get((centre, lk), False)
                       else f"{here}社会律师额度已满")
                if social_needed and local_room:
                    why += f"，为使社会律师办案占比达到{_share_text(problem)}"
            elif not any(exists.get((centre, k), False) for k in eligible):
                why = f"{here}没有可担任刑事辩护人的律师" if criminal else f"{here}没有可指派的承办人员"
            elif not local_room:
                why = f"{here}可{'担任刑事辩护人' if criminal else '承办'}的律师额度已满"
            else:
                why = f"{here}{label}额度已满"
            parts.append(f"{why}，跨区调配至{problem.region_name(lreg)}")
        reasons[tuple(key)] = "；".join(parts)
    keys = list(frame[key_cols].itertuples(index=False, name=None))
    text = np.array([reasons[k] for k in keys], dtype=object)
    # co-defendants: name the rule, and when they left the region for it, say so
    grouped = np.flatnonzero((frame["group"] != "").to_numpy() & ~frame["pinned"].to_numpy())
    for j in grouped:
        g = frame["group"].iat[j]
        centre = frame["centre"].iat[j]
        suffix = f"同案被告人须由不同律师辩护（本案{sizes[g]}名被告人）"
        if frame["lregion"].iat[j] != centre:
            local = np.flatnonzero(elig & (lawyer_region == centre) & (lawyer_kind != "grassroots"))
            if len(local) and all(q in defends.get(g, set()) for q in local):
                where = "市本级" if centre == city else "本地"
                text[j] = (("二审案件由市法律援助中心指派；" if frame["second"].iat[j] else "")
                           + f"{where}尚有余量的律师均已为本案其他被告人辩护，跨区调配至"
                           + problem.region_name(frame["lregion"].iat[j]))
        text[j] = f"{text[j]}；{suffix}"
    out[assigned] = text
    return out


def _group_defenders(problem: Problem, lawyer: np.ndarray) -> dict[str, set[int]]:
    group = problem.cases["group"].to_numpy()
    sel = np.flatnonzero((group != "") & (lawyer >= 0))
    out: dict[str, set[int]] = {}
    for g, q in zip(group[sel], lawyer[sel], strict=True):
        out.setdefault(g, set()).add(int(q))
    return out


def blocking(solved: Solved) -> pd.DataFrame:
    """For each unassigned case: rule, citation and explanation (columns rule, citation, reason).

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
    crim_room = np.flatnonzero(room & (kind != "grassroots"))
    grass_room = bool((room & (kind == "grassroots")).any())
    defends = _group_defenders(problem, lawyer)
    texts = {}
    for criminal in (True, False):
        suitable = available & (kind != "grassroots") if criminal else available
        if (criminal and len(crim_room)) or (not criminal and room.any()):
            texts[criminal] = ("其他", "", "按规则应可指派却未指派（请报告此问题）")
        elif not suitable.any():
            who = "可担任刑事辩护人的律师" if criminal else "律师或基层法律服务工作者"
            texts[criminal] = (RULE_NOBODY, "", f"全市没有可指派的{who}（律师表中没有，或均标为不可指派）")
        elif criminal:
            text = f"全市可担任刑事辩护人的律师均已达到年度承办上限{rules.cap}件"
            if grass_room:
                text += f"；基层法律服务工作者尚有余量，但不得担任刑事辩护人（{GRASSROOTS_CITATION}）"
            texts[criminal] = (RULE_CAP, rules.cap_citation, text)
        else:
            texts[criminal] = (RULE_CAP, rules.cap_citation, f"全市律师及基层法律服务工作者均已达到年度承办上限{rules.cap}件")
    criminal = cases["criminal"].to_numpy(dtype=bool)[idx]
    rows = [texts[bool(c)] for c in criminal]
    group = cases["group"].to_numpy()[idx]
    for j in np.flatnonzero(criminal & (group != "")):
        if len(crim_room) and all(q in defends.get(group[j], set()) for q in crim_room):
            rows[j] = (RULE_CODEFENDANT, CODEFENDANT_CITATION,
                       f"全市尚有余量的可担任刑事辩护人的律师共{len(crim_room)}名，均已为本案其他被告人辩护")
    return pd.DataFrame(rows, columns=["rule", "citation", "reason"], index=idx)


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
    year = year_counts(problem)
    lf.set_upper(model.arcs("social_credit"),
                 social_lawyer_share_min(problem.rules, year.total + struct.n_batch, year.social))
    slots = lf.minimise("extra")
    lf.minimise("social")
    lf.minimise("distance")
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
    """Extra social-lawyer slots that would close a social-share shortfall.

    Attributes
    ----------
    table : region, slots (件) with extra social-lawyer slots needed.
    slots : total extra social-lawyer slots.
    remaining : shortfall left even then (件; > 0 when this batch alone cannot close it).
    """

    table: pd.DataFrame
    slots: int
    remaining: int


def social_capacity(solved: Solved) -> SocialCapacity:
    """Fewest extra social-lawyer slots closing the shortfall, same number of cases assigned."""
    struct, problem = solved.struct, solved.problem
    model = build(struct, solved.model.detail, solved.model.exact, extras=Extras(kinds=(SOCIAL,)))
    lf = LexFlow(model.net)
    lf.fix(model.arcs("unassigned_sink"), solved.run.values["unassigned"])
    lf.set_upper(model.arcs("social_credit"), solved.run.social_needed)
    remaining = solved.run.social_needed + lf.minimise("social")
    slots = lf.minimise("extra")
    lf.minimise("distance")
    used = model.flows("extra_kind", lf.flow)
    meta = model.meta["extra_kind"]
    rows = [{"region": problem.regions[int(meta["region"][j])], "slots": int(used[j])} for j in np.flatnonzero(used > 0)]
    return SocialCapacity(pd.DataFrame(rows, columns=["region", "slots"]), int(slots), int(remaining))
