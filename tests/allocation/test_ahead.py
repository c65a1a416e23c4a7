"""Room kept for the cases still to come (level ``reserve``, ``allocation.ahead``)."""

import numpy as np
import pandas as pd
import pytest

from allocation import solve
from allocation.ahead import reserve_level, room_above
from scenarios.plans import load_plan
from tests.allocation.reference import random_instance

PLAN = load_plan("anqing-2023")
CAP = int(PLAN.rule_value("lawyer_yearly_cap"))


def _cases(rows):
    return pd.DataFrame([{"case_id": c, "region": r, "kind": k, "instance": "first", "litigation": True,
                          "group_id": ""} for c, r, k in rows])


def _lawyers(rows):
    return pd.DataFrame([{"lawyer_id": lw, "region": r, "kind": k, "firm": "", "handled_this_year": h,
                          "available": True} for lw, r, k, h in rows])


def _replay(days, lawyers, expected_per_day):
    """Dispatch ``days`` (lists of case rows) one after the other, keeping earlier assignments;
    ``expected_per_day[d]`` is the expected demand given on day d (or None). Returns the last
    result and every assignment."""
    kept = pd.DataFrame({"case_id": pd.Series(dtype=str), "lawyer_id": pd.Series(dtype=str)})
    seen, out, result = [], [], None
    for d, rows in enumerate(days):
        seen += rows
        result = solve(PLAN, _cases(seen), lawyers, pinned=kept, expected=expected_per_day[d])
        new = result.assignments[~result.assignments["pinned"]]
        out.append(new)
        kept = pd.concat([kept, new[["case_id", "lawyer_id"]]], ignore_index=True)
        seen = [r for r in seen if r[0] in set(kept["case_id"])] + \
            [r for r in rows if r[0] in set(result.unassigned["case_id"])]
    return result, pd.concat(out, ignore_index=True)


DAY1 = [("C1", "susong", "civil"), ("C2", "susong", "civil")]
DAY2 = [("K1", "susong", "criminal"), ("K2", "susong", "criminal")]
TO_COME = pd.DataFrame({"region": ["susong"], "kind": ["criminal"], "cases": [2]})


@pytest.mark.parametrize("far", [True, False])
def test_without_the_reservation_the_last_days_cases_go_far_or_unassigned_and_with_it_they_do_not(far):
    """宿松 has one lawyer who may defend (room 2) and one grassroots worker (room 2). Day 1 brings
    two civil cases, day 2 two criminal ones. Without a view ahead the balance level spreads the
    civil cases over both, so on day 2 one criminal case goes to 望江 (or, with no lawyer there,
    stays unassigned); told that two criminal cases are still to come, day 1 sends both civil cases
    to the grassroots worker and day 2 places both criminal cases locally."""
    lawyers = [("S", "susong", "staff", CAP - 2), ("G", "susong", "grassroots", CAP - 2)]
    if far:
        lawyers.append(("F", "wangjiang", "social", 0))
    lawyers = _lawyers(lawyers)
    blind, blind_all = _replay([DAY1, DAY2], lawyers, [None, None])
    ahead, ahead_all = _replay([DAY1, DAY2], lawyers, [TO_COME, None])
    day2 = blind_all[blind_all["case_id"].isin(["K1", "K2"])]
    if far:
        assert day2["cross_region"].sum() == 1 and day2["km"].max() > 0
    else:
        assert len(blind.unassigned) == 1
    got = ahead_all.set_index("case_id")["lawyer_id"]
    assert got[["C1", "C2"]].tolist() == ["G", "G"] and got[["K1", "K2"]].tolist() == ["S", "S"]
    assert not ahead_all["cross_region"].any() and len(ahead.unassigned) == 0


def test_reserved_room_is_used_rather_than_leaving_a_case_or_sending_it_away():
    """A forecast is only a preference: when today's cases need the reserved room they get it —
    nothing unassigned, nothing sent out of the county — and the level counts the units used."""
    lawyers = _lawyers([("S", "susong", "staff", CAP - 2), ("F", "wangjiang", "social", 0)])
    result = solve(PLAN, _cases(DAY1), lawyers,
                   expected=pd.DataFrame({"region": ["susong"], "kind": ["criminal"], "cases": [50]}))
    assert len(result.unassigned) == 0 and not result.assignments["cross_region"].any()
    assert result.levels["reserve"] == 2 and result.status == "optimal"
    assert result.reserve.set_index("region").loc["susong", "reserved_defenders"] == 2


def test_reserve_level_covers_the_reservation_with_the_highest_load_level():
    base = np.array([80, 85, 89])
    assert room_above(base, 90, 0) == 10 + 5 + 1
    assert reserve_level(base, 90, 0) == 90
    assert reserve_level(base, 90, 3) == 89  # above 89: one case per lawyer = 3
    assert reserve_level(base, 90, 4) == 88  # above 88: 2 + 2 + 1 = 5 ≥ 4 (rounded to a whole level)
    assert room_above(base, 90, reserve_level(base, 90, 7)) >= 7
    assert room_above(base, 90, reserve_level(base, 90, 7) + 1) < 7


@pytest.mark.parametrize("seed", range(40))
def test_the_reservation_never_costs_an_unassigned_or_cross_region_case(seed):
    """On random instances with a random expected demand, the levels above ``reserve``
    (unassigned, cross_region, pace) equal those without it, every rule holds (the engine checks
    them) and the per-case reserve count equals the model's (status optimal)."""
    rng = np.random.default_rng(1300 + seed)
    cases, lawyers, pins = random_instance(rng, PLAN, int(rng.integers(5, 40)), int(rng.integers(3, 12)),
                                           regions=int(rng.integers(2, 5)), legal=True)
    regions = sorted(set(lawyers["region"]) | set(cases["region"]))
    expected = pd.DataFrame([{"region": r, "kind": k, "cases": int(rng.integers(0, 12))}
                             for r in regions for k in ("criminal", "civil")])
    plain = solve(PLAN, cases, lawyers, pinned=pins)
    ahead = solve(PLAN, cases, lawyers, pinned=pins, expected=expected)
    for level in ("unassigned", "cross_region", "pace"):
        assert ahead.levels[level] == plain.levels[level], level
    assert ahead.status == plain.status
    assert len(ahead.assignments) + len(ahead.unassigned) == len(cases)
