"""Each hard rule and objective level on a small hand-made case, and the input checks."""

import datetime as dt
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from scenarios.errors import InputError
from scenarios.plans import load_plan
from tests.allocation.words import solve

PLAN = load_plan("anqing-2023")
CAP = int(PLAN.rule_value("lawyer_yearly_cap"))


def cases_frame(rows):
    """Cases from (id, region, kind, instance, group) tuples."""
    return pd.DataFrame([{"case_id": c, "region": r, "kind": k, "instance": i, "litigation": True, "group_id": g}
                         for c, r, k, i, g in rows])


def lawyers_frame(rows):
    """Lawyers from (id, region, kind, firm, handled, available) tuples."""
    return pd.DataFrame([{"lawyer_id": lw, "region": r, "kind": k, "firm": f, "handled_this_year": h, "available": a}
                         for lw, r, k, f, h, a in rows])


def test_cap_and_rules_are_read_from_the_plan(tmp_path: Path):
    """A plan file with a cap of 3 (and a later-dated cap of 2) is obeyed: no literal 90 anywhere;
    the value in force on the given date applies."""
    text = resources.files("scenarios").joinpath("data", "plans", "anqing-2023.toml").read_text(encoding="utf-8")
    text = text.replace('values = [{ since = 2023-01-01, value = 90, reference = "安庆2023方案六（二）" }]',
                        'values = [{ since = 2023-01-01, value = 3, reference = "测试" }, '
                        '{ since = 2023-07-01, value = 2, reference = "测试" }]')
    path = tmp_path / "small-cap.toml"
    path.write_text(text, encoding="utf-8")
    plan = load_plan(path)
    cases = cases_frame([(f"C{i}", "susong", "civil", "first", "") for i in range(5)])
    lawyers = lawyers_frame([("L1", "susong", "social", "", 0, True)])
    early = solve(plan, cases, lawyers, on=dt.date(2023, 3, 1))
    late = solve(plan, cases, lawyers, on=dt.date(2023, 12, 31))
    assert len(early.assignments) == 3 and len(late.assignments) == 2
    assert late.loads["cap"].iat[0] == 2 and set(late.unassigned["rule"]) == {"年度承办上限"}


def test_second_instance_goes_to_the_city_centre():
    """Tiered jurisdiction (§3(3)2): a second-instance case of a listed category (法院通知辩护) from 宿松县
    is administered by the city centre, so a city-centre lawyer is local (0 km) and the reason names
    the rule; a second-instance case of no listed category and a first-instance case stay local."""
    cases = cases_frame([("A", "susong", "civil", "second", ""), ("B", "susong", "civil", "first", ""),
                         ("C", "susong", "civil", "second", "")]).assign(category=["court_notified", "", "other"])
    lawyers = lawyers_frame([("CITY", "anqing-city", "social", "", 0, True), ("SU", "susong", "social", "", 0, True)])
    a = solve(PLAN, cases, lawyers).assignments.set_index("case_id")
    assert a.loc["A", "centre"] == "anqing-city" and a.loc["A", "lawyer_id"] == "CITY" and a.loc["A", "km"] == 0
    assert a.loc["A", "reason"].startswith("二审案件由市法律援助中心指派")
    assert a.loc["B", "lawyer_id"] == "SU" and a.loc["B", "reason"] == "本地律师"
    assert a.loc["C", "centre"] == "susong" and a.loc["C", "lawyer_id"] == "SU" and a.loc["C", "reason"] == "本地律师"


def test_delegated_township_is_administered_by_its_district():
    """安庆2023 §6(5): a case registered at 菱北办事处 is administered by 宜秀区."""
    cases = cases_frame([("A", "菱北办事处", "civil", "first", "")])
    lawyers = lawyers_frame([("YX", "yixiu", "staff", "", 0, True), ("YJ", "yingjiang", "staff", "", 0, True)])
    a = solve(PLAN, cases, lawyers).assignments
    assert a["centre"].iat[0] == "yixiu" and a["lawyer_id"].iat[0] == "YX"


def test_grassroots_never_defend_and_unavailable_take_nothing():
    """A criminal case skips the local grassroots worker and the unavailable local lawyer, and goes
    cross-region to the nearest lawyer; a civil case may go to the grassroots worker."""
    cases = cases_frame([("K", "susong", "criminal", "first", ""), ("M", "susong", "civil", "first", "")])
    lawyers = lawyers_frame([("G", "susong", "grassroots", "", 0, True), ("OFF", "susong", "social", "", 0, False),
                             ("TH", "taihu", "staff", "", 0, True), ("YX", "yixiu", "staff", "", 0, True)])
    a = solve(PLAN, cases, lawyers).assignments.set_index("case_id")
    assert a.loc["K", "lawyer_id"] == "TH" and a.loc["K", "cross_region"]
    assert a.loc["K", "reason"] == "本地没有可担任刑事辩护人的律师，跨区调配至太湖县"
    assert a.loc["M", "lawyer_id"] == "G"


