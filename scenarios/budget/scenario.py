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


def _overrides(spec, plan: Plan | None, where: str, problems: list[str]) -> Overrides:
    """A validated scenario's overrides, its region keys resolved against ``plan`` (ids kept without one)."""
    regions: dict[str, RegionOverride] = {}
    for key, change in spec.regions.items():
        rid = key if plan is None else plan.resolve_region(key)
        if rid is None:
            close = plan.suggest_region(key)
            hint = f"，是否要找“{'、'.join(close)}”？" if close else f"（可用：{plan.region_choices()}）"
            problems.append(f"{where} 地区“{key}”不是{plan.city}的地区{hint}")
            continue
        if rid in regions:
            problems.append(f"{where} 地区“{key}”重复出现")
        regions[rid] = RegionOverride(**change.model_dump()) if hasattr(change, "model_dump") else RegionOverride()
    return Overrides(spec.upper_funds, spec.local_funds, spec.cases, spec.subsidy, regions)


def _raw_region_issues(data: dict, source: str, folder: Path, plan: Plan | None) -> list[InputIssue]:
    """Unknown region keys of a file whose shape is wrong, so one pass reports them too."""
    base = data.get("base") if isinstance(data.get("base"), dict) else {}
    ref = base.get("plan")
    if plan is None and isinstance(ref, str):
        from scenarios.errors import PlanError
        from scenarios.plans import load_plan

        try:
            plan = load_plan(str(folder / ref) if ref.endswith(".toml") else ref)
        except PlanError:
            return []
    raw = data.get("scenario") if isinstance(data.get("scenario"), list) else []
    problems: list[str] = []
    for n, s in enumerate(raw, start=1):
        regions = s.get("regions") if isinstance(s, dict) and isinstance(s.get("regions"), dict) else {}
        name = s.get("name") if isinstance(s, dict) else None
        if plan is not None and regions:
            stub = ScenarioStub(regions)
            _overrides(stub, plan, f"第{n}个 [[scenario]]" + (f"（{name}）" if isinstance(name, str) else ""), problems)
    return [InputIssue(source, None, None, None, p) for p in problems]


@dataclass
class ScenarioStub:
    """Only the region keys of a raw scenario (for ``_raw_region_issues``)."""

    regions: dict
    upper_funds: float = 0.0
    local_funds: float = 0.0
    cases: float = 0.0
    subsidy: float = 0.0


def load_scenario_file(path: str | os.PathLike, plan: Plan | None = None) -> ScenarioFile:
    """Read a scenario TOML; region names are resolved against ``plan`` (or the file's base plan).

    Raises ``InputError`` listing every problem (unknown keys, bad changes, unknown regions).
    """
    from scenarios.schemas.files import read

    return scenario_file_from_dict(read(path, "情景文件"), str(path), Path(path).parent, plan)


def scenario_file_from_dict(data: dict, source: str, folder: Path, plan: Plan | None = None) -> ScenarioFile:
    """Build a ``ScenarioFile`` from parsed TOML (see the module docstring for the format)."""
    from scenarios.schemas.files import ScenarioFileSpec, check

    try:
        spec = check(data, ScenarioFileSpec, source)
    except InputError as exc:
        raise InputError(exc.issues + _raw_region_issues(data, source, folder, plan)) from None
    base = spec.base
    plan_ref = base.plan
    if plan_ref is not None and plan_ref.endswith(".toml"):
        plan_ref = str(folder / plan_ref)
    if plan is None and plan_ref is not None:
        from scenarios.plans import load_plan

        plan = load_plan(plan_ref)
    problems: list[str] = []
    scenarios = tuple(Scenario(s.name, _overrides(s, plan, f"第{n}个 [[scenario]]（{s.name}）", problems))
                      for n, s in enumerate(spec.scenario, start=1))
    if problems:
        raise InputError([InputIssue(source, None, None, None, p) for p in problems])
    sweep = None if spec.sweep is None else SweepGrid(*(tuple(getattr(spec.sweep, k)) for k in CHANGES))
    paths = {k: (folder / getattr(base, k)) if getattr(base, k) else None for k in ("funds", "schedule", "cases")}
    return ScenarioFile(source=source, plan=plan_ref, funds=paths["funds"], schedule=paths["schedule"],
                        cases=paths["cases"], month=base.month, seed=base.seed, scenarios=scenarios, sweep=sweep)


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
