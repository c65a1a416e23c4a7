"""The dispatch result: typed, English columns and codes (``legalaid.report.dispatch`` words it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from scenarios.plans import Plan
from scenarios.vocab import Finding

#: Every objective level proven optimal and every hard rule holds.
OPTIMAL = "optimal"
#: A valid assignment whose optimality is not proven at every level (e.g. the counties' totals
#: moved after their social requirement was set, or cases were placed by a rule outside the
#: flow model); every hard rule still holds.
FEASIBLE = "feasible"
#: The pinned assignments given already break a hard rule, so no assignment satisfies every rule;
#: the rest of the batch is still dispatched optimally around them (the findings name the pins).
INFEASIBLE = "infeasible"
STATUSES = (OPTIMAL, FEASIBLE, INFEASIBLE)


@dataclass(frozen=True)
class SocialShare:
    """The social-lawyer share over the year (安庆2023 §6(2)), measured per county (本地区) on the
    cases its handlers handle this year; the city figures below are the sums over counties.

    Attributes
    ----------
    rule, citation : the minimum share and its source.
    year_cases, year_social_cases : the year's cases (handled + this batch, pinned included) and
        those by social lawyers (件).
    required : least social-lawyer cases for the share (件); shortfall : what is missing (件).
    before_cases, before_social_cases : the same counts before this batch's new assignments.
    close_slots, close_remaining, close_by_region : the fewest extra social-lawyer slots that
        would close a shortfall, what would remain, and where (region, slots); None without one.
    by_region : per county: region, year_cases, year_social_cases, required, shortfall, new_cases,
        new_social_cases, close_slots, close_remaining, share.
    """

    rule: float
    citation: str
    year_cases: int
    year_social_cases: int
    required: int
    shortfall: int
    before_cases: int
    before_social_cases: int
    close_slots: int | None = None
    close_remaining: int | None = None
    close_by_region: pd.DataFrame | None = None
    by_region: pd.DataFrame | None = None

    @property
    def achieved(self) -> float | None:
        """The share after the batch, or None with no cases."""
        return round(self.year_social_cases / self.year_cases, 4) if self.year_cases else None

    @property
    def before(self) -> float | None:
        """The share before the batch, or None with no cases."""
        return round(self.before_social_cases / self.before_cases, 4) if self.before_cases else None


@dataclass(frozen=True)
class Solver:
    """How the optimum was obtained: refinement rounds, per-level statistics, network size."""

    rounds: int
    levels: list[dict]
    network: dict


@dataclass
class DispatchResult:
    """One dispatch: every input case once, assigned (with a reason code) or unassigned (with a rule).

    Attributes
    ----------
    plan : the plan.
    status : ``OPTIMAL``, ``FEASIBLE`` or ``INFEASIBLE`` (see their definitions).
    assignments : case_id, region, centre, kind, instance, group_id, lawyer_id, lawyer_kind, firm,
        lawyer_region, cross_region (bool), km, pinned (bool), toward_behind (bool: cross-region to a
        county behind 序时进度), reason (``allocation.explain.REASONS``), group_size, placed_by
        ("pinned", "requested", "continuity" or ""), asked, refused (``allocation.requests``), needs
        (requirement bits, ``allocation.legal``), deadline (decision date + the 3-day assignment
        deadline; NaT when not given) — input order.
    unassigned : case_id, region, township, centre, kind, instance, group_id, needs, deadline, rule
        (``explain.BLOCKING``), citation, candidates, grassroots_room.
    loads : lawyer_id, region, kind, firm, available, handled_this_year, pinned, new, after, cap,
        headroom (cap − after; negative = over the cap), utilisation (after / cap).
    by_region : per administering centre: centre, cases, local, cross_region (new dispatches),
        pinned (kept as given), unassigned.
    by_township : cases registered at delegated townships (安庆2023 §6(5)): township, region,
        assigned, unassigned (empty when none).
    diagnosis : per (region, kind) the extra slots that would place every case (empty when all
        are placed): region, kind, slots, codefendant_slots, min_new_lawyers.
    diagnosis_slots : total extra slots (None when every case is placed).
    binding_rules : blocking rule → unassigned cases.
    levels : objective level → value (distance in metres).
    social : the social-lawyer share.
    balance : the load-balance figures (sum of squares increase, utilisation, spread).
    same_firm, same_firm_pinned : co-defendants beyond the first in one firm, of which pinned.
    cap, cap_citation, rules_on : the yearly cap (件/年), its source, the date rules were read.
    distance_source : "plan", "table" or "table+plan".
    solver : refinement and level statistics.
    seconds : wall time per step (s).
    findings : facts that are not errors (codes and numbers).
    room_ahead : with an expected-demand input, per county and kind: expected, room, short (件).
    reserve : with an expected-demand input, per county the room reserved for the cases still to
        come before this batch (``allocation.ahead.keep_room_for_expected``); else None.
    inputs_sha256, seed : the verifiable draw: a hash of the inputs and the seed
        (``allocation.api.inputs_hash``), recomputed by ``legalaid verify``.
    """

    plan: Plan
    status: str
    assignments: pd.DataFrame
    unassigned: pd.DataFrame
    loads: pd.DataFrame
    by_region: pd.DataFrame
    by_township: pd.DataFrame
    diagnosis: pd.DataFrame
    diagnosis_slots: int | None
    binding_rules: dict[str, int]
    levels: dict[str, int]
    social: SocialShare
    balance: dict
    same_firm: int
    same_firm_pinned: int
    cap: int
    cap_citation: str
    rules_on: dt.date
    distance_source: str
    solver: Solver
    seconds: dict[str, float] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    inputs_sha256: str = ""
    seed: int = 0
    room_ahead: pd.DataFrame | None = None
    reserve: pd.DataFrame | None = None

    @property
    def all_assigned(self) -> bool:
        """True when every case of the batch has a handler."""
        return len(self.unassigned) == 0

    @property
    def social_shortfall(self) -> int:
        """Social-lawyer cases missing for the share (件; 0 when met)."""
        return self.social.shortfall

    @property
    def ok(self) -> bool:
        """Every case assigned and the social-lawyer share met."""
        return self.all_assigned and self.social_shortfall == 0

    @property
    def distance_km(self) -> float:
        """Total dispatch distance (km)."""
        return self.levels["distance"] / 1000

    @property
    def cross_region_cases(self) -> int:
        """New cases dispatched to a lawyer of another region than the administering centre's
        (pinned cases are kept as given and not counted)."""
        a = self.assignments
        return int((a["cross_region"] & ~a["pinned"]).sum())

    @property
    def new_assignments(self) -> int:
        """Cases assigned in this batch (pinned ones excluded)."""
        return int((~self.assignments["pinned"]).sum())

    def counts_by_region(self, what: str) -> dict[str, int]:
        """Per administering region id: "unassigned", "cross_region" or "local" case counts."""
        frame = self.by_region.set_index("centre")[what]
        return {k: int(v) for k, v in frame.items()}


def km(metres: np.ndarray) -> np.ndarray:
    """Metres → km rounded to 0.1 km."""
    return np.round(np.asarray(metres, dtype=float) / 1000.0, 1)
