"""Which counties need the bureau chief's attention, and why.

Each county collects reasons, each with a weight that grows with the size of the miss; the three
with the highest total are named, and the county furthest behind 序时进度 (件) is always among
them. Weights (documented, not tuned to any county):

- target: behind 序时进度, 3 × (1 − P(reach target)) + 2 × the share of 序时进度 missing;
- closure: projected closure ratio likely below the minimum, 1 × (1 − P(closure ≥ minimum));
- a funding rule judged and failed: 0.5 each (at most 1); a year-end funding rule behind
  序时进度 in a mid-year reading: 0.1 each (at most 0.2), the least of all;
- a share of closed cases below its rule: 1 when judged (December), 0.3 as a mid-year reading;
- cases left unassigned 2; handlers over the yearly cap 0.5; cases sent out for lack of local
  capacity 0.3.

Ties: lower P(reach), then plan order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from legalaid.report.projection import percent


@dataclass
class Concern:
    """Reasons one county needs attention."""

    region: str
    name: str
    score: float = 0.0
    p_reach: float = 1.0
    gap: float = 0.0
    order: int = 0
    reasons: list[str] = field(default_factory=list)

    def add(self, weight: float, reason: str) -> None:
        self.score += weight
        self.reasons.append(reason)


#: Weights of the reasons (see the module docstring).
TARGET_OUTLOOK, BEHIND_SHARE = 3.0, 2.0
CLOSURE_OUTLOOK = 1.0
FUNDING_RULE, FUNDING_RULES_MAX = 0.5, 1.0
FUNDING_PACE, FUNDING_PACE_MAX = 0.1, 0.2
SHARE_JUDGED, SHARE_READING = 1.0, 0.3
UNASSIGNED = 2.0
OVER_CAP = 0.5
CROSS_REGION = 0.3


def top_concerns(concerns: dict[str, Concern], n: int = 3) -> list[Concern]:
    """The ``n`` counties with the highest score (only those with a reason); the county with the
    largest gap behind 序时进度 is always one of them."""
    ranked = sorted((c for c in concerns.values() if c.reasons), key=lambda c: (-c.score, c.p_reach, c.order))
    top = ranked[:n]
    behind = [c for c in concerns.values() if c.gap < 0]
    if behind:
        worst = min(behind, key=lambda c: (c.gap, c.order))
        if worst not in top:
            top = [*top[:n - 1], worst]
            top.sort(key=lambda c: (-c.score, c.p_reach, c.order))
    return top


def concerns(brief) -> list[Concern]:
    """The three counties that most need attention, with reasons (weights above)."""
    from legalaid.report.brief.sheets import over_cap_by_region, progress_table
    from legalaid.report.budget_tables import RULE_LABELS
    from scenarios.budget.rules import FAIL, PACE_BEHIND
    from scenarios.shares import closed_shares
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
        c.p_reach, c.gap = float(p["p_reach"]), float(row.gap)
        if row.gap < 0:
            missing = -row.gap / row.expected if row.expected else 0.0
            outlook = (f"全年目标未完成（完成{row.completion:.0%}）" if brief.month == 12 else
                       f"按当前进度完成全年目标的概率{percent(c.p_reach)}")
            c.add(TARGET_OUTLOOK * (1 - c.p_reach) + BEHIND_SHARE * missing,
                  f"落后序时进度{-row.gap:.0f}件（序时完成率{row.pace:.0%}），{outlook}")
        if p["p_closure_ok"] < LIKELY:
            closure = (f"年末结案率{row.closure_ratio:.0%}，未达到{closure_min:.0%}" if brief.month == 12 else
                       f"预计年末结案率{p['closure_ratio_mean']:.0%}，达到{closure_min:.0%}的概率{percent(p['p_closure_ok'])}")
            c.add(CLOSURE_OUTLOOK * (1 - float(p["p_closure_ok"])), closure)
    checks = brief.budget.checks
    gaps = brief.budget.least.set_index("region")["gap"]
    for region, part in checks[checks["status"] == FAIL].groupby("region", sort=False):
        if region in found:
            rules = "、".join(dict.fromkeys(part["rule"].map(RULE_LABELS)))
            gap = float(gaps.get(region, 0.0))
            found[region].add(min(FUNDING_RULES_MAX, FUNDING_RULE * len(part)),
                              f"经费规则不达标：{rules}" + (f"（地方预算缺口{gap:,.0f}元）" if gap > 0 else ""))
    for region, part in checks[checks["status"] == PACE_BEHIND].groupby("region", sort=False):
        if region in found:
            rules = "、".join(dict.fromkeys(part["rule"].map(RULE_LABELS)))
            found[region].add(min(FUNDING_PACE_MAX, FUNDING_PACE * len(part)),
                              f"进度提示：{rules}落后序时进度（年末考核）")
    shares = closed_shares(plan, brief.inputs.progress, brief.month)
    labels = {"litigation": "诉讼案件", "social": "社会律师办理"}
    for row in shares[shares["status"].isin([FAIL, PACE_BEHIND])].itertuples(index=False):
        if row.region in found:
            judged = row.status == FAIL
            found[row.region].add(SHARE_JUDGED if judged else SHARE_READING,
                                  f"结案中{labels[row.share]}占{row.value:.0%}，低于{row.required:.0%}"
                                  + ("" if judged else "（年末考核）"))
    for region, count in brief.dispatch.counts_by_region("unassigned").items():
        if region in found and count:
            found[region].add(UNASSIGNED, f"{count}件案件因承办能力不足未能指派")
    for region, count in over_cap_by_region(brief).items():
        if region in found and count:
            found[region].add(OVER_CAP, f"{count}名承办人员本年办案超过{plan.rule_value('lawyer_yearly_cap'):g}件上限")
    for region, count in brief.dispatch.counts_by_region("cross_region").items():
        if region in found and count:
            found[region].add(CROSS_REGION, f"本地承办能力不足，{count}件案件跨区调配")
    return top_concerns(found)
