"""The per-case subsidy schedule (办案补贴标准) and the case mix it is applied to.

The bundled schedule (``data/subsidy_schedule.toml``) is an EXAMPLE, not an Anhui standard:
its amounts are a schedule seen in Chinese practice (domain.md). Users edit a copy. The
schedule turns a case mix into the expected subsidy per case (元/件) and its spread, which the
subsidy-coverage rule and the risk reading use.
"""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

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
    if path is None:
        text = resources.files("scenarios.budget").joinpath("data", BUNDLED).read_text(encoding="utf-8")
        source = BUNDLED
    else:
        file = Path(path)
        if not file.is_file():
            raise InputError([InputIssue(str(path), None, None, None, "找不到补贴标准文件")])
        text, source = file.read_text(encoding="utf-8"), str(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError([InputIssue(source, None, None, None, f"不是有效的TOML文件（{exc}）")]) from None
    return schedule_from_dict(data, source)


def schedule_from_dict(data: dict, source: str) -> SubsidySchedule:
    """Build and validate a schedule from parsed TOML."""
    problems: list[str] = []
    items = []
    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        problems.append("缺少 [[items]]（每个案件类型/阶段一项补贴标准）")
        raw_items = []
    for n, raw in enumerate(raw_items, start=1):
        where = f"第{n}个 [[items]]"
        kinds = raw.get("kinds")
        subsidy, share, lit = raw.get("subsidy"), raw.get("share"), raw.get("litigation")
        bad = []
        if not isinstance(raw.get("id"), str) or not isinstance(raw.get("label"), str):
            bad.append("需要 id 与 label（文字）")
        if not isinstance(kinds, list) or not kinds or any(k not in CASE_KINDS for k in kinds):
            bad.append(f"kinds 应为 {list(CASE_KINDS)} 中的一个或多个，实为 {kinds!r}")
        if not isinstance(lit, bool):
            bad.append(f"litigation 应为 true 或 false，实为 {lit!r}")
        if isinstance(subsidy, bool) or not isinstance(subsidy, int | float) or subsidy < 0:
            bad.append(f"subsidy 应为非负数（元/件），实为 {subsidy!r}")
        if isinstance(share, bool) or not isinstance(share, int | float) or share < 0:
            bad.append(f"share 应为非负数，实为 {share!r}")
        if bad:
            problems += [f"{where}：{b}" for b in bad]
            continue
        items.append(SubsidyItem(raw["id"], raw["label"], tuple(kinds), lit, float(subsidy), float(share)))
    if items and abs(sum(i.share for i in items) - 1.0) > 1e-6:
        problems.append(f"各项 share 之和应为1，实为 {sum(i.share for i in items):.4f}")
    for kind, lit in CASE_CLASSES:
        if items and not any(kind in i.kinds and i.litigation == lit for i in items):
            problems.append(f"没有适用于“{CASE_KINDS[kind]}{'诉讼' if lit else '非诉讼'}”案件的补贴标准")
    paid = data.get("paid_share", 1.0)
    if isinstance(paid, bool) or not isinstance(paid, int | float) or not 0 <= paid <= 1:
        problems.append(f"paid_share 应在0到1之间，实为 {paid!r}")
    if problems:
        raise InputError([InputIssue(source, None, None, None, p) for p in problems])
    return SubsidySchedule(name=str(data.get("name", "办案补贴标准")), reference=str(data.get("reference", source)),
                           example=bool(data.get("example", False)), paid_share=float(paid), items=tuple(items),
                           source=source)
