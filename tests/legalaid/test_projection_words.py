"""P(reach target) as a chief reads it: words, bounded percentages, the backtest line."""

import numpy as np

from legalaid.report.projection import (
    P_SHOWN_MIN,
    backtest_line,
    chance_text,
    chance_word,
    percent,
    summary_table,
)
from scenarios.example import generate_example
from scenarios.plans import load_plan
from simulation import SimulationParams, project
from simulation.record import DECILE_TOLERANCE, figures_for, load_record


def test_words_and_bounds():
    assert [chance_word(p) for p in (0.95, 0.5, 0.05)] == ["很可能", "有风险", "很难"]
    assert percent(0.0) == "不足1%" and percent(1.0) == "超过99%" and percent(0.374) == "37%"
    assert chance_text(0.0) == "很难（不足1%）" and chance_text(0.45) == "有风险（约45%）"


def test_tables_never_show_0_or_100_percent_and_name_the_backtest():
    plan = load_plan("anqing-2023")
    data = generate_example(plan, month=6, seed=0)
    result = project(plan, data.progress, None, runs=25, seed=1)
    assert (result.summary["p_reach"] < P_SHOWN_MIN).any()  # the example has counties far behind
    table = summary_table(result)
    shown = table["完成目标概率"].to_numpy()
    assert np.all((shown >= P_SHOWN_MIN) & (shown <= 1 - P_SHOWN_MIN))
    assert table["完成目标可能性"].str.match(r"^(很可能|有风险|很难)（").all()
    line = backtest_line(result)
    cell = figures_for("this_year", 6)
    assert cell is not None and f"{cell.coverage:.0%}" in line and "仅有本年数据" in line
    # a backtest whose deciles missed the tolerance says P is rough, with the gap measured
    rough = cell.max_decile_deviation > DECILE_TOLERANCE
    assert ("只宜作粗略参考" in line) == rough and (not rough or f"{cell.max_decile_deviation * 100:.0f}个百分点" in line)
    point = project(plan, data.progress, None, runs=5, seed=1, params=SimulationParams.default().with_(
        rate_uncertainty=False))
    assert "未计参数不确定性" in backtest_line(point)


def test_backtest_record_is_measured_data():
    cells = load_record()
    assert {c.source for c in cells} == {"history", "this_year"} and {c.month for c in cells} == {3, 6, 9}
    for c in cells:
        assert 0 < c.coverage < 1 and 0 < c.brier < c.brier_pace and c.years > 0 and c.forecasts > 0
