"""Shares of closed cases per county: litigation (诉讼) and social lawyers (社会律师).

The plans measure both on closed cases (结案) of each county (本地区): 安庆2023方案六（二）
"诉讼案件占结案数70%以上" and "社会律师办案占比不低于75%" (Lu'an inherits the provincial defaults,
rules ``litigation_share_min`` and ``social_lawyer_share_min``). They are year-end rules: before
December the share to date is a reading (``PACE_OK`` / ``PACE_BEHIND``), judged only in December
(``PASS`` / ``FAIL``). The projected year-end share is the share to date (the ratio estimator: the
cases still to close are assumed to split as those closed so far).

The counts come from the optional progress columns ``closed_litigation`` and ``closed_social``;
without them the share is not reported (``NO_DATA``).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from scenarios.budget.rules import FAIL, NO_DATA, NOT_APPLICABLE, PACE_BEHIND, PACE_OK, PASS
from scenarios.plans import Plan
from scenarios.vocab import CITY_TOTAL

#: Share id -> (progress column, plan rule).
SHARES = {"litigation": ("closed_litigation", "litigation_share_min"),
          "social": ("closed_social", "social_lawyer_share_min")}

#: Columns of ``closed_shares``.
SHARE_COLUMNS = ["region", "share", "closed", "part", "value", "required", "status", "shortfall_cases",
                 "reference", "month"]


def closed_shares(plan: Plan, progress: pd.DataFrame, month: int, *, on: dt.date | None = None) -> pd.DataFrame:
    """Each county's (and the city's) litigation and social-lawyer share of closed cases to ``month``.

    Parameters
    ----------
    plan : the city plan (its dated share rules).
    progress : canonical monthly progress (optional columns closed_litigation, closed_social; 件).
    month : last reported month (12 = year end, when the rules are judged).

    Returns
    -------
    DataFrame with ``SHARE_COLUMNS``: per region and share, closed cases and the part (件), the
    share (0..1), the rule's minimum, the status, the cases short of the minimum (件; 0 when met)
    and the rule's citation.
    """
    to_date = progress[progress["month"] <= month]
    regions = [*plan.region_ids, CITY_TOTAL]
    rows = []
    for share, (column, rule_name) in SHARES.items():
        rule = plan.rule(rule_name, on)
        has = column in to_date.columns and to_date[column].notna().any()
        sums = to_date.groupby("region")[["closed", column] if has else ["closed"]].sum()
        for region in regions:
            part_rows = sums if region == CITY_TOTAL else sums.loc[[region]] if region in sums.index else sums.iloc[:0]
            closed = float(part_rows["closed"].sum())
            part = float(part_rows[column].sum()) if has else np.nan
            value = part / closed if has and closed else np.nan
            if rule is None:
                status, required, short, ref = NOT_APPLICABLE, np.nan, np.nan, ""
            else:
                required, ref = rule.value, rule.citation
                if np.isnan(value):
                    status, short = NO_DATA, np.nan
                else:
                    ok = value + 1e-12 >= required
                    status = (PASS if ok else FAIL) if month == 12 else (PACE_OK if ok else PACE_BEHIND)
                    short = 0.0 if ok else float(np.ceil(required * closed - part - 1e-9))
            rows.append([region, share, closed, part, value, required, status, short, ref, month])
    return pd.DataFrame(rows, columns=SHARE_COLUMNS)
