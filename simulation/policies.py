"""City-centre dispatch policies (全市一盘棋, 安庆2023 §3(3)2), one function per rule.

- ``none``: every region handles its own applications with its own handlers.
- ``overflow``: a case a region's handlers have no room for under the yearly cap goes, the same
  day, to the nearest region (``plan.distance_km``) whose handlers have room. It stays the
  approving region's case: its approval and closure count there.
- ``rebalance``: at the start of each month the city centre redirects part of the new
  applications of regions ahead of 序时进度 to regions behind it (``rebalance_rule``); a moved
  case is approved, handled and counted by the receiving region.
"""

from __future__ import annotations

import numpy as np

from scenarios.vocab import may_defend

#: Policies in report order.
POLICIES = ("none", "overflow", "rebalance")


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
                   eligible: np.ndarray, share_max: float, donor_buffer: float) -> tuple[np.ndarray, np.ndarray]:
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
    donor_buffer : a donor keeps a projected year-end of at least target × (1 + buffer).

    The rule, for eligible regions:

    1. pace_now = j/12 · target (序时进度 at the end of last month); pace_next = (j+1)/12 · target;
       expected this month mu = rate_hat · w[j]; projected year-end
       proj = cum + rate_hat · Σ_{i≥j} w[i].
    2. Donors are ahead of 序时进度 (cum > pace_now) and projected above target × (1 + buffer).
       A donor offers min(share_max · mu, (proj − target · (1 + buffer)) / months left), i.e. it
       gives its projected surplus away evenly over the rest of the year, never more than
       ``share_max`` of a month's applications.
    3. Receivers are behind 序时进度 (cum < pace_now); a receiver needs
       max(0, pace_next − cum − mu): what its own expected applications leave it short of 序时进度
       at the end of this month.
    4. The volume moved is T = min(Σ offers, Σ needs); donors give in proportion to their offers,
       receivers get in proportion to their needs.

    Returns
    -------
    q : per region, the probability that each of its new applications this month is moved
        (0 for non-donors), = donor's share of T / mu.
    share : per region, the share of moved applications it receives (sums to 1 when T > 0).
    """
    months_left = 12 - month
    w = np.broadcast_to(weights, (len(rate_hat), 12))
    mu = rate_hat * w[:, month]
    proj = cum + rate_hat * w[:, month:].sum(axis=1)
    keep = targets * (1.0 + donor_buffer)
    pace_now = month / 12 * targets
    pace_next = (month + 1) / 12 * targets
    donor = eligible & (cum > pace_now) & (proj > keep) & (mu > 0)
    offer = np.where(donor, np.minimum(share_max * mu, (proj - keep) / months_left), 0.0)
    receiver = eligible & (cum < pace_now)
    need = np.where(receiver, np.maximum(0.0, pace_next - cum - mu), 0.0)
    total = min(offer.sum(), need.sum())
    q = np.zeros_like(mu, dtype=float)
    share = np.zeros_like(mu, dtype=float)
    if total <= 0:
        return q, share
    give = offer * (total / offer.sum())
    q[donor] = give[donor] / mu[donor]
    share = need / need.sum()
    return np.minimum(q, 1.0), share


#: The handler pools: 0 = lawyers (social and staff), 1 = grassroots workers.
POOL_KINDS = ("social", "grassroots")
#: Pools each case kind (criminal, civil, administrative) may use, grassroots workers first where they
#: may take the case (keeping lawyers' room for criminal cases); a criminal case needs a defender.
KIND_POOLS = tuple(tuple(p for p in (1, 0) if may_defend(POOL_KINDS[p], kind == "criminal"))
                   for kind in ("criminal", "civil", "administrative"))
