"""City plans: regions, yearly targets, delegations and rules, loaded from TOML data files.

A plan file (see ``data/plans/anqing-2023.toml`` for the documented format) is the only thing
a user writes to add a city. It is validated on load; problems are reported as one
``PlanError`` listing all of them.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import os
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from scenarios.errors import PlanError
from scenarios.rules import RuleBook, RuleValue

#: Region levels and how a user reads them.
LEVELS = {"city": "市本级", "district": "市辖区", "county": "县（市）"}

#: Directory of user plan files (``*.toml``), in addition to the bundled ones.
USER_PLAN_DIR_ENV = "LEGALAID_PLANS"


@dataclass(frozen=True)
class Region:
    """One legal-aid centre's area: a county, district or the city centre (市本级).

    Attributes
    ----------
    id : ASCII id, e.g. "susong".
    name : full Chinese name, e.g. "宿松县".
    short : other names users type, e.g. ("宿松",).
    level : "city" (市本级), "district" or "county".
    target : yearly legal-aid target (件/年).
    lat, lon : approximate county-seat coordinates (degrees, WGS84), for dispatch distances.
    population : 2020 census population (人), or None when no source gives it.
    """

    id: str
    name: str
    short: tuple[str, ...]
    level: str
    target: int
    lat: float
    lon: float
    population: int | None = None

    @property
    def supply_per_100k(self) -> float | None:
        """Target cases per 100,000 residents (件/10万人), None when population is unknown."""
        if not self.population:
            return None
        return self.target / self.population * 100_000


@dataclass(frozen=True)
class Delegation:
    """A township without a centre whose applications a district handles (e.g. 安庆2023 §6(5))."""

    name: str
    short: tuple[str, ...]
    region: str
    reference: str


@dataclass(frozen=True)
class Subtotal:
    """A subtotal stated by the plan (e.g. 市区小计 1108), checked on load."""

    name: str
    regions: tuple[str, ...]
    total: int


@dataclass(frozen=True)
class Plan:
    """A city's legal-aid plan for one year."""

    id: str
    city: str
    year: int
    title: str
    document: str
    issuer: str
    issued: dt.date
    regions: tuple[Region, ...]
    delegations: tuple[Delegation, ...]
    subtotals: tuple[Subtotal, ...]
    target_total: int
    target_reference: str
    rules: RuleBook
    city_population: int | None
    population_reference: str
    source: str

    # --- regions -------------------------------------------------------------------------
    @property
    def region_ids(self) -> list[str]:
        """Region ids in plan order."""
        return [r.id for r in self.regions]

    def region(self, region_id: str) -> Region:
        """The region with this id (KeyError if none)."""
        for r in self.regions:
            if r.id == region_id:
                return r
        raise KeyError(region_id)

    @property
    def city_centre(self) -> Region:
        """The city legal-aid centre (市本级), which administers second-instance cases."""
        return next(r for r in self.regions if r.level == "city")

    @property
    def targets(self) -> dict[str, int]:
        """Yearly target per region id (件/年)."""
        return {r.id: r.target for r in self.regions}

    def resolve_region(self, text: object) -> str | None:
        """Region id for an id, full or short Chinese name, or a delegated township; else None."""
        key = _normalise(text)
        return self._names().get(key)

    def suggest_region(self, text: object, n: int = 3) -> list[str]:
        """Close matches (display names) for a region name that did not resolve."""
        key = _normalise(text)
        names = self._names()
        hits = difflib.get_close_matches(key, list(names), n=n, cutoff=0.4)
        if not hits and key:
            hits = [k for k in names if key in k or (k and k in key)][:n]
        seen, out = set(), []
        for hit in hits:
            label = self.region(names[hit]).name
            if label not in seen:
                seen.add(label)
                out.append(label)
        return out

    def region_choices(self) -> str:
        """All region names, for an error message."""
        return "、".join(r.name for r in self.regions)

    def _names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        for r in self.regions:
            for alias in (r.id, r.name, *r.short):
                names[_normalise(alias)] = r.id
        for d in self.delegations:
            for alias in (d.name, *d.short):
                names.setdefault(_normalise(alias), d.region)
        return names

    # --- rules ---------------------------------------------------------------------------
    @property
    def default_date(self) -> dt.date:
        """Date at which rules are read unless told otherwise: the plan year's end."""
        return dt.date(self.year, 12, 31)

    def rule(self, name: str, on: dt.date | None = None) -> RuleValue | None:
        """The rule ``name`` in force on ``on`` (default: plan year's end), or None."""
        return self.rules.get(name, on or self.default_date)

    def rule_value(self, name: str, on: dt.date | None = None) -> float:
        """The number of rule ``name`` in force on ``on``; PlanError if not in force."""
        return self.rules.value(name, on or self.default_date)

    def rules_in_force(self, names: tuple[str, ...], on: dt.date | None = None) -> dict[str, RuleValue]:
        """The rules ``names`` in force on ``on``; one PlanError naming every rule that is not."""
        on = on or self.default_date
        found = {name: self.rule(name, on) for name in names}
        missing = [name for name, rule in found.items() if rule is None]
        if missing:
            raise PlanError(f"计划“{self.id}”在{on.isoformat()}没有生效的规则：{'、'.join(missing)}")
        return found

    def distance_km(self, a: str, b: str) -> float:
        """Great-circle distance (km) between two regions' approximate county seats."""
        ra, rb = self.region(a), self.region(b)
        return haversine_km(ra.lat, ra.lon, rb.lat, rb.lon)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km on a sphere of radius 6371 km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _normalise(text: object) -> str:
    if text is None:
        return ""
    return str(text).replace("\u3000", "").replace(" ", "").strip().lower()


