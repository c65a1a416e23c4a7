"""Bundled plans carry the source plans' exact targets, cited rules and region names."""

import datetime as dt

import pytest

from scenarios.errors import PlanError
from scenarios.plans import list_plans, load_plan


def test_anqing_targets_match_the_plan_annex():
    """Anqing 2023 附件: 11 targets, 市区 1108 + 县级 4718 = 5826."""
    plan = load_plan("anqing-2023")
    assert len(plan.regions) == 11
    assert sum(plan.targets.values()) == 5826
    subtotals = {s.name: sum(plan.targets[r] for r in s.regions) for s in plan.subtotals}
    assert subtotals == {"市区小计": 1108, "县级小计": 4718}
    assert plan.region("susong").target == 860
    assert plan.city_centre.name == "安庆市本级"


def test_luan_targets_match_the_plan_section_2_1():
    """Lu'an 2025 §2(1): eight targets summing to 6064; no population invented."""
    plan = load_plan("luan-2025")
    assert plan.targets == {"luan-city": 410, "huoqiu": 1300, "jinzhai": 780, "huoshan": 430, "shucheng": 980,
                            "jinan": 900, "yuan": 1004, "yeji": 260}
    assert sum(plan.targets.values()) == 6064
    assert all(r.population is None for r in plan.regions)


def test_rules_are_dated_and_cited():
    """Anqing states its own rules; Lu'an inherits the 90 cap from the Anhui defaults and says so."""
    anqing, luan = load_plan("anqing-2023"), load_plan("luan-2025")
    cap = anqing.rule("lawyer_yearly_cap")
    assert (cap.value, cap.reference, cap.inherited) == (90, "安庆2023方案六（二）", False)
    assert anqing.rule_value("local_matching_per_case_min") == 600
    inherited = luan.rule("lawyer_yearly_cap")
    assert inherited.value == 90 and inherited.inherited and "沿用" in inherited.citation
    assert luan.rule_value("business_funding_per_case_min") == 700
    assert luan.rule("local_matching_per_case_min") is None
    assert anqing.rule("lawyer_yearly_cap", on=dt.date(2022, 6, 30)) is None
    with pytest.raises(PlanError):
        anqing.rule_value("business_funding_per_case_min")


def test_region_names_resolve_with_delegations_and_suggestions():
    """Ids, full and short names resolve; §6(5) townships map to their districts; typos get a suggestion."""
    plan = load_plan("anqing-2023")
    assert plan.resolve_region("宿松") == plan.resolve_region("宿松县") == plan.resolve_region("susong") == "susong"
    assert plan.resolve_region("经开区菱北办事处") == "yixiu"
    assert plan.resolve_region("老峰镇") == "yingjiang"
    assert plan.resolve_region("山口乡") == "daguan"
    assert plan.resolve_region("合肥") is None
    assert "宿松县" in plan.suggest_region("宿宋县")


def test_user_plan_directory_and_validation(tmp_path, monkeypatch):
    """A user plan in $LEGALAID_PLANS is listed and loaded; a broken one reports all problems."""
    good = tmp_path / "demo-2026.toml"
    good.write_text(
        'id = "demo-2026"\ncity = "示例市"\nyear = 2026\ntitle = "示例"\nissued = 2026-01-01\n'
        'target_total = 30\ninherits = "anhui"\n'
        '[[regions]]\nid = "c"\nname = "示例市本级"\nlevel = "city"\ntarget = 10\nlat = 31\nlon = 117\n'
        '[[regions]]\nid = "a"\nname = "甲县"\nshort=["甲"]\nlevel = "county"\ntarget = 20\nlat = 31.5\nlon = 117.2\n',
        encoding="utf-8")
    monkeypatch.setenv("LEGALAID_PLANS", str(tmp_path))
    assert ("demo-2026", str(good)) in list_plans()
    plan = load_plan("demo-2026")
    assert plan.rule_value("lawyer_yearly_cap") == 90 and plan.rule("lawyer_yearly_cap").inherited
    bad = tmp_path / "bad.toml"
    bad.write_text('id = "bad"\ncity = "坏"\nyear = 2026\ntitle = "x"\nissued = 2026-01-01\ntarget_total = 5\n'
                   '[[regions]]\nid = "c"\nname = "市本级"\nlevel = "town"\ntarget = -1\nlat = 1\nlon = 1\n',
                   encoding="utf-8")
    with pytest.raises(PlanError) as err:
        load_plan(str(bad))
    message = str(err.value)
    assert "level" in message and "target" in message and "target_total" in message
