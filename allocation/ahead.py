"""Room kept for the cases still to come this year (the ``reserve`` level of the objective).

A centre dispatching every day sees only today's cases; the rest of the year arrives later.
With an expected-demand input (cases still to come per county and kind, e.g. the projection's,
``legalaid run``), each county's own future cases get a reservation of its local room, and
today's batch is placed so as to use as little reserved room as it can (level ``reserve``).

Rule and source. 安庆2023 §3(3)2 (市域一体通办、全市一盘棋): cases are handled locally, and
city-wide dispatch is for where local capacity cannot place a case (a group beyond the local
lawyers, counties behind 序时进度 for lack of cases); §6(2): every handler at most
``lawyer_yearly_cap`` cases a year; 法律援助法第四十三条: every approved case is assigned. The
reservation serves these over the year: today's civil cases should not spend the local room of
lawyers who may defend when the county's criminal cases still to come will need it, and a case
that must leave its county should go where the room is not needed by that county's own cases
still to come (so it does not later starve that county).

What the plans allow, hence where the level sits (``allocation.model.LEVELS``): below
``unassigned``, ``cross_region`` and ``pace`` — a forecast never leaves a case unassigned and
never sends a case out of its county that local handlers can take (§3(3)2: cross-region only
where local capacity cannot place it) — and above ``distance``, the social share and balance,
which it constrains only by choosing among equally local placements: which local handlers take
today's cases (e.g. civil cases to grassroots workers, keeping defenders' room for criminal cases
to come) and, for cases that must go out, counties with room to spare first.

Reservation per county r (件), from its expected criminal cases E_c and other cases E_o and the
room (cap − handled − pinned) of its eligible handlers: grassroots workers R_g = min(room_g, E_o)
(they never defend, 《刑事诉讼法》第35条); lawyers who may defend R_d = min(room_d, E_c + E_o − R_g).
Each is held as the room above a load level T: a unit raising a handler of that family and
county from load A to A+1 costs 1 at level ``reserve`` when A ≥ T, with T the highest level whose
room above covers the reservation (rounded to a whole load level, so up to one case per handler
more than the reservation may be held). The cost is separable per handler, increasing in load
like the balance cost, so the pools' water-filling stays exact. Qualifications (法律援助法第二十六条)
and co-defendant groups are not forecast: the reservation is by county and kind only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Columns of an expected-demand table: region id, case kind (criminal / civil /
#: administrative), cases still to come this year (件).
EXPECTED_COLUMNS = ("region", "kind", "cases")


def check_expected(expected: pd.DataFrame, regions: tuple[str, ...]) -> pd.DataFrame:
    """Per region: expected criminal and other cases still to come (件, ≥ 0, integers).

    Raises ``ValueError`` for a table without the columns of ``EXPECTED_COLUMNS``, an unknown
    region or a negative count (the table comes from the projection or a program, not a user file).
    """
    missing = [c for c in EXPECTED_COLUMNS if c not in expected]
    if missing:
        raise ValueError(f"expected demand lacks columns {missing}")
    unknown = sorted(set(expected["region"].astype(str)) - set(regions))
    if unknown:
        raise ValueError(f"expected demand names unknown regions {unknown[:5]}")
    count = pd.to_numeric(expected["cases"], errors="raise").to_numpy(dtype=float)
    if (count < 0).any():
        raise ValueError("expected demand has a negative count")
    frame = pd.DataFrame({"region": expected["region"].astype(str).to_numpy(),
                          "criminal": (expected["kind"].astype(str) == "criminal").to_numpy(),
                          "cases": np.rint(count).astype(np.int64)})
    table = frame.pivot_table(index="region", columns="criminal", values="cases", aggfunc="sum", fill_value=0)
    table = table.reindex(index=list(regions), columns=[True, False], fill_value=0)
    return pd.DataFrame({"region": list(regions), "criminal": table[True].to_numpy(dtype=np.int64),
                         "other": table[False].to_numpy(dtype=np.int64)})


def room_above(base: np.ndarray, cap: int, level: int) -> int:
    """Room (件) of handlers with loads ``base`` above load ``level``: Σ max(0, cap − max(base, level))."""
    return int(np.maximum(0, cap - np.maximum(base, level)).sum())


def reserve_level(base: np.ndarray, cap: int, reserve: int) -> int:
    """The highest load level T whose room above (``room_above``) covers ``reserve`` (cap when 0)."""
    if reserve <= 0 or not len(base):
        return cap
    for level in range(cap, -1, -1):
        if room_above(base, cap, level) >= reserve:
            return level
    return 0


def keep_room_for_expected(lawyers: pd.DataFrame, regions: tuple[str, ...], cap: int,
                           expected: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
    """Per lawyer, the load level from which its room is reserved for the cases still to come
    (cap = nothing reserved), and per county the reservation (see module docstring).

    ``lawyers`` carries region, kind, base (handled + pinned, 件) and eligible. Returns
    (reserve_from per lawyer, table region, expected_criminal, expected_other, reserved_defenders,
    reserved_grassroots, level_defenders, level_grassroots)."""
    want = check_expected(expected, regions)
    region = lawyers["region"].to_numpy(dtype=object)
    grassroots = lawyers["kind"].to_numpy() == "grassroots"
    eligible = lawyers["eligible"].to_numpy(dtype=bool)
    base = lawyers["base"].to_numpy(dtype=np.int64)
    out = np.full(len(lawyers), cap, dtype=np.int64)
    rows = []
    for rid, crim, other in want[["region", "criminal", "other"]].itertuples(index=False, name=None):
        here = (region == rid) & eligible
        g, d = here & grassroots, here & ~grassroots
        keep_g = min(room_above(base[g], cap, 0), int(other))
        keep_d = min(room_above(base[d], cap, 0), int(crim) + int(other) - keep_g)
        level_g, level_d = reserve_level(base[g], cap, keep_g), reserve_level(base[d], cap, keep_d)
        out[g], out[d] = level_g, level_d
        rows.append((rid, int(crim), int(other), keep_d, keep_g, level_d, level_g))
    table = pd.DataFrame(rows, columns=["region", "expected_criminal", "expected_other", "reserved_defenders",
                                        "reserved_grassroots", "level_defenders", "level_grassroots"])
    return out, table


def room_kept_ahead(pool_reserve: np.ndarray | None, pool: np.ndarray, level: np.ndarray) -> np.ndarray:
    """Room kept for the cases still to come (安庆2023 §3(3)2, §6(2); see module docstring), the arc
    costs of level ``reserve``: the unit raising a lawyer of ``pool`` from load ``level`` to
    ``level`` + 1 costs 1 when ``level`` is at or above the pool's reservation load
    (``Structure.pool_reserve``). Like the balance cost it is non-decreasing in load, so the pools'
    water-filling stays exact."""
    if pool_reserve is None or not len(pool):
        return np.zeros(len(pool), dtype=np.int64)
    return (np.asarray(level) >= pool_reserve[pool]).astype(np.int64)


def reserved_units(base: np.ndarray, added: np.ndarray, reserve_from: np.ndarray) -> int:
    """Level ``reserve`` of a per-case assignment: new cases taken in reserved room, Σ over handlers
    of max(0, base + added − max(base, reserve_from)) (件)."""
    return int(np.maximum(0, base + added - np.maximum(base, reserve_from)).sum())
