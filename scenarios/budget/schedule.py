"""The per-case subsidy schedule (办案补贴标准) and the case mix it is applied to.

The bundled schedule (``data/subsidy_schedule.toml``) is an EXAMPLE, not an Anhui standard:
its amounts are a schedule seen in Chinese practice (domain.md). Users edit a copy. The
schedule turns a case mix into the expected subsidy per case (元/件) and its spread, which the
subsidy-coverage rule and the risk reading use.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, replace
from importlib import resources

import numpy as np
import pandas as pd

from scenarios.errors import InputError, InputIssue
from scenarios.vocab import CASE_KINDS, Finding

#: The bundled example schedule.
BUNDLED = "subsidy_schedule.toml"

#: Case classes (kind, litigation) the schedule must cover.
CASE_CLASSES = tuple((kind, lit) for kind in CASE_KINDS for lit in (True, False))

#: A region whose cases table holds fewer cases than this uses the schedule's default mix.
MIN_CASES_FOR_MIX = 30


@dataclass(frozen=True)
class SubsidyItem:
    """One subsidy standard: a case kind and stage paid ``subsidy`` 元 per case.

    Attributes
    ----------
    id, label : identifier and Chinese label.
    kinds : canonical case kinds it covers.
    litigation : True for litigation (诉讼) cases, False for non-litigation.
    subsidy : 元 per case.
    share : default share of all cases (sums to 1 over the items).
    """

    id: str
    label: str
    kinds: tuple[str, ...]
    litigation: bool
    subsidy: float
    share: float


@dataclass(frozen=True)
class SubsidySchedule:
    """An editable per-case subsidy schedule.

    Attributes
    ----------
    name, reference : shown with the verdicts that use it.
    example : True while the amounts are only an example.
    paid_share : share of cases paid a per-case subsidy (staff lawyers are salaried).
    items : the standards, one per case kind and stage.
    source : the file it was read from.
    """

    name: str
    reference: str
    example: bool
    paid_share: float
    items: tuple[SubsidyItem, ...]
    source: str = ""

    @property
    def rates(self) -> np.ndarray:
        """Subsidy per item (元/件)."""
        return np.array([i.subsidy for i in self.items], dtype=float)

    @property
    def default_mix(self) -> np.ndarray:
        """Default share of cases per item."""
        return np.array([i.share for i in self.items], dtype=float)

    @property
    def citation(self) -> str:
        """The reference as verdicts cite it; an example schedule is marked as such (示例)."""
        return self.reference + ("（示例）" if self.example and "示例" not in self.reference else "")

    def scaled(self, factor: float) -> SubsidySchedule:
        """The schedule with every subsidy multiplied by ``factor`` (e.g. 1.15 for +15%)."""
        return replace(self, items=tuple(replace(i, subsidy=i.subsidy * factor) for i in self.items))

    def class_items(self, kind: str, litigation: bool) -> np.ndarray:
        """Within-class split of a (kind, litigation) class over the items (sums to 1)."""
        weights = np.array([i.share if (kind in i.kinds and i.litigation == litigation) else 0.0
                            for i in self.items])
        if weights.sum() <= 0:
            weights = np.array([1.0 if (kind in i.kinds and i.litigation == litigation) else 0.0 for i in self.items])
        return weights / weights.sum()

    def mix_from_classes(self, class_shares: dict[tuple[str, bool], float]) -> np.ndarray:
        """Item shares for a case mix given as shares of (kind, litigation) classes."""
        total = sum(class_shares.values())
        mix = np.zeros(len(self.items))
        for key, share in class_shares.items():
            if share > 0:
                mix += share / total * self.class_items(*key)
        return mix

    def per_case(self, mix: np.ndarray | None = None) -> tuple[float, float]:
        """Mean and standard deviation of the subsidy of one case (元/件) under ``mix``.

        A case is paid with probability ``paid_share``; a paid case gets item i's subsidy with
        probability ``mix[i]``.
        """
        p = self.default_mix if mix is None else np.asarray(mix, dtype=float)
        p = p / p.sum()
        mean = self.paid_share * float(p @ self.rates)
        second = self.paid_share * float(p @ self.rates**2)
        return mean, math.sqrt(max(second - mean * mean, 0.0))


def region_mixes(schedule: SubsidySchedule, cases: pd.DataFrame | None, region_ids: list[str],
                 min_cases: int = MIN_CASES_FOR_MIX) -> tuple[dict[str, np.ndarray], list[Finding]]:
    """Item mix per region from a canonical cases table (default mix where it has few cases).

    Returns the mixes and a finding ("default_mix") naming the regions that fell back to the
    default mix.
    """
    mixes = {rid: schedule.default_mix / schedule.default_mix.sum() for rid in region_ids}
    notes: list[Finding] = []
    if cases is None:
        return mixes, notes
    counts = cases.groupby(["region", "kind", "litigation"]).size()
    few = []
    for rid in region_ids:
        if rid not in counts.index.get_level_values(0):
            few.append(rid)
            continue
        sub = counts.loc[rid]
        if int(sub.sum()) < min_cases:
            few.append(rid)
            continue
        shares = {(str(k), bool(lit)): float(n) for (k, lit), n in sub.items()}
        mixes[rid] = schedule.mix_from_classes(shares)
    if few:
        notes.append(Finding("default_mix", tuple(few), {"min_cases": min_cases}))
    return mixes, notes


def load_schedule(path: str | os.PathLike | None = None) -> SubsidySchedule:
    """Read a subsidy schedule TOML (default: the bundled example); InputError lists all problems."""
    from scenarios.schemas import parse
    from scenarios.schemas.files import read

    if path is None:
        data = parse(resources.files("scenarios.budget").joinpath("data", BUNDLED).read_text(encoding="utf-8"))
        return schedule_from_dict(data, BUNDLED)
    return schedule_from_dict(read(path, "补贴标准文件"), str(path))


def schedule_from_dict(data: dict, source: str) -> SubsidySchedule:
    """Build and validate a schedule from parsed TOML (``scenarios.schemas.files.ScheduleSpec``)."""
    from scenarios.schemas import validate
    from scenarios.schemas.files import ScheduleSpec, schedule_problems

    spec, problems = validate(ScheduleSpec, data)
    problems += schedule_problems(data)
    if problems:
        raise InputError([InputIssue(source, None, None, None, p) for p in problems])
    items = tuple(SubsidyItem(i.id, i.label, tuple(i.kinds), i.litigation, float(i.subsidy), float(i.share))
                  for i in spec.items)
    return SubsidySchedule(name=spec.name, reference=spec.reference or source, example=spec.example,
                           paid_share=float(spec.paid_share), items=items, source=source)
