"""The plan file (and the inherited rules file): its shape, and the rules across its fields.

Shape (pydantic): types, ranges (targets ≥ 0, coordinates on the globe, a cap ≥ 1, shares in
(0, 1]), no unknown keys. Across fields (``cross_checks``): unique region ids, exactly one city
centre, targets adding up to the total and the subtotals, no name or short name shared by two
regions, delegations to known regions, every rule known and dated within the plan year,
coordinates wherever no distance is given, and the rules every command needs in force.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Literal

from pydantic import Field, field_validator

from scenarios.schemas import Strict

#: Rules every plan must have in force at its year's end (own or inherited): dispatch and the
#: projection need them.
REQUIRED_RULES = ("lawyer_yearly_cap", "social_lawyer_share_min", "closure_ratio_min")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_BAD_NAME = re.compile(r"[/\\:*?\"<>|\x00-\x1f]")


class RuleValueSpec(Strict):
    since: dt.date
    value: float
    reference: str = Field(min_length=1)
    note: str = ""


class RuleSpec(Strict):
    values: list[RuleValueSpec] = Field(min_length=1)
    label: str | None = None
    unit: str | None = None
    direction: Literal["min", "max"] | None = None
    counts: Literal["local", "all"] | None = None  # which money a per-case funding standard counts


class ProvisionSpec(Strict):
    reference: str = Field(min_length=1)
    note: str = ""


class RegionSpec(Strict):
    id: str
    name: str = Field(min_length=1)
    short: list[str] = []
    level: Literal["city", "district", "county"]
    target: int = Field(ge=0)
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    population: int | None = Field(None, gt=0)

    @field_validator("id")
    @classmethod
    def _ascii_id(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(f"id 应为小写英文字母、数字和连字符（如 susong），实为 {value!r}")
        return value

    @field_validator("name")
    @classmethod
    def _file_safe(cls, value: str) -> str:
        if _BAD_NAME.search(value):
            raise ValueError(f"name 不能含有 / \\ : * ? \" < > | 等字符（用作图表文件名），实为 {value!r}")
        return value


class SubtotalSpec(Strict):
    name: str = Field(min_length=1)
    regions: list[str] = Field(min_length=1)
    total: int = Field(ge=0)


class DelegationSpec(Strict):
    name: str = Field(min_length=1)
    short: list[str] = []
    region: str
    reference: str = ""


class DistanceSpec(Strict):
    start: str = Field(alias="from")
    to: str
    km: float = Field(ge=0)


class JurisdictionSpec(Strict):
    """Tiered jurisdiction (e.g. 安庆2023 §3(3)2): the case categories (``scenarios.vocab.CASE_CATEGORIES``
    codes) whose second instance the city centre administers."""

    second_instance_by_city: list[str] = []
    reference: str = ""

    @field_validator("second_instance_by_city")
    @classmethod
    def _known(cls, values: list[str]) -> list[str]:
        from scenarios.vocab import CASE_CATEGORIES

        bad = [v for v in values if v not in CASE_CATEGORIES]
        if bad:
            raise ValueError(f"未知的案件类别 {bad}（可选：{'、'.join(CASE_CATEGORIES)}）")
        return values


class PlanFile(Strict):
    id: str = Field(min_length=1)
    city: str = Field(min_length=1)
    year: int = Field(ge=2000, le=2100)
    title: str = Field(min_length=1)
    document: str = ""
    issuer: str = ""
    issued: dt.date
    inherits: str | None = None
    target_reference: str = ""
    target_total: int = Field(ge=0)
    city_population: int | None = Field(None, gt=0)
    population_reference: str = ""
    regions: list[RegionSpec] = Field(min_length=1)
    subtotals: list[SubtotalSpec] = []
    delegations: list[DelegationSpec] = []
    distances: list[DistanceSpec] = []
    rules: dict[str, RuleSpec] = {}
    provisions: dict[str, ProvisionSpec] = {}
    jurisdiction: JurisdictionSpec | None = None


class RulesFile(Strict):
    id: str
    name: str = ""
    note: str = ""
    rules: dict[str, RuleSpec] = {}


def _norm(text: str) -> str:
    return text.replace("\u3000", "").replace(" ", "").strip().lower()


def region_problems(spec: PlanFile) -> list[str]:
    """Ids, the city centre, totals, subtotals, delegations and names shared by two regions."""
    out = []
    ids = [r.id for r in spec.regions]
    out += [f"地区 id “{dup}” 重复" for dup in sorted({i for i in ids if ids.count(i) > 1})]
    if sum(r.level == "city" for r in spec.regions) != 1:
        out.append('需要且只能有一个 level = "city" 的地区（市本级，管辖二审案件）')
    if sum(r.target for r in spec.regions) != spec.target_total:
        out.append(f"各地区目标之和 {sum(r.target for r in spec.regions)} 与 target_total = {spec.target_total} 不符")
    for s in spec.subtotals:
        unknown = [m for m in s.regions if m not in ids]
        if unknown:
            out.append(f"小计“{s.name}”含未知地区 {unknown}（可用：{'、'.join(ids)}）")
        elif sum(r.target for r in spec.regions if r.id in s.regions) != s.total:
            got = sum(r.target for r in spec.regions if r.id in s.regions)
            out.append(f"小计“{s.name}”应为 {s.total}，各地区之和为 {got}")
    out += [f"代办关系“{d.name}”指向未知地区 {d.region!r}（可用：{'、'.join(ids)}）"
            for d in spec.delegations if d.region not in ids]
    owner: dict[str, str] = {}
    for r in spec.regions:
        for alias in dict.fromkeys([r.id, r.name, *r.short]):
            key = _norm(alias)
            if key in owner and owner[key] != r.name:
                out.append(f"名称或简称“{alias}”同时属于{owner[key]}和{r.name}，填表时无法区分；请删去其中一个")
            owner.setdefault(key, r.name)
    for d in spec.delegations:
        for alias in (d.name, *d.short):
            if _norm(alias) in owner:
                out.append(f"代办地“{d.name}”的名称或简称“{alias}”与{owner[_norm(alias)]}相同")
    return out


def coordinate_problems(spec: PlanFile) -> list[str]:
    """Every pair of regions needs a distance: from the table, or from both regions' coordinates."""
    given = {(d.start, d.to) for d in spec.distances} | {(d.to, d.start) for d in spec.distances}
    names = {r.id: r.name for r in spec.regions}
    aliases = {_norm(a): r.id for r in spec.regions for a in (r.id, r.name, *r.short)}
    out = [f"距离表中的地区“{end}”不是本计划的地区" for d in spec.distances for end in (d.start, d.to)
           if _norm(end) not in aliases]
    given = {(aliases.get(_norm(a)), aliases.get(_norm(b))) for a, b in given}
    placed = {r.id for r in spec.regions if r.lat is not None and r.lon is not None}
    lacking = [r.id for r in spec.regions if r.id not in placed]
    need = sorted({rid for rid in lacking for other in names if other != rid and (rid, other) not in given})
    if need:
        out.append(f"{'、'.join(names[r] for r in need)}缺少坐标 lat/lon，distances 表中也没有它们到其他地区的距离；"
                   "请补上县城坐标，或在 [[distances]] 中给出距离（公里）")
    return out


