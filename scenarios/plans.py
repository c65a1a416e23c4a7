"""City plans: regions, yearly targets, delegations and rules, loaded from TOML data files.

A plan file (see ``data/plans/anqing-2023.toml`` for the documented format) is the only thing
a user writes to add a city. It is validated on load; problems are reported as one
``PlanError`` listing all of them.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import math
from dataclasses import dataclass, field

from scenarios.errors import PlanError
from scenarios.rules import RuleBook, RuleValue, missing_rule_message

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
    lat, lon : approximate county-seat coordinates (degrees, WGS84), for dispatch distances; None
        when the plan's distance table gives every distance from this region.
    population : 2020 census population (人), or None when no source gives it.
    """

    id: str
    name: str
    short: tuple[str, ...]
    level: str
    target: int
    lat: float | None
    lon: float | None
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
    distances: tuple[tuple[str, str, float], ...] = ()
    tiered_categories: tuple[str, ...] = ()
    tiered_reference: str = ""
    provisions: dict[str, tuple[str, str]] = field(default_factory=dict)

    def provision(self, name: str) -> str | None:
        """The plan's reference for a provision that is not a number (e.g. "city_wide_dispatch" →
        "安庆2023方案三（三）2"), or None when the plan has no such provision."""
        found = self.provisions.get(name)
        return None if found is None else found[0]

    @functools.cached_property
    def _by_id(self) -> dict[str, Region]:
        return {r.id: r for r in self.regions}

    @functools.cached_property
    def _distance_table(self) -> dict[tuple[str, str], float]:
        table = {(b, a): km for a, b, km in self.distances}
        table.update({(a, b): km for a, b, km in self.distances})
        return table

    # --- regions -------------------------------------------------------------------------
    @property
    def region_ids(self) -> list[str]:
        """Region ids in plan order."""
        return [r.id for r in self.regions]

    def region(self, region_id: str) -> Region:
        """The region with this id (KeyError if none); O(1)."""
        return self._by_id[region_id]

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
        return self._names.get(key)

    def delegation_of(self, text: object) -> Delegation | None:
        """The delegated township (安庆2023 §6(5)) a name stands for, or None when it is a region's own name."""
        return self._delegations_by_name.get(_normalise(text))

    def suggest_region(self, text: object, n: int = 3) -> list[str]:
        """Close matches (display names) for a region name that did not resolve."""
        key = _normalise(text)
        names = self._names
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

    @functools.cached_property
    def _delegations_by_name(self) -> dict[str, Delegation]:
        """Normalised township name or short name → its delegation, where it is not a region's own name."""
        own = {_normalise(a) for r in self.regions for a in (r.id, r.name, *r.short)}
        found: dict[str, Delegation] = {}
        for d in self.delegations:
            for alias in (d.name, *d.short):
                key = _normalise(alias)
                if key not in own:
                    found.setdefault(key, d)
        return found

    @functools.cached_property
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
        """The rules ``names`` in force on ``on``; one PlanError naming every rule that is not and the fix."""
        on = on or self.default_date
        found = {name: self.rule(name, on) for name in names}
        missing = [name for name, rule in found.items() if rule is None]
        if missing:
            raise PlanError("；".join(missing_rule_message(self.id, name, on) for name in missing))
        return found

    def distance_km(self, a: str, b: str) -> float:
        """Distance (km) between two regions: the plan's distance table, else the county seats'
        great-circle distance."""
        if a == b:
            return 0.0
        known = self._distance_table.get((a, b))
        if known is not None:
            return known
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


from scenarios.plan_files import list_plans, load_plan, plan_from_dict  # noqa: E402

__all__ = ["LEVELS", "USER_PLAN_DIR_ENV", "Delegation", "Plan", "Region", "Subtotal", "haversine_km", "list_plans", "load_plan", "plan_from_dict"]
