"""National law on who may handle which case (issue 13), each requirement on a hand-made case, and
the engine against the independent per-case MILP on random instances carrying every requirement.

Checks here read the input tables directly (years, flags, ids), not ``allocation.constraints``."""

import numpy as np
import pandas as pd
import pytest

from allocation.data import prepare
from allocation.engine import solve_problem
from scenarios.plans import load_plan
from tests.allocation.reference import brute_force_levels, random_instance, reference_levels
from tests.allocation.words import solve

PLAN = load_plan("anqing-2023")
CAP = int(PLAN.rule_value("lawyer_yearly_cap"))


def _cases(rows, **columns):
    frame = pd.DataFrame([{"case_id": c, "region": r, "kind": k, "instance": "first", "litigation": True, "group_id": g}
                          for c, r, k, g in rows])
    return frame.assign(**columns)


def _lawyers(rows, **columns):
    frame = pd.DataFrame([{"lawyer_id": lw, "region": r, "kind": k, "firm": f, "handled_this_year": h, "available": True}
                          for lw, r, k, f, h in rows])
    return frame.assign(**columns)


def test_death_penalty_case_never_goes_to_a_lawyer_with_less_than_three_years():
    """法律援助法第二十六条: a case that may carry the death penalty and a 死刑复核 case go to lawyers with
    ≥3 years of criminal defence — across the city when the local lawyer has 2 — with a reason; an
    ordinary criminal case stays with the local lawyer; with no senior lawyer anywhere the case stays
    unassigned with the rule named, never handed to a junior."""
    cases = _cases([("D1", "susong", "criminal", ""), ("D2", "susong", "criminal", ""), ("K1", "susong", "criminal", "")],
                   severe=[True, False, False], stage=["trial", "death_review", "trial"])
    lawyers = _lawyers([("JR", "susong", "social", "甲所", 0), ("SR", "taihu", "social", "乙所", 0)],
                       criminal_years=[2, 3])
    result = solve(PLAN, cases, lawyers)
    a = result.assignments.set_index("case_id")
    assert a.loc["D1", "lawyer_id"] == "SR" and a.loc["D2", "lawyer_id"] == "SR" and a.loc["K1", "lawyer_id"] == "JR"
    assert a.loc["D1", "reason"].startswith("本地尚有余量的律师均不具备本案要求的资质")
    assert "三年以上刑事辩护经历" in a.loc["D2", "reason"]
    assert result.status == "optimal"
    alone = solve(PLAN, cases, lawyers[lawyers["lawyer_id"] == "JR"])
    u = alone.unassigned.set_index("case_id")
    assert set(u.index) == {"D1", "D2"} and set(u["rule"]) == {"承办律师资质要求"}
    assert u["citation"].str.contains("法律援助法》第二十六条").all()
    assert set(alone.assignments["case_id"]) == {"K1"}


def test_minor_goes_to_a_lawyer_experienced_with_minors():
    """A minor's criminal case goes to the lawyer experienced with minors even when another has less load."""
    cases = _cases([("M1", "taihu", "criminal", "")], minor=[True])
    lawyers = _lawyers([("A", "taihu", "staff", "", 0), ("B", "taihu", "social", "丙所", 40)], minors=[False, True])
    a = solve(PLAN, cases, lawyers).assignments
    assert a["lawyer_id"].tolist() == ["B"] and "熟悉未成年人身心特点" in a["reason"].iat[0]


def test_recipient_choice_is_kept_or_the_reason_says_why():
    """点援: an allowed choice is honoured even over a nearer, emptier lawyer; a choice of an unavailable
    lawyer, of a junior for a death-penalty case, of a lawyer in conflict, or of one whose last slot an
    older case took, is explained and the case dispatched as any other."""
    cases = _cases([("R1", "susong", "civil", ""), ("R2", "susong", "civil", ""), ("R3", "susong", "criminal", ""),
                    ("R4", "susong", "civil", ""), ("R5", "susong", "civil", ""), ("R6", "susong", "civil", "")],
                   requested_lawyer=["FAR", "OFF", "JR", "EX", "LAST", "LAST"], severe=[False, False, True, False, False,
                                                                                          False],
                   excluded_lawyers=["", "", "", "EX", "", ""],
                   decided=pd.to_datetime(["2023-05-02", "2023-05-02", "2023-05-02", "2023-05-02", "2023-05-01",
                                           "2023-05-03"]))
    lawyers = _lawyers([("NEAR", "susong", "staff", "", 0), ("FAR", "taihu", "social", "乙所", 50),
                        ("OFF", "susong", "social", "甲所", 0), ("JR", "susong", "social", "甲所", 0),
                        ("EX", "susong", "social", "丁所", 0), ("LAST", "susong", "social", "戊所", CAP - 1),
                        ("SR", "susong", "staff", "", 0)],
                       criminal_years=[0, 0, 0, 1, 0, 0, 10])
    lawyers.loc[lawyers["lawyer_id"] == "OFF", "available"] = False
    result = solve(PLAN, cases, lawyers)
    a = result.assignments.set_index("case_id")
    assert a.loc["R1", "lawyer_id"] == "FAR" and a.loc["R1", "reason"].startswith("受援人选择的律师（点援）")
    assert a.loc["R5", "lawyer_id"] == "LAST"  # older decision takes the last slot
    expected = {"R2": "该律师不可指派", "R3": "该律师不具备本案要求的资质", "R4": "应当回避", "R6": "已达年度承办上限"}
    for case, phrase in expected.items():
        assert a.loc[case, "lawyer_id"] != cases.set_index("case_id").loc[case, "requested_lawyer"]
        assert "未能指派受援人选择的律师" in a.loc[case, "reason"] and phrase in a.loc[case, "reason"], case
    assert a.loc["R3", "lawyer_id"] == "SR"
    assert result.status == "optimal"


