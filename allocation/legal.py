"""Who may handle which case under national law: requirements, qualifications, conflicts (回避).

Read once by ``allocation.data.prepare`` from the optional columns of the cases and lawyers
tables (``scenarios.schema.OPTIONAL_DISPATCH``) and the dated parameters of
``scenarios/data/law/dispatch.toml``:

- ``requirements``: a criminal case whose defendant may be sentenced to life imprisonment or
  death, or a 死刑复核 case, needs a lawyer with ≥ ``senior_defence_years_min`` years of criminal
  defence (法律援助法第二十六条); a minor's criminal case needs a lawyer experienced with minors
  (《办理法律援助案件程序规定》). Bits: 1 senior, 2 minors.
- ``qualifications``: the same bits per lawyer (grassroots workers never qualify: they never
  defend).
- ``conflicts``: per case, the lawyers it must not go to: those named in 回避律师, the opposing
  party's lawyers (对方代理律师) and every lawyer of their firm or of 对方律所 (a firm may not act for
  both sides, 《律师执业行为规范》).
Lawyer ids named in the cases table that the lawyers table does not hold are input errors
(``scenarios.frames.unknown_lawyer_ids``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scenarios.frames import split_ids

SENIOR, MINORS = 1, 2


def requirements(cases: pd.DataFrame, law: dict) -> np.ndarray:
    """Requirement bits per case (see module docstring)."""
    criminal = cases["kind"].to_numpy() == "criminal"
    severe = cases["severe"].to_numpy(dtype=bool) | (cases["stage"].to_numpy() == "death_review")
    minors = cases["minor"].to_numpy(dtype=bool) & bool(law["minor_defender_experienced"].value)
    return (criminal & severe) * SENIOR + (criminal & minors) * MINORS


def qualifications(lawyers: pd.DataFrame, law: dict) -> np.ndarray:
    """Qualification bits per lawyer (see module docstring)."""
    defends = lawyers["kind"].to_numpy() != "grassroots"
    senior = lawyers["criminal_years"].to_numpy(dtype=np.int64) >= law["senior_defence_years_min"].value
    return (defends & senior) * SENIOR + (defends & lawyers["minors"].to_numpy(dtype=bool)) * MINORS


def conflicts(cases: pd.DataFrame, lawyers: pd.DataFrame) -> dict[int, frozenset]:
    """Case position → lawyer positions it must not go to (回避), for cases with any."""
    pos = {lid: i for i, lid in enumerate(lawyers["lawyer_id"])}
    firm_key = list(zip(lawyers["region"], lawyers["firm"], strict=True))
    by_firm: dict[str, set[int]] = {}
    for i, (_, f) in enumerate(firm_key):
        if f:
            by_firm.setdefault(f, set()).add(i)
    out = {}
    cols = [cases[c].to_numpy(dtype=object) for c in ("excluded_lawyers", "opposing_lawyers", "opposing_firm")]
    for i in np.flatnonzero([bool(a or b or c) for a, b, c in zip(*cols, strict=True)]):
        excluded = {pos[x] for x in split_ids(cols[0][i]) if x in pos}
        opposing = {pos[x] for x in split_ids(cols[1][i]) if x in pos}
        firms = {firm_key[q][1] for q in opposing if firm_key[q][1]} | set(split_ids(cols[2][i]))
        for f in firms:
            excluded |= by_firm.get(f, set())
        if excluded | opposing:
            out[int(i)] = frozenset(excluded | opposing)
    return out
