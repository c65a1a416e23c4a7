"""The domain's vocabulary: one home for each fact that several layers use.

- kinds of cases and of handlers (codes, and the Chinese word users type and read);
- who may defend a criminal case (``may_defend``);
- the yearly cap as a test (``over_cap``, ``headroom``);
- the id of the whole-city row in every result table (``CITY_TOTAL``);
- the probability above which reaching the target is called likely (``LIKELY``);
- ``Finding``: a fact worth telling a user that is not an error, as a code and its numbers
  (the report layer words it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

#: Case kinds (code → the Chinese word), in report order.
CASE_KINDS = {"criminal": "刑事", "civil": "民事", "administrative": "行政"}
#: Instances (code → Chinese).
INSTANCES = {"first": "一审", "second": "二审"}
#: Case categories of the tiered-jurisdiction list (安庆2023 §3(3)2; code → Chinese), optional
#: column 案件类别 of the cases table; "" = none of them.
CASE_CATEGORIES = {"court_notified": "法院通知辩护", "organised_crime": "涉黑涉恶", "state_compensation": "国家赔偿",
                   "land_expropriation": "征地拆迁", "land_contract": "土地承包", "environment": "环境污染",
                   "medical": "医疗纠纷", "petition": "涉法信访", "mass_dispute": "群体性", "other": "其他"}
#: Criminal procedure stages (code → Chinese), optional column 诉讼阶段; "" = not given.
STAGES = {"investigation": "侦查", "prosecution": "审查起诉", "trial": "审判", "death_review": "死刑复核"}
#: Handler kinds (code → Chinese): social lawyers at firms, staff lawyers of a centre, grassroots
#: legal-service workers.
LAWYER_KINDS = {"social": "社会律师", "staff": "法援律师", "grassroots": "基层法律服务工作者"}

#: Id of the whole-city row (the sum of the regions) in result tables; never a plan's region id.
CITY_TOTAL = "_city_total"

#: P(reach target) at or above which reaching it is "likely" (more likely than not).
LIKELY = 0.5


def may_defend(lawyer_kind, criminal):
    """Whether a handler of ``lawyer_kind`` may take a case (criminal or not).

    Grassroots legal-service workers never act as defenders in criminal cases: legal-aid defence
    is by a lawyer (《刑事诉讼法》第35条). Works elementwise on arrays (numpy broadcasting) and on
    scalars.
    """
    allowed = ~(np.asarray(criminal, dtype=bool) & (np.asarray(lawyer_kind, dtype=object) == "grassroots"))
    return bool(allowed) if np.ndim(allowed) == 0 else allowed


def over_cap(handled, cap: float):
    """Whether a yearly load (件) is above the cap (安庆2023 §6(2): accountability at the assessment)."""
    return np.asarray(handled) > cap


def headroom(handled, cap: float):
    """Cases (件) a handler may still take this year under the cap, never below 0."""
    return np.maximum(cap - np.asarray(handled), 0)


@dataclass(frozen=True)
class Finding:
    """A fact for the user that is not an error, as data: ``code`` says what, the rest how much.

    Attributes
    ----------
    code : what was found, e.g. "lawyer_over_cap" (the report layer has a sentence per code).
    ids : the ids concerned (lawyer, case or region ids; never personal names).
    values : the numbers and names the sentence needs.
    """

    code: str
    ids: tuple[str, ...] = ()
    values: Mapping[str, object] = field(default_factory=dict)

    def __getitem__(self, key: str) -> object:
        return self.values[key]
