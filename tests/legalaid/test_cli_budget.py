"""`legalaid budget`: verdict files and charts, exit 1 on a rule finding, 0 when compliant, 2 on bad input."""

from pathlib import Path

import pandas as pd

from legalaid.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "scenarios"

SCHEDULE = """name = "本县补贴标准（测试）"
reference = "测试"
[[items]]
id = "all_lit"
label = "诉讼案件"
kinds = ["criminal", "civil", "administrative"]
litigation = true
subsidy = 500
share = 0.9
[[items]]
id = "non"
label = "非诉讼案件"
kinds = ["criminal", "civil", "administrative"]
litigation = false
subsidy = 300
share = 0.1
"""


def test_budget_on_example_data_writes_report_and_exits_1(tmp_path, capsys):
    """Without --funds the example data is used; findings → exit 1; files and summary are Chinese."""
    out = tmp_path / "budget"
    assert main(["budget", "--plan", "anqing-2023", "--month", "6", "--out", str(out)]) == 1
    text = capsys.readouterr().out
    assert "地方与中央和省级资金配套比例" in text and "示例数据" in text and str(out) in text
    assert {"规则核验.csv", "地区汇总.csv", "最低地方预算.csv", "经费测算.xlsx", "合规情况.png"} <= {
        p.name for p in out.iterdir()}


def test_budget_compliant_funds_file_exits_0(tmp_path, capsys):
    """A Chinese-header funds CSV meeting every Anqing rule under the county's own schedule → exit 0."""
    funds = tmp_path / "经费.csv"
    funds.write_text("地区,中央和省级资金（元）,地方财政资金（元）,到位资金（元）,已支出（元）\n"
                     "宿松县,500000,600000,1100000,1100000\n岳西县,300000,320000,620000,620000\n",
                     encoding="utf-8-sig")
    schedule = tmp_path / "subsidy.toml"
    schedule.write_text(SCHEDULE, encoding="utf-8")
    out = tmp_path / "ok"
    code = main(["budget", "--plan", "anqing-2023", "--funds", str(funds), "--schedule", str(schedule),
                 "--out", str(out)])
    assert code == 0, capsys.readouterr()
    verdicts = pd.read_csv(out / "规则核验.csv", encoding="utf-8-sig")
    assert set(verdicts["结论"]) == {"达标", "不适用"}
    row = verdicts[(verdicts["地区"] == "宿松县") & (verdicts["规则"] == "地方财政配套案均标准")].iloc[0]
    assert row["要求（元）"] == 516_000


def test_budget_scenario_file_with_sweep(tmp_path, capsys):
    """--scenario with --sweep writes the scenario comparison, the grid tables and their charts."""
    out = tmp_path / "s"
    main(["budget", "--scenario", str(EXAMPLES / "luan-2025.toml"), "--sweep", "--out", str(out)])
    text = capsys.readouterr().out
    assert "情景“霍邱县地方预算定为60万元”" in text and "组合测算：150个组合" in text
    names = {p.name for p in out.iterdir()}
    assert {"情景比较.csv", "组合测算汇总.csv", "组合测算.png", "情景比较.png"} <= names
    overview = pd.read_csv(out / "情景比较.csv", encoding="utf-8-sig")
    assert list(overview["情景"]) == ["基准", "上级资金减少20%", "案件增加10%、补贴标准提高15%", "霍邱县地方预算定为60万元"]


def test_bad_inputs_exit_2_without_traceback(tmp_path, capsys):
    """A broken scenario file and a funds file with an unknown county are Chinese errors with status 2."""
    bad = tmp_path / "bad.toml"
    bad.write_text('[base]\nplan = "anqing-2023"\n[[scenario]]\nname = "x"\nupper_funds = "很多"\n', encoding="utf-8")
    assert main(["budget", "--scenario", str(bad), "--out", str(tmp_path / "o1")]) == 2
    err = capsys.readouterr().err
    assert "错误" in err and "很多" in err and "Traceback" not in err
    funds = tmp_path / "funds.csv"
    funds.write_text("地区,中央和省级资金（元）,地方财政资金（元）\n合肥市,1,1\n", encoding="utf-8-sig")
    assert main(["budget", "--plan", "anqing-2023", "--funds", str(funds), "--out", str(tmp_path / "o2")]) == 2
    assert "合肥" in capsys.readouterr().err
    assert not (tmp_path / "o1").exists() and not (tmp_path / "o2").exists()


def test_budget_help_is_chinese(capsys):
    """legalaid budget -h describes the command in Chinese with English option names."""
    try:
        main(["budget", "-h"])
    except SystemExit as exc:
        assert exc.code == 0
    text = capsys.readouterr().out
    assert "用法" in text and "--scenario" in text and "经费测算" in text
