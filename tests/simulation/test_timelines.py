"""Tiny hand-checked timelines: exact SimPy event logs of December in a three-region plan.

Set-up (helpers.tiny_plan, deterministic mode): 甲县 approved 31 cases in each of January to
November and closed them all, so its rate is 31 cases a month and in December (31 days, flat
seasonality) it approves exactly 1 case a day at noon (times 334.5 … 364.5, day 0 = 1 January).
Every case is civil and handled in exactly 10 days. 市中心 and 乙县 have no applications.
"""

import numpy as np
import pytest

from simulation import build_start, simulate
from simulation.policies import rebalance_rule

from .helpers import lawyers_frame, one_kind, progress_frame, simple_params, tiny_plan

SEED = np.random.SeedSequence(0)
DEC = 334.5  # noon of 1 December 2023


def december_state(lawyers=None, kind="civil", mean_days=10.0):
    plan = tiny_plan()
    progress = progress_frame({"centre": [(0, 0)] * 11, "jia": [(31, 31)] * 11, "yi": [(0, 0)] * 11})
    return build_start(plan, progress, lawyers, params=simple_params(**one_kind(kind, mean_days)))


def jia_log(rep):
    return [(t, e, n, d) for t, r, e, n, d in rep.log if r == "甲县"]


def test_unlimited_capacity_timeline():
    """No lawyers table: each day's case is approved and assigned at noon and closes 10 days later."""
    rep = simulate(december_state(), "none", SEED, trace=True)
    expected = []
    for i in range(31):
        expected += [(DEC + i, "approve", 1, ""), (DEC + i, "assign", 1, "甲县")]
        if i >= 10:  # the case assigned on day i - 10 closes now (after this noon's events)
            expected.append((DEC + i, "close", 1, ""))
    assert jia_log(rep) == expected
    assert rep.approved[1, 11] == 31 and rep.closed[1, 11] == 21 and rep.waiting[1] == 0
    # real Environment.step calls: 4 process starts, 31 shared noons, the centre's month, the stop at year end
    assert rep.events == 4 + 31 + 1


def test_cap_headroom_then_waiting():
    """A grassroots worker at 85 of the 90-case cap takes 5 cases; a lawyer at the cap takes none; the rest wait."""
    lawyers = lawyers_frame([("jia", "grassroots", 85), ("jia", "social", 90), ("yi", "social", 0)])
    rep = simulate(december_state(lawyers), "none", SEED, trace=True)
    expected = []
    for i in range(31):
        expected.append((DEC + i, "approve", 1, ""))
        if i < 5:
            expected.append((DEC + i, "assign", 1, "甲县"))
        else:
            expected.append((DEC + i, "wait", i - 4, ""))
        if 10 <= i < 15:
            expected.append((DEC + i, "close", 1, ""))
    assert jia_log(rep) == expected
    assert rep.closed[1, 11] == 5 and rep.waiting[1] == 26 and rep.overflow_out[1] == 0


def test_overflow_goes_to_nearest_region_with_room():
    """Under overflow, cases 甲县 has no room for go the same day to 乙县 (市中心 is nearer but has no handlers)."""
    lawyers = lawyers_frame([("jia", "grassroots", 85), ("jia", "social", 90), ("yi", "social", 0)])
    rep = simulate(december_state(lawyers), "overflow", SEED, trace=True)
    expected = []
    for i in range(31):
        expected.append((DEC + i, "approve", 1, ""))
        expected.append((DEC + i, "assign", 1, "甲县") if i < 5 else (DEC + i, "overflow", 1, "乙县"))
        if i >= 10:
            expected.append((DEC + i, "close", 1, ""))
    assert jia_log(rep) == expected
    # closures count for the approving county 甲县; 乙县 only lent its lawyer
    assert rep.closed[1, 11] == 21 and rep.closed[2, 11] == 0 and rep.waiting[1] == 0
    assert rep.overflow_out.tolist() == [0, 26, 0] and rep.overflow_in.tolist() == [0, 0, 26]


def test_criminal_cases_never_go_to_grassroots_workers():
    """Criminal cases wait even though a grassroots worker has room (grassroots workers may not defend)."""
    lawyers = lawyers_frame([("jia", "grassroots", 0), ("jia", "staff", 88)])
    rep = simulate(december_state(lawyers, kind="criminal"), "none", SEED, trace=True)
    assigned = [e for e in jia_log(rep) if e[1] == "assign"]
    assert assigned == [(DEC, "assign", 1, "甲县"), (DEC + 1, "assign", 1, "甲县")]
    assert rep.waiting[1] == 29


def test_open_cases_carried_into_december_close_on_their_residual():
    """Open cases at the as-of date close after their mean residual given their age (deterministic mode).

    甲县 approved 31 cases in November only (none earlier) and closed 0; exponential handling
    times (shape 1) are memoryless, so every open case closes at the mean, 10 days after 1 December.
    """
    plan = tiny_plan()
    months = [(0, 0)] * 10 + [(31, 0)]
    progress = progress_frame({"centre": [(0, 0)] * 11, "jia": months, "yi": [(0, 0)] * 11})
    state = build_start(plan, progress, params=simple_params(**one_kind("civil", 10.0)))
    rep = simulate(state, "none", SEED, trace=True)
    carry = [(t, n) for t, r, e, n, _ in rep.log if r == "甲县" and e == "close" and t < DEC + 10]  # new cases close from 344.5 on
    assert sum(n for _, n in carry) == pytest.approx(31)
    assert [t for t, _ in carry] == pytest.approx([334.0 + 10.0] * len(carry))


