"""The aggregation of a dispatch problem (pipeline step 2a): classes, groups, pools, sub-pools.

``structure`` groups the ``Problem`` once:

- classes: the batch's ordinary cases with the same administering centre, the same eligible
  lawyer kinds (criminal or not) and the same requirement (``req``: bit 1 a lawyer with ≥3 years
  of criminal defence, bit 2 one experienced with minors) are interchangeable for every rule and
  objective; a case with a conflict (回避) is a class of its own (its ``owner`` code);
- group classes: the unpinned members of one co-defendant group with one administering centre;
- pools: eligible lawyers of one region, kind, qualification (``qual``: ≥3 years of criminal
  defence, experienced with minors) and conflict signature (``sig``: the conflicted cases or
  groups that must not go to them) — same distance, same eligibility, same social status;
- firm-pools: the lawyers of one pool in one firm (or with no firm);
- sub-pools: lawyers of one firm-pool with the same load so far and the same pinned
  co-defendants — interchangeable even for the group and balance levels.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from allocation.constraints import grassroots_no_criminal
from allocation.data import KINDS, Problem

#: Regions (nearest first, the centre's own included) whose arcs are in the network from the
#: start; the others are priced in when needed.
NEAR = 4


@dataclass
class Structure:
    """The aggregation of one problem (see module docstring). Arrays are indexed by id.

    Classes: ``cls_centre`` (region code), ``cls_criminal``, ``cls_cases`` (case positions in
    first-come first-served order). Groups: ``groups`` (keys), ``gc_group``, ``gc_centre``,
    ``gc_cases``. Pools: ``pool_region``, ``pool_kind``, ``pool_m``, ``pool_bases`` (sorted
    loads). Firm-pools: ``fp_pool``, ``fp_firm`` (firm code, −1 for none). Sub-pools:
    ``sub_pool``, ``sub_fp``, ``sub_region``, ``sub_kind``, ``sub_firm``, ``sub_base``,
    ``sub_m``, ``sub_lawyers`` (lawyer positions, tie order), ``sub_pinned`` (groups pinned to
    its lawyers). ``pool_reserve``: per pool, the load from which its lawyers' room is reserved
    for the cases still to come (cap = none; one family of one county, ``allocation.ahead``).
    ``pinned_firm[(g, firm)]``, ``pinned_pool[(g, pool)]`` and
    ``pinned_fp[(g, fp)]`` count a group's pinned members. ``near[a]``: region codes nearest
    to region a first.
    """

    problem: Problem
    n_batch: int
    cls_centre: np.ndarray
    cls_criminal: np.ndarray
    cls_cases: list[np.ndarray]
    groups: list[str]
    gc_group: np.ndarray
    gc_centre: np.ndarray
    gc_cases: list[np.ndarray]
    pool_region: np.ndarray
    pool_kind: np.ndarray
    cls_req: np.ndarray
    cls_owner: np.ndarray
    group_req: np.ndarray
    group_owner: np.ndarray
    pool_qual: np.ndarray
    pool_sig: list[frozenset]
    pool_m: np.ndarray
    pool_bases: list[np.ndarray]
    fp_pool: np.ndarray
    fp_firm: np.ndarray
    sub_pool: np.ndarray
    sub_fp: np.ndarray
    sub_region: np.ndarray
    sub_kind: np.ndarray
    sub_firm: np.ndarray
    sub_base: np.ndarray
    sub_m: np.ndarray
    sub_lawyers: list[np.ndarray]
    sub_pinned: list[frozenset]
    firms: list[tuple[str, str]]
    near: np.ndarray
    pinned_firm: dict[tuple[int, int], int] = field(default_factory=dict)
    pinned_pool: dict[tuple[int, int], int] = field(default_factory=dict)
    pinned_fp: dict[tuple[int, int], int] = field(default_factory=dict)
    pool_reserve: np.ndarray | None = None

    @property
    def cap(self) -> int:
        """The yearly cap (件/年)."""
        return self.problem.rules.cap

    @property
    def sub_h(self) -> np.ndarray:
        """Headroom of each sub-pool's lawyers (件)."""
        return self.cap - self.sub_base

    def allowed(self, criminal, req, owner, pools: np.ndarray) -> np.ndarray:
        """Which ``pools`` may take a case class (criminal or not, requirement bits, conflict owner
        code or −1): kind (grassroots never defend), qualification (法律援助法第二十六条) and no
        conflict (回避)."""
        pools = np.asarray(pools, dtype=np.int64)
        ok = np.asarray(grassroots_no_criminal(criminal, np.asarray(KINDS, dtype=object)[self.pool_kind[pools]]),
                        dtype=bool)
        ok &= (int(req) & ~self.pool_qual[pools]) == 0
        if owner >= 0:
            ok &= np.array([owner not in self.pool_sig[q] for q in pools], dtype=bool)
        return ok

    def group_allowed(self, g: int, pools: np.ndarray) -> np.ndarray:
        """Pools that may defend members of group ``g`` (criminal; the group's requirement and conflicts)."""
        return self.allowed(True, self.group_req[g], self.group_owner[g], pools)

    def placement_costs(self, centre: np.ndarray, region: np.ndarray) -> dict:
        """Costs of placing a case of ``centre`` with a handler of ``region`` at the levels
        ``cross_region`` (1 when the handler is of another region), ``pace`` (1 when it is of another
        region that is not behind 序时进度: city-wide dispatch goes toward counties behind pace for
        lack of cases, 安庆2023 §3(3)2) and ``distance`` (metres)."""
        cross = (centre != region).astype(np.int64)
        return {"cross_region": cross, "pace": cross * (~self.problem.behind[region]).astype(np.int64),
                "distance": self.problem.dist_m[centre, region]}

    def is_near(self, centre: np.ndarray, region: np.ndarray) -> np.ndarray:
        """Whether ``region`` is among the ``NEAR`` nearest regions of ``centre`` (elementwise)."""
        rank = np.argsort(self.near, axis=1)
        return rank[centre, region] < NEAR


