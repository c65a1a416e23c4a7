"""check_budget from the Python API: example data by default, reproducible, and a complete written report."""

import json

import openpyxl
import pandas as pd
import pytest

from legalaid.api import check_budget
from legalaid.report import budget as report
from legalaid.report.budget import WORKBOOK
from scenarios.budget import Overrides, Scenario, SweepGrid
from scenarios.budget.rules import FAIL, NOT_APPLICABLE
from scenarios.plans import load_plan
from scenarios.vocab import CITY_TOTAL


@pytest.fixture(scope="module")
def result():
    plan = load_plan("anqing-2023")
    return check_budget(plan, month=6, seed=0,
                        scenarios=[Scenario("上级资金减少20%", Overrides(upper_funds=-0.2)),
                                   Scenario("补贴标准提高15%", Overrides(subsidy=0.15))],
                        sweep=SweepGrid(upper_funds=(-0.2, 0.0), cases=(0.0, 0.1)))


def test_example_data_gives_some_non_compliant_counties(result):
    """The example funds break the 1:1 or 600 元 rule in some counties, not all; Anqing lacks Lu'an's rules."""
    checks = result.checks
    matching = checks[(checks["rule"].isin(["matching_ratio", "local_matching_per_case"]))
                      & (checks["region"] != CITY_TOTAL)]
    failing = set(matching.loc[matching["status"] == FAIL, "region"])
    assert 0 < len(failing) < len(result.plan.regions)
    assert (checks.loc[checks["rule"] == "business_funding_per_case", "status"] == NOT_APPLICABLE).all()
    assert not result.ok and len(result.failing) == int((checks["status"] == FAIL).sum())
    assert any("示例" in n for n in report.notes(result))


def test_same_inputs_same_result():
    """Same plan, month and seed → identical verdicts and least budgets."""
    a, b = (check_budget("luan-2025", month=9, seed=4) for _ in range(2))
    pd.testing.assert_frame_equal(a.checks, b.checks)
    pd.testing.assert_frame_equal(a.least, b.least)


def test_chinese_tables_carry_references_and_every_region(result):
    """The verdict table has a row per region (and the city) per rule, Chinese headers, plan references."""
    verdicts = report.verdicts(result)
    assert list(verdicts.columns) == ["地区", "规则", "结论", "要求（元）", "实际（元）", "缺口（元）", "核查时点", "计算依据", "出处"]
    assert len(verdicts) == 7 * (len(result.plan.regions) + 1)
    assert set(verdicts["结论"]) <= {"达标", "不达标", "不适用", "无数据", "示例测算（不作结论）",
                                    "进度提示：符合序时进度", "进度提示：落后序时进度（年末考核）"}
    assert "安庆2023方案四、七（三）" in set(verdicts["出处"])
    assert "截至6月（序时进度提示，年末考核）" in set(verdicts["核查时点"])
    # in June the year-end rules are pace readings, never 不达标, and carry no gap
    year_end = verdicts[verdicts["规则"].isin(["经费支出率", "资金到位率", "办案补贴及直接费用占支出比例"])]
    assert not (year_end["结论"] == "不达标").any() and year_end["缺口（元）"].isna().all()
    coverage = verdicts[verdicts["规则"] == "经费足以支付办案补贴"]
    assert set(coverage["结论"]) == {"示例测算（不作结论）"}
    summary = report.summary(result)
    assert list(summary["地区"])[-1] == "全市合计" and len(summary) == len(result.plan.regions) + 1
    assert list(report.scenario_overview(result)["情景"]) == ["基准", "上级资金减少20%", "补贴标准提高15%"]


def test_write_produces_csv_xlsx_with_red_rows_and_charts(result, tmp_path):
    """write(): CSVs in utf-8-sig, one workbook whose non-compliant rows are red, PNG charts, 说明.json."""
    out = report.write(result, tmp_path / "report")
    names = {p.name for p in out.iterdir()}
    for stem in ("规则核验", "地区汇总", "最低地方预算", "情景比较", "情景明细", "组合测算汇总", "组合测算明细"):
        assert f"{stem}.csv" in names
    for chart in ("合规情况.png", "地方预算缺口.png", "情景比较.png", "组合测算.png"):
        assert chart in names and (out / chart).stat().st_size > 10_000
    assert (out / "规则核验.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    csv = pd.read_csv(out / "规则核验.csv", encoding="utf-8-sig")
    assert len(csv) == len(report.verdicts(result))
    sheet = openpyxl.load_workbook(out / WORKBOOK)["规则核验"]
    header = [c.value for c in sheet[1]]
    status_col = header.index("结论")
    for row in sheet.iter_rows(min_row=2):
        red = row[0].fill.fgColor.rgb == "FFFFC7CE"
        assert red == (row[status_col].value == "不达标")
    info = json.loads((out / "说明.json").read_text(encoding="utf-8"))
    assert info["核查时点"] == "截至6月" and "上级资金减少20%" in info["情景"]


def test_a_large_sweep_detail_goes_to_csv_only(tmp_path, monkeypatch):
    """A sweep's long table above the workbook limit is written as CSV, not as a sheet (kept fast)."""
    monkeypatch.setattr(report, "MAX_WORKBOOK_ROWS", 50)
    result = check_budget("luan-2025", month=6, sweep=SweepGrid(upper_funds=(-0.1, 0.0), cases=(0.0, 0.1, 0.2)))
    out = report.write(result, tmp_path / "big")
    assert len(pd.read_csv(out / "组合测算明细.csv", encoding="utf-8-sig")) == 6 * 9
    assert "组合测算明细" not in openpyxl.load_workbook(out / WORKBOOK).sheetnames
    assert "组合测算汇总" in openpyxl.load_workbook(out / WORKBOOK).sheetnames
