"""通报, 经费, 历史; two sessions at once; the chart font lookup with a fake font list."""

from __future__ import annotations

import io
import threading

import openpyxl
import pytest

from legalaid.web.app import create_app
from tests.web.conftest import login, table_cells, workspace


def _example(client, plan="anqing-2023"):
    client.post("/data/example", data={"plan": plan, "month": "6"})
    return client


def test_brief_page_lights_counties_month_over_month_charts_workbook(client):
    _example(client)
    client.post("/dispatch/run")
    ws = workspace(client)
    case = ws.result.assignments.iloc[0]
    client.post(f"/dispatch/case/{case['case_id']}/accept", data={})
    client.post("/dispatch/run")
    r = client.post("/brief/run", data={"runs": "50"}, follow_redirects=True)
    html = r.data.decode()
    header, rows = table_cells(html, "front")
    assert "信号灯" in header and len(rows) == 12
    assert any("红灯" in row[-1] or "黄灯" in row[-1] or "绿灯" in row[-1] for row in rows)
    assert "需要关注的三个地区" in html and html.count("<li><b>") == 3
    header, rows = table_cells(html, "mom")
    assert "审批环比" in header and "6月审批（件）" in header and len(rows) == 12
    progress = ws.inputs.progress
    june = progress[(progress["region"] == "susong") & (progress["month"] == 6)]["approved"].sum()
    assert any(row[0] == "宿松县" and row[1] == str(june) for row in rows)
    charts = [part.split('"')[0] for part in html.split('src="')[1:] if ".png" in part.split('"')[0]]
    assert len(charts) >= 3
    png = client.get(charts[0])
    assert png.status_code == 200 and png.data[:4] == b"\x89PNG"
    book = openpyxl.load_workbook(io.BytesIO(client.get("/brief/file/月通报.xlsx").data), read_only=True)
    assert book.sheetnames[0] == "总览"
    rows = list(book["派案结果"].iter_rows(values_only=True))
    kept = [r for r in rows[1:] if r[0] == case["case_id"]]
    assert kept and kept[0][rows[0].index("指派方式")] == "保留已有指派"   # the brief shows the adjusted dispatch


def test_brief_needs_progress_and_funds(client):
    html = client.get("/brief").data.decode()
    assert "尚无数据" in html


def test_budget_scenario_changes_verdicts_and_gaps(client):
    _example(client)
    base = client.get("/budget").data.decode()
    assert 'id="summary"' in base and "各地区经费核查" in base
    r = client.post("/budget", data={"local_funds": "-40", "upper_funds": "", "cases": ""})
    header, rows = table_cells(r.data.decode(), "compare")
    base_fail, new_fail = header.index("基准：不达标项数"), header.index("情景：不达标项数")
    assert sum(int(r[new_fail]) for r in rows) > sum(int(r[base_fail]) for r in rows)
    change = header.index("缺口变化（元）")
    assert any(float(r[change].replace(",", "")) > 0 for r in rows)
    # one county given an amount (元) in place of its funds
    r = client.post("/budget", data={"susong.local_funds_yuan": "5000000"})
    header, rows = table_cells(r.data.decode(), "compare")
    susong = next(r for r in rows if r[0] == "宿松县")
    assert int(susong[header.index("情景：不达标项数")]) <= int(susong[header.index("基准：不达标项数")])
    # a bad value gets the scenario file's own Chinese message
    r = client.post("/budget", data={"upper_funds": "很多"})
    html = r.data.decode()
    assert 'id="budget-errors"' in html and "很多" in html


def test_history_lists_and_exports_every_run_and_override(client):
    _example(client)
    client.post("/dispatch/run")
    ws = workspace(client)
    case = ws.result.assignments.iloc[0]
    client.post(f"/dispatch/case/{case['case_id']}/exclude", data={"lawyer": case["lawyer_id"], "reason": "利害关系"})
    html = client.get("/history").data.decode()
    header, rows = table_cells(html, "history")
    assert header[:5] == ["序号", "时间（UTC）", "操作人", "操作", "计划"]
    assert [r[3] for r in rows] == ["回避", "派案运行", "载入数据"]
    assert rows[0][2] == "张三" and rows[0][5] == case["case_id"] and rows[0][8] == "利害关系"
    assert rows[0][9] == ws.input_hash and len(ws.input_hash) == 64
    book = openpyxl.load_workbook(io.BytesIO(client.get("/history/调整记录.xlsx").data), read_only=True)
    assert len(list(book["调整记录"].iter_rows())) == 4
    csv = client.get("/history/调整记录.csv").data
    assert csv.startswith(b"\xef\xbb\xbf") and "利害关系".encode() in csv


