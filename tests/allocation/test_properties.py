"""Property-based tests (hypothesis): on random instances every hard rule holds and nothing is lost.

The checks here are written directly on the input tables and the result frames, not through
``allocation.constraints``, so they test the engine's rules independently.
"""

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenarios.plans import load_plan
from tests.allocation.words import solve

PLAN = load_plan("anqing-2023")
CAP = int(PLAN.rule_value("lawyer_yearly_cap"))
REGIONS = ["anqing-city", "susong", "taihu", "yuexi"]


@st.composite
def instances(draw):
    """Cases, lawyers and pinned pairs: small, near the cap, with groups, pins and odd handlers."""
    n_cases = draw(st.integers(1, 16))
    n_lawyers = draw(st.integers(1, 8))
    case_rows = []
    for i in range(n_cases):
        kind = draw(st.sampled_from(["criminal", "criminal", "civil", "administrative"]))
        group = draw(st.sampled_from(["", "", "G1", "G2"]))
        case_rows.append({"case_id": f"C{i:02d}", "region": draw(st.sampled_from(REGIONS)), "kind": kind,
                          "instance": draw(st.sampled_from(["first", "first", "second"])), "litigation": True,
                          "group_id": group, "category": draw(st.sampled_from(["", "", "court_notified", "other"])),
                          "received": pd.Timestamp("2023-03-01") + pd.Timedelta(days=draw(st.integers(0, 9)))})
    lawyer_rows = []
    for i in range(n_lawyers):
        lawyer_rows.append({"lawyer_id": f"L{i:02d}", "region": draw(st.sampled_from(REGIONS)),
                            "kind": draw(st.sampled_from(["social", "social", "staff", "grassroots"])),
                            "firm": draw(st.sampled_from(["", "甲所", "乙所"])),
                            "handled_this_year": draw(st.integers(CAP - 5, CAP + 1)),
                            "available": draw(st.booleans()) or draw(st.booleans())})
    cases, lawyers = pd.DataFrame(case_rows), pd.DataFrame(lawyer_rows)
    n_pins = draw(st.integers(0, min(2, n_cases)))
    pinned = pd.DataFrame({"case_id": cases["case_id"].head(n_pins),
                           "lawyer_id": [draw(st.sampled_from(list(lawyers["lawyer_id"]))) for _ in range(n_pins)]})
    return cases, lawyers, pinned