# --- loading -------------------------------------------------------------------------------
def _bundled_dir():
    return resources.files("scenarios").joinpath("data")


def _user_dir() -> Path | None:
    value = os.environ.get(USER_PLAN_DIR_ENV)
    return Path(value) if value else None


def list_plans() -> list[tuple[str, str]]:
    """(plan id, where it comes from) for bundled plans and user plans in $LEGALAID_PLANS."""
    found = [(p.name[:-5], "内置") for p in _bundled_dir().joinpath("plans").iterdir() if p.name.endswith(".toml")]
    user = _user_dir()
    if user and user.is_dir():
        found += [(p.stem, str(p)) for p in user.glob("*.toml")]
    return sorted(found)


def load_plan(plan: str | os.PathLike) -> Plan:
    """Load a plan by bundled id, user-plan id (in $LEGALAID_PLANS) or path to a TOML file."""
    text, source = _read_plan_text(str(plan))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PlanError(f"{source}：不是有效的TOML文件（{exc}）") from None
    return plan_from_dict(data, source)


def _read_plan_text(plan: str) -> tuple[str, str]:
    path = Path(plan)
    if plan.endswith(".toml") or path.is_file():
        if not path.is_file():
            raise PlanError(f"找不到计划文件：{plan}")
        return path.read_text(encoding="utf-8"), str(path)
    user = _user_dir()
    if user and (user / f"{plan}.toml").is_file():
        return (user / f"{plan}.toml").read_text(encoding="utf-8"), str(user / f"{plan}.toml")
    bundled = _bundled_dir().joinpath("plans", f"{plan}.toml")
    if bundled.is_file():
        return bundled.read_text(encoding="utf-8"), f"{plan}.toml"
    ids = [p for p, _ in list_plans()]
    close = difflib.get_close_matches(plan, ids, n=1)
    hint = f"，是否要找“{close[0]}”？" if close else ""
    raise PlanError(f"未知计划“{plan}”{hint}（可用：{'、'.join(ids)}；也可给出 .toml 文件路径）")


def _load_inherited(name: str, source: str) -> dict:
    file = _bundled_dir().joinpath("rules", f"{name}.toml")
    if not file.is_file():
        raise PlanError(f"{source}：inherits = “{name}” 找不到对应的规则文件")
    return tomllib.loads(file.read_text(encoding="utf-8"))


