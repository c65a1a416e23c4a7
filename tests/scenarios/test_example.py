"""The example generator: reproducible, realistic, consistent across months, canonical tables."""

import numpy as np
import pandas as pd
import pytest

from legalaid.report.inputs import write_example
from scenarios.example import generate_example
from scenarios.plans import load_plan
from scenarios.schema import columns


@pytest.fixture(scope="module")
def anqing():
    return load_plan("anqing-2023")


def test_same_seed_same_tables_other_seed_other_tables(anqing):
    """Same plan, month and seed give identical tables; another seed gives other cases."""
    a, b, c = (generate_example(anqing, 6, s) for s in (0, 0, 1))
    for table in ("cases", "lawyers", "progress", "funds"):
        pd.testing.assert_frame_equal(getattr(a, table), getattr(b, table))
    assert not a.cases.equals(c.cases)


def test_tables_follow_the_schema(anqing):
    """Every table has exactly the canonical columns (cases also the optional 案件类别 of the tiered
    jurisdiction list), regions are plan ids, values are canonical."""
    data = generate_example(anqing, 6, 0)
    for table in ("cases", "lawyers", "progress", "funds"):
        frame = getattr(data, table)
        assert list(frame.columns) == columns(table) + (["category"] if table == "cases" else [])
        assert set(frame["region"]) <= set(anqing.region_ids)
    assert set(data.cases["kind"]) == {"civil", "criminal", "administrative"}
    listed = data.cases["category"] != ""
    assert listed.any() and (data.cases.loc[listed, "instance"] == "second").all()
    assert set(data.cases.loc[listed, "category"]) <= set(anqing.tiered_categories)
    assert set(data.lawyers["kind"]) == {"social", "staff", "grassroots"}
    assert data.cases["case_id"].is_unique and data.lawyers["lawyer_id"].is_unique
    groups = data.cases[data.cases["group_id"] != ""]
    assert len(groups) > 0 and set(groups["kind"]) == {"criminal"}


def test_case_mix_and_scale_are_realistic(anqing):
    """A whole year: about the target total, ~75% civil / 24% criminal / 1% administrative, ~600 handlers."""
    year = generate_example(anqing, 0, 0)
    assert 0.85 * anqing.target_total < len(year.cases) < 1.15 * anqing.target_total
    mix = year.cases["kind"].value_counts(normalize=True)
    assert abs(mix["civil"] - 0.75) < 0.03 and abs(mix["criminal"] - 0.24) < 0.03 and mix["administrative"] < 0.03
    assert 450 < len(year.lawyers) < 700
    assert 0 < (year.cases["instance"] == "second").mean() < 0.12


def test_months_are_consistent(anqing):
    """Approvals to date plus the remaining cases equal the whole year; lawyers are the same people."""
    year, mid = generate_example(anqing, 0, 0), generate_example(anqing, 6, 0)
    assert mid.progress["approved"].sum() + len(mid.cases) == len(year.cases)
    assert (mid.cases["received"].dt.month > 6).all()
    assert list(mid.lawyers["lawyer_id"]) == list(year.lawyers["lawyer_id"])
    assert mid.lagging == year.lagging and mid.short_of_lawyers == year.short_of_lawyers


def test_some_counties_lag_and_some_lawyers_exceed_the_cap(anqing):
    """Lagging regions are behind 序时进度 at month 6; over-cap handlers exist as findings."""
    data = generate_example(anqing, 6, 0)
    approved = data.progress.groupby("region")["approved"].sum()
    behind = {rid for rid in anqing.region_ids if approved[rid] < anqing.targets[rid] * 6 / 12}
    assert set(data.lagging) <= behind
    cap = anqing.rule_value("lawyer_yearly_cap")
    assert (data.lawyers["handled_this_year"] > cap).sum() >= 1
    closed, approved_all = data.progress["closed"].sum(), data.progress["approved"].sum()
    assert 0.3 < closed / approved_all < 0.9


def test_funds_include_non_compliant_counties(anqing):
    """At least one county's local funds fall below its central+provincial funds (1:1 rule)."""
    funds = generate_example(anqing, 6, 0).funds
    assert (funds["local_funds"] < funds["upper_funds"]).any()
    assert (funds["local_funds"] >= funds["upper_funds"]).any()
    assert np.all(funds["spent"] <= funds["arrived"])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_written_files_use_chinese_headers_and_values(tmp_path, anqing, fmt):
    """The files users open carry Chinese headers, region names and values."""
    paths = write_example(generate_example(anqing, 6, 0), tmp_path, fmt=fmt)
    if fmt == "csv":
        assert paths["cases"].read_bytes().startswith(b"\xef\xbb\xbf")
        frame = pd.read_csv(paths["cases"], encoding="utf-8-sig", dtype=str)
    else:
        frame = pd.read_excel(paths["cases"], dtype=str, engine="calamine")
    assert list(frame.columns[:3]) == ["案件编号", "地区", "案件类型"]
    assert set(frame["案件类型"]) == {"民事", "刑事", "行政"}
    assert "宿松县" in set(frame["地区"])
