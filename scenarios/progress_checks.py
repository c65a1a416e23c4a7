"""Consistency of the monthly progress reports (月报, 六安2025 §3(3); read against 序时进度).

- ``progress_issues``: one file or frame on its own — months from 1 without gaps or repeats,
  cumulative closures never above cumulative approvals, no month after the current one;
- ``progress_completeness``: the city as a whole — every region of the plan reports every month up
  to the current month (the last month reported, unless given); what a projection needs, applied
  the same way by ``legalaid check``, ``run`` and ``project``;
- ``cumulative_issues``: counts that look cumulative (year to date) where monthly counts belong;
- ``to_monthly``: turn a table of cumulative counts into monthly counts (``--cumulative``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scenarios.errors import InputIssue
from scenarios.plans import Plan
from scenarios.schema import TABLES

#: A city-wide year to date this many times 序时进度 or more cannot be monthly counts (the plans'
#: best counties reach about 1.1×); cumulative counts at month m are about (m+1)/2 times it.
CUMULATIVE_PACE = 1.8
#: From this month on a cumulative table can be told from a monthly one.
CUMULATIVE_FROM_MONTH = 3


def closed_above_approved(part: pd.DataFrame):
    """Months of one region (sorted, with an Excel ``row``) where cumulative closures (件) exceed
    cumulative approvals: yields (row, month, closed, cumulative approved, cumulative closed);
    the count stops at the first month with a missing count (reported elsewhere)."""
    once = part.drop_duplicates("month")
    known = once[["approved", "closed"]].notna().all(axis=1).cummin()
    once = once[known.to_numpy(dtype=bool)]
    counts = once[["approved", "closed"]].astype("float64").cumsum()
    for (row, month, closed), cum_a, cum_c in zip(once[["row", "month", "closed"]].itertuples(index=False),
                                                   counts["approved"], counts["closed"], strict=True):
        if cum_c > cum_a:
            yield row, month, closed, cum_a, cum_c


def progress_issues(progress: pd.DataFrame, plan: Plan, *, as_of_month: int | None = None,
                    file: str = "月度进度表", rows: list[int] | None = None,
                    headers: dict[str, str] | None = None) -> list[InputIssue]:
    """Consistency of monthly reports (月报, 六安2025 §3(3); read against 序时进度).

    Checks: each region present reports every month from 1 to its last month (at least to
    ``as_of_month`` when given), once; cumulative closed
    cases (件) never exceed cumulative approved cases to date; no month after ``as_of_month``.
    Rows whose region or month is missing or out of range are skipped (reported elsewhere).

    Parameters
    ----------
    progress : frame with region, month, approved, closed (canonical or parsed).
    rows : Excel row number of each frame row; default position + 2 (header on row 1).
    headers : canonical column -> header as written; default the Chinese labels.
    """
    labels = {c.name: c.label for c in TABLES["progress"]} | (headers or {})
    frame = progress[["region", "month", "approved", "closed"]].copy()
    frame["row"] = rows if rows is not None else [i + 2 for i in range(len(frame))]
    frame = frame[frame["region"].notna() & frame["month"].notna()]
    frame = frame[frame["month"].between(1, 12)].astype({"month": int})
    issues = []

    def issue(row, column, value, expected):
        issues.append(InputIssue(file, row, labels[column], value, expected))

    for region, part in frame.groupby("region", sort=False):
        name = plan.region(region).name if region in plan.region_ids else str(region)
        part = part.sort_values(["month", "row"], kind="stable")
        for row, month in part.loc[part["month"].duplicated(), ["row", "month"]].itertuples(index=False):
            first = part.loc[part["month"] == month, "row"].iloc[0]
            issue(row, "month", str(month), f"{name}{month}月已在第{first}行填报，同一地区同一月份只能有一行")
        last = max(part["month"].max(), as_of_month or 0)
        gaps = sorted(set(range(1, last + 1)) - set(part["month"]))
        if gaps:
            issue(None, "month", None, f"{name}缺少{'、'.join(f'{m}月' for m in gaps)}的数据"
                  f"（应从1月起逐月填报到{last}月，没有案件的月份填0）")
        for row, month, closed, cum_a, cum_c in closed_above_approved(part):
            issue(row, "closed", str(closed), f"{name}截至{month}月累计结案{cum_c:g}件，多于累计审批{cum_a:g}件；"
                  "请核对本月及之前各月的审批数和结案数")
    for column, what in (("closed_litigation", "诉讼案件"), ("closed_social", "社会律师办理的案件")):
        if column not in progress.columns:
            continue
        part = pd.DataFrame({"row": frame["row"], "part": progress.loc[frame.index, column],
                             "closed": progress.loc[frame.index, "closed"]}).dropna()
        for row, value, closed in part[part["part"] > part["closed"]].itertuples(index=False):
            issues.append(InputIssue(file, row, labels.get(column, column), f"{value:g}",
                                     f"不能多于本月结案数{closed:g}件（是本月结案中{what}的件数）"))
    if as_of_month is not None and as_of_month >= 1:
        for row, month in frame.loc[frame["month"] > as_of_month, ["row", "month"]].itertuples(index=False):
            issue(row, "month", str(month), f"晚于当前月份（{as_of_month}月），不能有未来月份的数据")
    return issues


def _labels(headers: dict[str, str] | None) -> dict[str, str]:
    return {c.name: c.label for c in TABLES["progress"]} | (headers or {})


def progress_completeness(progress: pd.DataFrame, plan: Plan, *, as_of_month: int | None = None,
                          file: str = "月度进度表", headers: dict[str, str] | None = None) -> list[InputIssue]:
    """Every plan region reports every month from 1 to the current month (``as_of_month``, else the
    last month in the table); one issue per region that does not."""
    months = pd.to_numeric(progress["month"], errors="coerce")
    valid = progress[months.between(1, 12) & progress["region"].isin(plan.region_ids)]
    reported = months[months.between(1, 12)]
    current = as_of_month if as_of_month is not None else (int(reported.max()) if len(reported) else 0)
    label = _labels(headers)["month"]
    issues = []
    for region in plan.regions:
        got = set(valid.loc[valid["region"] == region.id, "month"].astype(int))
        if current >= 1 and not got:
            issues.append(InputIssue(file, None, label, None, f"{region.name}没有任何月份的数据"
                                     f"（各地区都应从1月起逐月填报到{current}月，没有案件的月份填0）"))
        elif got and max(got) < current:
            later = [m for m in range(max(got) + 1, current + 1)]
            issues.append(InputIssue(file, None, label, None, f"{region.name}只填报到{max(got)}月，缺少"
                                     f"{'、'.join(f'{m}月' for m in later)}的数据（其他地区已报到{current}月）"))
    return issues


def cumulative_issues(progress: pd.DataFrame, plan: Plan, *, file: str = "月度进度表") -> list[InputIssue]:
    """One issue when the counts look cumulative (year to date) rather than monthly.

    From month ``CUMULATIVE_FROM_MONTH`` on: the city's approvals to date are at least
    ``CUMULATIVE_PACE`` × 序时进度 and at least half the regions rise every month.
    """
    frame = progress[progress["region"].isin(plan.region_ids)].dropna(subset=["month", "approved"])
    if frame.empty:
        return []
    current = int(frame["month"].max())
    if current < CUMULATIVE_FROM_MONTH:
        return []
    pace = sum(r.target for r in plan.regions) * current / 12
    ratio = float(frame["approved"].astype(float).sum()) / pace if pace else 0.0
    rising = 0
    for _, part in frame.sort_values("month").groupby("region"):
        values = part["approved"].astype(float).to_numpy()
        rising += len(values) >= CUMULATIVE_FROM_MONTH and bool(np.all(np.diff(values) >= 0))
    if ratio < CUMULATIVE_PACE or rising < len(plan.regions) / 2:
        return []
    return [InputIssue(file, None, None, None,
                       f"审批数看起来是累计数而不是当月数：全市1至{current}月相加为序时进度的{ratio:.1f}倍，"
                       f"{rising}个地区逐月只增不减；本表每行应填该月当月的审批数和结案数。"
                       "请改为当月数；如表中确为累计数，可加 --cumulative 由工具换算为当月数")]


def to_monthly(progress: pd.DataFrame) -> pd.DataFrame:
    """Cumulative (year-to-date) approvals and closures per region → that month's counts."""
    out = progress.sort_values(["region", "month"], kind="stable").copy()
    for column in [c for c in ("approved", "closed", "closed_litigation", "closed_social") if c in out.columns]:
        out[column] = out.groupby("region", sort=False)[column].diff().fillna(out[column])
    return out.sort_index()


