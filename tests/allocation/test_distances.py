"""The optional km table: reading (CSV/Excel, names or ids), both directions, errors, effect."""

from pathlib import Path

import pandas as pd
import pytest

from scenarios.distances import distance_matrix, read_distances
from scenarios.errors import InputError
from scenarios.plans import load_plan
from tests.allocation.words import solve

PLAN = load_plan("anqing-2023")
CAP = int(PLAN.rule_value("lawyer_yearly_cap"))


def write_csv(path: Path, rows: list[list[object]], header=("起点", "终点", "距离（公里）")) -> Path:
    """A CSV as Excel would save it (utf-8-sig)."""
    pd.DataFrame(rows, columns=list(header)).to_csv(path, index=False, encoding="utf-8-sig")
    return path


def test_names_ids_and_one_direction_means_both(tmp_path):
    """Chinese names and ids both resolve; a pair given one way is used both ways; a pair given both
    ways keeps each direction; missing pairs fall back to the plan's estimate with a finding."""
    path = write_csv(tmp_path / "km.csv", [["宿松县", "太湖县", 61.5], ["susong", "yuexi", 120], ["yuexi", "宿松", 118]])
    table = read_distances(path, PLAN)
    assert set(map(tuple, table[["from", "to"]].to_numpy())) == {("susong", "taihu"), ("susong", "yuexi"),
                                                                  ("yuexi", "susong")}
    matrix, source, findings = distance_matrix(PLAN, table)
    ids = PLAN.region_ids
    su, th, yx = ids.index("susong"), ids.index("taihu"), ids.index("yuexi")
    assert matrix[su, th] == matrix[th, su] == 61500
    assert matrix[su, yx] == 120000 and matrix[yx, su] == 118000
    assert matrix[su, su] == 0 and source == "table+plan" and findings
    assert matrix[th, yx] == round(PLAN.distance_km("taihu", "yuexi") * 1000)


def test_excel_and_english_headers(tmp_path):
    """An .xlsx with English headers from, to, km reads the same."""
    path = tmp_path / "km.xlsx"
    pd.DataFrame({"from": ["susong"], "to": ["taihu"], "km": [61.5]}).to_excel(path, index=False)
    assert read_distances(path, PLAN).to_dict(orient="records") == [{"from": "susong", "to": "taihu", "km": 61.5}]


def test_errors_name_file_row_column_value(tmp_path):
    """Unknown region (with a did-you-mean), negative or non-numeric km, a non-zero self distance and
    a contradicting duplicate are all reported at once with row, column and value."""
    path = write_csv(tmp_path / "bad.csv", [["宿松线", "太湖县", 60], ["宿松县", "太湖县", -3], ["宿松县", "岳西县", "远"],
                                            ["宿松县", "宿松县", 5], ["望江县", "太湖县", 40], ["望江县", "太湖县", 45]])
    with pytest.raises(InputError) as err:
        read_distances(path, PLAN)
    issues = err.value.issues
    assert len(issues) == 5
    text = str(err.value)
    assert "bad.csv，第2行，列“起点”：值“宿松线”" in text and "宿松县" in text
    assert "第3行，列“距离（公里）”：值“-3”" in text and "第4行" in text and "第5行" in text
    assert "第7行" in text and "第6行" in text
    with pytest.raises(InputError, match="缺少列"):
        read_distances(write_csv(tmp_path / "cols.csv", [["a", "b"]], header=("起点", "终点")), PLAN)


def test_table_changes_the_dispatch(tmp_path):
    """With the plan's coordinates 太湖县 is nearer to 宿松县 than 桐城市; a road table saying the
    opposite sends the overflow case to 桐城市 and reports the table's km."""
    cases = pd.DataFrame([{"case_id": "A", "region": "susong", "kind": "civil", "instance": "first",
                           "litigation": True, "group_id": ""}])
    lawyers = pd.DataFrame([{"lawyer_id": lw, "region": r, "kind": "social", "firm": "", "handled_this_year": h,
                             "available": True} for lw, r, h in (("SU", "susong", CAP), ("TH", "taihu", 0),
                                                                 ("TC", "tongcheng", 0))])
    assert solve(PLAN, cases, lawyers).assignments["lawyer_id"].tolist() == ["TH"]
    table = read_distances(write_csv(tmp_path / "road.csv", [["宿松县", "太湖县", 300], ["宿松县", "桐城市", 150]]), PLAN)
    result = solve(PLAN, cases, lawyers, distances=table)
    assert result.assignments["lawyer_id"].tolist() == ["TC"] and result.assignments["km"].tolist() == [150.0]
    assert result.summary["distance"]["source"] == "table+plan"
