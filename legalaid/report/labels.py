"""Words shared by every report: region names (the city total included), yes/no, kinds."""

from __future__ import annotations

from collections.abc import Iterable

from scenarios.plans import Plan
from scenarios.vocab import CASE_KINDS, CITY_TOTAL, INSTANCES, LAWYER_KINDS

__all__ = ["CASE_KINDS", "CITY_TOTAL_NAME", "INSTANCES", "LAWYER_KINDS", "YES_NO", "region_name", "region_names"]

#: How the whole-city row is named in every table.
CITY_TOTAL_NAME = "全市合计"

#: Booleans as a bureau writes them.
YES_NO = {True: "是", False: "否"}


def region_name(plan: Plan, region: str) -> str:
    """The Chinese name of a region id, or 全市合计 for the city total."""
    return CITY_TOTAL_NAME if region == CITY_TOTAL else plan.region(region).name


def region_names(plan: Plan, regions: Iterable[str]) -> list[str]:
    """Chinese names of region ids (全市合计 for the city total)."""
    names = {r.id: r.name for r in plan.regions} | {CITY_TOTAL: CITY_TOTAL_NAME}
    return [names[r] for r in regions]