def _case_classes(problem: Problem):
    """Ordinary classes (centre, criminal) and group classes (group, centre) of the batch's cases."""
    cases = problem.cases
    batch = cases["pinned_lawyer"].to_numpy() == ""
    order = cases["order"].to_numpy()
    centre = problem.region_code(cases["centre"])
    criminal = cases["criminal"].to_numpy(dtype=bool)
    group = cases["group"].to_numpy(dtype=object)
    req = cases["req"].to_numpy(dtype=np.int64)
    owner = problem.case_owner()
    plain = np.flatnonzero(batch & (group == ""))
    plain = plain[np.argsort(order[plain], kind="stable")]
    width = int(owner.max()) + 2 if len(owner) else 1
    raw = ((centre[plain] * 4 + req[plain]) * 2 + criminal[plain]) * width + owner[plain] + 1
    cls_keys, cls_of = np.unique(raw, return_inverse=True)
    cls_cases = [plain[cls_of == k] for k in range(len(cls_keys))]
    cls_keys = np.stack([cls_keys // width // 8, cls_keys // width % 2, cls_keys // width // 2 % 4,
                         cls_keys % width - 1], axis=1) if len(cls_keys) else np.zeros((0, 4), np.int64)
    groups = sorted(set(group[group != ""]))
    gindex = {g: i for i, g in enumerate(groups)}
    grouped = np.flatnonzero(batch & (group != ""))
    gcodes = np.array([gindex[g] for g in group[grouped]], dtype=np.int64)
    grouped_order = np.lexsort((order[grouped], centre[grouped], gcodes))
    grouped, gcodes = grouped[grouped_order], gcodes[grouped_order]
    gc_keys, gc_of = np.unique(gcodes * len(problem.regions) + centre[grouped], return_inverse=True)
    gc_cases = [grouped[gc_of == k] for k in range(len(gc_keys))]
    return batch, cls_keys, cls_cases, groups, gindex, gc_keys, gc_cases


