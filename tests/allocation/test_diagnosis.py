"""Batches the rules cannot fully serve get a correct diagnosis, never an error."""

import math

import pandas as pd

from scenarios.plans import load_plan
from tests.allocation.words import solve

PLAN = load_plan("anqing-2023")
CAP = int(PLAN.rule_value("lawyer_yearly_cap"))


def _full_elsewhere() -> pd.DataFrame:
    """One lawyer of each kind in every other region, all at the yearly cap (no room elsewhere)."""
    rows = []
    for region in PLAN.region_ids:
        if region == "susong":
            continue
        for kind in ("social", "staff", "grassroots"):
            rows.append({"lawyer_id": f"{region}-{kind}", "region": region, "kind": kind, "firm": "",
                         "handled_this_year": CAP, "available": True})
    return pd.DataFrame(rows)


def test_twelve_defendants_eight_defenders_no_room_elsewhere():
    """The issue's example: a 12-defendant group in 宿松县 with 8 free criminal defenders (plenty of
    headroom each) and no room elsewhere. 8 defendants get 8 distinct defenders, 4 stay unassigned
    blocked by the distinct-defender rule, and the diagnosis asks for 4 more defender slots in 宿松县
    held by 4 different lawyers — status optimal, no exception."""
    cases = pd.DataFrame({"case_id": [f"G-{i:02d}" for i in range(12)], "region": "宿松县", "kind": "criminal",
                          "instance": "first", "litigation": True, "group_id": "团伙1"})
    local = pd.DataFrame({"lawyer_id": [f"S{i}" for i in range(8)], "region": "susong",
                          "kind": ["social"] * 6 + ["staff"] * 2, "firm": [f"所{i % 3}" for i in range(8)],
                          "handled_this_year": 10, "available": True})
    grassroots = pd.DataFrame({"lawyer_id": ["B1"], "region": "susong", "kind": "grassroots", "firm": "",
                               "handled_this_year": 0, "available": True})
    result = solve(PLAN, cases, pd.concat([local, grassroots, _full_elsewhere()], ignore_index=True))
    assert result.status == "optimal"
    a, u = result.assignments, result.unassigned
    assert len(a) == 8 and a["lawyer_id"].is_unique and set(a["lawyer_id"]) == set(local["lawyer_id"])
    assert not a["cross_region"].any()
    assert len(u) == 4 and set(u["rule"]) == {"同案被告人须由不同律师辩护"}
    assert u["reason"].str.contains("8名").all()
    d = result.diagnosis
    assert d["region"].tolist() == ["susong"] and d["kind"].isin(["social", "staff"]).all()
    assert d["slots"].sum() == 4 and d["codefendant_slots"].sum() == 4 and d["min_new_lawyers"].sum() == 4
    assert result.summary["diagnosis"]["binding_rules"] == {"同案被告人须由不同律师辩护": 4}
    sheet = next(s for s in result.sheets() if s.name == "诊断").frame
    assert sheet["说明"].str.contains("宿松县").any() and sheet["说明"].str.contains("不同律师").any()
    assert result.summary["same_firm"]["codefendants_in_same_firm"] == 8 - 3  # 8 defenders over 3 firms


def test_cap_blocks_when_defenders_are_full():
    """When local defenders are at the cap and nobody has room, the yearly cap is the binding rule,
    the grassroots worker with room is named as unable to defend, and the diagnosis asks for
    defender slots where the cases are administered."""
    cases = pd.DataFrame({"case_id": ["K1", "K2", "M1"], "region": "susong", "kind": ["criminal", "criminal", "civil"],
                          "instance": "first", "litigation": True, "group_id": ""})
    lawyers = pd.concat([_full_elsewhere(), pd.DataFrame({
        "lawyer_id": ["S1", "B1"], "region": "susong", "kind": ["social", "grassroots"], "firm": "",
        "handled_this_year": [CAP, CAP - 5], "available": True})], ignore_index=True)
    result = solve(PLAN, cases, lawyers)
    assert set(result.assignments["case_id"]) == {"M1"}
    u = result.unassigned
    assert set(u["case_id"]) == {"K1", "K2"} and set(u["rule"]) == {"年度承办上限"}
    assert u["reason"].str.contains("基层法律服务工作者尚有余量").all()
    assert u["citation"].eq(PLAN.rule("lawyer_yearly_cap").citation).all()
    d = result.diagnosis
    assert d["region"].tolist() == ["susong"] and d["kind"].iat[0] in ("social", "staff") and d["slots"].sum() == 2