def test_pinned_are_kept_and_count_against_the_cap():
    """A lawyer one case below the cap with one pinned case takes no new case; the pinned pair stays
    even though it breaks a rule (grassroots defending), and a finding reports it."""
    cases = cases_frame([("P", "susong", "civil", "first", ""), ("Q", "susong", "criminal", "first", ""),
                         ("N", "susong", "civil", "first", "")])
    lawyers = lawyers_frame([("L1", "susong", "social", "", CAP - 1, True), ("G", "susong", "grassroots", "", 0, True),
                             ("L2", "taihu", "social", "", 0, True)])
    pinned = pd.DataFrame({"case_id": ["P", "Q"], "lawyer_id": ["L1", "G"]})
    result = solve(PLAN, cases, lawyers, pinned=pinned)
    a = result.assignments.set_index("case_id")
    assert a.loc["P", "lawyer_id"] == "L1" and a.loc["Q", "lawyer_id"] == "G" and a.loc["P", "pinned"]
    assert a.loc["N", "lawyer_id"] == "G"  # L1 is full with the pinned case; G is local with room
    loads = result.loads.set_index("lawyer_id")
    assert loads.loc["L1", "after"] == CAP and loads.loc["L1", "new"] == 0 and loads.loc["L1", "pinned"] == 1
    assert any("基层法律服务工作者" in f and "Q" in f for f in result.findings)


def test_over_cap_lawyers_take_nothing_and_are_reported():
    """A lawyer already above the cap gets nothing, is flagged (negative headroom) and reported."""
    cases = cases_frame([("A", "susong", "civil", "first", "")])
    lawyers = lawyers_frame([("OVER", "susong", "social", "", CAP + 3, True), ("OK", "susong", "staff", "", 5, True)])
    result = solve(PLAN, cases, lawyers)
    assert result.assignments["lawyer_id"].tolist() == ["OK"]
    assert result.loads.set_index("lawyer_id").loc["OVER", "headroom"] == -3
    assert any("OVER" in f and "超过年度上限" in f for f in result.findings)
    sheet = next(s for s in result.sheets() if s.name == "律师负荷")
    assert sheet.flag.sum() == 1


def test_codefendants_distinct_and_firms_spread():
    """A group of 3 in a county with 2 lawyers of firm 甲 and 2 of firm 乙 (equal loads): distinct
    defenders, and at most 2 of them in one firm (the same-firm level spreads them)."""
    cases = cases_frame([(f"G{i}", "susong", "criminal", "first", "团") for i in range(3)])
    lawyers = lawyers_frame([("A1", "susong", "social", "甲", 0, True), ("A2", "susong", "social", "甲", 0, True),
                             ("B1", "susong", "social", "乙", 0, True), ("B2", "susong", "social", "乙", 0, True)])
    result = solve(PLAN, cases, lawyers)
    a = result.assignments
    assert a["lawyer_id"].is_unique and a["firm"].value_counts().max() == 2
    assert next(o for o in result.summary["objective"] if o["key"] == "same_firm")["value"] == 1
    assert a["reason"].str.contains("同案被告人须由不同律师辩护（本案3名被告人）").all()


def test_group_id_on_civil_cases_is_ignored():
    """The distinct-defender rule is for criminal co-defendants: civil cases sharing a group id may
    share a lawyer, and a finding says the id was ignored."""
    cases = cases_frame([("M1", "susong", "civil", "first", "X"), ("M2", "susong", "civil", "first", "X")])
    lawyers = lawyers_frame([("L1", "susong", "social", "", 0, True)])
    result = solve(PLAN, cases, lawyers)
    assert len(result.assignments) == 2 and any("同案编号" in f for f in result.findings)


def test_nearest_region_with_room_and_balance():
    """Local lawyers full: the case goes to the nearer of two regions with room (distance level);
    among local lawyers loads are levelled: 12 cases on loads 10 and 20 end at 21 and 21."""
    far = cases_frame([("F", "susong", "civil", "first", "")])
    lawyers = lawyers_frame([("SU", "susong", "social", "", CAP, True), ("TH", "taihu", "social", "", 0, True),
                             ("TC", "tongcheng", "social", "", 0, True)])
    assert PLAN.distance_km("susong", "taihu") < PLAN.distance_km("susong", "tongcheng")
    assert solve(PLAN, far, lawyers).assignments["lawyer_id"].tolist() == ["TH"]
    cases = cases_frame([(f"C{i:02d}", "susong", "civil", "first", "") for i in range(12)])
    lawyers = lawyers_frame([("A", "susong", "social", "", 10, True), ("B", "susong", "social", "", 20, True)])
    loads = solve(PLAN, cases, lawyers).loads.set_index("lawyer_id")["after"]
    assert loads.to_dict() == {"A": 21, "B": 21}


