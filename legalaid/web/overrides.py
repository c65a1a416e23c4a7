"""What a dispatcher may change, and the re-run that keeps it.

``candidates`` lists the lawyers the hard rules allow for one case, given the current dispatch:
available (可指派), may defend a criminal case (《刑事诉讼法》第35条, ``scenarios.vocab.may_defend``),
under the yearly cap after the move (``lawyer_yearly_cap``), not the defender of another
member of the same co-defendant group (刑诉法解释第43条), and not excluded for the case (回避).
Each comes with the figures that say why it is better or worse than the current lawyer, in the
dispatch's own order of priority (social-lawyer share, then distance, then load).

``redispatch`` runs ``legalaid.api.dispatch`` with the accepted and changed assignments pinned
and every 回避 written into the cases' 回避律师 column (``excluded_lawyers``), which the engine
obeys as a hard rule (allocation.legal.conflicts), so the result stays the engine's own. Should a
case still land on an excluded lawyer (a cases table without that column), it is moved to the best
allowed candidate and pinned there and the dispatch is run again (at most ``MAX_ROUNDS`` times);
cases with no allowed lawyer are listed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scenarios.vocab import may_defend

MAX_ROUNDS = 5


def _distances(plan) -> tuple[np.ndarray, dict[str, int]]:
    from scenarios.distances import distance_matrix

    matrix, _, _ = distance_matrix(plan, None)
    return matrix, {r: i for i, r in enumerate(plan.region_ids)}


def case_row(result, case_id: str) -> tuple[pd.Series | None, bool]:
    """The case's row in the assignments (True) or in the unassigned (False); None when unknown."""
    hit = result.assignments[result.assignments["case_id"] == case_id]
    if len(hit):
        return hit.iloc[0], True
    hit = result.unassigned[result.unassigned["case_id"] == case_id]
    return (hit.iloc[0], False) if len(hit) else (None, False)


def group_lawyers(result, row) -> set[str]:
    """Lawyers already defending another member of the case's co-defendant group."""
    if row["kind"] != "criminal" or not row["group_id"]:
        return set()
    a = result.assignments
    members = a[(a["group_id"] == row["group_id"]) & (a["kind"] == "criminal") & (a["case_id"] != row["case_id"])]
    return set(members["lawyer_id"])


@dataclass
class Candidates:
    """The allowed lawyers for one case (``table``) and the current one's figures."""

    case: pd.Series
    assigned: bool
    current: pd.Series | None
    table: pd.DataFrame   # lawyer_id, region, kind, firm, km, cross_region, after, cap, social_delta, km_delta, load_delta, rank, verdict


def candidates(result, case_id: str, excluded: dict[str, str] | None = None) -> Candidates | None:
    """The lawyers the rules allow for ``case_id`` other than its current one, best first."""
    row, assigned = case_row(result, case_id)
    if row is None:
        return None
    excluded = excluded or {}
    loads = result.loads
    current_id = row["lawyer_id"] if assigned else None
    matrix, index = _distances(result.plan)
    centre = index[row["centre"]]
    km = matrix[centre, [index[r] for r in loads["region"]]] / 1000
    criminal = row["kind"] == "criminal"
    allowed = (loads["available"].to_numpy(bool) & np.asarray(may_defend(loads["kind"].to_numpy(), criminal), bool)
               & (loads["headroom"].to_numpy() > 0))
    allowed &= ~loads["lawyer_id"].isin(set(excluded) | group_lawyers(result, row) | {current_id}).to_numpy()
    table = loads[allowed][["lawyer_id", "region", "kind", "firm", "after", "cap"]].copy()
    table["km"] = np.round(km[allowed], 1)
    table["after"] = table["after"] + 1
    table["cross_region"] = table["region"] != row["centre"]
    current = None
    base_km, base_after, base_social = np.inf, np.inf, False
    if assigned:
        current = loads[loads["lawyer_id"] == current_id].iloc[0].copy()
        current["km"] = round(float(row["km"]), 1)
        base_km, base_after, base_social = current["km"], int(current["after"]), current["kind"] == "social"
    social = table["kind"].to_numpy() == "social"
    share_tight = result.social.year_social_cases - 1 < result.social.required
    table["social_delta"] = (social.astype(int) - int(base_social)) if assigned else 0
    table["km_delta"] = table["km"] - (base_km if assigned else 0)
    table["load_delta"] = table["after"] - (base_after if assigned else 0)
    # the dispatch's priorities: social share (when it binds), distance, then load
    share_key = -table["social_delta"] if share_tight else 0
    table["rank"] = 0
    table = table.assign(_s=share_key).sort_values(["_s", "km", "after", "lawyer_id"], kind="stable").drop(columns="_s")
    table["rank"] = np.arange(1, len(table) + 1)
    if assigned:
        worse = ((table["social_delta"] < 0) & share_tight) | (table["km_delta"] > 0) | (
            (table["km_delta"] == 0) & (table["load_delta"] > 0))
        better = ((table["social_delta"] > 0) & share_tight) | (table["km_delta"] < 0) | (
            (table["km_delta"] == 0) & (table["load_delta"] < 0))
        table["verdict"] = np.where(better & ~worse, "better", np.where(worse & ~better, "worse", "mixed"))
        table.loc[(table["km_delta"] == 0) & (table["load_delta"] == 0) & (table["social_delta"] == 0), "verdict"] = "equal"
    else:
        table["verdict"] = "better"
    return Candidates(case=row, assigned=assigned, current=current, table=table.reset_index(drop=True))


