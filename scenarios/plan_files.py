"""Finding and loading plan files: bundled plans, user plans in $LEGALAID_PLANS (found by their
own ``id``), or a path; every problem of a file reported at once (``scenarios.schemas.plan``)."""

from __future__ import annotations

import difflib
import os
from importlib import resources
from pathlib import Path

from scenarios.errors import PlanError
from scenarios.plans import USER_PLAN_DIR_ENV, Delegation, Plan, Region, Subtotal
from scenarios.rules import RuleBook, dated
from scenarios.schemas import parse, read_text, validate
from scenarios.schemas.plan import (
    REQUIRED_RULES,
    PlanFile,
    RulesFile,
    coordinate_problems,
    partial,
    region_problems,
    rule_problems,
)


def _bundled_dir():
    return resources.files("scenarios").joinpath("data")


def _user_dir() -> Path | None:
    value = os.environ.get(USER_PLAN_DIR_ENV)
    return Path(value) if value else None


def _user_plans() -> dict[str, Path]:
    """User plan files by their own ``id`` (a file that cannot be read is skipped here)."""
    folder = _user_dir()
    found: dict[str, Path] = {}
    if folder is None or not folder.is_dir():
        return found
    for path in sorted(folder.glob("*.toml")):
        try:
            data = parse(read_text(path))
        except (OSError, ValueError):
            continue
        plan_id = data.get("id") if isinstance(data.get("id"), str) else path.stem
        found.setdefault(plan_id, path)
    return found


def list_plans() -> list[tuple[str, str]]:
    """(plan id, where it comes from) for bundled plans and user plans in $LEGALAID_PLANS."""
    bundled = [(p.name[:-5], "内置") for p in _bundled_dir().joinpath("plans").iterdir() if p.name.endswith(".toml")]
    return sorted(bundled + [(plan_id, str(path)) for plan_id, path in _user_plans().items()])


def _read_plan_text(plan: str) -> tuple[str, str]:
    path = Path(plan)
    if plan.endswith(".toml") or path.is_file():
        if not path.is_file():
            raise PlanError(f"找不到计划文件：{plan}")
        return _text(path), str(path)
    user = _user_plans()
    if plan in user:
        return _text(user[plan]), str(user[plan])
    bundled = _bundled_dir().joinpath("plans", f"{plan}.toml")
    if bundled.is_file():
        return bundled.read_text(encoding="utf-8"), f"{plan}.toml"
    ids = [p for p, _ in list_plans()]
    close = difflib.get_close_matches(plan, ids, n=1)
    hint = f"，是否要找“{close[0]}”？" if close else ""
    raise PlanError(f"未知计划“{plan}”{hint}（可用：{'、'.join(ids)}；也可给出 .toml 文件路径）")


def _text(path: Path) -> str:
    try:
        return read_text(path)
    except ValueError as exc:
        raise PlanError(f"计划文件 {path}：{exc}") from None


def load_plan(plan: str | os.PathLike) -> Plan:
    """Load a plan by bundled id, user-plan id (in $LEGALAID_PLANS) or path to a TOML file."""
    text, source = _read_plan_text(str(plan))
    try:
        data = parse(text)
    except ValueError as exc:
        raise PlanError(f"计划文件 {source}：{exc}") from None
    return plan_from_dict(data, source)


def _inherited(name: str, source: str, problems: list[str]) -> RulesFile | None:
    file = _bundled_dir().joinpath("rules", f"{name}.toml")
    if not file.is_file():
        available = sorted(p.name[:-5] for p in _bundled_dir().joinpath("rules").iterdir() if p.name.endswith(".toml"))
        problems.append(f"inherits = “{name}” 找不到对应的规则文件（可用：{'、'.join(available)}）")
        return None
    spec, issues = validate(RulesFile, parse(file.read_text(encoding="utf-8")))
    problems += [f"规则文件 {name}.toml：{p}" for p in issues]
    return spec


def plan_from_dict(data: dict, source: str) -> Plan:
    """Build and validate a Plan from parsed TOML; all problems are reported together."""
    spec, problems = validate(PlanFile, data)
    if spec is None:
        rough = partial(data)
        more = region_problems(rough) + coordinate_problems(rough) + rule_problems(rough.rules, rough.year, "")
        raise _error(source, problems + [p for p in more if p not in problems])
    problems += region_problems(spec) + coordinate_problems(spec) + rule_problems(spec.rules, spec.year, "")
    parent = _inherited(spec.inherits, source, problems) if spec.inherits else None
    inherited = {} if parent is None else {n: dated(r.values) for n, r in parent.rules.items()}
    book = RuleBook({n: dated(r.values) for n, r in spec.rules.items()}, inherited, parent.note if parent else "",
                    {n: r.label for n, r in spec.rules.items() if r.label}, spec.id,
                    {n: r.counts for n, r in spec.rules.items() if r.counts})
    if not problems:
        for name in REQUIRED_RULES:
            if book.get(name, _year_end(spec.year)) is None:
                problems.append(f"缺少规则 [rules.{name}]：请在计划文件中加入它，或写 inherits = \"anhui\" 沿用安徽省默认规则")
    if problems:
        raise _error(source, problems)
    ids = {a.lower(): r.id for r in spec.regions for a in (r.id, r.name, *r.short)}
    distances = tuple((ids.get(d.start.lower(), d.start), ids.get(d.to.lower(), d.to), d.km) for d in spec.distances)
    return Plan(
        id=spec.id, city=spec.city, year=spec.year, title=spec.title, document=spec.document, issuer=spec.issuer,
        issued=spec.issued,
        regions=tuple(Region(r.id, r.name, tuple(r.short), r.level, r.target, r.lat, r.lon, r.population)
                      for r in spec.regions),
        delegations=tuple(Delegation(d.name, tuple(d.short), d.region, d.reference) for d in spec.delegations),
        subtotals=tuple(Subtotal(s.name, tuple(s.regions), s.total) for s in spec.subtotals),
        target_total=spec.target_total, target_reference=spec.target_reference, rules=book,
        city_population=spec.city_population, population_reference=spec.population_reference, source=source,
        distances=distances, provisions={k: (v.reference, v.note) for k, v in spec.provisions.items()},
        tiered_categories=tuple(spec.jurisdiction.second_instance_by_city) if spec.jurisdiction else (),
        tiered_reference=spec.jurisdiction.reference if spec.jurisdiction else "")


def _year_end(year: int):
    import datetime as dt

    return dt.date(year, 12, 31)


def _error(source: str, problems: list[str]) -> PlanError:
    return PlanError(f"计划文件 {source} 有{len(problems)}处问题：\n" + "\n".join(f"  - {p}" for p in problems))