def pins_break_a_rule(cases, lawyers, pinned) -> bool:
    """A pin to an unavailable lawyer, a criminal pin to a grassroots worker, a lawyer with pins over the
    cap, or two pinned co-defendants (criminal, group of two or more) with one lawyer."""
    info = lawyers.set_index("lawyer_id")
    pins = pinned.merge(cases, on="case_id")
    kind = info.loc[pins["lawyer_id"], "kind"].to_numpy()
    if (~info.loc[pins["lawyer_id"], "available"].to_numpy(bool)).any():
        return True
    if ((pins["kind"] == "criminal").to_numpy() & (kind == "grassroots")).any():
        return True
    pins_per_lawyer = pinned["lawyer_id"].value_counts()
    if (info.loc[pins_per_lawyer.index, "handled_this_year"] + pins_per_lawyer > CAP).any():
        return True
    criminal = cases[(cases["kind"] == "criminal") & (cases["group_id"] != "")]
    real = set(criminal["group_id"].value_counts().loc[lambda n: n >= 2].index)
    grouped = pins[(pins["kind"] == "criminal") & pins["group_id"].isin(real)]
    return bool(grouped.groupby(["group_id", "lawyer_id"]).size().gt(1).any())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_hard_rules_and_nothing_lost(data):
    """Every case appears exactly once (assigned or unassigned with a rule); pinned pairs are kept;
    new cases respect the cap, availability, the grassroots and distinct-defender rules and the
    jurisdiction; loads add up; distances are 0 exactly when local; status is optimal, or infeasible
    exactly when a pinned assignment given already breaks a hard rule."""
    cases, lawyers, pinned = data
    result = solve(PLAN, cases, lawyers, pinned=pinned)
    a, u, loads = result.assignments, result.unassigned, result.loads
    assert result.status == ("infeasible" if pins_break_a_rule(cases, lawyers, pinned) else "optimal")
    assert sorted([*a["case_id"], *u["case_id"]]) == sorted(cases["case_id"])
    assert not set(a["case_id"]) & set(u["case_id"])
    pins = dict(zip(pinned["case_id"], pinned["lawyer_id"], strict=True))
    got = dict(zip(a["case_id"], a["lawyer_id"], strict=True))
    assert all(got.get(c) == lw for c, lw in pins.items())
    assert set(a.loc[a["pinned"], "case_id"]) == set(pins)
    info = lawyers.set_index("lawyer_id")
    new = a[~a["pinned"]]
    assert info.loc[new["lawyer_id"], "available"].all()
    assert not ((new["kind"] == "criminal").to_numpy() & (new["lawyer_kind"] == "grassroots").to_numpy()).any()
    pinned_count = pinned["lawyer_id"].value_counts()
    for lw, n in new["lawyer_id"].value_counts().items():
        assert info.loc[lw, "handled_this_year"] + pinned_count.get(lw, 0) + n <= CAP
    grouped = a[(a["group_id"] != "") & (a["kind"] == "criminal")]
    for _, part in grouped.groupby(["group_id", "lawyer_id"]):
        assert len(part) == 1 or part["pinned"].all(), "two co-defendants share a defender"
    by_case = cases.set_index("case_id")
    tiered = (by_case.loc[a["case_id"], "instance"] == "second") & (by_case.loc[a["case_id"], "category"] == "court_notified")
    expected_centre = np.where(tiered, PLAN.city_centre.id, by_case.loc[a["case_id"], "region"])
    assert (a["centre"].to_numpy() == expected_centre).all()
    assert ((a["km"] == 0) | a["cross_region"]).all() and ((a["km"] > 0) | ~a["cross_region"]).all()
    assert (a["cross_region"] == (a["lawyer_region"] != a["centre"])).all()
    assert (loads["after"] == loads["handled_this_year"] + loads["pinned"] + loads["new"]).all()
    assert loads["new"].sum() == len(new)
    assert set(u["rule"]) <= {"年度承办上限", "同案被告人须由不同律师辩护", "无可指派人员"}
    if len(u):
        assert result.summary["diagnosis"]["extra_slots"] == len(u)
        assert result.diagnosis["slots"].sum() == len(u)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(), st.randoms(use_true_random=False))
def test_same_input_same_output_whatever_the_row_order(data, random):
    """Deterministic: solving twice, or with the input rows shuffled, gives identical results."""
    cases, lawyers, pinned = data
    first = solve(PLAN, cases, lawyers, pinned=pinned)
    again = solve(PLAN, cases, lawyers, pinned=pinned)
    pd.testing.assert_frame_equal(first.assignments, again.assignments)
    order_c = list(range(len(cases)))
    order_l = list(range(len(lawyers)))
    random.shuffle(order_c)
    random.shuffle(order_l)
    shuffled = solve(PLAN, cases.iloc[order_c], lawyers.iloc[order_l], pinned=pinned)
    key = ["case_id", "lawyer_id", "reason", "km"]
    pd.testing.assert_frame_equal(first.assignments[key].sort_values("case_id").reset_index(drop=True),
                                  shuffled.assignments[key].sort_values("case_id").reset_index(drop=True))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_diagnosed_capacity_places_every_case(data):
    """Adding the diagnosed extra handlers (region, kind, count) lets a re-solve place every case,
    and the diagnosed number of extra slots equals the cases left unassigned (the least possible)."""
    cases, lawyers, pinned = data
    result = solve(PLAN, cases, lawyers, pinned=pinned)
    if not len(result.unassigned):
        assert result.diagnosis.empty
        return
    extra = []
    for row in result.diagnosis.itertuples(index=False):
        for k in range(row.min_new_lawyers):
            extra.append({"lawyer_id": f"NEW-{row.region}-{row.kind}-{k}", "region": row.region, "kind": row.kind,
                          "firm": "", "handled_this_year": 0, "available": True})
    again = solve(PLAN, cases, pd.concat([lawyers, pd.DataFrame(extra)], ignore_index=True), pinned=pinned)
    assert again.unassigned.empty
    assert result.diagnosis["slots"].sum() == len(result.unassigned)
