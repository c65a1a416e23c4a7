"""`legalaid dispatch` end to end: files in, Chinese report folder out, exit codes 0 / 1 / 2."""

import json

import pandas as pd

from legalaid.cli import main
from legalaid.report.inputs import write_example
from scenarios.example import generate_example
from scenarios.plans import load_plan

CASES = "案件编号,地区,案件类型,审级,是否诉讼,同案编号\n"
LAWYERS = "律师编号,地区,人员类别,所在律所,本年已办案件,可指派\n"


def test_example_year_end_to_end(tmp_path, capsys):
    """The example year's files (Chinese headers, names) dispatch with status 0; the folder holds the
    Chinese CSVs (utf-8-sig), one workbook and summary.json; the terminal summary is Chinese."""
    plan = load_plan("luan-2025")
    paths = write_example(generate_example(plan, month=6, seed=0), tmp_path / "in")
    out = tmp_path / "out"
    code = main(["dispatch", "--plan", "luan-2025", "--cases", str(paths["cases"]), "--lawyers", str(paths["lawyers"]),
                 "--out", str(out)])
    text = capsys.readouterr().out
    assert code == 0, text
    assert "求解状态：已求得最优解" in text and "结果已写入" in text
    for name in ("派案结果.csv", "未指派案件.csv", "律师负荷.csv", "分地区统计.csv", "派案结果.xlsx", "summary.json"):
        assert (out / name).is_file(), name
    assert (out / "派案结果.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(out / "律师负荷.csv", encoding="utf-8-sig")
    assert "调配后合计（件）" in frame.columns and "剩余额度（件）" in frame.columns
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "optimal" and summary["all_assigned"]
    assert summary["cases"]["input"] == len(pd.read_csv(paths["cases"], encoding="utf-8-sig"))


def test_pinned_distances_unassigned_and_diagnosis(tmp_path, capsys):
    """Pinned and distance files are read; a batch the rules cannot serve exits 1 with unassigned
    cases, their blocking rule and the 诊断 sheet, and the pinned pair is kept."""
    (tmp_path / "cases.csv").write_text(
        CASES + "A1,宿松县,刑事,一审,是,G\nA2,宿松县,刑事,一审,是,G\nA3,宿松县,刑事,一审,是,G\nB1,太湖县,民事,一审,是,\n",
        encoding="utf-8-sig")
    (tmp_path / "lawyers.csv").write_text(
        LAWYERS + "L1,宿松县,社会律师,甲所,10,是\nL2,宿松县,基层法律服务工作者,,0,是\nT1,太湖县,法援律师,,0,是\n",
        encoding="utf-8-sig")
    (tmp_path / "pinned.csv").write_text("案件编号,律师编号\nB1,T1\n", encoding="utf-8-sig")
    (tmp_path / "km.csv").write_text("起点,终点,距离（公里）\n宿松县,太湖县,70\n", encoding="utf-8-sig")
    out = tmp_path / "out"
    code = main(["dispatch", "--plan", "anqing-2023", "--cases", str(tmp_path / "cases.csv"),
                 "--lawyers", str(tmp_path / "lawyers.csv"), "--pinned", str(tmp_path / "pinned.csv"),
                 "--distances", str(tmp_path / "km.csv"), "--out", str(out), "--seed", "3"])
    text = capsys.readouterr().out
    assert code == 1, text
    assert "诊断" in text and "同案被告人须由不同律师辩护" in text
    result = pd.read_csv(out / "派案结果.csv", encoding="utf-8-sig").set_index("案件编号")
    assert result.loc["B1", "律师编号"] == "T1" and result.loc["B1", "指派方式"] == "保留已有指派"
    assert set(result.reindex(["A1", "A2", "A3"])["律师编号"].dropna()) == {"L1", "T1"}
    moved = result[result["是否跨区"] == "是"]
    assert (moved["调配距离（公里）"] == 70).all()
    left = pd.read_csv(out / "未指派案件.csv", encoding="utf-8-sig")
    assert len(left) == 1 and left["受阻规则"].iat[0] == "同案被告人须由不同律师辩护"
    diagnosis = pd.read_csv(out / "诊断.csv", encoding="utf-8-sig")
    assert diagnosis["地区"].iat[0] == "宿松县" and diagnosis["需增加名额（件）"].iat[0] == 1


def test_bad_input_exits_2_with_a_chinese_message(tmp_path, capsys):
    """A pinned file naming an unknown case is a user error: exit 2, file/row/column/value named."""
    (tmp_path / "cases.csv").write_text(CASES + "A1,宿松县,民事,一审,是,\n", encoding="utf-8-sig")
    (tmp_path / "lawyers.csv").write_text(LAWYERS + "L1,宿松县,社会律师,,0,是\n", encoding="utf-8-sig")
    (tmp_path / "pinned.csv").write_text("案件编号,律师编号\nZZ9,L1\n", encoding="utf-8-sig")
    code = main(["dispatch", "--plan", "anqing-2023", "--cases", str(tmp_path / "cases.csv"),
                 "--lawyers", str(tmp_path / "lawyers.csv"), "--pinned", str(tmp_path / "pinned.csv"),
                 "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert "pinned.csv，第2行，列“案件编号”：值“ZZ9”" in err
    assert not (tmp_path / "out").exists()


def test_help_is_chinese(capsys):
    """`legalaid dispatch -h` explains the command in Chinese with English option names."""
    try:
        main(["dispatch", "-h"])
    except SystemExit as exc:
        assert exc.code == 0
    text = capsys.readouterr().out
    assert "用法：" in text and "--pinned" in text and "--distances" in text and "同案被告人" in text


def test_projection_expected_demand_feeds_the_daily_dispatch_and_its_verification(tmp_path, capsys):
    """`legalaid project` writes 预计待来案件.csv; `legalaid dispatch --expected` reads it back (the batch
    keeps room for those cases), its warning cites only the plan in use, and `legalaid verify` agrees
    only when given the same file (the hash covers it)."""
    for plan_id, reference in (("anqing-2023", "安庆2023方案三（三）2"), ("luan-2025", None)):
        plan = load_plan(plan_id)
        paths = write_example(generate_example(plan, month=6, seed=0), tmp_path / plan_id / "in")
        proj, out = tmp_path / plan_id / "proj", tmp_path / plan_id / "out"
        assert main(["project", "--plan", plan_id, "--progress", str(paths["progress"]), "--lawyers",
                     str(paths["lawyers"]), "--runs", "100", "--out", str(proj), "-q"]) == 0
        expected = proj / "预计待来案件.csv"
        table = pd.read_csv(expected, encoding="utf-8-sig")
        assert list(table.columns) == ["地区", "案件类型", "预计案件数"]
        assert set(table["案件类型"]) <= {"刑事", "民事", "行政"} and (table["预计案件数"] >= 0).all()
        files = ["--plan", plan_id, "--cases", str(paths["cases"]), "--lawyers", str(paths["lawyers"])]
        assert main(["dispatch", *files, "--expected", str(expected), "--out", str(out)]) in (0, 1)
        text = capsys.readouterr().out
        if "届时需全市统筹调配" in text:
            assert (reference in text) if reference else ("§" not in text and "方案三" not in text)
        assert main(["verify", *files, "--expected", str(expected), "--result", str(out)]) == 0
        assert "逐案一致" in capsys.readouterr().out
        assert main(["verify", *files, "--result", str(out)]) == 1
        assert "哈希：不一致" in capsys.readouterr().out
