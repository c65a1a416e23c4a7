"""Scenario files: the documented TOML format, overrides applied as written, clear Chinese errors."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from legalaid.api import budget_scenarios as run_scenario_file
from legalaid.api import check_budget
from legalaid.report.budget import scenario_overview
from legalaid.report.budget_tables import describe_overrides
from legalaid.report.inputs import write_example
from scenarios.budget import (
    Overrides,
    RegionOverride,
    Scenario,
    SweepGrid,
    load_scenario_file,
    load_schedule,
)
from scenarios.budget.evaluate import budgets_from_funds, validate_funds
from scenarios.budget.scenario import parse_change
from scenarios.errors import InputError
from scenarios.example import generate_example
from scenarios.plans import load_plan

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "scenarios"


@pytest.fixture(scope="module")
def anqing():
    return load_plan("anqing-2023")


def test_changes_accept_fractions_and_percent_strings():
    """-0.2, "-20%", "＋10％" and "−5%" are read as fractions; nonsense and -100% or below are refused."""
    assert parse_change(-0.2) == -0.2
    assert parse_change("-20%") == pytest.approx(-0.2)
    assert parse_change("＋10％") == pytest.approx(0.1)
    assert parse_change("−5%") == pytest.approx(-0.05)
    for bad, phrase in (("abc", "变化幅度"), (-1.0, "大于 -100%"), (-20, "\"-20%\""), (True, "变化幅度")):
        with pytest.raises(ValueError, match=phrase):
            parse_change(bad)


def test_bundled_example_files_load(anqing):
    """Both example scenario files parse: plan, month, named scenarios, region names resolved, a grid."""
    spec = load_scenario_file(EXAMPLES / "anqing-2023.toml")
    assert (spec.plan, spec.month, spec.funds) == ("anqing-2023", 6, None)
    assert [s.name for s in spec.scenarios] == ["上级资金减少20%", "案件增加10%", "补贴标准提高15%",
                                                 "宿松县地方预算削减20%"]
    assert spec.scenarios[0].overrides.upper_funds == pytest.approx(-0.2)
    assert spec.scenarios[3].overrides.regions == {"susong": RegionOverride(local_funds=-0.2)}
    assert spec.sweep.size == 5 * 3 * 3 * 2
    luan = load_scenario_file(EXAMPLES / "luan-2025.toml")
    assert luan.scenarios[2].overrides.regions["huoqiu"].local_funds_yuan == 600_000


def test_overrides_change_the_budgets_as_written(anqing):
    """Upper −20%, cases +10%, a region's local funds cut 25% on top of −10%, or set to an amount."""
    schedule = load_schedule()
    table = validate_funds(anqing, pd.DataFrame({"region": ["susong", "yuexi"], "upper_funds": [500_000.0, 200_000.0],
                                                 "local_funds": [600_000.0, 300_000.0]}))
    o = Overrides(upper_funds=-0.2, local_funds=-0.1, cases=0.1, subsidy=0.15,
                  regions={"susong": RegionOverride(local_funds=-0.25), "yuexi": RegionOverride(upper_funds_yuan=1e5)})
    base = {b.region: b for b in budgets_from_funds(anqing, table, schedule=schedule)}
    got = {b.region: b for b in budgets_from_funds(anqing, table, schedule=schedule, overrides=o)}
    assert got["susong"].upper == pytest.approx(400_000)
    assert got["susong"].local == pytest.approx(600_000 * 0.9 * 0.75)
    assert got["susong"].cases == pytest.approx(946)
    assert got["yuexi"].upper == 100_000 and got["yuexi"].local == pytest.approx(270_000)
    assert got["susong"].subsidy_per_case == pytest.approx(base["susong"].subsidy_per_case * 1.15)
    assert "宿松县：地方财政资金-25%" in describe_overrides(o, anqing)


def test_bad_scenario_files_report_every_problem_in_chinese(tmp_path):
    """Unknown keys, a bad change, an unknown region (with a suggestion), a missing name: one InputError."""
    path = tmp_path / "bad.toml"
    path.write_text('[base]\nplan = "anqing-2023"\nmonth = 13\ncolour = "red"\n'
                    '[[scenario]]\nname = "甲"\nupper_funds = "-120%"\nbudget = 1\n'
                    '[[scenario]]\nlocal_funds = "-5%"\n[scenario.regions."宿宋县"]\nlocal_funds = "-5%"\n'
                    '[sweep]\ncases = ["abc"]\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_scenario_file(path)
    text = str(err.value)
    for phrase in ("month", "colour", "-120%", "budget", "缺少 name", "宿宋县", "宿松县", "[sweep] cases"):
        assert phrase in text, phrase
    broken = tmp_path / "broken.toml"
    broken.write_text("[base\n", encoding="utf-8")
    with pytest.raises(InputError, match="TOML"):
        load_scenario_file(broken)
    with pytest.raises(InputError, match="找不到情景文件"):
        load_scenario_file(tmp_path / "missing.toml")


def test_scenario_file_with_a_funds_file_runs_end_to_end(tmp_path, anqing):
    """A scenario file naming a funds CSV (read by scenarios.tables) runs base + scenarios + its grid."""
    paths = write_example(generate_example(anqing, month=6, seed=5), tmp_path / "data")
    spec = tmp_path / "s.toml"
    spec.write_text(f'[base]\nplan = "anqing-2023"\nfunds = "data/{paths["funds"].name}"\nmonth = 6\n'
                    '[[scenario]]\nname = "上级资金减少20%"\nupper_funds = "-20%"\n'
                    '[sweep]\nupper_funds = ["-20%", "0%"]\ncases = ["0%", "+10%"]\n', encoding="utf-8")
    result = run_scenario_file(spec)
    direct = check_budget(anqing, generate_example(anqing, month=6, seed=5).funds, month=6,
                          scenarios=[Scenario("上级资金减少20%", Overrides(upper_funds=-0.2))],
                          sweep=SweepGrid(upper_funds=(-0.2, 0.0), cases=(0.0, 0.1)))
    pd.testing.assert_frame_equal(result.scenario_checks, direct.scenario_checks)
    np.testing.assert_array_equal(result.sweep.status, direct.sweep.status)
    overview = scenario_overview(result)
    assert list(overview["情景"]) == ["基准", "上级资金减少20%"]
    # less central/provincial money lowers the 1:1 match the local budget must meet (安庆2023方案四、七（三）)
    assert overview["地方预算缺口合计（元）"].iloc[1] <= overview["地方预算缺口合计（元）"].iloc[0]


def test_scenarios_given_in_python_resolve_region_names(anqing):
    """Region keys may be names in Python too; an unknown one is an input error naming it."""
    result = check_budget(anqing, month=6, scenarios=[
        Scenario("宿松县削减", Overrides(regions={"宿松": RegionOverride(local_funds=-0.5)}))])
    least = result.scenario_least.set_index(["scenario", "region"])
    assert least.loc[("宿松县削减", "susong"), "local"] == pytest.approx(least.loc[("基准", "susong"), "local"] * 0.5)
    with pytest.raises(InputError, match="合肥"):
        check_budget(anqing, month=6, scenarios=[Scenario("x", Overrides(regions={"合肥": RegionOverride()}))])
    with pytest.raises(InputError, match="保留名称"):
        check_budget(anqing, month=6, scenarios=[Scenario("基准", Overrides(cases=0.1))])
