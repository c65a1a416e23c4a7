"""National law the dispatcher obeys, as citations quoted wherever a rule encodes it.

The numbers of the plans live in the plan files (``scenarios.rules``); these are the legal
sources of rules that have no number: who may defend, co-defendants, jurisdiction, firms.
National-law parameters with a number (years of criminal defence, the assignment deadline) are
dated data in ``data/law/dispatch.toml``, read with ``dispatch_law``.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from importlib import resources

#: Legal-aid defence is by a lawyer; grassroots legal-service workers may not defend.
DEFENCE = "《中华人民共和国刑事诉讼法》第35条（法律援助辩护应指派律师）"
#: One defender may not defend two or more co-defendants of the same case.
CODEFENDANTS = "最高人民法院关于适用《中华人民共和国刑事诉讼法》的解释第43条"
#: First instance by the county centre, second instance by the city centre.
JURISDICTION = "级别管辖：一审由县（市、区）法律援助中心、二审由市法律援助中心管辖（安庆2023 §3(3)2）"
#: Lawyers of one firm for co-defendants need the clients' informed consent.
SAME_FIRM = "《律师办理刑事案件规范》（同一律所律师为同案被告人辩护须告知并经同意）"
#: 回避: a lawyer or firm acting for the opposing party, and lawyers named as excluded.
CONFLICT = "《律师执业行为规范》利益冲突（不得同时代理对方当事人；同一律所律师不得代理利益冲突的双方）及法律援助人员回避规定"
#: 点援: the recipient's choice of lawyer is honoured where the rules allow.
CHOICE = "《办理法律援助案件程序规定》（根据受援人意愿等因素合理指派）"
#: Stage continuity: a criminal case keeps its earlier-stage lawyer where possible.
CONTINUITY = "《办理法律援助案件程序规定》（同一案件不同诉讼阶段原则上由同一律师承办）"


@dataclass(frozen=True)
class LawValue:
    """One national-law parameter in force on a date: value, unit, label and legal reference."""

    name: str
    value: float
    since: dt.date
    label: str
    unit: str
    reference: str


def dispatch_law(on: dt.date) -> dict[str, LawValue]:
    """The dispatch parameters of national law (``data/law/dispatch.toml``) in force on ``on``.

    Raises ``ValueError`` naming a parameter with no value in force (the file is the tool's own
    data, so that is a bug, never a user error)."""
    text = resources.files("scenarios").joinpath("data", "law", "dispatch.toml").read_text(encoding="utf-8")
    out = {}
    for name, spec in tomllib.loads(text).items():
        in_force = [v for v in spec["values"] if v["since"] <= on]
        if not in_force:
            # a date before the law: the earliest value is the one the tool knows
            in_force = [min(spec["values"], key=lambda v: v["since"])]
        latest = max(in_force, key=lambda v: v["since"])
        out[name] = LawValue(name, float(latest["value"]), latest["since"], spec["label"], spec["unit"],
                             latest["reference"])
    return out