#: What a rule's value must be, by kind (see ``scenarios.rules.KNOWN_RULES``).
_KINDS = {"cap": (lambda v: v >= 1 and float(v).is_integer(), "应为不小于1的整数（件/年）"),
          "share": (lambda v: 0 < v <= 1, "应为0到1之间的比例（如 75% 写作 0.75）"),
          "ratio": (lambda v: v > 0, "应为正数"),
          "money": (lambda v: v >= 0, "应为不小于0的金额（元/件）")}


def rule_problems(rules: dict[str, RuleSpec], year: int | None, where: str) -> list[str]:
    """Unknown rules (with a did-you-mean), values out of their rule's range, dates after the plan year."""
    import difflib

    from scenarios.rules import KNOWN_RULES

    out = []
    for name, spec in rules.items():
        if name not in KNOWN_RULES:
            close = difflib.get_close_matches(name, list(KNOWN_RULES), n=1, cutoff=0.5)
            hint = f"，是否要写 {close[0]}？" if close else f"（可用：{'、'.join(KNOWN_RULES)}）"
            out.append(f"{where}未知规则 [rules.{name}]{hint}")
            continue
        ok, expected = _KINDS[KNOWN_RULES[name].kind]
        for i, value in enumerate(spec.values, start=1):
            if not math.isfinite(value.value) or not ok(value.value):
                out.append(f"{where}[rules.{name}] 第{i}个值 {value.value:g} {expected}")
            if year is not None and value.since > dt.date(year, 12, 31):
                out.append(f"{where}[rules.{name}] 第{i}个值的 since = {value.since} 晚于计划年度 {year} 年末，"
                           "在本计划年度内永远不会生效")
    return out


def _number(value, default=None):
    return value if isinstance(value, int | float) and not isinstance(value, bool) else default


def _texts(value) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _tables(data: dict, key: str) -> list[dict]:
    value = data.get(key)
    return [d for d in value if isinstance(d, dict)] if isinstance(value, list) else []


def partial(data: dict) -> PlanFile:
    """A best-effort reading of a plan whose shape is not right, so the checks across fields can
    still report their problems in the same pass (values of the wrong type count as missing)."""
    regions = [RegionSpec.model_construct(
        id=str(d.get("id", "")), name=str(d.get("name", "")), short=_texts(d.get("short")), level=d.get("level"),
        target=int(_number(d.get("target"), 0)), lat=_number(d.get("lat")), lon=_number(d.get("lon")))
        for d in _tables(data, "regions")]
    subtotals = [SubtotalSpec.model_construct(name=str(d.get("name", "")), regions=_texts(d.get("regions")),
                                              total=int(_number(d.get("total"), 0))) for d in _tables(data, "subtotals")]
    delegations = [DelegationSpec.model_construct(name=str(d.get("name", "")), short=_texts(d.get("short")),
                                                  region=str(d.get("region", ""))) for d in _tables(data, "delegations")]
    distances = [DistanceSpec.model_construct(start=str(d.get("from", "")), to=str(d.get("to", "")), km=0.0)
                 for d in _tables(data, "distances")]
    rules = {}
    raw_rules = data.get("rules") if isinstance(data.get("rules"), dict) else {}
    for name, raw in raw_rules.items():
        try:
            rules[name] = RuleSpec.model_validate(raw)
        except ValueError:
            continue
    year = data.get("year")
    year = year if isinstance(year, int) and not isinstance(year, bool) and 2000 <= year <= 2100 else None
    return PlanFile.model_construct(regions=regions, subtotals=subtotals, delegations=delegations, distances=distances,
                                    rules=rules, year=year, target_total=int(_number(data.get("target_total"), 0)))
