"""Budget scenarios: a small TOML file with a base and named overrides, and sweep grids.

Format (UTF-8; every key optional except each scenario's ``name``)::

    # 经费测算情景
    [base]
    plan = "anqing-2023"           # plan id, or a plan .toml path (relative to this file)
    funds = "funds.xlsx"           # funds table (CSV/XLSX, 经费表); omit to use the example data
    month = 6                      # reading month 1-12 (arrival/spending pace); omit = year end
    schedule = "subsidies.toml"    # subsidy schedule; omit = the bundled EXAMPLE schedule
    cases = "cases.csv"            # cases table for the case mix per region; omit = default mix
    seed = 0                       # seed of the example data (when funds is omitted)

    [[scenario]]
    name = "上级资金减少20%"
    upper_funds = "-20%"           # central+provincial funds; "-20%" or -0.2 (a fraction)

    [[scenario]]
    name = "案件增加10%、补贴标准提高15%"
    cases = "+10%"                 # cases the budget must fund
    subsidy = "+15%"               # every amount of the subsidy schedule

    [[scenario]]
    name = "宿松县地方预算削减"
    local_funds = "0%"             # all regions' local funds (here unchanged)
    [scenario.regions."宿松县"]    # one region: its name, short name or id
    local_funds = "-25%"           # relative change on top of the all-region change, or
    # local_funds_yuan = 450000    # set the amount (元); also upper_funds_yuan, and cases

    [sweep]                        # a grid on the base: every combination is evaluated (vectorised)
    upper_funds = ["-30%", "-20%", "-10%", "0%"]
    local_funds = ["0%", "+10%"]
    cases = ["0%", "+10%", "+20%"]
    subsidy = ["0%", "+15%"]

A change is a fraction (-0.2) or a percentage string ("-20%"); it must be above -100% and at
most +500%. Scenarios change the budget and the cases; they do not change what has already
arrived or been spent (those are the reading month's actuals). Problems are reported together
as one ``InputError`` in Chinese.
"""

from __future__ import annotations

import itertools
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from scenarios.errors import InputError, InputIssue
from scenarios.plans import Plan

#: The all-region changes a scenario or a sweep may make, in report order.
CHANGES = ("upper_funds", "local_funds", "cases", "subsidy")
_REGION_KEYS = ("upper_funds", "local_funds", "cases", "upper_funds_yuan", "local_funds_yuan")
_MIN_CHANGE, _MAX_CHANGE = -1.0, 5.0


@dataclass(frozen=True)
class RegionOverride:
    """Changes to one region, on top of the all-region changes.

    Attributes
    ----------
    upper_funds, local_funds, cases : relative changes (fractions, -0.2 = -20%).
    upper_funds_yuan, local_funds_yuan : amounts (元) that replace the region's funds.
    """

    upper_funds: float = 0.0
    local_funds: float = 0.0
    cases: float = 0.0
    upper_funds_yuan: float | None = None
    local_funds_yuan: float | None = None


@dataclass(frozen=True)
class Overrides:
    """All-region relative changes (fractions) and per-region overrides keyed by region id."""

    upper_funds: float = 0.0
    local_funds: float = 0.0
    cases: float = 0.0
    subsidy: float = 0.0
    regions: dict[str, RegionOverride] = field(default_factory=dict)


@dataclass(frozen=True)
class Scenario:
    """A named set of overrides."""

    name: str
    overrides: Overrides = field(default_factory=Overrides)


BASE = Scenario("基准", Overrides())


@dataclass(frozen=True)
class SweepGrid:
    """Relative changes to combine: every combination is one scenario (fractions)."""

    upper_funds: tuple[float, ...] = (0.0,)
    local_funds: tuple[float, ...] = (0.0,)
    cases: tuple[float, ...] = (0.0,)
    subsidy: tuple[float, ...] = (0.0,)

    @property
    def size(self) -> int:
        """Number of grid points."""
        return len(self.upper_funds) * len(self.local_funds) * len(self.cases) * len(self.subsidy)

    def points(self) -> pd.DataFrame:
        """One row per grid point with columns upper_funds, local_funds, cases, subsidy."""
        rows = list(itertools.product(self.upper_funds, self.local_funds, self.cases, self.subsidy))
        return pd.DataFrame(np.array(rows, dtype=float).reshape(-1, 4), columns=list(CHANGES))


#: The grid used by ``--sweep`` when the scenario file has no [sweep] table.
DEFAULT_GRID = SweepGrid(
    upper_funds=(-0.3, -0.2, -0.1, 0.0, 0.1),
    local_funds=(-0.2, -0.1, 0.0, 0.1, 0.2),
    cases=(0.0, 0.1, 0.2),
    subsidy=(0.0, 0.15),
)