def test_history_in_any_sqlalchemy_url(tmp_path):
    url = f"sqlite:///{(tmp_path / 'shared.db').as_posix()}"
    app = create_app(tmp_path / "data", url)
    client = login(app.test_client())
    _example(client)
    client.post("/dispatch/run")
    app.extensions["legalaid"]["history"].dispose()
    from legalaid.web.history import History

    assert list(History(url).frame()["action"]) == ["dispatch", "inputs"]
    assert not (tmp_path / "data" / "history.sqlite").exists()


def test_two_sessions_do_not_touch_each_other(app):
    a, b = login(app.test_client(), "甲"), login(app.test_client(), "乙")
    _example(a)
    _example(b, plan="luan-2025")
    a.post("/dispatch/run")
    b.post("/dispatch/run")
    wa, wb = workspace(a), workspace(b)
    assert wa is not wb and wa.folder != wb.folder
    assert wa.result.plan.id == "anqing-2023" and wb.result.plan.id == "luan-2025"
    # both change a case and re-run at the same moment
    picks = {}
    for client, ws in ((a, wa), (b, wb)):
        case = ws.result.assignments.iloc[1]
        from legalaid.web.overrides import candidates

        target = candidates(ws.result, case["case_id"]).table.iloc[-1]["lawyer_id"]
        client.post(f"/dispatch/case/{case['case_id']}/change", data={"lawyer": target, "reason": "测试"})
        picks[ws.id] = (case["case_id"], target)
    errors = []

    def rerun(client):
        try:
            for _ in range(3):
                assert client.post("/dispatch/run").status_code == 302
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=rerun, args=(c,)) for c in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for ws in (wa, wb):
        case, target = picks[ws.id]
        lawyer = ws.result.assignments.set_index("case_id")["lawyer_id"]
        assert lawyer[case] == target
        assert list(ws.decisions) == [case]
    assert wa.result.plan.id == "anqing-2023" and wb.result.plan.id == "luan-2025"


class _Font:
    def __init__(self, name):
        self.name = name


@pytest.mark.parametrize("installed,expected", [
    (["Arial", "Microsoft YaHei", "SimHei", "Segoe UI"], "Microsoft YaHei"),   # Windows 10/11
    (["Arial", "SimHei", "SimSun"], "SimHei"),                                # older Windows, WPS installs
    (["DejaVu Sans", "WenQuanYi Micro Hei"], "WenQuanYi Micro Hei"),          # Debian with setup.sh
    (["DejaVu Sans"], None),
])
def test_chart_font_lookup_with_a_fake_font_list(monkeypatch, installed, expected):
    from matplotlib import font_manager

    from legalaid.report import fonts

    assert fonts.pick_family(installed) == expected
    fake = type("FM", (), {"ttflist": [_Font(n) for n in installed]})()
    monkeypatch.setattr(font_manager, "fontManager", fake)
    monkeypatch.setattr(font_manager, "_load_fontmanager", lambda try_read_cache=True: fake)
    assert fonts.find_cjk_family() == expected


def test_web_package_uses_the_front_door_only():
    """legalaid/web computes through legalaid.api and words through legalaid.report; no engine internals."""
    import ast
    from pathlib import Path

    allowed = {"legalaid", "scenarios", "flask", "werkzeug", "waitress", "sqlalchemy", "pandas", "numpy", "xlsxwriter",
               "__future__", "copy", "dataclasses", "functools", "hashlib", "io", "logging", "math", "os", "re",
               "secrets", "shutil", "sys", "tempfile", "threading", "time", "traceback", "datetime", "pathlib",
               "webbrowser"}
    folder = Path(__file__).resolve().parents[2] / "legalaid" / "web"
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else [])
            for name in names:
                assert name.split(".")[0] in allowed, f"{path.name} imports {name}"
                assert not name.startswith("allocation"), f"{path.name} imports the engine directly: {name}"
