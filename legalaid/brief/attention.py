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