@dataclass(frozen=True)
class ScenarioFile:
    """A parsed scenario file. Paths are resolved against the file's folder.

    Attributes
    ----------
    source : the file as named.
    plan : plan id or path, or None.
    funds, schedule, cases : paths, or None.
    month : reading month, or None (year end, or the example's month).
    seed : example-data seed.
    scenarios : the named scenarios in file order.
    sweep : the grid, or None.
    """

    source: str
    plan: str | None = None
    funds: Path | None = None
    schedule: Path | None = None
    cases: Path | None = None
    month: int | None = None
    seed: int = 0
    scenarios: tuple[Scenario, ...] = ()
    sweep: SweepGrid | None = None


def parse_change(value: object) -> float:
    """A relative change from -0.2, "-20%", "＋10％"; ValueError with a Chinese message if bad."""
    if isinstance(value, bool):
        raise ValueError(f"应为变化幅度（如 \"-20%\" 或 -0.2），实为 {value!r}")
    if isinstance(value, int | float):
        change = float(value)
    elif isinstance(value, str):
        text = value.strip().replace("％", "%").replace("＋", "+").replace("－", "-").replace("−", "-")
        try:
            change = float(text[:-1]) / 100 if text.endswith("%") else float(text)
        except ValueError:
            raise ValueError(f"应为变化幅度（如 \"-20%\" 或 -0.2），实为 {value!r}") from None
    else:
        raise ValueError(f"应为变化幅度（如 \"-20%\" 或 -0.2），实为 {value!r}")
    if not _MIN_CHANGE < change <= _MAX_CHANGE:
        hint = f"；若指 {change:g}%，请写成 \"{change:g}%\"" if abs(change) > 1 else ""
        raise ValueError(f"变化幅度应大于 -100% 且不超过 +500%，实为 {value!r}{hint}")
    return change


def _parse_overrides(raw: dict, where: str, plan: Plan | None, problems: list[str]) -> Overrides:
    values: dict[str, object] = {}
    for key in CHANGES:
        if key in raw:
            try:
                values[key] = parse_change(raw[key])
            except ValueError as exc:
                problems.append(f"{where} {key}：{exc}")
    regions: dict[str, RegionOverride] = {}
    raw_regions = raw.get("regions", {})
    if not isinstance(raw_regions, dict):
        problems.append(f"{where} regions 应为表（如 [scenario.regions.\"宿松县\"]）")
        raw_regions = {}
    for key, spec in raw_regions.items():
        rid = key
        if plan is not None:
            rid = plan.resolve_region(key)
            if rid is None:
                close = plan.suggest_region(key)
                hint = f"，是否要找“{'、'.join(close)}”？" if close else f"（可用：{plan.region_choices()}）"
                problems.append(f"{where} 地区“{key}”不是{plan.city}的地区{hint}")
                continue
        if not isinstance(spec, dict):
            problems.append(f"{where} 地区“{key}”应为表")
            continue
        unknown = sorted(set(spec) - set(_REGION_KEYS))
        if unknown:
            problems.append(f"{where} 地区“{key}”有未知字段 {unknown}（可用：{', '.join(_REGION_KEYS)}）")
        region_values: dict[str, object] = {}
        for k in ("upper_funds", "local_funds", "cases"):
            if k in spec:
                try:
                    region_values[k] = parse_change(spec[k])
                except ValueError as exc:
                    problems.append(f"{where} 地区“{key}” {k}：{exc}")
        for k in ("upper_funds_yuan", "local_funds_yuan"):
            if k in spec:
                amount = spec[k]
                if isinstance(amount, bool) or not isinstance(amount, int | float) or amount < 0:
                    problems.append(f"{where} 地区“{key}” {k} 应为非负金额（元），实为 {amount!r}")
                else:
                    region_values[k] = float(amount)
        if rid in regions:
            problems.append(f"{where} 地区“{key}”重复出现")
        regions[rid] = RegionOverride(**region_values)
    return Overrides(**values, regions=regions)


def _parse_grid(raw: dict, problems: list[str]) -> SweepGrid:
    unknown = sorted(set(raw) - set(CHANGES))
    if unknown:
        problems.append(f"[sweep] 有未知字段 {unknown}（可用：{', '.join(CHANGES)}）")
    values: dict[str, tuple[float, ...]] = {}
    for key in CHANGES:
        if key not in raw:
            continue
        items = raw[key] if isinstance(raw[key], list) else [raw[key]]
        parsed = []
        for item in items:
            try:
                parsed.append(parse_change(item))
            except ValueError as exc:
                problems.append(f"[sweep] {key}：{exc}")
        if not items:
            problems.append(f"[sweep] {key} 至少需要一个值")
        values[key] = tuple(parsed) or (0.0,)
    return SweepGrid(**values)