def test_rebalance_rule_by_hand():
    """The monthly rebalance rule on hand-computed numbers (安庆2023 §3(3)2).

    July (j = 6), targets 120 each, approvals so far 70 / 52 / 60, rates 12 / 8 / 10 a month:
    序时进度 now 60 and at July's end 70. Region 0 is ahead and projects 70 + 6·12 = 142 > 120:
    it offers min(0.3·12, (142 − 120)/6) = 3.6. Region 1 is behind, projects 52 + 48 = 100, and its
    gap of 20 can be closed by 6 months × 3.6 = 21.6: it needs 70 − 52 − 8 = 10. Region 2 is
    exactly on pace (neither). So 3.6 cases move: q = 3.6/12 = 0.3, all to region 1.
    """
    cum = np.array([70.0, 52.0, 60.0])
    args = (cum, np.full(3, 120.0), np.array([12.0, 8.0, 10.0]), np.ones(12), np.ones(3, bool))
    q, share = rebalance_rule(6, *args, share_max=0.3, donor_buffer=0.0)
    assert q == pytest.approx([0.3, 0.0, 0.0])
    assert share == pytest.approx([0.0, 1.0, 0.0])
    q, _ = rebalance_rule(6, *args, share_max=0.3, donor_buffer=0.2)
    assert q.sum() == 0  # with a 20% buffer the donor must keep 144 > 142: nothing moves
    q, _ = rebalance_rule(6, np.array([70.0, 50.0, 60.0]), *args[1:], share_max=0.3, donor_buffer=0.0)
    assert q.sum() == 0  # at 50 the gap of 22 exceeds all the help on offer (21.6): region 1 is not helped


def test_rebalance_rule_respects_room_closure_and_donor_safety():
    """Receivers get no more than their free room, none when a case could not close in time, the
    nearest to target first; a donor whose pessimistic projection falls short gives nothing."""
    cum = np.array([90.0, 52.0, 55.0, 60.0])
    targets = np.full(4, 120.0)
    rates = np.array([20.0, 8.0, 8.0, 10.0])
    base = (cum, targets, rates, np.ones(12), np.ones(4, bool))
    # donor 0 offers min(0.3·20, (90 + 120 − 120)/6) = 6; needs: region 1 10, region 2 7 (gaps 20 and 17)
    q, share = rebalance_rule(6, *base, share_max=0.3, donor_buffer=0.0)
    assert q[0] * 20 == pytest.approx(6.0)
    assert share == pytest.approx([0, 0, 1, 0])  # region 2 is nearer its target: served first, up to its need 7
    q, share = rebalance_rule(6, *base, share_max=0.3, donor_buffer=0.0, room=np.array([50, 50, 2.0, 50]))
    assert q[0] * 20 == pytest.approx(6.0) and share == pytest.approx([0, 4 / 6, 2 / 6, 0])  # room 2, rest to 1
    q, share = rebalance_rule(6, *base, share_max=0.3, donor_buffer=0.0, room=np.array([50, 0.0, 0.0, 50]))
    assert q.sum() == 0 and share.sum() == 0  # no receiver has room: nothing moves
    q, share = rebalance_rule(6, *base, share_max=0.3, donor_buffer=0.0, closes=np.array([True, True, False, True]))
    assert share == pytest.approx([0, 1, 0, 0])  # region 2's cases would not close in time
    q, _ = rebalance_rule(6, *base, share_max=0.3, donor_buffer=0.0, low=np.array([0.2, 1, 1, 1]))
    assert q.sum() == 0  # pessimistically the donor projects 90 + 24 < 120: it keeps its cases


def test_rebalance_timeline_moves_applications_monthly():
    """Deterministic rebalance over November-December: 甲县 (ahead) gives 乙县 (behind) a share of each day's cases."""
    plan = tiny_plan(targets=(12, 300, 264))
    progress = progress_frame({"centre": [(1, 1)] * 10, "jia": [(31, 31)] * 10, "yi": [(21, 21)] * 10})
    state = build_start(plan, progress, params=simple_params(**one_kind("civil", 5.0)))
    rep = simulate(state, "rebalance", SEED, trace=True)
    # November (j = 10): 甲县 310 > 序时进度 250, projects 310 + 2·31 = 372 > 300·1.05 = 315 → offers
    # min(0.3·31, (372 − 315)/2) = 9.3; 乙县 210 < 220 projects 252 (gap 12 ≤ 2 · 9.3) and needs
    # 242 − 210 − 21 = 11 → 9.3 move, q = 0.3.
    transfers = [(t, r, e, n) for t, r, e, n, _ in rep.log if e.startswith("transfer")]
    assert transfers[0] == (304.0, "甲县", "transfer_out", pytest.approx(9.3))
    assert transfers[1] == (304.0, "乙县", "transfer_in", pytest.approx(9.3))
    nov = [(e, n) for t, r, e, n, _ in rep.log if r == "甲县" and t == 304.5 and e == "approve"]
    assert nov == [("approve", pytest.approx(31 / 30 * 0.7))]
    # December: 甲县 has 310 + 21.7 = 331.7, offers min(9.3, 47.7) = 9.3; 乙县 has 240.3 and needs
    # 264 − 240.3 − 21 = 2.7 → only 2.7 move
    assert transfers[2] == (334.0, "甲县", "transfer_out", pytest.approx(2.7))
    assert rep.approved[1, 10] == pytest.approx(21.7) and rep.approved[2, 10] == pytest.approx(21 + 9.3)
    assert rep.approved.sum() == pytest.approx(progress["approved"].sum() + 2 * (31 + 21 + 1))