def history_issues(history: pd.DataFrame, plan: Plan, *, file: str = "历年月度表", rows: list[int] | None = None,
                   headers: dict[str, str] | None = None) -> list[InputIssue]:
    """Consistency of the history table (earlier years' monthly reports, the progress format plus a year).

    Checks: years are earlier than the plan's year (and not before 2000); each region-year reports
    the 12 months once each; closures to date never exceed approvals to date within a year (closures
    count that year's cases, as in the progress table). Rows with a missing region, year or month
    are skipped (reported elsewhere).
    """
    labels = {c.name: c.label for c in TABLES["history"]} | (headers or {})
    frame = history[["region", "year", "month", "approved", "closed"]].copy()
    frame["row"] = rows if rows is not None else [i + 2 for i in range(len(frame))]
    frame = frame[frame["region"].notna() & frame["month"].notna() & frame["year"].notna()]
    frame = frame[frame["month"].between(1, 12)].astype({"month": int, "year": int})
    issues = []

    def issue(row, column, value, expected):
        issues.append(InputIssue(file, row, labels[column], value, expected))

    bad_year = (frame["year"] >= plan.year) | (frame["year"] < 2000)
    for row, year in frame.loc[bad_year, ["row", "year"]].itertuples(index=False):
        issue(row, "year", str(year), f"历年数据的年份应在2000年至{plan.year - 1}年之间（早于计划年度{plan.year}年）；"
              "本年数据请填入月度进度表")
    frame = frame[~bad_year]
    for (region, year), part in frame.groupby(["region", "year"], sort=False):
        name = plan.region(region).name if region in plan.region_ids else str(region)
        part = part.sort_values(["month", "row"], kind="stable")
        for row, month in part.loc[part["month"].duplicated(), ["row", "month"]].itertuples(index=False):
            first = part.loc[part["month"] == month, "row"].iloc[0]
            issue(row, "month", str(month), f"{name}{year}年{month}月已在第{first}行填报，同一地区同一年月只能有一行")
        gaps = sorted(set(range(1, 13)) - set(part["month"]))
        if gaps:
            issue(None, "month", None, f"{name}{year}年缺少{'、'.join(f'{m}月' for m in gaps)}的数据"
                  "（历年数据应为全年12个月，没有案件的月份填0；不完整的年份请整年删除）")
        for row, month, closed, cum_a, cum_c in closed_above_approved(part):
            issue(row, "closed", str(closed), f"{name}{year}年截至{month}月累计结案{cum_c:g}件，多于累计审批"
                  f"{cum_a:g}件；历年数据的结案数只计当年审批的案件")
            break
    return issues