def load_scenario_file(path: str | os.PathLike, plan: Plan | None = None) -> ScenarioFile:
    """Read a scenario TOML; region names are resolved against ``plan`` (or the file's base plan).

    Raises ``InputError`` listing every problem (unknown keys, bad changes, unknown regions).
    """
    file = Path(path)
    source = str(path)
    if not file.is_file():
        raise InputError([InputIssue(source, None, None, None, "找不到情景文件")])
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError([InputIssue(source, None, None, None, f"不是有效的TOML文件（{exc}）")]) from None
    return scenario_file_from_dict(data, source, file.parent, plan)


def scenario_file_from_dict(data: dict, source: str, folder: Path, plan: Plan | None = None) -> ScenarioFile:
    """Build a ``ScenarioFile`` from parsed TOML (see the module docstring for the format)."""
    problems: list[str] = []
    unknown = sorted(set(data) - {"base", "scenario", "sweep"})
    if unknown:
        problems.append(f"未知的表或字段 {unknown}（可用：[base]、[[scenario]]、[sweep]）")
    base = data.get("base", {})
    if not isinstance(base, dict):
        problems.append("[base] 应为表")
        base = {}
    allowed = {"plan", "funds", "month", "schedule", "cases", "seed"}
    if set(base) - allowed:
        problems.append(f"[base] 有未知字段 {sorted(set(base) - allowed)}（可用：{', '.join(sorted(allowed))}）")
    plan_ref = base.get("plan")
    if plan_ref is not None and not isinstance(plan_ref, str):
        problems.append(f"[base] plan 应为计划ID或文件路径，实为 {plan_ref!r}")
        plan_ref = None
    if plan is None and plan_ref is not None:
        from scenarios.plans import load_plan

        ref = str(folder / plan_ref) if plan_ref.endswith(".toml") else plan_ref
        plan = load_plan(ref)
        plan_ref = ref
    paths: dict[str, Path | None] = {}
    for key in ("funds", "schedule", "cases"):
        value = base.get(key)
        if value is not None and not isinstance(value, str):
            problems.append(f"[base] {key} 应为文件路径，实为 {value!r}")
            value = None
        paths[key] = (folder / value) if value else None
    month = base.get("month")
    if month is not None and (isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12):
        problems.append(f"[base] month 应为1到12的整数，实为 {month!r}")
        month = None
    seed = base.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        problems.append(f"[base] seed 应为非负整数，实为 {seed!r}")
        seed = 0
    scenarios = []
    raw_scenarios = data.get("scenario", [])
    if not isinstance(raw_scenarios, list):
        problems.append("情景应写成 [[scenario]]（可有多个）")
        raw_scenarios = []
    names: set[str] = set()
    for n, raw in enumerate(raw_scenarios, start=1):
        name = raw.get("name")
        where = f"第{n}个 [[scenario]]" + (f"（{name}）" if isinstance(name, str) else "")
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{where} 缺少 name（情景名称）")
            name = f"情景{n}"
        elif name in names:
            problems.append(f"{where} 名称重复")
        names.add(name)
        extra = sorted(set(raw) - {"name", "regions", *CHANGES})
        if extra:
            problems.append(f"{where} 有未知字段 {extra}（可用：name、{', '.join(CHANGES)}、regions）")
        scenarios.append(Scenario(name, _parse_overrides(raw, where, plan, problems)))
    sweep = None
    if "sweep" in data:
        if isinstance(data["sweep"], dict):
            sweep = _parse_grid(data["sweep"], problems)
        else:
            problems.append("[sweep] 应为表")
    if problems:
        raise InputError([InputIssue(source, None, None, None, p) for p in problems])
    return ScenarioFile(source=source, plan=plan_ref, funds=paths["funds"], schedule=paths["schedule"],
                        cases=paths["cases"], month=month, seed=seed, scenarios=tuple(scenarios), sweep=sweep)


def resolve_overrides(overrides: Overrides, plan: Plan, source: str = "情景") -> Overrides:
    """Overrides with region keys turned into region ids of ``plan`` (InputError for unknown ones)."""
    regions, problems = {}, []
    for key, ro in overrides.regions.items():
        rid = plan.resolve_region(key)
        if rid is None:
            close = plan.suggest_region(key)
            hint = f"，是否要找“{'、'.join(close)}”？" if close else ""
            problems.append(f"地区“{key}”不是{plan.city}的地区{hint}")
        else:
            regions[rid] = ro
    if problems:
        raise InputError([InputIssue(source, None, None, None, p) for p in problems])
    return Overrides(overrides.upper_funds, overrides.local_funds, overrides.cases, overrides.subsidy, regions)