def pins(decisions: dict, moved: dict[str, str]) -> pd.DataFrame:
    """The assignments a re-run keeps: accepted, changed and moved for 回避."""
    rows = [(case, d.lawyer_id) for case, d in decisions.items()]
    rows += [(case, lawyer) for case, lawyer in moved.items() if case not in decisions]
    return pd.DataFrame(rows, columns=["case_id", "lawyer_id"])


def violations(result, exclusions: dict[str, dict[str, str]]) -> list[str]:
    """Cases whose lawyer is excluded for them."""
    if not exclusions:
        return []
    a = result.assignments
    mask = [lw in exclusions.get(case, {}) for case, lw in zip(a["case_id"], a["lawyer_id"], strict=True)]
    return list(a.loc[mask, "case_id"])


def with_exclusions(cases: pd.DataFrame, exclusions: dict[str, dict[str, str]]) -> pd.DataFrame:
    """``cases`` with each 回避 added to its 回避律师 cell (the engine's hard rule); unchanged when the
    table has no such column or there is nothing to exclude."""
    if not exclusions or "excluded_lawyers" not in cases.columns:
        return cases
    out = cases.copy()
    index = {c: i for i, c in enumerate(out["case_id"])}
    column = out.columns.get_loc("excluded_lawyers")
    for case, lawyers in exclusions.items():
        if case in index:
            i = index[case]
            before = [x for x in str(out.iat[i, column] or "").replace("，", "、").split("、") if x]
            out.iat[i, column] = "、".join(dict.fromkeys([*before, *lawyers]))
    return out


def redispatch(plan, inputs, decisions: dict, exclusions: dict[str, dict[str, str]], seed: int = 0):
    """Dispatch again keeping decisions and honouring exclusions.

    Returns (result, moved, unresolved): ``moved`` maps the cases moved off an excluded lawyer
    to the lawyer they were pinned to; ``unresolved`` the cases no allowed lawyer could take.
    """
    from legalaid.api import dispatch

    moved: dict[str, str] = {}
    unresolved: list[str] = []
    result = None
    cases = with_exclusions(inputs.cases, exclusions)
    for _ in range(MAX_ROUNDS):
        pinned = pins(decisions, moved)
        result = dispatch(plan, cases, inputs.lawyers, pinned=pinned if len(pinned) else None, seed=seed)
        bad = [c for c in violations(result, exclusions) if c not in decisions and c not in unresolved]
        if not bad:
            break
        taken: dict[str, int] = {}
        for case in bad:
            found = candidates(result, case, exclusions.get(case))
            options = found.table if found is not None else pd.DataFrame()
            pick = None
            for option in options.itertuples(index=False):
                room = int(option.cap) - int(option.after) + 1 - taken.get(option.lawyer_id, 0)
                if room > 0:
                    pick = option.lawyer_id
                    break
            if pick is None:
                unresolved.append(case)
                continue
            taken[pick] = taken.get(pick, 0) + 1
            moved[case] = pick
    return result, moved, unresolved