def _group_needs(problem: Problem, groups: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per group: requirement bits (OR over its members: each co-defendant's defender is chosen
    to meet the strictest requirement of the group) and conflict owner code (−1 when none)."""
    cases = problem.cases
    group = cases["group"].to_numpy(dtype=object)
    req = pd.Series(cases["req"].to_numpy(dtype=np.int64)).groupby(group).agg(lambda v: int(np.bitwise_or.reduce(v)))
    owner = problem.group_owner()
    return (np.array([int(req.get(g, 0)) for g in groups], dtype=np.int64),
            np.array([owner.get(g, -1) for g in groups], dtype=np.int64))


def _lawyer_frame(problem: Problem, gindex: dict, pinned_cases: pd.DataFrame):
    """Eligible lawyers sorted into (region, kind, firm, load, pinned groups, tie) order, with codes."""
    lawyers = problem.lawyers
    elig = np.flatnonzero(lawyers["eligible"].to_numpy(dtype=bool))
    kind_code = lawyers["kind"].map({k: i for i, k in enumerate(KINDS)}).to_numpy(dtype=np.int64)
    region = problem.region_code(lawyers["region"])
    firm_names = lawyers["firm"].to_numpy(dtype=object)
    base = lawyers["base"].to_numpy(dtype=np.int64)
    lawyer_pos = pd.Series(np.arange(len(lawyers)), index=lawyers["lawyer_id"])
    pinned_groups: dict[int, set[int]] = {}
    for g, lw in zip(pinned_cases["group"], pinned_cases["pinned_lawyer"], strict=True):
        pinned_groups.setdefault(int(lawyer_pos[lw]), set()).add(gindex[g])
    firms = sorted({(problem.regions[r], f) for r, f in zip(region, firm_names, strict=True) if f})
    findex = {f: i for i, f in enumerate(firms)}
    firm_code = np.array([findex.get((problem.regions[r], f), -1) for r, f in zip(region, firm_names, strict=True)],
                         dtype=np.int64)
    draw = np.random.default_rng(problem.seed).permutation(len(lawyers)) if problem.seed else \
        np.argsort(np.argsort(lawyers["lawyer_id"].to_numpy(dtype=str), kind="stable"))
    tie = rotation_order(lawyers, draw)
    pg_key = np.array([",".join(map(str, sorted(pinned_groups[i]))) if i in pinned_groups else ""
                       for i in range(len(lawyers))], dtype=object)
    sig = problem.lawyer_signatures()
    sig_key = np.array([",".join(map(str, sorted(v))) for v in sig], dtype=object)
    frame = pd.DataFrame({"pos": elig, "region": region[elig], "kind": kind_code[elig],
                          "qual": lawyers["qual"].to_numpy(dtype=np.int64)[elig], "sig": sig_key[elig],
                          "firm": firm_code[elig], "base": base[elig], "pg": pg_key[elig], "tie": tie[elig]})
    frame = frame.sort_values(["region", "kind", "qual", "sig", "firm", "base", "pg", "tie"], kind="stable")
    return frame, base, firms, firm_code, pinned_groups, lawyer_pos


def rotation_order(lawyers: pd.DataFrame, draw: np.ndarray) -> np.ndarray:
    """轮候 among equally good handlers: lawyers are sorted by load this year before this tie key
    (fewest first), so the key is the longest since the last assignment (最近一次指派日期; never
    assigned first), then the seeded draw (``draw``: a permutation, or id order with seed 0).
    Returns each lawyer's rank."""
    last = lawyers["last_assigned"] if "last_assigned" in lawyers else pd.Series(pd.NaT, index=lawyers.index)
    days = pd.to_datetime(last).to_numpy(dtype="datetime64[D]").astype(np.int64)
    days = np.where(pd.isna(last).to_numpy(), np.iinfo(np.int64).min, days)
    ranked = np.lexsort((draw, days))
    rank = np.empty(len(lawyers), dtype=np.int64)
    rank[ranked] = np.arange(len(lawyers))
    return rank


def _starts(ids: np.ndarray) -> np.ndarray:
    return np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]]) if len(ids) else np.zeros(0, np.int64)


