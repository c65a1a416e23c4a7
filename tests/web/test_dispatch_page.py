"""派案: the table, per-case overrides, re-runs that keep them, 回避, downloads, diagnosis."""

from __future__ import annotations

import io

import numpy as np
import openpyxl
import pytest

from legalaid.web.overrides import candidates
from scenarios.vocab import may_defend
from tests.web.conftest import login, workspace


@pytest.fixture
def dispatched(client):
    client.post("/data/example", data={"plan": "anqing-2023", "month": "6"})
    r = client.post("/dispatch/run", follow_redirects=True)
    assert r.status_code == 200
    return client


def test_every_case_once_with_lawyer_km_cross_and_reason(dispatched):
    ws = workspace(dispatched)
    html = dispatched.get("/dispatch?only=&page=1").data.decode()
    assert "已求得最优解" in html and "下载 派案结果.xlsx" in html
    cases = set(ws.inputs.cases["case_id"])
    shown = list(ws.result.assignments["case_id"]) + list(ws.result.unassigned["case_id"])
    assert sorted(shown) == sorted(cases)
    frame = ws.cache["cases"]
    assert len(frame) == len(cases) and frame["指派理由"].str.len().min() > 0
    page = dispatched.get("/dispatch?region=wangjiang&kind=criminal").data.decode()
    wangjiang = ws.result.assignments.query("region == 'wangjiang' and kind == 'criminal'")
    assert f"共 {len(wangjiang)} 件" in page


def test_candidates_are_only_lawyers_the_rules_allow(dispatched):
    ws = workspace(dispatched)
    result = ws.result
    loads = result.loads.set_index("lawyer_id")
    a = result.assignments
    criminal = a[a["kind"] == "criminal"].iloc[0]
    found = candidates(result, criminal["case_id"])
    ids = found.table["lawyer_id"]
    assert criminal["lawyer_id"] not in set(ids)
    assert loads.loc[ids, "available"].all()
    assert (loads.loc[ids, "headroom"] > 0).all()
    assert np.asarray(may_defend(loads.loc[ids, "kind"].to_numpy(), True)).all()
    allowed = (loads["available"] & (loads["headroom"] > 0)
               & np.asarray(may_defend(loads["kind"].to_numpy(), True)))
    assert len(ids) == int(allowed.sum()) - 1   # every allowed lawyer but the current one
    # grassroots workers may take a civil case
    civil = a[a["kind"] == "civil"].iloc[0]
    kinds = set(candidates(result, civil["case_id"]).table["kind"])
    assert "grassroots" in kinds and "grassroots" not in set(found.table["kind"])
    # sorted in the dispatch's order: the first is not farther than the last
    assert found.table["km"].iloc[0] <= found.table["km"].iloc[-1]


