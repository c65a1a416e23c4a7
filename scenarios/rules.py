"""Rules as dated, cited parameters (OpenFisca style).

A rule is a named parameter with values that each come into force on a date and carry a
legal reference. Code asks for the value in force on a date and never writes the number
itself. A plan's own values take precedence; where the plan is silent, the inherited
provincial default (``scenarios/data/rules/anhui.toml``) applies and is flagged as inherited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from scenarios.errors import PlanError

#: Every rule name the engines may ask for, with its meaning for developers.
KNOWN_RULES = {
    "lawyer_yearly_cap": "max legal-aid cases per lawyer/grassroots worker per year (件/年)",
    "social_lawyer_share_min": "min share of closed cases handled by social lawyers",
    "litigation_share_min": "min share of closed cases that are litigation",
    "closure_ratio_min": "min closed / approved cases in the year",
    "local_to_upper_matching_min": "min local funds / central+provincial funds (倍)",
    "local_matching_per_case_min": "min local matching funds per target case (元/件)",
    "business_funding_per_case_min": "min average business funding per case (元/件)",
    "subsidy_share_of_spending_min": "min (case subsidies + direct costs) / business spending",
    "fund_arrival_rate_min": "min funds arrived / funds budgeted",
    "spending_rate_min": "min funds spent / funds arrived by year end (no carry-over)",
}


@dataclass(frozen=True)
class RuleValue:
    """The value of one rule in force on a date.

    Attributes
    ----------
    name : rule name (see ``KNOWN_RULES``).
    value : the number (件/年, 元/件, a share in [0, 1], or a ratio).
    since : date the value came into force.
    reference : the legal source, e.g. "安庆2023 §6(2)".
    label, unit, direction : Chinese label, unit, and "min"/"max" (which side is compliant).
    inherited : True when the plan is silent and the provincial default applies.
    note : why it is inherited, or other remarks (Chinese).
    """

    name: str
    value: float
    since: dt.date
    reference: str
    label: str
    unit: str
    direction: str
    inherited: bool = False
    note: str = ""

    @property
    def citation(self) -> str:
        """Reference as a user reads it, saying when the value is inherited."""
        return f"{self.reference}（沿用省级默认）" if self.inherited else self.reference


@dataclass(frozen=True)
class _Dated:
    since: dt.date
    value: float
    reference: str
    note: str


class RuleBook:
    """Dated rule values of one plan, with the provincial defaults it inherits.

    Parameters
    ----------
    own : rule tables from the plan file (``[rules.NAME]``).
    inherited : rule tables from the inherited file, or empty.
    inherited_note : Chinese sentence explaining the inheritance.
    source : file name, for error messages.
    """

    def __init__(self, own: dict, inherited: dict, inherited_note: str, source: str) -> None:
        self._meta: dict[str, dict] = {}
        self._own: dict[str, list[_Dated]] = {}
        self._inherited: dict[str, list[_Dated]] = {}
        self._inherited_note = inherited_note
        for table, target in ((inherited, self._inherited), (own, self._own)):
            for name, spec in table.items():
                if name not in KNOWN_RULES:
                    raise PlanError(f"{source}：未知规则“{name}”，可用规则：{', '.join(KNOWN_RULES)}")
                meta = self._meta.setdefault(name, {})
                for key in ("label", "unit", "direction"):
                    if key in spec:
                        meta[key] = spec[key]
                target[name] = _parse_values(name, spec, source)
        for name, meta in self._meta.items():
            missing = [k for k in ("label", "unit", "direction") if k not in meta]
            if missing:
                raise PlanError(f"{source}：规则“{name}”缺少字段 {', '.join(missing)}")

    def names(self) -> list[str]:
        """Rule names that have any value, in ``KNOWN_RULES`` order."""
        return [n for n in KNOWN_RULES if n in self._own or n in self._inherited]

    def get(self, name: str, on: dt.date) -> RuleValue | None:
        """Value of ``name`` in force on ``on``, or None when no value is in force."""
        if name not in KNOWN_RULES:
            raise PlanError(f"未知规则“{name}”")
        for values, inherited in ((self._own.get(name, []), False), (self._inherited.get(name, []), True)):
            in_force = [v for v in values if v.since <= on]
            if in_force:
                latest = max(in_force, key=lambda v: v.since)
                meta = self._meta[name]
                return RuleValue(
                    name=name,
                    value=latest.value,
                    since=latest.since,
                    reference=latest.reference,
                    label=meta["label"],
                    unit=meta["unit"],
                    direction=meta["direction"],
                    inherited=inherited,
                    note=self._inherited_note if inherited else latest.note,
                )
        return None

    def value(self, name: str, on: dt.date) -> float:
        """Number in force for ``name`` on ``on``; raises ``PlanError`` when none is."""
        rule = self.get(name, on)
        if rule is None:
            raise PlanError(f"规则“{name}”在{on.isoformat()}没有生效值")
        return rule.value


def _parse_values(name: str, spec: dict, source: str) -> list[_Dated]:
    values = spec.get("values")
    if not isinstance(values, list) or not values:
        raise PlanError(f"{source}：规则“{name}”需要 values = [{{ since = 日期, value = 数值, reference = \"出处\" }}]")
    parsed = []
    for i, item in enumerate(values, start=1):
        since, value, reference = item.get("since"), item.get("value"), item.get("reference")
        if not isinstance(since, dt.date):
            raise PlanError(f"{source}：规则“{name}”第{i}个值的 since 应为日期（如 2023-01-01），实为 {since!r}")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise PlanError(f"{source}：规则“{name}”第{i}个值的 value 应为数字，实为 {value!r}")
        if not reference:
            raise PlanError(f"{source}：规则“{name}”第{i}个值缺少 reference（法律或文件出处）")
        parsed.append(_Dated(since=since, value=float(value), reference=str(reference), note=str(item.get("note", ""))))
    return parsed
