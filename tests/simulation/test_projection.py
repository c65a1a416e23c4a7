"""project() on the Anqing 2023 example at month 6: policies, answers, report files, parameters, bad input."""

import csv

import numpy as np
import openpyxl
import pytest

from legalaid import write_report
from scenarios.errors import InputError
from scenarios.vocab import CITY_TOTAL as TOTAL
from simulation import SimulationParams, project
from simulation.summary import NEVER

from .helpers import progress_frame, tiny_plan

RUNS = 300


@pytest.fixture(scope="module")
def result(anqing, example6):
    return project(anqing, example6.progress, example6.lawyers, runs=RUNS, seed=0, policies="all", workers=2)


def test_rebalance_raises_lagging_counties_probability_of_reaching_target(result, example6):
    """Regions behind 序时进度 at month 6 gain approvals under rebalance and, together, probability of target.

    Common random numbers make the comparison paired: the summed gain must exceed 4 paired
    standard errors; no lagging region may lose more than Monte Carlo noise; city totals are
    unchanged (cases are moved, not created).
    """
    lagging = result.lagging
    assert set(example6.lagging) <= set(lagging)
    ids = list(result.state.region_ids)
    idx = [ids.index(r) for r in lagging]
    targets = result.state.targets[idx]
    none, reb = result.samples["none"], result.samples["rebalance"]
    reach_none = none.approved.sum(axis=2)[:, idx] >= targets
    reach_reb = reb.approved.sum(axis=2)[:, idx] >= targets
    diff = reach_reb.astype(int) - reach_none.astype(int)  # (runs, lagging regions)
    total_gain = diff.sum(axis=1)
    assert total_gain.mean() > 4 * total_gain.std(ddof=1) / np.sqrt(RUNS)
    assert np.all(diff.mean(axis=0) > -3 * np.sqrt(np.maximum(diff.var(axis=0, ddof=1), 1e-12) / RUNS) - 1e-9)
    assert reb.moved_in[:, idx].sum() > 0
    assert np.all(reb.approved.sum(axis=(1, 2)) == none.approved.sum(axis=(1, 2)))
    comp = result.comparison.set_index(["region", "policy"])
    assert comp.loc[[(r, "rebalance") for r in lagging], "p_reach_change"].sum() > 0


def test_overflow_serves_counties_short_of_lawyers(result, example6):
    """The two counties short of lawyers leave cases waiting on their own; overflow places them elsewhere.

    Their approvals stay theirs, their closure ratio rises, and regions the policy never touches
    are bit-for-bit unchanged (common random numbers).
    """
    ids = list(result.state.region_ids)
    short = [ids.index(r) for r in example6.short_of_lawyers]
    none, over = result.samples["none"], result.samples["overflow"]
    assert np.all(none.waiting[:, short].mean(axis=0) > 10)
    assert np.all(over.waiting[:, short] == 0)
    assert np.all(over.overflow_out[:, short].mean(axis=0) > 10)
    np.testing.assert_array_equal(over.approved, none.approved)  # approvals stay with the approving county
    ratio = lambda s: s.closed.sum(axis=2)[:, short] / s.approved.sum(axis=2)[:, short]  # noqa: E731
    assert np.all(ratio(over).mean(axis=0) > ratio(none).mean(axis=0))
    # common random numbers: regions overflow never touches close exactly as without it
    untouched = np.flatnonzero((over.overflow_in.sum(axis=0) == 0) & (over.overflow_out.sum(axis=0) == 0))
    assert len(untouched) >= 5
    np.testing.assert_array_equal(over.closed[:, untouched], none.closed[:, untouched])


def test_summary_answers_are_consistent(result, anqing, example6):
    """Year to date, 序时进度 and gap follow the progress table; the city row adds up; quantities are ordered."""
    s = result.summary.set_index("region")
    progress = example6.progress.groupby("region")[["approved", "closed"]].sum()
    for rid in anqing.region_ids:
        assert s.loc[rid, "approved_ytd"] == progress.loc[rid, "approved"]
        assert s.loc[rid, "pace_expected"] == pytest.approx(6 / 12 * anqing.targets[rid])
        assert s.loc[rid, "pace_gap"] == pytest.approx(s.loc[rid, "approved_ytd"] - 6 / 12 * anqing.targets[rid])
    assert s.loc[TOTAL, "target"] == anqing.target_total
    assert s.loc[TOTAL, "approved_ytd"] == progress["approved"].sum()
    assert s.loc[TOTAL, "approved_mean"] == pytest.approx(s.loc[anqing.region_ids, "approved_mean"].sum())
    assert np.all(s["approved_q05"] <= s["approved_mean"]) and np.all(s["approved_mean"] <= s["approved_q95"])
    assert np.all(s["p_reach"].between(0, 1)) and np.all(s["p_closure_ok"].between(0, 1))
    assert np.all(s["month_reached_median"].between(1, NEVER))
    likely = s[s["p_reach"] > 0.5]
    assert len(likely) and np.all(likely["month_reached_median"] <= 12)  # the median year reaches it
    unlikely = s[s["p_reach"] < 0.5]
    assert len(unlikely) and np.all(unlikely["month_reached_median"] == NEVER)
    assert result.closure_min == anqing.rule_value("closure_ratio_min")


