"""City-centre dispatch policies (全市一盘棋, 安庆2023 §3(3)2), one function per rule.

- ``none``: every region handles its own applications with its own handlers.
- ``overflow``: a case a region's handlers have no room for under the yearly cap goes, the same
  day, to the nearest region (``plan.distance_km``) whose handlers have room. It stays the
  approving region's case: its approval and closure count there.
- ``rebalance``: at the start of each month the city centre redirects part of the new
  applications of regions safely ahead of their target to regions behind 序时进度 that can still
  reach it, within the receivers' free room and only while a moved case is likely to close
  within the year (``rebalance_rule``); a moved case is approved, handled and counted by the
  receiving region.
- ``combined``: ``rebalance`` and ``overflow`` together.
"""

from __future__ import annotations

import numpy as np

from scenarios.vocab import may_defend

#: Policies in report order.
POLICIES = ("none", "overflow", "rebalance", "combined")
#: Policies that move applications monthly / that send cases without room to a neighbour the same day.
REBALANCING = ("rebalance", "combined")
OVERFLOWING = ("overflow", "combined")


def parse_policies(text: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """"all" or names (a string or a sequence) → policies in report order; ValueError if unknown."""
    names = [text] if isinstance(text, str) else list(text)
    if "all" in names:
        return tuple(POLICIES)
    unknown = [n for n in names if n not in POLICIES]
    if unknown or not names:
        raise ValueError(f"unknown policy {unknown}; choose from {', '.join(POLICIES)} or all")
    return tuple(p for p in POLICIES if p in names)


def rebalance_rule(month: int, cum: np.ndarray, targets: np.ndarray, rate_hat: np.ndarray, weights: np.ndarray,
                   eligible: np.ndarray, share_max: float, donor_buffer: float, *, room: np.ndarray | None = None,
                   closes: np.ndarray | None = None, low: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The city centre's monthly case-source rebalancing (安庆2023 §3(3)2), decided at the start of a month.

    Parameters
    ----------
    month : 0-based index j of the month about to start (its 序时进度 is (j+1)/12 of target).
    cum : approvals of each region so far this year (件).
    targets : yearly targets (件/年).
    rate_hat : each region's estimated rate (件 per unit seasonal weight), the centre's forecast.
    weights : seasonality (12,), or one profile per region (C, 12).
    eligible : regions taking part (the city centre is excluded unless configured).
    share_max : at most this share of a donor's expected applications this month is moved.
    donor_buffer : a donor keeps a pessimistic projected year-end of at least target × (1 + buffer).
    room : free room of each region's handlers under the yearly cap (件): room now minus its own
        expected applications of the rest of the year (安庆2023 §6(2)); None = unlimited.
    closes : regions where a case assigned this month is likely enough to close within the year
        (P ≥ the closure-ratio minimum, 安庆2023 §6(2)); None = all.
    low : the pessimistic factor of each region's remaining applications (e.g. its 10% quantile
        ÷ its forecast); None = 1.

    The rule, for eligible regions:

    1. pace_now = j/12 · target (序时进度 at the end of last month); pace_next = (j+1)/12 · target;
       expected this month mu = rate_hat · w[j]; projected year-end proj = cum + rate_hat · Σ_{i≥j} w[i],
       pessimistic proj_low = cum + low · rate_hat · Σ_{i≥j} w[i].
    2. Donors are ahead of 序时进度 and proj_low > target × (1 + buffer): they stay likely to reach
       their own target. A donor offers min(share_max · mu, (proj_low − target · (1 + buffer)) / months left).
    3. Receivers are behind 序时进度 (cum < pace_now), can still close their gap with the help on
       offer (target − proj ≤ months left × Σ offers), have free room, and a case assigned now is
       likely to close within the year (``closes``). A receiver needs
       min(max(0, pace_next − cum − mu), free room).
    4. The volume moved is T = min(Σ offers, Σ needs); donors give in proportion to their offers;
       receivers are served in order of their remaining gap to target (smallest first: there a case
       raises P(reach target) most), each up to its need.

    Returns
    -------
    q : per region, the probability that each of its new applications this month is moved
        (0 for non-donors), = donor's share of T / mu.
    share : per region, the share of moved applications it receives (sums to 1 when T > 0).
    """
    months_left = 12 - month
    w = np.broadcast_to(weights, (len(rate_hat), 12))
    mu = rate_hat * w[:, month]
    rest = rate_hat * w[:, month:].sum(axis=1)
    proj = cum + rest
    proj_low = cum + rest * (1.0 if low is None else low)
    keep = targets * (1.0 + donor_buffer)
    pace_now = month / 12 * targets
    pace_next = (month + 1) / 12 * targets
    donor = eligible & (cum > pace_now) & (proj_low > keep) & (mu > 0)
    offer = np.where(donor, np.minimum(share_max * mu, (proj_low - keep) / months_left), 0.0)
    gap = targets - proj
    free = np.full(len(mu), np.inf) if room is None else np.maximum(room, 0.0)
    receiver = eligible & (cum < pace_now) & (gap <= months_left * offer.sum()) & (free > 0)
    if closes is not None:
        receiver &= closes
    need = np.where(receiver, np.minimum(np.maximum(0.0, pace_next - cum - mu), free), 0.0)
    total = min(offer.sum(), need.sum())
    q = np.zeros_like(mu, dtype=float)
    share = np.zeros_like(mu, dtype=float)
    if total <= 0:
        return q, share
    give = offer * (total / offer.sum())
    q[donor] = give[donor] / mu[donor]
    left = total
    for c in sorted(np.flatnonzero(need > 0), key=lambda i: (gap[i], i)):
        take = min(need[c], left)
        share[c] = take
        left -= take
        if left <= 0:
            break
    return np.minimum(q, 1.0), share / share.sum()


#: The handler pools: 0 = lawyers (social and staff), 1 = grassroots workers.
POOL_KINDS = ("social", "grassroots")
#: Pools each case kind (criminal, civil, administrative) may use, grassroots workers first where they
#: may take the case (keeping lawyers' room for criminal cases); a criminal case needs a defender.
KIND_POOLS = tuple(tuple(p for p in (1, 0) if may_defend(POOL_KINDS[p], kind == "criminal"))
                   for kind in ("criminal", "civil", "administrative"))