def test_first_come_first_served_when_cases_are_left():
    """When only some cases of one class can be placed, the earliest received are placed."""
    cases = cases_frame([(f"C{i}", "susong", "civil", "first", "") for i in range(3)])
    cases["received"] = pd.to_datetime(["2023-05-03", "2023-05-01", "2023-05-02"])
    lawyers = lawyers_frame([("L", "susong", "social", "", CAP - 2, True)])
    result = solve(PLAN, cases, lawyers)
    assert sorted(result.assignments["case_id"]) == ["C1", "C2"] and result.unassigned["case_id"].tolist() == ["C0"]


def test_input_problems_are_reported_together():
    """Duplicate case ids, an unknown region (with a suggestion), a bad kind, a negative load and an
    unknown pinned case are InputErrors naming table, row, column and value — never a traceback."""
    cases = cases_frame([("A", "宿松", "civil", "first", ""), ("A", "宿松线", "民事", "first", ""),
                         ("B", "susong", "盗窃", "first", "")])
    lawyers = lawyers_frame([("L", "susong", "social", "", -1, True)])
    with pytest.raises(InputError) as err:
        solve(PLAN, cases, lawyers)
    text = str(err.value)
    assert "案件表，第3行，列“案件编号”：值“A”" in text and "宿松县" in text and "盗窃" in text
    assert "律师表，第2行，列“本年已办案件”：值“-1”" in text
    good = cases_frame([("A", "susong", "civil", "first", "")])
    with pytest.raises(InputError) as err:
        solve(PLAN, good, lawyers_frame([("L", "susong", "social", "", 0, True)]),
              pinned=pd.DataFrame({"case_id": ["ZZ"], "lawyer_id": ["L"]}))
    assert "已指派表，第2行，列“案件编号”：值“ZZ”" in str(err.value)


def test_nobody_to_assign_is_named_as_such():
    """With no available handler at all, unassigned cases say so (not the cap), and the diagnosis
    asks for handlers where the cases are administered."""
    cases = cases_frame([("A", "susong", "civil", "first", ""), ("K", "susong", "criminal", "first", "")])
    lawyers = lawyers_frame([("OFF", "susong", "social", "", 0, False)])
    result = solve(PLAN, cases, lawyers)
    assert set(result.unassigned["rule"]) == {"无可指派人员"}
    assert result.diagnosis["region"].tolist() == ["susong"] and result.diagnosis["slots"].sum() == 2


def test_seed_only_reorders_interchangeable_lawyers():
    """A different seed may swap which of several identical lawyers takes which case, never the
    objective values; the same seed gives the same assignment."""
    cases = cases_frame([(f"C{i}", "susong", "civil", "first", "") for i in range(3)])
    lawyers = lawyers_frame([(f"L{i}", "susong", "social", "", 5, True) for i in range(6)])
    runs = {seed: solve(PLAN, cases, lawyers, seed=seed) for seed in (0, 1, 2, 3)}
    objectives = {seed: [o["value"] for o in r.summary["objective"]] for seed, r in runs.items()}
    assert len({tuple(v) for v in objectives.values()}) == 1
    assert runs[0].assignments["lawyer_id"].tolist() == ["L0", "L1", "L2"]
    assert len({tuple(r.assignments["lawyer_id"]) for r in runs.values()}) > 1
    again = solve(PLAN, cases, lawyers, seed=3)
    assert again.assignments["lawyer_id"].tolist() == runs[3].assignments["lawyer_id"].tolist()


def test_delegated_township_is_kept_in_the_output():
    """§6(5) compensation needs the delegated townships' counts: a case registered at 老峰镇 is
    administered by 迎江区 and the output keeps the township (assignments and by_township)."""
    cases = cases_frame([("A", "老峰镇", "civil", "first", ""), ("B", "yingjiang", "civil", "first", "")])
    lawyers = lawyers_frame([("YJ", "yingjiang", "staff", "", 0, True)])
    result = solve(PLAN, cases, lawyers)
    a = result.assignments.set_index("case_id")
    assert a.loc["A", "centre"] == "yingjiang" and a.loc["A", "township"] == "经开区老峰镇" and a.loc["B", "township"] == ""
    assert result.by_township.to_dict("records") == [{"township": "经开区老峰镇", "region": "yingjiang", "assigned": 1,
                                                      "unassigned": 0}]
    assert result.summary["delegated_townships"][0]["township"] == "经开区老峰镇"