def test_write_produces_chinese_csv_xlsx_and_charts(result, tmp_path):
    """The report folder: utf-8-sig CSVs with Chinese headers, one workbook, a chart per region plus overview."""
    out = write_report(result, tmp_path / "预测")
    names = {p.name for p in out.iterdir()}
    assert {"进度预测.csv", "策略比较.csv", "月度预测.csv", "模型说明.csv", "预计待来案件.csv", "进度预测.xlsx", "运行参数.json"} <= names
    raw = (out / "进度预测.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(out / "进度预测.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][:2] == ["地区", "年度目标（件）"] and "完成目标概率" in rows[0] and "结案率≥80%概率" in rows[0]
    assert rows[-1][0] == "全市合计" and len(rows) == 1 + len(result.plan.regions) + 1
    book = openpyxl.load_workbook(out / "进度预测.xlsx", read_only=True)
    assert book.sheetnames == ["进度预测", "策略比较", "月度预测", "预计待来案件", "模型说明"]
    charts = sorted(p.name for p in (out / "图表").glob("*.png"))
    assert len(charts) == len(result.plan.regions) + 2 and "全市概览.png" in charts and "岳西县.png" in charts
    assert all((out / "图表" / c).stat().st_size > 10_000 for c in charts)


def test_parameters_from_toml_override_defaults(tmp_path):
    """A TOML file overrides only what it states; bad values are all reported in one InputError."""
    path = tmp_path / "p.toml"
    path.write_text('[durations]\ncivil = { mean_days = 60, shape = 3 }\ncalibrate = false\n'
                    '[rebalance]\nshare_max = 0.5\n', encoding="utf-8")
    params = SimulationParams.from_toml(path)
    default = SimulationParams.default()
    assert params.durations[1].mean_days == 60 and params.durations[1].shape == 3 and params.calibrate == "none"
    assert params.durations[0] == default.durations[0] and params.seasonality == default.seasonality
    assert params.rebalance_share_max == 0.5
    assert sum(default.seasonality) == pytest.approx(12) and default.seasonality[1] < default.seasonality[11]
    bad = tmp_path / "bad.toml"
    bad.write_text('[seasonality]\nweights = [1, 2]\n[case_mix]\ncivil = -1\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        SimulationParams.from_toml(bad)
    assert len(err.value.issues) == 2 and "[seasonality] weights" in str(err.value)


def test_bad_progress_gets_the_domain_error(anqing, example6):
    """A future month, a repeated month and closures above approvals are refused with Chinese messages."""
    with pytest.raises(InputError, match="未来月份"):
        project(anqing, example6.progress, runs=2, month=5)
    bad = example6.progress.copy()
    bad.loc[0, "closed"] = 999
    with pytest.raises(InputError, match="多于累计审批"):
        project(anqing, bad, runs=2)
    with pytest.raises(InputError, match="同一地区同一月份只能有一行"):
        project(anqing, example6.progress.iloc[[0, 0, *range(1, len(example6.progress))]], runs=2)


def test_month_zero_projects_the_plan_and_month_twelve_is_the_record():
    """m = 0: no data, every region on pace (mean ≈ target); m = 12: the year is the reported record."""
    plan = tiny_plan(targets=(12, 120, 240))
    start = project(plan, progress_frame({r: [] for r in ("centre", "jia", "yi")}), runs=200, seed=1)
    s = start.summary.set_index("region")
    assert np.allclose(s.loc[["centre", "jia", "yi"], "approved_mean"], [12, 120, 240], rtol=0.06)
    year = {"centre": [(1, 1)] * 12, "jia": [(10, 9)] * 12, "yi": [(19, 19)] * 12}
    end = project(plan, progress_frame(year), runs=3, seed=1).summary.set_index("region")
    assert end.loc["jia", "approved_mean"] == 120 and end.loc["jia", "p_reach"] == 1.0
    assert end.loc["yi", "p_reach"] == 0.0 and end.loc["jia", "closure_ratio_mean"] == pytest.approx(0.9)
    assert end.loc["jia", "p_closure_ok"] == 1.0 and end.loc["jia", "month_reached_median"] == 12