def plan_from_dict(data: dict, source: str) -> Plan:
    """Build and validate a Plan from parsed TOML; all problems are reported together."""
    problems: list[str] = []

    def need(table: dict, key: str, kind: type | tuple, where: str):
        value = table.get(key)
        if value is None:
            problems.append(f"{where}缺少字段 {key}")
        elif not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            problems.append(f"{where}字段 {key} 的值 {value!r} 类型不对")
            return None
        return value

    for key, kind in (("id", str), ("city", str), ("year", int), ("title", str), ("issued", dt.date), ("target_total", int)):
        need(data, key, kind, "")
    regions: list[Region] = []
    raw_regions = data.get("regions")
    if not isinstance(raw_regions, list) or not raw_regions:
        problems.append("缺少 [[regions]] 表（每个法律援助机构一项）")
        raw_regions = []
    for i, raw in enumerate(raw_regions, start=1):
        where = f"第{i}个 [[regions]] "
        values = {k: need(raw, k, kind, where) for k, kind in (
            ("id", str), ("name", str), ("level", str), ("target", int), ("lat", int | float), ("lon", int | float))}
        if values["level"] is not None and values["level"] not in LEVELS:
            problems.append(f"{where}level 应为 {', '.join(LEVELS)}，实为 {values['level']!r}")
        if values["target"] is not None and values["target"] < 0:
            problems.append(f"{where}target 不能为负数")
        if values["id"] is not None and not values["id"].isascii():
            problems.append(f"{where}id 应为ASCII（如 susong），实为 {values['id']!r}")
        population = raw.get("population")
        if population is not None and (not isinstance(population, int) or population <= 0):
            problems.append(f"{where}population 应为正整数")
        if None not in values.values():
            regions.append(Region(
                id=values["id"], name=values["name"], short=tuple(raw.get("short", [])), level=values["level"],
                target=values["target"], lat=float(values["lat"]), lon=float(values["lon"]), population=population))
    ids = [r.id for r in regions]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(f"地区 id “{dup}” 重复")
    if regions and sum(r.level == "city" for r in regions) != 1:
        problems.append("需要且只能有一个 level = \"city\" 的地区（市本级，管辖二审案件）")
    total = data.get("target_total")
    if isinstance(total, int) and regions and sum(r.target for r in regions) != total:
        problems.append(f"各地区目标之和 {sum(r.target for r in regions)} 与 target_total = {total} 不符")
    subtotals = []
    for raw in data.get("subtotals", []):
        members = [m for m in raw.get("regions", []) if m not in ids]
        if members:
            problems.append(f"小计“{raw.get('name')}”含未知地区 {members}")
            continue
        got = sum(r.target for r in regions if r.id in raw["regions"])
        if got != raw.get("total"):
            problems.append(f"小计“{raw.get('name')}”应为 {raw.get('total')}，各地区之和为 {got}")
        subtotals.append(Subtotal(raw["name"], tuple(raw["regions"]), raw["total"]))
    delegations = []
    for raw in data.get("delegations", []):
        if raw.get("region") not in ids:
            problems.append(f"代办关系“{raw.get('name')}”指向未知地区 {raw.get('region')!r}")
            continue
        delegations.append(Delegation(raw["name"], tuple(raw.get("short", [])), raw["region"], raw.get("reference", "")))
    rules = None
    try:
        inherited, note = {}, ""
        if data.get("inherits"):
            parent = _load_inherited(data["inherits"], source)
            inherited, note = parent.get("rules", {}), parent.get("note", "")
        rules = RuleBook(data.get("rules", {}), inherited, note, source)
    except PlanError as exc:
        problems.append(str(exc))
    if problems:
        raise PlanError(f"计划文件 {source} 有{len(problems)}处问题：\n" + "\n".join(f"  - {p}" for p in problems))
    return Plan(
        id=data["id"], city=data["city"], year=data["year"], title=data["title"],
        document=data.get("document", ""), issuer=data.get("issuer", ""), issued=data["issued"],
        regions=tuple(regions), delegations=tuple(delegations), subtotals=tuple(subtotals),
        target_total=data["target_total"], target_reference=data.get("target_reference", ""),
        rules=rules, city_population=data.get("city_population"),
        population_reference=data.get("population_reference", ""), source=source,
    )