def test_no_conflict_pair_is_ever_assigned():
    """回避: a case never goes to a lawyer named as excluded, to the opposing party's lawyer, or to any
    lawyer of the opposing lawyer's firm or of the opposing firm — even when they are the only local
    ones with room (the case goes elsewhere, with the reason)."""
    cases = _cases([("X1", "yuexi", "civil", ""), ("X2", "yuexi", "civil", ""), ("X3", "yuexi", "civil", "")],
                   excluded_lawyers=["Y1", "", ""], opposing_lawyers=["", "Y2", ""], opposing_firm=["", "", "岳所"])
    lawyers = _lawyers([("Y1", "yuexi", "social", "岳所", 0), ("Y2", "yuexi", "social", "岳所", 0),
                        ("Y3", "yuexi", "social", "西所", 0), ("T1", "taihu", "social", "太所", 0)])
    a = solve(PLAN, cases, lawyers).assignments.set_index("case_id")
    forbidden = {"X1": {"Y1"}, "X2": {"Y1", "Y2"}, "X3": {"Y1", "Y2"}}
    for case, bad in forbidden.items():
        assert a.loc[case, "lawyer_id"] not in bad, case
    assert a.loc["X2", "lawyer_id"] in {"Y3", "T1"} and a.loc["X3", "lawyer_id"] in {"Y3", "T1"}


def test_stage_continuity_keeps_the_earlier_lawyer():
    """A case keeps its earlier-stage lawyer where the rules allow, and is explained otherwise."""
    cases = _cases([("S1", "taihu", "criminal", ""), ("S2", "taihu", "criminal", "")], previous_lawyer=["P", "G"])
    lawyers = _lawyers([("P", "taihu", "social", "甲所", 60), ("Q", "taihu", "staff", "", 0),
                        ("G", "taihu", "grassroots", "", 0)])
    a = solve(PLAN, cases, lawyers).assignments.set_index("case_id")
    assert a.loc["S1", "lawyer_id"] == "P" and a.loc["S1", "reason"].startswith("由前一诉讼阶段的承办律师继续承办")
    assert a.loc["S2", "lawyer_id"] != "G" and "基层法律服务工作者不得担任刑事辩护人" in a.loc["S2", "reason"]


def test_codefendants_pinned_to_one_lawyer_count_one_lawyer():
    """Two co-defendants pinned to one lawyer use one lawyer, not two: the third member stays with the
    free local lawyer (0 km), and the status is infeasible because the pins break the rule."""
    cases = _cases([(f"G{i}", "yingjiang", "criminal", "团") for i in range(3)])
    lawyers = _lawyers([("P", "yingjiang", "social", "", 0), ("F", "yingjiang", "social", "", 0),
                        ("FAR", "yuexi", "social", "", 0)])
    pinned = pd.DataFrame({"case_id": ["G0", "G1"], "lawyer_id": ["P", "P"]})
    result = solve(PLAN, cases, lawyers, pinned=pinned)
    a = result.assignments.set_index("case_id")
    assert a.loc["G2", "lawyer_id"] == "F" and a.loc["G2", "km"] == 0
    assert result.status == "infeasible"


def test_engine_equals_per_case_milp_with_every_legal_requirement():
    """On 25 random instances with severe, death-review and minor cases, exclusions and opposing firms,
    every level equals the independent per-case MILP, and brute force on 15 tiny ones; no case breaks
    a requirement (checked on the input columns)."""
    for seed in range(25):
        rng = np.random.default_rng(9000 + seed)
        frames = random_instance(rng, PLAN, int(rng.integers(3, 12)), int(rng.integers(2, 8)),
                                 regions=int(rng.integers(2, 4)), legal=True)
        problem = prepare(PLAN, frames[0], frames[1], pinned=frames[2])
        solved = solve_problem(problem)
        assert solved.run.values == reference_levels(problem), f"seed {9000 + seed}"
        cases, lawyers = frames[0], frames[1].set_index("lawyer_id")
        assert solved.status == "optimal" or solved.status == "infeasible"
        for i in np.flatnonzero(solved.lawyer >= 0):
            lw = problem.lawyers["lawyer_id"].iat[solved.lawyer[i]]
            if problem.cases["placed_by"].iat[i] == "pinned":
                continue
            c = cases.iloc[i]
            if c["kind"] == "criminal" and (c["severe"] or c["stage"] == "death_review"):
                assert lawyers.loc[lw, "criminal_years"] >= 3
            if c["kind"] == "criminal" and c["minor"]:
                assert lawyers.loc[lw, "minors"]
            assert lw != c["excluded_lawyers"] and not (c["opposing_firm"] and lawyers.loc[lw, "firm"] == c["opposing_firm"])
    for seed in range(15):
        rng = np.random.default_rng(9500 + seed)
        frames = random_instance(rng, PLAN, int(rng.integers(2, 6)), int(rng.integers(2, 5)), regions=3, legal=True)
        problem = prepare(PLAN, frames[0], frames[1], pinned=frames[2])
        assert solve_problem(problem).run.values == brute_force_levels(problem), f"seed {9500 + seed}"


