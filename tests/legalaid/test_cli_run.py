"""`legalaid run`: the monthly brief folder is complete, Chinese, reproducible, safe and atomic."""

import warnings
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from legalaid.cli import main
from legalaid.report.fonts import find_cjk_family
from legalaid.report.inputs import write_example
from scenarios.example import generate_example
from scenarios.plans import load_plan

SHEETS = ["总览", "派案结果", "未指派案件", "律师负荷", "进度预测", "策略比较", "经费核查", "经费汇总",
          "最低地方预算", "补贴风险（示例）", "每10万人供给", "较上月", "结案占比", "考核指标", "提示"]
FAST = ["--runs", "60", "--workers", "1"]


def run_brief(out: Path, *extra: str) -> int:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        status = main(["run", "--out", str(out), *FAST, *extra])
    glyphs = [str(w.message) for w in caught if "missing from font" in str(w.message) or "Glyph" in str(w.message)]
    assert glyphs == [], glyphs
    return status


@pytest.fixture(scope="module")
def anqing_brief(tmp_path_factory):
    out = tmp_path_factory.mktemp("brief") / "月通报"
    assert run_brief(out, "--plan", "anqing-2023", "--month", "6") == 0
    return out


def test_a_cjk_font_is_installed():
    """Charts need a CJK font (scripts/setup.sh installs one); without it this fails, not boxes."""
    assert find_cjk_family() is not None