def _count_pins(struct: Structure, fp_members: list, pinned_cases: pd.DataFrame, gindex: dict,
                firm_code: np.ndarray, lawyer_pos: pd.Series) -> None:
    """A group's pinned members per (group, firm), and its distinct pinned lawyers per (group, pool)
    and (group, firm-pool): a lawyer pinned to two members of one group is one lawyer the group
    cannot use again, not two (the relaxation's room is lawyers, not cases)."""
    where = {}
    for k, members in enumerate(fp_members):
        for i in members:
            where[int(i)] = (int(struct.fp_pool[k]), k)
    seen: set[tuple[int, int]] = set()
    for g_name, lw in zip(pinned_cases["group"], pinned_cases["pinned_lawyer"], strict=True):
        i, g = int(lawyer_pos[lw]), gindex[g_name]
        if firm_code[i] >= 0:
            struct.pinned_firm[(g, int(firm_code[i]))] = struct.pinned_firm.get((g, int(firm_code[i])), 0) + 1
        if i in where and (g, i) not in seen:
            seen.add((g, i))
            q, k = where[i]
            struct.pinned_pool[(g, q)] = struct.pinned_pool.get((g, q), 0) + 1
            struct.pinned_fp[(g, k)] = struct.pinned_fp.get((g, k), 0) + 1


def structure(problem: Problem) -> Structure:
    """Aggregate the problem's batch into classes and its eligible lawyers into (sub-)pools."""
    batch, cls_keys, cls_cases, groups, gindex, gc_keys, gc_cases = _case_classes(problem)
    cases = problem.cases
    pinned_cases = cases[~batch & (cases["group"].to_numpy(dtype=object) != "")]
    frame, base, firms, firm_code, pinned_groups, lawyer_pos = _lawyer_frame(problem, gindex, pinned_cases)
    sub_id = frame.groupby(["region", "kind", "qual", "sig", "firm", "base", "pg"], sort=False).ngroup().to_numpy()
    fp_id = frame.groupby(["region", "kind", "qual", "sig", "firm"], sort=False).ngroup().to_numpy()
    pool_id = frame.groupby(["region", "kind", "qual", "sig"], sort=False).ngroup().to_numpy()
    first, fp_first, pool_first = _starts(sub_id), _starts(fp_id), _starts(pool_id)
    pos = frame["pos"].to_numpy()
    sub_lawyers = np.split(pos, first[1:]) if len(pos) else []
    pool_members = np.split(pos, pool_first[1:]) if len(pos) else []
    fp_members = np.split(pos, fp_first[1:]) if len(pos) else []
    n_regions = len(problem.regions)
    near = np.argsort(problem.dist_m + np.eye(n_regions, dtype=np.int64) * -1, axis=1, kind="stable")
    group_req, group_owner = _group_needs(problem, groups)
    sigs = problem.lawyer_signatures()
    struct = Structure(
        problem=problem, n_batch=int(batch.sum()),
        cls_centre=cls_keys[:, 0], cls_criminal=cls_keys[:, 1].astype(bool), cls_cases=cls_cases,
        cls_req=cls_keys[:, 2], cls_owner=cls_keys[:, 3], group_req=group_req, group_owner=group_owner,
        pool_qual=frame["qual"].to_numpy()[pool_first],
        pool_sig=[frozenset(sigs[int(pos[i])]) for i in pool_first],
        groups=groups, gc_group=gc_keys // n_regions, gc_centre=gc_keys % n_regions, gc_cases=gc_cases,
        pool_region=frame["region"].to_numpy()[pool_first], pool_kind=frame["kind"].to_numpy()[pool_first],
        pool_m=np.array([len(m) for m in pool_members], dtype=np.int64),
        pool_bases=[np.sort(base[m]) for m in pool_members],
        fp_pool=pool_id[fp_first], fp_firm=frame["firm"].to_numpy()[fp_first],
        sub_pool=pool_id[first], sub_fp=fp_id[first], sub_region=frame["region"].to_numpy()[first],
        sub_kind=frame["kind"].to_numpy()[first], sub_firm=frame["firm"].to_numpy()[first],
        sub_base=frame["base"].to_numpy()[first], sub_m=np.array([len(s) for s in sub_lawyers], dtype=np.int64),
        sub_lawyers=sub_lawyers, sub_pinned=[frozenset(pinned_groups.get(int(s[0]), ())) for s in sub_lawyers],
        firms=firms, near=near,
        pool_reserve=problem.lawyers["reserve_from"].to_numpy(dtype=np.int64)[pos[pool_first]] if len(pos)
        else np.zeros(0, np.int64),
    )
    _count_pins(struct, fp_members, pinned_cases, gindex, firm_code, lawyer_pos)
    return struct
