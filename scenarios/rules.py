"""Rules as dated, cited parameters (OpenFisca style).

A rule is a named parameter with values that each come into force on a date and carry a
legal reference. Code asks for the value in force on a date and never writes the number
itself. A plan's own values take precedence; where the plan is silent, the inherited
provincial default (``scenarios/data/rules/anhui.toml``) applies and is flagged as inherited.
Each known rule has a Chinese label, a unit and a kind (what its values may be); a plan file
may restate the label but need not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from scenarios.errors import PlanError


@dataclass(frozen=True)
class RuleMeta:
    """What a rule is: Chinese label, unit, which side complies, kind of value, meaning for developers."""

    label: str
    unit: str
    direction: str
    kind: str  # "cap" (whole 件/年 ≥ 1), "share" (0, 1], "ratio" (> 0), "money" (≥ 0 元/件)
    doc: str


#: Every rule name the engines may ask for.
KNOWN_RULES = {
    "lawyer_yearly_cap": RuleMeta("律师及基层法律服务工作者年承办法律援助案件上限", "件/年", "max", "cap",
                                  "max legal-aid cases per lawyer/grassroots worker per year (件/年)"),
    "social_lawyer_share_min": RuleMeta("社会律师办案占已结案件比例下限", "比例", "min", "share",
                                        "min share of closed cases handled by social lawyers"),
    "litigation_share_min": RuleMeta("诉讼案件占已结案件比例下限", "比例", "min", "share",
                                     "min share of closed cases that are litigation"),
    "closure_ratio_min": RuleMeta("年度结案数占审批数比例下限", "比例", "min", "share",
                                  "min closed / approved cases in the year"),
    "local_to_upper_matching_min": RuleMeta("地方财政与中央和省级资金配套比例下限（地方:中央省级）", "倍", "min", "ratio",
                                            "min local funds / central+provincial funds"),
    "local_matching_per_case_min": RuleMeta("地方财政配套标准（除中央和省资金外，按目标案件数）", "元/件", "min", "money",
                                            "min local matching funds per target case (元/件)"),
    "business_funding_per_case_min": RuleMeta("法律援助业务经费案均标准", "元/件", "min", "money",
                                              "min average business funding per case (元/件)"),
    "subsidy_share_of_spending_min": RuleMeta("办案补贴及直接费用占业务经费支出比例下限", "比例", "min", "share",
                                              "min (case subsidies + direct costs) / business spending"),
    "fund_arrival_rate_min": RuleMeta("法律援助资金到位率下限", "比例", "min", "share", "min funds arrived / budgeted"),
    "spending_rate_min": RuleMeta("当年经费支出率下限（不得结转）", "比例", "min", "share",
                                  "min funds spent / funds arrived by year end (no carry-over)"),
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
    counts : for a per-case funding standard, the money it counts: "local" (the city's and
        counties' own funds) or "all" (central, provincial and local).
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
    counts: str = "all"

    @property
    def citation(self) -> str:
        """Reference as a user reads it, saying when the value is inherited."""
        return f"{self.reference}（沿用省级默认）" if self.inherited else self.reference


@dataclass(frozen=True)
class Dated:
    """One value of a rule: in force from ``since``, with its legal reference."""

    since: dt.date
    value: float
    reference: str
    note: str = ""


class RuleBook:
    """Dated rule values of one plan, with the provincial defaults it inherits.

    Parameters
    ----------
    own, inherited : rule name → its dated values (already validated).
    labels : rule name → a label the plan file gives instead of the default.
    inherited_note : Chinese sentence explaining the inheritance.
    plan_id : for messages.
    """

    def __init__(self, own: dict[str, list[Dated]], inherited: dict[str, list[Dated]], inherited_note: str = "",
                 labels: dict[str, str] | None = None, plan_id: str = "", counts: dict[str, str] | None = None) -> None:
        self._own, self._inherited = own, inherited
        self._inherited_note = inherited_note
        self._labels = labels or {}
        self._counts = counts or {}
        self._plan_id = plan_id

    def names(self) -> list[str]:
        """Rule names that have any value, in ``KNOWN_RULES`` order."""
        return [n for n in KNOWN_RULES if n in self._own or n in self._inherited]

    def get(self, name: str, on: dt.date) -> RuleValue | None:
        """Value of ``name`` in force on ``on``, or None when no value is in force."""
        if name not in KNOWN_RULES:
            raise PlanError(f"未知规则“{name}”")
        meta = KNOWN_RULES[name]
        for values, inherited in ((self._own.get(name, []), False), (self._inherited.get(name, []), True)):
            in_force = [v for v in values if v.since <= on]
            if in_force:
                latest = max(in_force, key=lambda v: v.since)
                return RuleValue(name=name, value=latest.value, since=latest.since, reference=latest.reference,
                                 label=self._labels.get(name, meta.label), unit=meta.unit, direction=meta.direction,
                                 inherited=inherited, note=self._inherited_note if inherited else latest.note,
                                 counts=self._counts.get(name, "all"))
        return None

    def value(self, name: str, on: dt.date) -> float:
        """Number in force for ``name`` on ``on``; raises ``PlanError`` naming the rule and the fix."""
        rule = self.get(name, on)
        if rule is None:
            raise PlanError(missing_rule_message(self._plan_id, name, on))
        return rule.value


def missing_rule_message(plan_id: str, name: str, on: dt.date) -> str:
    """A rule not in force: which, when, and how to add it."""
    label = KNOWN_RULES[name].label if name in KNOWN_RULES else name
    return (f"计划“{plan_id}”在{on.isoformat()}没有生效的规则“{label}”（{name}）：请在计划文件中加入 "
            f"[rules.{name}]（values = [{{ since = 日期, value = 数值, reference = \"出处\" }}]），"
            f"或写 inherits = \"anhui\" 沿用安徽省默认规则")


def dated(values) -> list[Dated]:
    """Validated rule values (``schemas.plan.RuleValueSpec``) as ``Dated``."""
    return [Dated(since=v.since, value=float(v.value), reference=v.reference, note=v.note) for v in values]