def test_every_sheet_and_chart_is_filled(anqing_brief):
    """月通报.xlsx has every sheet with rows; a CSV per sheet; a chart per region and the summary charts."""
    book = openpyxl.load_workbook(anqing_brief / "月通报.xlsx", read_only=True)
    assert [s for s in SHEETS if s not in book.sheetnames] == []
    for name in SHEETS:
        if name == "未指派案件":
            continue  # empty when every case is placed (checked below)
        assert book[name].max_row >= 2, name
        assert (anqing_brief / f"{name}.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    plan = load_plan("anqing-2023")
    charts = {p.name for p in (anqing_brief / "图表").glob("*.png")}
    assert {f"{r.name}.png" for r in plan.regions} <= charts
    assert {"律师办案量分布.png", "全市概览.png", "合规情况.png"} <= charts
    assert all((anqing_brief / "图表" / c).stat().st_size > 10_000 for c in charts)


def test_front_sheet_ranks_counties_with_traffic_lights(anqing_brief):
    """总览 ranks every region by progress against 序时进度 (6/12 of target), with a light each."""
    front = pd.read_csv(anqing_brief / "总览.csv", encoding="utf-8-sig")
    regions = front[front["单位"] != "安庆市合计"]
    assert len(regions) == 11
    assert regions["序时进度应完成（件）"].tolist() == pytest.approx(
        [load_plan("anqing-2023").region(r).target / 2 for r in
         [next(x.id for x in load_plan("anqing-2023").regions if x.name == n) for n in regions["单位"]]])
    pace = regions["序时完成率"].str.rstrip("%").astype(float)
    assert (front["完成全年目标概率"].notna()).all()  # the city's own P too
    assert pace.is_monotonic_increasing
    on_pace = regions["累计审批（件）"] >= regions["序时进度应完成（件）"]
    assert (regions.loc[on_pace, "信号灯"].str.startswith("绿")).all()
    assert (regions.loc[~on_pace, "信号灯"].str[:2].isin(["黄灯", "红灯"])).all()


def test_every_case_appears_once_and_loads_are_flagged(anqing_brief):
    """Dispatch: each case awaiting assignment on the report date (received in June's last 3 days) once in
    派案结果 or 未指派案件, none received later; over-cap handlers flagged (安庆2023方案六（二）)."""
    cases = generate_example(load_plan("anqing-2023"), 6, 0).awaiting
    assert len(cases) and cases["received"].between("2023-06-28", "2023-06-30").all()
    assigned = pd.read_csv(anqing_brief / "派案结果.csv", encoding="utf-8-sig", dtype=str)
    unassigned = pd.read_csv(anqing_brief / "未指派案件.csv", encoding="utf-8-sig", dtype=str)
    ids = pd.concat([assigned.iloc[:, 0], unassigned.iloc[:, 0]])
    assert sorted(ids) == sorted(cases["case_id"])
    loads = pd.read_csv(anqing_brief / "律师负荷.csv", encoding="utf-8-sig")
    flag = next(c for c in loads.columns if c.startswith("问责提示"))
    assert loads[flag].fillna("").str.startswith("超过").sum() >= 1


def test_summary_names_three_counties_and_key_figures(anqing_brief):
    """摘要.txt is plain Chinese text (no markup), carries the key figures and exactly three counties."""
    text = (anqing_brief / "摘要.txt").read_text(encoding="utf-8-sig")
    assert text.startswith("安庆市法律援助工作2023年6月通报")
    assert "**" not in text and "#" not in text
    assert "序时完成率" in text and "完成全年目标的概率" in text and "示例数据" in text
    section = text.split("需要关注的三个地区")[1].split("、经费")[0]
    assert [line.strip()[:2] for line in section.strip().splitlines()[:-1] if line.strip()] == ["1.", "2.", "3."]


def test_same_inputs_and_seed_give_identical_tables(anqing_brief, tmp_path):
    """A rerun with the same inputs and seed writes byte-identical CSV tables and workbook."""
    again = tmp_path / "again"
    assert run_brief(again, "--plan", "anqing-2023", "--month", "6") == 0
    for csv in sorted(anqing_brief.glob("*.csv")):
        assert csv.read_bytes() == (again / csv.name).read_bytes(), csv.name
    assert (anqing_brief / "月通报.xlsx").read_bytes() == (again / "月通报.xlsx").read_bytes()


def test_user_data_folder_and_formula_text(tmp_path):
    """--data reads the user's files; a cell beginning with = is written as text, never a formula."""
    plan = load_plan("luan-2025")
    data = generate_example(plan, 6, 1)
    data.cases.loc[0, "case_id"] = "=HYPERLINK(\"http://x\")"
    folder = tmp_path / "data"
    write_example(data, folder, fmt="xlsx")
    out = tmp_path / "out"
    assert run_brief(out, "--plan", "luan-2025", "--month", "6", "--data", str(folder)) == 0
    sheet = openpyxl.load_workbook(out / "月通报.xlsx")["派案结果"]
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells and all(c.data_type == "s" for c in cells)
    assert "'=HYPERLINK" in (out / "派案结果.csv").read_text(encoding="utf-8-sig")
    supply = pd.read_csv(out / "每10万人供给.csv", encoding="utf-8-sig")
    assert "人口未知" in supply.iloc[-1].to_string()


def test_bad_data_folder_is_status_2_and_writes_nothing(tmp_path, capsys):
    """A data folder missing tables is a clear error (exit 2); nothing is written."""
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "cases.csv").write_text("case_id\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", "--data", str(folder), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "lawyers.csv" in err and "Traceback" not in err
    assert not out.exists()


def test_interrupted_run_leaves_no_half_report(tmp_path, monkeypatch):
    """If writing fails half-way, no report folder and no temporary folder is left behind."""
    import legalaid.report.brief.write as write

    def boom(brief):
        raise KeyboardInterrupt

    monkeypatch.setattr(write, "summary_text", boom)
    out = tmp_path / "out"
    assert main(["run", "--out", str(out), *FAST]) == 130
    assert list(tmp_path.iterdir()) == []


def test_run_dispatch_keeps_room_for_the_projections_cases_still_to_come():
    """`legalaid run` passes the projection's cases still to come (per county and kind) to the
    dispatch: the reservation is made from them, and equals what the projection says."""
    from legalaid import api

    plan = load_plan("anqing-2023")
    brief = api.brief(plan, month=6, runs=40, workers=1)
    ahead = brief.projection.expected_remaining()
    assert set(ahead["kind"]) == {"criminal", "civil", "administrative"} and (ahead["cases"] > 0).any()
    reserve = brief.dispatch.reserve.set_index("region")
    crim = ahead[ahead["kind"] == "criminal"].set_index("region")["cases"]
    assert (reserve["expected_criminal"] == crim.reindex(reserve.index)).all()
    assert brief.dispatch.room_ahead is not None and brief.dispatch.status == "optimal"