def test_change_and_exclude_are_kept_by_rerun(dispatched):
    ws = workspace(dispatched)
    a = ws.result.assignments
    first, second = a.iloc[0], a.iloc[5]
    assert first["case_id"] != second["case_id"]
    options = candidates(ws.result, first["case_id"]).table
    target = options.iloc[len(options) // 2]["lawyer_id"]
    r = dispatched.post(f"/dispatch/case/{first['case_id']}/change", data={"lawyer": target, "reason": "受援人要求"},
                        follow_redirects=True)
    assert "已改派" in r.data.decode()
    forbidden = second["lawyer_id"]
    r = dispatched.post(f"/dispatch/case/{second['case_id']}/exclude",
                        data={"lawyer": forbidden, "reason": "曾为对方当事人代理"}, follow_redirects=True)
    assert "已登记回避" in r.data.decode()
    dispatched.post("/dispatch/run")
    lawyer = dict(zip(ws.result.assignments["case_id"], ws.result.assignments["lawyer_id"], strict=True))
    assert lawyer[first["case_id"]] == target
    assert lawyer[second["case_id"]] != forbidden
    assert ws.result.assignments.set_index("case_id").loc[first["case_id"], "pinned"]
    assert sorted(lawyer) + sorted(ws.result.unassigned["case_id"]) == sorted(ws.inputs.cases["case_id"])
    page = dispatched.get("/dispatch?only=adjusted").data.decode()
    assert f"改派至{target}" in page and f"回避{forbidden}" in page
    assert "调度员改派（张三，理由：受援人要求）" in page and "因回避改派" in page
    # the workbook says the same and opens
    book = openpyxl.load_workbook(io.BytesIO(dispatched.get("/dispatch/派案结果.xlsx").data), read_only=True)
    rows = list(book["派案结果"].iter_rows(values_only=True))
    header = rows[0]
    by_case = {r[header.index("案件编号")]: r[header.index("律师编号")] for r in rows[1:]}
    assert by_case[first["case_id"]] == target and by_case[second["case_id"]] != forbidden
    adjusted = list(book["人工调整"].iter_rows(values_only=True))
    assert any(r[0] == second["case_id"] and r[1] == "回避" and r[2] == forbidden for r in adjusted)


def test_change_refuses_a_lawyer_the_rules_do_not_allow(dispatched):
    ws = workspace(dispatched)
    a, loads = ws.result.assignments, ws.result.loads
    criminal = a[a["kind"] == "criminal"].iloc[0]
    grassroots = loads[loads["kind"] == "grassroots"].iloc[0]["lawyer_id"]
    r = dispatched.post(f"/dispatch/case/{criminal['case_id']}/change", data={"lawyer": grassroots, "reason": "x"},
                        follow_redirects=True)
    assert "不在本案可指派名单中" in r.data.decode()
    assert criminal["case_id"] not in ws.decisions


def test_overrides_need_a_name_and_a_reason(app):
    client = app.test_client()
    client.post("/data/example", data={"plan": "anqing-2023", "month": "6"})
    r = client.post("/dispatch/run", follow_redirects=True)
    assert "请先在页面右上角填写您的姓名" in r.data.decode()
    login(client)
    client.post("/dispatch/run")
    ws = workspace(client)
    case = ws.result.assignments.iloc[0]
    r = client.post(f"/dispatch/case/{case['case_id']}/exclude", data={"lawyer": case["lawyer_id"], "reason": ""},
                    follow_redirects=True)
    assert "回避须填写理由" in r.data.decode() and not ws.exclusions


def test_accept_pins_the_current_lawyer(dispatched):
    ws = workspace(dispatched)
    case = ws.result.assignments.iloc[3]
    dispatched.post(f"/dispatch/case/{case['case_id']}/accept", data={})
    dispatched.post("/dispatch/run")
    row = ws.result.assignments.set_index("case_id").loc[case["case_id"]]
    assert row["lawyer_id"] == case["lawyer_id"] and row["pinned"]


def test_diagnosis_when_cases_cannot_be_placed(client):
    ws = workspace(client)
    client.post("/data/example", data={"plan": "anqing-2023", "month": "6"})
    lawyers = ws.inputs.lawyers
    lawyers.loc[lawyers["region"] != "susong", "available"] = False   # only 宿松 lawyers left
    lawyers.loc[lawyers["region"] == "susong", "handled_this_year"] = 85
    r = client.post("/dispatch/run", follow_redirects=True)
    html = r.data.decode()
    assert "诊断" in html and "件案件无法指派" in html and "至少需新增或调入" in html
    only = client.get("/dispatch?only=unassigned").data.decode()
    assert f"共 {len(ws.result.unassigned)} 件" in only and "未能指派" in only


def test_notices_name_every_assigned_case_once(dispatched):
    ws = workspace(dispatched)
    html = dispatched.get("/dispatch/指派通知书.html").data.decode()
    assert "法律援助指派通知书" in html and "办理法律援助案件程序规定" in html
    for case in ws.result.assignments["case_id"].head(50):
        assert html.count(f"<td>{case}</td>") == 1


def test_an_exclusion_with_no_allowed_lawyer_is_reported(dispatched, monkeypatch):
    from legalaid.web import overrides

    ws = workspace(dispatched)
    case = ws.result.assignments.iloc[0]
    dispatched.post(f"/dispatch/case/{case['case_id']}/exclude", data={"lawyer": case["lawyer_id"], "reason": "冲突"})
    real = overrides.candidates

    def none_left(result, case_id, excluded=None):
        found = real(result, case_id, excluded)
        found.table = found.table.iloc[0:0]
        return found

    monkeypatch.setattr(overrides, "candidates", none_left)
    dispatched.post("/dispatch/run")
    assert ws.unresolved == [case["case_id"]]
    page = dispatched.get("/dispatch?only=adjusted").data.decode()
    assert "无可改派律师，回避未能落实" in page
