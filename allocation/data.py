"""The allocation inputs, checked and indexed once (the "check" step of the pipeline).

``prepare`` turns the canonical case and lawyer tables (``scenarios.schema``), the optional
pinned assignments and distance table into a ``Problem``: plain numpy/pandas columns the model
builder reads, with every per-case and per-lawyer fact the hard rules need (administering
centre, eligibility, headroom under the yearly cap). Problems a user can fix raise one
``InputError`` listing all of them; facts that are not errors (a lawyer already over the cap, a
pinned assignment that breaks a rule) become findings (``scenarios.vocab.Finding``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import pandas as pd

from scenarios.distances import distance_matrix
from scenarios.errors import InputError
from scenarios.frames import (
    CASES_LABEL,
    LAWYERS_LABEL,
    PINNED_LABEL,
    check_cases,
    check_lawyers,
    check_pinned,
    unknown_lawyer_ids,
)
from scenarios.law import dispatch_law
from scenarios.plans import Plan
from scenarios.vocab import LAWYER_KINDS, Finding

#: Lawyer kinds in model order; index = kind code.
KINDS = tuple(LAWYER_KINDS)
SOCIAL, STAFF, GRASSROOTS = 0, 1, 2


@dataclass(frozen=True)
class Rules:
    """The plan's rule values the engine uses, read once (never written as literals).

    Attributes
    ----------
    cap : yearly cases per lawyer or grassroots worker (件/年), rule ``lawyer_yearly_cap``.
    cap_citation : its source as a user reads it, e.g. "安庆2023 §6(2)".
    social_share : minimum share of the year's cases handled by social lawyers, as an exact
        fraction (rule ``social_lawyer_share_min``; 0.75 -> 3/4).
    social_citation : its source.
    on : the date the values were read at.
    """

    cap: int
    cap_citation: str
    social_share: Fraction
    social_citation: str
    on: dt.date

    @classmethod
    def from_plan(cls, plan: Plan, on: dt.date | None = None) -> Rules:
        """Read the cap and the social-lawyer share in force on ``on`` (default: year end)."""
        on = on or plan.default_date
        rules = plan.rules_in_force(("lawyer_yearly_cap", "social_lawyer_share_min"), on)
        cap, share = rules["lawyer_yearly_cap"], rules["social_lawyer_share_min"]
        return cls(cap=int(np.floor(cap.value)), cap_citation=cap.citation,
                   social_share=Fraction(str(share.value)), social_citation=share.citation, on=on)

    def social_required(self, total: int) -> int:
        """Least social-lawyer cases among ``total`` cases so the share is met (exact ceiling)."""
        return -((-self.social_share.numerator * total) // self.social_share.denominator)


@dataclass
class Problem:
    """Everything the model needs, indexed.

    Attributes
    ----------
    plan, rules : the plan and its rule values.
    regions : region ids in plan order (index = region code); ``city`` is the city centre's code.
    cases : every input case in input order, canonical columns plus ``centre`` (administering
        centre, region id), ``criminal`` (bool), ``group`` (co-defendant group key, "" when the
        case is not part of a group of two or more criminal co-defendants), ``pinned_lawyer``
        ("" when not pinned), ``order`` (first-come first-served rank: received, then case id).
    lawyers : every input lawyer in input order, canonical columns plus ``pinned`` (件 pinned in
        this batch), ``base`` (handled_this_year + pinned), ``headroom`` (cap − base, ≥ 0) and
        ``eligible`` (available and headroom > 0: may take new cases).
    dist_m : km from administering centre (row) to lawyer region (column), in whole metres;
        0 on the diagonal.
    dist_source : "plan" (county-seat coordinates), "table" or "table+plan".
    findings : facts that are not errors (codes and numbers).
    seed : tie-break seed among interchangeable lawyers.
    behind : per region code, True when the county is behind 序时进度 for lack of cases
        (安庆2023 §3(3)2: city-wide dispatch goes toward them); all False when not known.
    conflicts : case position → lawyer positions it must not go to (回避: excluded lawyers, the
        opposing party's lawyers and every lawyer of their firm or of the opposing firm).
    law : national-law parameters in force (``scenarios.law.dispatch_law``).
    checked : the canonical cases and lawyers tables as checked, before any column was added
        (what ``allocation.api.inputs_hash`` hashes).
    reserve : with an expected-demand input, per county the room reserved for the cases still to
        come (``allocation.ahead.keep_room_for_expected``); lawyers then carry ``reserve_from``
        (the load from which their room is reserved; cap = none). None without one.

    Cases also carry ``req`` (bit 1: needs ≥ ``senior_defence_years_min`` years of criminal
    defence, 法律援助法第二十六条; bit 2: a lawyer experienced with minors) and lawyers ``qual``
    (the same bits they meet).
    """

    plan: Plan
    rules: Rules
    regions: tuple[str, ...]
    city: int
    cases: pd.DataFrame
    lawyers: pd.DataFrame
    dist_m: np.ndarray
    dist_source: str
    findings: list[Finding] = field(default_factory=list)
    seed: int = 0
    behind: np.ndarray | None = None
    conflicts: dict[int, frozenset] = field(default_factory=dict)
    law: dict = field(default_factory=dict)
    checked: tuple[pd.DataFrame, pd.DataFrame] | None = None
    reserve: pd.DataFrame | None = None

    @property
    def reserving(self) -> bool:
        """True when some room is reserved for the cases still to come (level ``reserve``)."""
        return self.reserve is not None and bool((self.lawyers["reserve_from"] < self.rules.cap).any())

    def __post_init__(self) -> None:
        if self.behind is None:
            self.behind = np.zeros(len(self.regions), dtype=bool)

    def case_owner(self) -> np.ndarray:
        """Per case: its conflict owner code (its own position when it is an ordinary case with a
        conflict, 回避), else −1. Co-defendants' conflicts belong to their group (``group_owner``)."""
        owner = np.full(len(self.cases), -1, dtype=np.int64)
        group = self.cases["group"].to_numpy(dtype=object)
        for i in self.conflicts:
            if group[i] == "":
                owner[i] = i
        return owner

    def group_owner(self) -> dict[str, int]:
        """Group key → conflict owner code (len(cases) + k) for groups with a member in conflict."""
        group = self.cases["group"].to_numpy(dtype=object)
        keys = sorted({group[i] for i in self.conflicts if group[i] != ""})
        return {g: len(self.cases) + k for k, g in enumerate(keys)}

    def lawyer_signatures(self) -> list[frozenset]:
        """Per lawyer: the owner codes (cases or groups) it must not take (回避)."""
        if "_sigs" in self.__dict__:
            return self.__dict__["_sigs"]
        out: list[set] = [set() for _ in range(len(self.lawyers))]
        group = self.cases["group"].to_numpy(dtype=object)
        gown = self.group_owner()
        for i, excluded in self.conflicts.items():
            code = gown[group[i]] if group[i] != "" else i
            for q in excluded:
                out[q].add(code)
        self.__dict__["_sigs"] = [frozenset(v) for v in out]
        return self.__dict__["_sigs"]

    def region_code(self, ids) -> np.ndarray:
        """Region codes for an array of region ids (one dictionary look-up per distinct id)."""
        ids = np.asarray(ids, dtype=object)
        if not len(ids):
            return np.zeros(0, dtype=np.int64)
        index = self.__dict__.setdefault("_index", {r: i for i, r in enumerate(self.regions)})
        uniq, inverse = np.unique(ids.astype(str), return_inverse=True)
        return np.array([index[r] for r in uniq], dtype=np.int64)[inverse].reshape(-1)


def prepare(plan: Plan, cases: pd.DataFrame, lawyers: pd.DataFrame, *, pinned: pd.DataFrame | None = None,
            distances: pd.DataFrame | None = None, on: dt.date | None = None, seed: int = 0,
            labels: dict[str, str] | None = None, behind=None, expected: pd.DataFrame | None = None) -> Problem:
    """Check the inputs and index them for the model (pipeline step 1).

    Parameters
    ----------
    plan : the city plan (regions, rules).
    cases, lawyers : canonical tables (``scenarios.schema``); optional columns may be absent.
    pinned : assignments already made, columns case_id, lawyer_id (kept as they are).
    distances : canonical distance table from ``read_distances`` (from, to, km), or None.
    on : date the rules are read at (default: the plan year's end).
    seed : tie-break among interchangeable lawyers.
    labels : table -> file name for messages (default: 案件表/律师表/已指派表).
    behind : region ids behind 序时进度 for lack of cases (``behind_pace``), or None.
    expected : cases still to come this year (region, kind, cases 件), or None: room is then
        reserved for them (``allocation.ahead``, level ``reserve``).

    Raises
    ------
    InputError : every problem of the inputs at once.
    """
    from allocation import constraints, legal

    labels = labels or {}
    rules = Rules.from_plan(plan, on)
    case_frame, issues = check_cases(cases, plan, labels.get("cases", CASES_LABEL))
    lawyer_frame, lawyer_issues = check_lawyers(lawyers, plan, labels.get("lawyers", LAWYERS_LABEL))
    issues += lawyer_issues
    if issues:
        raise InputError(issues)
    pinned_frame, pin_issues = check_pinned(pinned, case_frame, lawyer_frame, labels.get("pinned", PINNED_LABEL))
    pin_issues += unknown_lawyer_ids(case_frame, lawyer_frame, labels.get("cases", CASES_LABEL))
    if pin_issues:
        raise InputError(pin_issues)
    checked = (case_frame.copy(), lawyer_frame.copy())
    law = dispatch_law(rules.on)
    regions = tuple(plan.region_ids)
    findings: list[Finding] = []

    case_frame["centre"] = constraints.administering_centre(plan, case_frame)
    case_frame["criminal"] = case_frame["kind"].to_numpy() == "criminal"
    pin_map = dict(zip(pinned_frame["case_id"], pinned_frame["lawyer_id"], strict=True))
    case_frame["pinned_lawyer"] = np.array([pin_map.get(c, "") for c in case_frame["case_id"]], dtype=object)
    case_frame["group"] = constraints.codefendant_groups(case_frame, findings)
    case_frame["req"] = legal.requirements(case_frame, law)
    lawyer_frame["qual"] = legal.qualifications(lawyer_frame, law)
    findings += constraints.qualification_findings(case_frame, lawyer_frame)
    case_frame["order"] = first_come_order(case_frame)
    conflicts = legal.conflicts(case_frame, lawyer_frame)

    pin_count = pinned_frame["lawyer_id"].value_counts()
    lawyer_frame["pinned"] = lawyer_frame["lawyer_id"].map(pin_count).fillna(0).astype("int64")
    lawyer_frame["base"] = lawyer_frame["handled_this_year"] + lawyer_frame["pinned"]
    findings += constraints.pinned_findings(rules, case_frame, lawyer_frame)
    _honour_choices(case_frame, lawyer_frame, conflicts, rules.cap)
    lawyer_frame["headroom"] = constraints.lawyer_yearly_cap(rules, lawyer_frame)
    lawyer_frame["eligible"] = constraints.unavailable_take_nothing(lawyer_frame) & (lawyer_frame["headroom"] > 0)
    findings += constraints.cap_findings(rules, lawyer_frame)
    reserve = None
    lawyer_frame["reserve_from"] = rules.cap
    if expected is not None:
        from allocation.ahead import keep_room_for_expected

        lawyer_frame["reserve_from"], reserve = keep_room_for_expected(lawyer_frame, regions, rules.cap, expected)

    dist_m, source, dist_findings = distance_matrix(plan, distances)
    findings += dist_findings
    return Problem(plan=plan, rules=rules, regions=regions, city=regions.index(plan.city_centre.id),
                   cases=case_frame, lawyers=lawyer_frame, dist_m=dist_m, dist_source=source,
                   findings=findings, seed=seed,
                   behind=np.array([r in set(behind or ()) for r in regions], dtype=bool),
                   conflicts=conflicts, law=law, checked=checked, reserve=reserve)


def first_come_order(cases: pd.DataFrame) -> np.ndarray:
    """Each case's first-come rank: decision date (决定援助日期; the 3-day assignment deadline runs
    from it), then received date, then case id — the oldest first when room is short."""
    ranked = cases.sort_values(["decided", "received", "case_id"], na_position="last", kind="stable").index.to_numpy()
    order = np.empty(len(cases), dtype=np.int64)
    order[ranked] = np.arange(len(cases))
    return order


def _honour_choices(cases: pd.DataFrame, lawyers: pd.DataFrame, conflicts: dict, cap: int) -> None:
    """点援 and stage continuity (``allocation.requests``): honoured choices become fixed assignments
    (``placed_by`` "requested"/"continuity"; real pins "pinned") counted in ``pinned``/``base``;
    ``requested`` per lawyer counts them, ``refused`` per case says why a choice was not honoured."""
    from allocation.requests import honour

    got = honour(cases, lawyers, conflicts, cap, cases["order"].to_numpy())
    pins = cases["pinned_lawyer"].to_numpy(dtype=object).copy()
    placed = np.where(pins != "", "pinned", "").astype(object)
    took = got.lawyer >= 0
    pins[took] = lawyers["lawyer_id"].to_numpy(dtype=object)[got.lawyer[took]]
    placed[took] = got.by[took]
    cases["pinned_lawyer"], cases["placed_by"] = pins, placed
    cases["refused"], cases["asked"] = got.refused, got.asked
    requested = np.bincount(got.lawyer[took], minlength=len(lawyers)).astype(np.int64)
    lawyers["requested"] = requested
    lawyers["pinned"] = lawyers["pinned"] + requested
    lawyers["base"] = lawyers["handled_this_year"] + lawyers["pinned"]


def behind_pace(plan: Plan, progress: pd.DataFrame | None, month: int | None = None) -> tuple[str, ...]:
    """Counties behind 序时进度 for lack of cases at the end of ``month`` (default: the last month
    in ``progress``): approvals to date below target × month / 12 (安庆2023 §3(3)2; domain
    "Time-progress"). The city centre is never a destination of city-wide dispatch here."""
    if progress is None or not len(progress):
        return ()
    month = int(month or progress["month"].max())
    done = progress[progress["month"] <= month].groupby("region")["approved"].sum()
    return tuple(r.id for r in plan.regions
                 if r.level != "city" and r.target and done.get(r.id, 0) * 12 < r.target * month)
