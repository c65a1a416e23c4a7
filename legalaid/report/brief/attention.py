"""Which counties need the bureau chief's attention, and why (for summary.md).

Each county collects reasons, each with a weight; the three with the highest total are named.
Weights (documented, not tuned): behind 序时进度 1 plus 3 × (1 − P(reach target)) so the target
outlook dominates; projected closure ratio likely below the minimum 1; a failed plan funding rule
1 each (at most 2; the subsidy-coverage estimate on the example schedule is not a plan rule and
does not count); cases left unassigned 2; cases dispatched out of the county for lack of local
capacity 0.5; handlers over the yearly cap 1. Ties: lower P(reach), then plan order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from legalaid.report.projection import P_SHOWN_MIN, percent


@dataclass
class Concern:
    """Reasons one county needs attention."""

    region: str
    name: str
    score: float = 0.0
    p_reach: float = 1.0
    order: int = 0
    reasons: list[str] = field(default_factory=list)

    def add(self, weight: float, reason: str) -> None:
        self.score += weight
        self.reasons.append(reason)


def top_concerns(concerns: dict[str, Concern], n: int = 3) -> list[Concern]:
    """The ``n`` counties with the highest score (only those with at least one reason)."""
    ranked = sorted((c for c in concerns.values() if c.reasons), key=lambda c: (-c.score, c.p_reach, c.order))
    return ranked[:n]


#: Weights of the reasons (see the module docstring).
BEHIND_PACE, TARGET_OUTLOOK = 1.0, 3.0
CLOSURE_OUTLOOK = 1.0
FUNDING_RULE, FUNDING_RULES_MAX = 1.0, 2.0
UNASSIGNED = 2.0
CROSS_REGION = 0.5
OVER_CAP = 1.0


def concerns(brief) -> list[Concern]:
    """The three counties that most need attention, with reasons (weights above)."""
    from legalaid.report.brief.sheets import over_cap_by_region, plan_rule_failures, progress_table
    from legalaid.report.budget_tables import RULE_LABELS
    from scenarios.vocab import LIKELY

    plan = brief.plan
    summary = brief.projection.summary.set_index("region")
    closure_min = plan.rule_value("closure_ratio_min")
    found = {r.id: Concern(r.id, r.name, order=i) for i, r in enumerate(plan.regions)}
    for row in progress_table(brief).itertuples(index=False):
        if row.region not in found:
            continue
        c = found[row.region]
        p = summary.loc[row.region]
        c.p_reach = float(p["p_reach"])
        if row.light in ("red", "amber"):
            word = "仅" if row.light == "red" and c.p_reach >= P_SHOWN_MIN else ""
            c.add(BEHIND_PACE + TARGET_OUTLOOK * (1 - c.p_reach), f"落后序时进度{-row.gap:.0f}件（序时完成率{row.pace:.0%}），"
                  f"按当前进度完成全年目标的概率{word}{percent(c.p_reach)}")
        if p["p_closure_ok"] < LIKELY:
            c.add(CLOSURE_OUTLOOK, f"预计年末结案率{p['closure_ratio_mean']:.0%}，达到{closure_min:.0%}的概率"
                  f"{percent(p['p_closure_ok'])}")
    for region, part in plan_rule_failures(brief).groupby("region", sort=False):
        if region in found:
            rules = "、".join(dict.fromkeys(part["rule"].map(RULE_LABELS)))
            found[region].add(min(FUNDING_RULES_MAX, FUNDING_RULE * len(part)),
                              f"经费规则不达标：{rules}（缺口{part['shortfall'].sum():,.0f}元）")
    for region, count in brief.dispatch.counts_by_region("unassigned").items():
        if region in found and count:
            found[region].add(UNASSIGNED, f"{count}件案件因承办能力不足未能指派")
    for region, count in brief.dispatch.counts_by_region("cross_region").items():
        if region in found and count:
            found[region].add(CROSS_REGION, f"本地承办能力不足，{count}件案件跨区调配")
    for region, count in over_cap_by_region(brief).items():
        if region in found and count:
            found[region].add(OVER_CAP, f"{count}名承办人员本年办案超过{plan.rule_value('lawyer_yearly_cap'):g}件上限")
    return top_concerns(found)
