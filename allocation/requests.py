"""The recipient's choice (点援) and stage continuity, honoured before the flow where the rules allow.

A case may name the lawyer its recipient chose (受援人选择的律师) or the lawyer of its earlier stage
(前一阶段律师). Both are honoured when every hard rule allows it — the lawyer is available, may
take the case (grassroots workers never defend), has the qualification it needs (法律援助法第二十六条),
is not in conflict with it (回避), has room under the yearly cap, and does not already defend
another member of its co-defendant group — taking the oldest cases first (决定援助日期, then 受理
日期, then case id) when a lawyer's room is short. Honoured cases are then fixed like pinned ones
and the flow places the rest; a choice that cannot be honoured gets a code saying why
(``REFUSALS``), and the case is dispatched as any other. This is level 0 of the objective order:
with one requested lawyer per case, taking each lawyer's requests oldest first while room lasts
honours the most requests possible.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from allocation.constraints import codefendants_distinct_defenders, grassroots_no_criminal

#: Why a choice was not honoured (the report words them).
REFUSALS = ("unavailable", "grassroots_criminal", "unqualified", "conflict", "full", "codefendant")


@dataclass
class Honoured:
    """Per case (input order): ``lawyer`` (position or −1), ``by`` ("requested", "continuity" or ""),
    ``refused`` (a ``REFUSALS`` code for a choice not honoured, else ""), ``asked`` ("requested",
    "continuity" or "": what the case asked for)."""

    lawyer: np.ndarray
    by: np.ndarray
    refused: np.ndarray
    asked: np.ndarray


def honour(cases: pd.DataFrame, lawyers: pd.DataFrame, conflicts: dict[int, frozenset], cap: int,
           order: np.ndarray) -> Honoured:
    """Honour recipients' choices, then earlier-stage lawyers, oldest first (see module docstring).

    ``cases`` carries ``pinned_lawyer``, ``group``, ``criminal``, ``req``; ``lawyers`` carries
    ``available``, ``kind``, ``qual`` and ``base`` (handled + pinned, 件); ``order`` is each case's
    first-come rank."""
    n = len(cases)
    lawyer = np.full(n, -1, dtype=np.int64)
    by = np.full(n, "", dtype=object)
    refused = np.full(n, "", dtype=object)
    asked = np.full(n, "", dtype=object)
    pos = {lid: i for i, lid in enumerate(lawyers["lawyer_id"])}
    load = lawyers["base"].to_numpy(dtype=np.int64).copy()
    available = lawyers["available"].to_numpy(dtype=bool)
    kind = lawyers["kind"].to_numpy()
    qual = lawyers["qual"].to_numpy(dtype=np.int64)
    req = cases["req"].to_numpy(dtype=np.int64)
    criminal = cases["criminal"].to_numpy(dtype=bool)
    group = cases["group"].to_numpy(dtype=object)
    free = cases["pinned_lawyer"].to_numpy() == ""
    defends: dict[tuple[str, int], int] = {}
    for g, lw in zip(group[~free], cases["pinned_lawyer"].to_numpy()[~free], strict=True):
        if g:
            defends[(g, pos[lw])] = defends.get((g, pos[lw]), 0) + 1
    wants = [("requested", cases["requested_lawyer"].to_numpy(dtype=object)),
             ("continuity", cases["previous_lawyer"].to_numpy(dtype=object))]
    for i in np.argsort(order, kind="stable"):
        if not free[i]:
            continue
        for label, column in wants:
            if not column[i] or column[i] not in pos:
                continue
            q = pos[column[i]]
            asked[i] = asked[i] or label
            why = _refusal(q, i, available, kind, qual, req, criminal, conflicts, load, cap, group, defends)
            if why:
                refused[i] = refused[i] or why
                continue
            lawyer[i], by[i], refused[i] = q, label, ""
            load[q] += 1
            if group[i]:
                defends[(group[i], q)] = defends.get((group[i], q), 0) + 1
            break
    return Honoured(lawyer, by, refused, asked)


def _refusal(q, i, available, kind, qual, req, criminal, conflicts, load, cap, group, defends) -> str:
    """The first hard rule that forbids lawyer ``q`` for case ``i`` ("" when none does)."""
    if not available[q]:
        return "unavailable"
    if not grassroots_no_criminal(bool(criminal[i]), kind[q]):
        return "grassroots_criminal"
    if req[i] & ~qual[q]:
        return "unqualified"
    if q in conflicts.get(int(i), ()):
        return "conflict"
    if load[q] >= cap:
        return "full"
    if group[i] and defends.get((group[i], q), 0) >= codefendants_distinct_defenders():
        return "codefendant"
    return ""