def _share_case(social_handled: int, staff_handled: int):
    """20 civil cases in 太湖县; a social lawyer with room for 5, a staff lawyer with room for all;
    unavailable handlers carry the rest of the year's social / staff counts."""
    cases = pd.DataFrame({"case_id": [f"M{i:02d}" for i in range(20)], "region": "taihu", "kind": "civil",
                          "instance": "first", "litigation": True, "group_id": ""})
    lawyers = pd.DataFrame({
        "lawyer_id": ["SOC", "STA", "H-SOC", "H-STA"], "region": "taihu", "kind": ["social", "staff"] * 2, "firm": "",
        "handled_this_year": [CAP - 5, 0, social_handled - (CAP - 5), staff_handled],
        "available": [True, True, False, False]})
    return cases, lawyers


def test_social_share_shortfall_and_capacity_to_close():
    """Year so far 140 social of 180; 20 civil cases; social lawyers have room for 5. The share of
    200 cases needs 150 social: 145 reached, shortfall 5, closed by 5 more social-lawyer slots in
    太湖县; adding such a lawyer and re-solving closes it."""
    cases, lawyers = _share_case(140, 40)
    result = solve(PLAN, cases, lawyers)
    share = result.summary["social_share"]
    assert share["required_social_cases"] == math.ceil(PLAN.rule_value("social_lawyer_share_min") * 200) == 150
    assert result.summary["all_assigned"] and share["shortfall_cases"] == 5
    close = share["capacity_to_close"]
    assert close["extra_social_slots"] == 5 and close["remaining_shortfall"] == 0
    assert close["by_region"] == [{"region": "taihu", "slots": 5}]
    more = pd.concat([lawyers, pd.DataFrame([{"lawyer_id": "NEW", "region": "taihu", "kind": "social", "firm": "",
                                              "handled_this_year": 0, "available": True}])], ignore_index=True)
    assert solve(PLAN, cases, more).summary["social_share"]["shortfall_cases"] == 0


def test_social_share_that_this_batch_cannot_close():
    """Year so far 100 social of 160: even all 20 new cases on social lawyers give 120 < 135. Shortfall
    30 (5 social slots exist); 15 more social slots would still leave 15 — reported, not hidden."""
    cases, lawyers = _share_case(100, 60)
    share = solve(PLAN, cases, lawyers).summary["social_share"]
    assert share["shortfall_cases"] == 30
    assert share["capacity_to_close"]["extra_social_slots"] == 15
    assert share["capacity_to_close"]["remaining_shortfall"] == 15


def test_wangjiang_stays_local_and_the_share_shortfall_is_reported():
    """The issue's 望江 example: 10 local civil cases, a local staff lawyer idle, social lawyers with
    room only in 宿松 (54 km) and 望江's social lawyers near the cap. The share (§6(2), per county)
    ranks below locality: every case stays in 望江, none is sent away "for the share", and the
    shortfall is reported per county with the social capacity in 望江 that would close it."""
    cases = pd.DataFrame({"case_id": [f"W{i}" for i in range(10)], "region": "望江县", "kind": "civil",
                          "instance": "first", "litigation": True, "group_id": ""})
    lawyers = pd.DataFrame({
        "lawyer_id": ["WJ-SOC", "WJ-STA", "SS-SOC", "SS-SOC2"], "region": ["wangjiang", "wangjiang", "susong", "susong"],
        "kind": ["social", "staff", "social", "social"], "firm": ["望所", "", "宿所", "宿所"],
        "handled_this_year": [CAP - 1, 40, 0, 0], "available": True})
    result = solve(PLAN, cases, lawyers)
    a = result.assignments
    assert result.status == "optimal" and result.all_assigned
    assert not a["cross_region"].any() and set(a["lawyer_region"]) == {"wangjiang"}
    assert not a["reason"].str.contains("占比").any()
    assert result.levels["cross_region"] == 0 and result.levels["distance"] == 0
    by = result.social.by_region.set_index("region")
    # 望江: 89 + 40 handled + 10 new = 139 cases, 90 social, 105 required: short by 15; the 9 new
    # cases with the staff lawyer could go to 9 more local social slots, 6 remain; 宿松 has no cases
    required = math.ceil(PLAN.rule_value("social_lawyer_share_min") * 139)
    assert by.loc["wangjiang", ["year_cases", "year_social_cases", "required"]].tolist() == [139, CAP, required]
    assert by.loc["wangjiang", "shortfall"] == required - CAP == 15
    assert by.loc["wangjiang", ["close_slots", "close_remaining"]].tolist() == [9, 6]
    assert "susong" not in by.index and result.social.shortfall == 15
    assert result.social.close_by_region.to_dict("records") == [{"region": "wangjiang", "slots": 9}]
