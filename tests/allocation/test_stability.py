"""What-if re-solves keep earlier assignments, rotation among equals, and the verifiable draw (issue 13)."""

import json

import pandas as pd

from legalaid import api
from legalaid.cli import main
from legalaid.report.inputs import write_example
from scenarios.example import generate_example
from scenarios.plans import load_plan
from tests.allocation.words import solve

PLAN = load_plan("anqing-2023")


def test_what_if_keeps_earlier_assignments_unless_released():
    """Re-solving the example with one lawyer made unavailable moves only that lawyer's cases and the
    released ones; every other case keeps its lawyer."""
    data = generate_example(PLAN, month=9, seed=0)
    first = api.dispatch(PLAN, data.cases, data.lawyers)
    gone = first.assignments["lawyer_id"].value_counts().index[0]
    lawyers = data.lawyers.assign(available=data.lawyers["available"] & (data.lawyers["lawyer_id"] != gone))
    released = list(first.assignments["case_id"].iloc[:5])
    again = api.dispatch(PLAN, data.cases, lawyers, previous=first.assignments, release=released)
    before = first.assignments.set_index("case_id")["lawyer_id"]
    after = again.assignments.set_index("case_id")["lawyer_id"].reindex(before.index)
    moved = set(before.index[(before != after).to_numpy()])
    allowed = set(before.index[(before == gone).to_numpy()]) | set(released)
    assert moved <= allowed and (after[before == gone] != gone).all()
    assert again.all_assigned and len(again.assignments) == len(first.assignments)


def test_rotation_gives_the_case_to_the_longest_waiting_equal_lawyer():
    """轮候: among lawyers equal on every level (same county, kind, load), the one whose last assignment
    is oldest gets the case, then one never assigned before that; the seed only breaks exact ties."""
    cases = pd.DataFrame({"case_id": ["A"], "region": "taihu", "kind": "civil", "instance": "first",
                          "litigation": True, "group_id": ""})
    lawyers = pd.DataFrame({"lawyer_id": ["L1", "L2", "L3"], "region": "taihu", "kind": "staff", "firm": "",
                            "handled_this_year": 10, "available": True,
                            "last_assigned": pd.to_datetime(["2023-05-03", "2023-04-01", "2023-05-01"])})
    assert solve(PLAN, cases, lawyers).assignments["lawyer_id"].tolist() == ["L2"]
    never = lawyers.assign(last_assigned=pd.to_datetime(["2023-05-03", "2023-04-01", None]))
    assert solve(PLAN, cases, never).assignments["lawyer_id"].tolist() == ["L3"]
    fewer = lawyers.assign(handled_this_year=[10, 10, 9])
    assert solve(PLAN, cases, fewer).assignments["lawyer_id"].tolist() == ["L3"]  # fewest this year first


def test_verify_recomputes_the_draw(tmp_path, capsys):
    """The output records the inputs+seed hash; ``legalaid verify`` recomputes it and re-dispatches
    (exit 0); another seed or an edited file is caught (exit 1)."""
    paths = write_example(generate_example(PLAN, month=10, seed=0), tmp_path / "in")
    out = tmp_path / "out"
    base = ["--plan", "anqing-2023", "--cases", str(paths["cases"]), "--lawyers", str(paths["lawyers"])]
    assert main(["dispatch", *base, "--out", str(out), "--seed", "3"]) == 0
    recorded = json.loads((out / "summary.json").read_text(encoding="utf-8"))["draw"]
    assert recorded["seed"] == 3 and len(recorded["inputs_sha256"]) == 64
    capsys.readouterr()
    assert main(["verify", *base, "--seed", "3", "--result", str(out)]) == 0
    assert "一致" in capsys.readouterr().out
    assert main(["verify", *base, "--seed", "4", "--result", str(out)]) == 1
    text = paths["cases"].read_text(encoding="utf-8-sig").replace("一审", "二审", 1)
    paths["cases"].write_text(text, encoding="utf-8-sig")
    assert main(["verify", *base, "--seed", "3", "--result", str(out)]) == 1


def test_expected_demand_warns_of_local_room_running_out():
    """With the cases still to come (per county and kind), the result says where local room after
    this batch will not cover them — the early warning of city-wide dispatch (§3(3)2)."""
    cases = pd.DataFrame({"case_id": ["A"], "region": "taihu", "kind": "criminal", "instance": "first",
                          "litigation": True, "group_id": ""})
    lawyers = pd.DataFrame({"lawyer_id": ["D", "G"], "region": "taihu", "kind": ["social", "grassroots"], "firm": "",
                            "handled_this_year": [85, 0], "available": True})
    expected = pd.DataFrame({"region": ["taihu", "taihu"], "kind": ["criminal", "civil"], "cases": [10, 20]})
    result = solve(PLAN, cases, lawyers, expected=expected)
    ahead = result.room_ahead.set_index(["region", "kind"])
    assert ahead.loc[("taihu", "criminal"), ["expected", "room", "short"]].tolist() == [10, 4, 6]
    assert ahead.loc[("taihu", "all"), "short"] == 0  # 94 of room for 30 cases
    assert any("太湖县刑事案件预计还有10件、本地余量4件、缺6件" in text for text in result.findings)
    assert solve(PLAN, cases, lawyers).room_ahead is None
