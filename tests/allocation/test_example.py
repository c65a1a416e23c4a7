"""The example year for both plans: every case once, no rule broken, optimal, written in Chinese."""

import json

import numpy as np
import pandas as pd
import pytest

from scenarios.example import generate_example
from scenarios.plans import load_plan
from tests.allocation.words import solve


@pytest.fixture(scope="module", params=[("anqing-2023", 0), ("anqing-2023", 6), ("luan-2025", 0), ("luan-2025", 6)],
                ids=lambda p: f"{p[0]}-m{p[1]}")
def dispatched(request):
    """The example data of a plan and month, and its dispatch."""
    plan_id, month = request.param
    plan = load_plan(plan_id)
    data = generate_example(plan, month=month, seed=0)
    return plan, data, solve(plan, data.cases, data.lawyers)


def test_every_case_once_no_rule_broken(dispatched):
    """Status optimal; each case once; new cases within the cap, never criminal to grassroots, never
    to the unavailable, co-defendants on distinct lawyers; loads and region counts add up."""
    plan, data, result = dispatched
    cap = plan.rule_value("lawyer_yearly_cap")
    a, u, loads = result.assignments, result.unassigned, result.loads
    assert result.status == "optimal"
    assert sorted([*a["case_id"], *u["case_id"]]) == sorted(data.cases["case_id"])
    info = data.lawyers.set_index("lawyer_id")
    took = loads[loads["new"] > 0]
    assert (took["after"] <= cap).all() and info.loc[took["lawyer_id"], "available"].all()
    assert not ((a["kind"] == "criminal") & (a["lawyer_kind"] == "grassroots")).any()
    grouped = a[a["group_id"] != ""]
    assert not grouped.duplicated(["group_id", "lawyer_id"]).any()
    assert grouped["reason"].str.contains("同案被告人须由不同律师辩护").all()
    tiered = (a["instance"] == "second") & a["case_id"].isin(
        data.cases.loc[data.cases["category"].isin(plan.tiered_categories), "case_id"])
    assert (a.loc[tiered, "centre"] == plan.city_centre.id).all()
    assert (a.loc[~tiered, "centre"] == a.loc[~tiered, "region"]).all()
    assert tiered.any() == bool(plan.tiered_categories)
    assert result.by_region[["local", "cross_region", "unassigned"]].to_numpy().sum() == len(data.cases)
    assert result.summary["cases"]["cross_region"] == int(a["cross_region"].sum())
    assert (a["reason"] != "").all()


def test_short_counties_send_cases_out_with_reasons(dispatched):
    """The example's counties short of lawyers dispatch cases across the city, each with a reason
    naming the local shortage and the destination."""
    plan, _, result = dispatched
    a = result.assignments
    cross = a[a["cross_region"]]
    assert len(cross) > 0
    assert cross["reason"].str.contains("跨区调配至").all()
    assert cross["reason"].str.contains("额度已满|没有可指派|其他被告人").all()
    names = {r.name for r in plan.regions}
    assert {s.split("跨区调配至")[1].split("；")[0] for s in cross["reason"]} <= names


def test_balance_levels_loads_within_each_pool(dispatched):
    """均衡指派: among eligible lawyers of one region and kind who took cases, no one ends two or more
    cases above another who could still take more (the water-filling property)."""
    plan, data, result = dispatched
    cap = plan.rule_value("lawyer_yearly_cap")
    loads = result.loads.merge(data.lawyers[["lawyer_id"]], on="lawyer_id")
    eligible = loads[loads["available"] & (loads["handled_this_year"] + loads["pinned"] < cap)]
    for _, pool in eligible.groupby(["region", "kind"]):
        takers = pool[pool["new"] > 0]
        if takers.empty:
            continue
        room = pool[pool["after"] < cap]
        if room.empty:
            continue
        assert takers["after"].max() <= room["after"].min() + 1


def test_written_report(dispatched, tmp_path):
    """write() gives CSV (utf-8-sig, Chinese headers), one workbook with the sheets, summary.json."""
    _, _, result = dispatched
    out = result.write(tmp_path / "report")
    raw = (out / "派案结果.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(out / "派案结果.csv", encoding="utf-8-sig")
    assert list(frame.columns)[:3] == ["案件编号", "案件所在地区", "管辖机构"] and len(frame) == len(result.assignments)
    book = pd.ExcelFile(out / "派案结果.xlsx", engine="calamine")
    assert {"派案结果", "未指派案件", "律师负荷", "分地区统计", "社会律师占比"} <= set(book.sheet_names)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "optimal" and [o["key"] for o in summary["objective"]] == [
        "unassigned", "cross_region", "pace", "distance", "social", "same_firm", "balance"]
    assert np.isclose(summary["distance"]["total_km"], result.assignments["km"].sum(), atol=0.1 * len(frame))