def test_groups_moved_between_pools_of_different_qualifications_are_solved_exactly():
    """Regression (found by the reservation's random instances): the repair moved co-defendants into
    the senior pool of a county whose ordinary cases there all needed seniority, so none could move
    back; the engine now solves the fully detailed model instead of failing, and every level still
    equals the independent per-case MILP."""
    rng = np.random.default_rng(1325)
    frames = random_instance(rng, PLAN, int(rng.integers(5, 40)), int(rng.integers(3, 12)),
                             regions=int(rng.integers(2, 5)), legal=True)
    problem = prepare(PLAN, frames[0], frames[1], pinned=frames[2])
    solved = solve_problem(problem)
    assert solved.rounds > 1
    assert solved.run.values == reference_levels(problem)


def test_oldest_decision_first_when_room_is_short_and_deadline_shown():
    """Three days from the decision (《办理法律援助案件程序规定》): with one slot left the case decided
    first is assigned even though it was received later; the other stays unassigned with its
    deadline (decision + 3 days) shown."""
    cases = _cases([("NEW", "taihu", "civil", ""), ("OLD", "taihu", "civil", "")],
                   received=pd.to_datetime(["2023-06-01", "2023-06-05"]),
                   decided=pd.to_datetime(["2023-06-09", "2023-06-06"]))
    lawyers = _lawyers([("L", "taihu", "staff", "", CAP - 1)])
    result = solve(PLAN, cases, lawyers)
    assert result.assignments["case_id"].tolist() == ["OLD"]
    u = result.unassigned.set_index("case_id")
    assert list(u.index) == ["NEW"] and str(pd.Timestamp(u.loc["NEW", "deadline"]).date()) == "2023-06-12"
    assert result.assignments["deadline"].iat[0] == np.datetime64("2023-06-09")


def test_specialty_is_preferred_among_equal_lawyers_only():
    """专业特长: among lawyers equal on every level, a labour case goes to the one whose specialties
    name 劳动争议; locality and balance still come first (the far specialist gets nothing)."""
    cases = _cases([("A", "taihu", "civil", ""), ("B", "taihu", "civil", "")], specialty=["", "劳动争议"])
    lawyers = _lawyers([("L1", "taihu", "staff", "", 5), ("L2", "taihu", "staff", "", 5),
                        ("FAR", "yuexi", "staff", "", 0)], specialties=["婚姻家事", "劳动争议、工伤", "劳动争议"])
    a = solve(PLAN, cases, lawyers).assignments.set_index("case_id")
    assert a.loc["B", "lawyer_id"] == "L2" and a.loc["A", "lawyer_id"] == "L1"
    swapped = solve(PLAN, cases.assign(specialty=["劳动争议", ""]), lawyers).assignments.set_index("case_id")
    assert swapped.loc["A", "lawyer_id"] == "L2" and swapped.loc["B", "lawyer_id"] == "L1"


@pytest.mark.parametrize("senior", ["L1", "L2"])
@pytest.mark.parametrize("flip", [False, True])
def test_experience_is_preferred_for_criminal_cases_among_equal_lawyers_only(flip, senior):
    """执业经验 (《办理法律援助案件程序规定》): of two local lawyers equal on every level that each take
    one case, the criminal case goes to the one with more 执业年限, whichever comes first and
    whatever the id order; locality and balance still come first (the far lawyer and the busier local
    one, both with 30 years, get nothing)."""
    kinds = ["criminal", "civil"] if flip else ["civil", "criminal"]
    cases = _cases([("A", "taihu", kinds[0], ""), ("B", "taihu", kinds[1], "")])
    years = [12, 1] if senior == "L1" else [1, 12]
    lawyers = _lawyers([("L1", "taihu", "staff", "", 5), ("L2", "taihu", "staff", "", 5),
                        ("BUSY", "taihu", "staff", "", 60), ("FAR", "yuexi", "staff", "", 0)],
                       years=[*years, 30, 30])
    a = solve(PLAN, cases, lawyers).assignments.set_index("case_id")
    criminal = "A" if flip else "B"
    assert a.loc[criminal, "lawyer_id"] == senior
    assert set(a["lawyer_id"]) == {"L1", "L2"}
    plain = solve(PLAN, cases, lawyers.assign(years=0)).assignments
    assert sorted(plain["lawyer_id"]) == ["L1", "L2"]
