"""Rows of a delegated township counted for its district (安庆2023 §6(5): 经开区菱北办事处 → 宜秀区 …).

A progress or funds table may report a delegated township on its own row beside its district's.
Those rows are added to the district's row (same month for progress), not rejected as duplicates;
a note names them. Where the district has no row of its own, the township's row stands for it.
"""

from __future__ import annotations

import pandas as pd

from scenarios.plans import Plan
from scenarios.vocab import Finding

#: The columns added up, and the key a district has one row for, per table.
SUMMED = {"progress": (("approved", "closed"), ("region", "month")),
          "history": (("approved", "closed"), ("region", "year", "month")),
          "funds": (("upper_funds", "local_funds", "planned_cases", "arrived", "spent", "subsidy_spent"), ("region",))}


def merge_delegations(frame: pd.DataFrame, texts: pd.Series, plan: Plan, table: str,
                      file: str) -> tuple[pd.DataFrame, list[Finding]]:
    """``frame`` (parsed, index = Excel rows) with delegated townships' rows added to their districts."""
    from scenarios.readers import cell_text

    if table not in SUMMED or not plan.delegations:
        return frame, []
    columns, key = SUMMED[table]
    delegated = texts.map(lambda t: plan.delegation_of(cell_text(t)) is not None).reindex(frame.index, fill_value=False)
    if not delegated.any():
        return frame, []
    merged, drop = [], []
    own = frame[~delegated.to_numpy(dtype=bool)]
    for row in frame.index[delegated.to_numpy(dtype=bool)]:
        values = frame.loc[row, list(key)]
        if values.isna().any():
            continue
        match = own.index[(own[list(key)] == values.to_numpy()).all(axis=1).to_numpy()]
        if not len(match):
            continue
        target = match[0]
        for column in columns:
            a, b = frame.at[target, column], frame.at[row, column]
            frame.at[target, column] = b if pd.isna(a) else (a if pd.isna(b) else a + b)
        drop.append(row)
        merged.append(f"{cell_text(texts[row])}→{plan.region(values['region']).name}（第{row}行并入第{target}行）")
    if not drop:
        return frame, []
    note = Finding("delegation_rows_merged", tuple(str(r) for r in drop), {"file": file, "merged": tuple(merged)})
    return frame.drop(index=drop), [note]
