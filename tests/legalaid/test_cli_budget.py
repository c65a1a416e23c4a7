"""`legalaid budget`: verdict files and charts, exit 1 on a rule finding, 0 when compliant, 2 on bad input."""

from pathlib import Path

import pandas as pd
import pytest

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


@pytest.mark.parametrize("plan_id", ["anqing-2023", "luan-2025"])
@pytest.mark.parametrize("month", [6, 12])
def test_a_funds_table_meeting_every_plan_rule_exits_0(plan_id, month, tmp_path, capsys):
    """Funds that meet every rule of the plan (and, mid-year, are only behind on year-end rules' pace)
    exit 0 with no gap: the example subsidy schedule never makes a verdict."""
    from scenarios.plans import load_plan

    plan = load_plan(plan_id)
    business = plan.rule("business_funding_per_case_min")
    local_case = plan.rule("local_matching_per_case_min")
    rows = []
    for region in plan.regions:
        upper = region.target * 500.0
        per_case = max(business.value if business else 0, local_case.value if local_case else 0)
        local = max(upper, per_case * region.target)
        budget = upper + local
        done = month / 12 * 0.8  # mid-year: behind time-progress on spending and arrivals
        arrived = budget if month == 12 else budget * done
        spent = arrived if month == 12 else budget * done
        rows.append([region.name, upper, local, region.target, arrived, spent, spent * 0.8])
    funds = tmp_path / "funds.csv"
    pd.DataFrame(rows, columns=["地区", "中央和省级资金（元）", "地方财政资金（元）", "计划案件数", "到位资金（元）",
                                "已支出（元）", "办案补贴及直接费用（元）"]).to_csv(funds, index=False, encoding="utf-8-sig")
    out = tmp_path / "out"
    code = main(["budget", "--plan", plan_id, "--funds", str(funds), "--month", str(month), "--out", str(out)])
    text = capsys.readouterr().out
    assert code == 0, text
    verdicts = pd.read_csv(out / "规则核验.csv", encoding="utf-8-sig")
    assert "不达标" not in set(verdicts["结论"])
    if month < 12:
        assert "进度提示：落后序时进度（年末考核）" in set(verdicts["结论"])
    least = pd.read_csv(out / "最低地方预算.csv", encoding="utf-8-sig")
    assert least["地方预算缺口（元）"].max() == 0
    assert (least.filter(like="下限").fillna(0) >= 0).all().all()  # never a negative budget
