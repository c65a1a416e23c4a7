"""Dispatch distances: km from the administering centre's seat to the lawyer's county seat.

By default the plan's approximate county-seat coordinates give great-circle km
(``plan.distance_km``). A user may give a region-by-region table instead (e.g. road km):
CSV or Excel with columns from, to, km (by region id or Chinese name). One direction given
means both; both directions given may differ (one-way roads). Pairs the table lacks fall back to
the straight-line estimate and a finding says how many. Inside one region the distance is 0.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from scenarios.errors import InputError, InputIssue
from scenarios.plans import Plan
from scenarios.readers import cell_text, read_raw
from scenarios.vocab import Finding

#: Accepted headers (lower-case) per canonical column.
HEADERS = {
    "from": ("from", "起点", "出发地", "派出地", "管辖机构", "法律援助中心", "从"),
    "to": ("to", "终点", "目的地", "到达地", "律师所在地区", "律师所在地", "到"),
    "km": ("km", "距离", "距离（公里）", "距离(公里)", "距离（km）", "距离(km)", "公里", "公里数", "里程", "里程（公里）"),
}
LABELS = {"from": "起点", "to": "终点", "km": "距离（公里）"}


def _header_map(headers: list[str]) -> dict[str, int]:
    found = {}
    for j, h in enumerate(headers):
        key = h.strip().lower()
        for canon, names in HEADERS.items():
            if key in names and canon not in found:
                found[canon] = j
    return found


def read_distances(path: str | os.PathLike, plan: Plan) -> pd.DataFrame:
    """Read a km table (CSV/Excel; columns from, to, km by region id or name).

    Returns a frame with columns from, to (region ids) and km (float), one row per direction
    given. Raises ``InputError`` naming file, row, column, value and what was expected.
    """
    raw = read_raw(path, lambda row: len(_header_map(row)))
    cols = _header_map(raw.headers)
    missing = [c for c in ("from", "to", "km") if c not in cols]
    if missing:
        raise InputError([InputIssue(raw.file, raw.header_row, None, None,
                                     "距离表缺少列：" + "、".join(f"{LABELS[c]}（{c}）" for c in missing)
                                     + f"；表头为：{'、'.join(raw.headers) or '（空）'}")])
    issues = list(raw.issues)
    rows, seen = [], {}
    for row_no, values in raw.frame.iterrows():
        cells = {c: cell_text(values[cols[c]]) for c in cols}
        ids = {}
        for end in ("from", "to"):
            rid = plan.resolve_region(cells[end])
            if rid is None:
                hint = plan.suggest_region(cells[end])
                issues.append(InputIssue(raw.file, int(row_no), raw.headers[cols[end]], cells[end],
                                         f"应为本计划的地区（{plan.region_choices()}）" + (f"，是否为“{hint[0]}”？" if hint else "")))
            ids[end] = rid
        try:
            km = float(cells["km"])
            ok = np.isfinite(km) and km >= 0
        except ValueError:
            km, ok = float("nan"), False
        if not ok:
            issues.append(InputIssue(raw.file, int(row_no), raw.headers[cols["km"]], cells["km"], "应为不小于0的公里数"))
            continue
        if None in ids.values():
            continue
        if ids["from"] == ids["to"] and km != 0:
            issues.append(InputIssue(raw.file, int(row_no), raw.headers[cols["km"]], cells["km"],
                                     "同一地区内的调配距离按0计，此处应为0或删去该行"))
            continue
        key = (ids["from"], ids["to"])
        if key in seen and seen[key][1] != km:
            issues.append(InputIssue(raw.file, int(row_no), raw.headers[cols["km"]], cells["km"],
                                     f"与第{seen[key][0]}行同一方向的距离 {seen[key][1]:g} 公里不一致"))
            continue
        seen[key] = (int(row_no), km)
        rows.append((ids["from"], ids["to"], km))
    if issues:
        raise InputError(issues)
    return pd.DataFrame(rows, columns=["from", "to", "km"]).drop_duplicates(["from", "to"]).reset_index(drop=True)


def distance_matrix(plan: Plan, table: pd.DataFrame | None = None) -> tuple[np.ndarray, str, list[Finding]]:
    """Metres (int64) from each region (row: administering centre) to each region (column).

    Returns (matrix, source, findings); source is "plan", "table" or "table+plan"; a finding
    "distance_pairs_missing" counts the directed pairs the table lacks (estimated from the plan).
    """
    ids = plan.region_ids
    n = len(ids)
    km = np.array([[0.0 if a == b else plan.distance_km(a, b) for b in ids] for a in ids])
    if table is None or len(table) == 0:
        return np.rint(km * 1000).astype(np.int64), "plan", []
    index = {r: i for i, r in enumerate(ids)}
    given = np.zeros((n, n), dtype=bool)
    np.fill_diagonal(given, True)
    a = np.array([index[x] for x in table["from"]], dtype=np.int64)
    b = np.array([index[x] for x in table["to"]], dtype=np.int64)
    value = table["km"].to_numpy(dtype=float)
    km[a, b] = value
    given[a, b] = True
    reverse = ~given[b, a]
    km[b[reverse], a[reverse]] = value[reverse]
    given[b, a] = True
    missing = int((~given).sum())
    findings = [Finding("distance_pairs_missing", (), {"count": missing})] if missing else []
    return np.rint(km * 1000).astype(np.int64), "table+plan" if missing else "table", findings
