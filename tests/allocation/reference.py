"""Independent reference: the per-case 0/1 model solved level by level with scipy's HiGHS MILP.

It shares nothing with the engine's aggregation or flows: one binary per (case, lawyer) pair,
every rule written directly on cases and lawyers, each level's optimum fixed as a constraint
before the next. Only for small instances (tests). Also random small instances for the tests.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from allocation.data import Problem

LEVELS = ("unassigned", "cross_region", "pace", "distance", "social", "same_firm", "balance")


def reference_levels(problem: Problem) -> dict[str, int]:
    """Lexicographic optimum of the per-case model: value of each level (same units as engine)."""
    cases, lawyers, rules = problem.cases, problem.lawyers, problem.rules
    batch = np.flatnonzero(cases["pinned_lawyer"].to_numpy() == "")
    elig = np.flatnonzero(lawyers["available"].to_numpy(bool) & (lawyers["headroom"].to_numpy() > 0))
    kind = lawyers["kind"].to_numpy()
    req, excluded = group_rule(problem)
    qual = lawyers["qual"].to_numpy()
    pairs = [(i, q) for i in batch for q in elig
             if not (cases["criminal"].iat[i] and kind[q] == "grassroots") and not (req[i] & ~qual[q])
             and q not in excluded[i]]
    nx = len(pairs)
    pi = np.array([p[0] for p in pairs], dtype=int)
    pl = np.array([p[1] for p in pairs], dtype=int)
    head = lawyers["headroom"].to_numpy()
    base = lawyers["base"].to_numpy()
    # z variables: unit k of lawyer q (balance), e variables: same-firm excess per (group, firm), s: shortfall
    z_of = [(q, k) for q in elig for k in range(head[q])]
    nz = len(z_of)
    group = cases["group"].to_numpy()
    firm = lawyers["firm"].to_numpy()
    region = lawyers["region"].to_numpy()
    pinned = cases[cases["pinned_lawyer"] != ""]
    lpos = {lid: i for i, lid in enumerate(lawyers["lawyer_id"])}
    gf_keys = sorted({(group[i], region[q], firm[q]) for i, q in pairs if group[i] and firm[q]}
                     | {(g, region[lpos[lw]], firm[lpos[lw]]) for g, lw in zip(pinned["group"], pinned["pinned_lawyer"],
                                                                                  strict=True) if g and firm[lpos[lw]]})
    ne = len(gf_keys)
    n_reg = len(problem.regions)
    n = nx + nz + ne + 2 * n_reg
    r_var = nx + nz + ne  # R_r: social cases required in region r (integer ≥ share × year total)
    s_var = r_var + n_reg  # s_r: shortfall of region r
    rows, cols, vals, lo, hi = [], [], [], [], []
    r = 0

    def add(idx, coef, lower, upper):
        nonlocal r
        rows.extend([r] * len(idx))
        cols.extend(idx)
        vals.extend(coef)
        lo.append(lower)
        hi.append(upper)
        r += 1

    for i in batch:
        idx = np.flatnonzero(pi == i)
        if len(idx):
            add(idx.tolist(), [1] * len(idx), -np.inf, 1)
    for q in elig:
        idx = np.flatnonzero(pl == q)
        zidx = [nx + j for j, (ll, _) in enumerate(z_of) if ll == q]
        add(idx.tolist() + zidx, [1] * len(idx) + [-1] * len(zidx), 0, 0)
    for g in sorted(set(group[batch]) - {""}):
        for q in elig:
            idx = np.flatnonzero((pl == q) & (group[pi] == g))
            if len(idx):
                already = int(((pinned["group"] == g) & (pinned["pinned_lawyer"] == lawyers["lawyer_id"].iat[q])).sum())
                add(idx.tolist(), [1] * len(idx), -np.inf, max(0, 1 - already))
    for j, (g, rg, f) in enumerate(gf_keys):
        idx = np.flatnonzero((group[pi] == g) & (region[pl] == rg) & (firm[pl] == f))
        already = sum(1 for gg, lw in zip(pinned["group"], pinned["pinned_lawyer"], strict=True)
                      if gg == g and region[lpos[lw]] == rg and firm[lpos[lw]] == f)
        add([*idx.tolist(), nx + nz + j], [*([1] * len(idx)), -1], -np.inf, 1 - already)
    social = (kind[pl] == "social").astype(float)
    done = lawyers["handled_this_year"].to_numpy() + lawyers["pinned"].to_numpy()
    lcode = problem.region_code(region)
    share = rules.social_share
    for k in range(n_reg):
        here = np.flatnonzero(lcode[pl] == k)
        total_k = int(done[lcode == k].sum())
        social_k = int(done[(lcode == k) & (kind == "social")].sum())
        # den·R_k − num·Σx ≥ num·total_k ; s_k − R_k + Σ social x ≥ −social_k
        add([r_var + k, *here.tolist()], [share.denominator, *([-share.numerator] * len(here))],
            share.numerator * total_k, np.inf)
        add([s_var + k, r_var + k, *here.tolist()], [1, -1, *social[here].tolist()], -social_k, np.inf)
    const_same = 0
    for g, rg, f in gf_keys:
        k = sum(1 for gg, lw in zip(pinned["group"], pinned["pinned_lawyer"], strict=True)
                if gg == g and region[lpos[lw]] == rg and firm[lpos[lw]] == f)
        const_same += max(0, k - 1)
    base_rows = (rows, cols, vals, lo, hi)

    def run(c, extra):
        rr, cc, vv, ll, hh = (list(x) for x in base_rows)
        k = r
        for idx, coef, lower, upper in extra:
            rr.extend([k] * len(idx))
            cc.extend(idx)
            vv.extend(coef)
            ll.append(lower)
            hh.append(upper)
            k += 1
        a = coo_matrix((vv, (rr, cc)), shape=(k, n)).tocsr()
        integrality = np.ones(n)
        ub = np.ones(n)
        ub[nx + nz:] = np.inf
        res = milp(c, constraints=LinearConstraint(a, ll, hh), integrality=integrality, bounds=Bounds(0, ub),
                   options={"mip_rel_gap": 0, "time_limit": 60})
        assert res.status == 0, res.message
        return round(res.fun)

    x_idx = list(range(nx))
    c = np.zeros(n)
    c[:nx] = -1
    assigned = -run(c, [])
    out = {"unassigned": len(batch) - assigned}
    fixes = [(x_idx, [1] * nx, assigned, assigned)]
    centre = problem.region_code(cases["centre"].to_numpy()[pi])
    cross = (centre != lcode[pl]).astype(float)
    pace = cross * (~problem.behind[lcode[pl]])
    dist = problem.dist_m[centre, lcode[pl]].astype(float)
    for name, cost in (("cross_region", cross), ("pace", pace), ("distance", dist)):
        c = np.zeros(n)
        c[:nx] = cost
        out[name] = run(c, fixes)
        fixes.append((x_idx, cost.tolist(), -np.inf, out[name]))
    s_idx = list(range(s_var, s_var + n_reg))
    c = np.zeros(n)
    c[s_var:] = 1
    out["social"] = run(c, fixes)
    fixes.append((s_idx, [1] * n_reg, -np.inf, out["social"]))
    c = np.zeros(n)
    c[nx + nz:nx + nz + ne] = 1
    out["same_firm"] = run(c, fixes) - const_same if ne else 0
    fixes.append((list(range(nx + nz, nx + nz + ne)), [1] * ne, -np.inf, out["same_firm"] + const_same))
    c = np.zeros(n)
    c[nx:nx + nz] = [2 * (base[q] + k) + 1 for q, k in z_of]
    out["balance"] = run(c, fixes)
    return out


def group_rule(problem: Problem) -> tuple[np.ndarray, list[set]]:
    """Per case: the requirement bits and excluded lawyers as the stated rule gives them — a
    co-defendant's defender meets the strictest requirement of the group and avoids every
    member's conflicts (documented in docs/dispatch-law.md); other cases their own."""
    cases = problem.cases
    group = cases["group"].to_numpy(dtype=object)
    req = cases["req"].to_numpy().copy()
    excluded = [set(problem.conflicts.get(i, ())) for i in range(len(cases))]
    for g in set(group) - {""}:
        members = np.flatnonzero(group == g)
        union = set().union(*(excluded[i] for i in members))
        bits = int(np.bitwise_or.reduce(req[members]))
        for i in members:
            req[i], excluded[i] = bits, set(union)
    return req, excluded


def random_instance(rng: np.random.Generator, plan, n_cases: int, n_lawyers: int, regions: int = 3,
                    cap: int = 90, tight: bool = True, pinned: bool = True, legal: bool = False):
    """Small random cases, lawyers and pinned pairs over the first ``regions`` regions of ``plan``.

    Loads sit near the cap so capacity binds; some lawyers are unavailable or grassroots; some
    criminal cases form co-defendant groups; a few cases are pinned. With ``legal``: cases that
    may carry life or death, minors, excluded lawyers and opposing firms; lawyers with years of
    criminal defence and experience with minors (the generator does not look at the engine).
    """
    ids = plan.region_ids[:regions] if plan.city_centre.id in plan.region_ids[:regions] else \
        [plan.city_centre.id, *plan.region_ids[: regions - 1]]
    kinds = rng.choice(["criminal", "civil", "administrative"], size=n_cases, p=[0.5, 0.4, 0.1])
    group = np.array([""] * n_cases, dtype=object)
    crim = np.flatnonzero(kinds == "criminal")
    if len(crim) >= 2:
        k = int(rng.integers(2, min(5, len(crim)) + 1))
        group[crim[:k]] = "G1"
        if len(crim) >= k + 2 and rng.random() < 0.5:
            group[crim[k:k + 2]] = "G2"
    cases = pd.DataFrame({
        "case_id": [f"C{i:03d}" for i in range(n_cases)],
        "region": rng.choice(ids, size=n_cases),
        "kind": kinds,
        "instance": rng.choice(["first", "second"], size=n_cases, p=[0.8, 0.2]),
        "litigation": True,
        "group_id": group,
        "received": pd.to_datetime("2023-01-01") + pd.to_timedelta(rng.integers(0, 30, n_cases), unit="D"),
    })
    low = cap - 4 if tight else 0
    lawyers = pd.DataFrame({
        "lawyer_id": [f"L{i:03d}" for i in range(n_lawyers)],
        "region": rng.choice(ids, size=n_lawyers),
        "kind": rng.choice(["social", "staff", "grassroots"], size=n_lawyers, p=[0.5, 0.3, 0.2]),
        "firm": rng.choice(["甲所", "乙所", ""], size=n_lawyers),
        "handled_this_year": rng.integers(low, cap + 1, size=n_lawyers),
        "available": rng.random(n_lawyers) > 0.1,
    })
    if legal:
        cases["severe"] = rng.random(n_cases) < 0.3
        cases["stage"] = rng.choice(["", "trial", "death_review"], size=n_cases, p=[0.6, 0.3, 0.1])
        cases["minor"] = rng.random(n_cases) < 0.2
        cases["excluded_lawyers"] = [str(rng.choice(lawyers["lawyer_id"])) if rng.random() < 0.2 else ""
                                     for _ in range(n_cases)]
        cases["opposing_firm"] = rng.choice(["", "", "", "甲所"], size=n_cases)
        lawyers["criminal_years"] = rng.integers(0, 8, size=n_lawyers)
        lawyers["minors"] = rng.random(n_lawyers) < 0.4
    pins = pd.DataFrame({"case_id": pd.Series(dtype=str), "lawyer_id": pd.Series(dtype=str)})
    if pinned and n_cases > 2 and rng.random() < 0.5:
        chosen = rng.choice(n_cases, size=int(rng.integers(1, 3)), replace=False)
        pins = pd.DataFrame({"case_id": cases["case_id"].to_numpy()[chosen],
                             "lawyer_id": rng.choice(lawyers["lawyer_id"].to_numpy(), size=len(chosen))})
    return cases, lawyers, pins


def brute_force_levels(problem: Problem) -> dict[str, int]:
    """Lexicographic optimum by enumerating every assignment (tiny instances only).

    Each batch case gets one eligible lawyer or none; the hard rules are checked directly on
    the enumerated assignment, and the five levels computed from it.
    """
    import itertools

    cases, lawyers, rules = problem.cases, problem.lawyers, problem.rules
    batch = np.flatnonzero(cases["pinned_lawyer"].to_numpy() == "")
    kind = lawyers["kind"].to_numpy()
    ok_lawyers = np.flatnonzero(lawyers["available"].to_numpy(bool) & (lawyers["headroom"].to_numpy() > 0))
    options = []
    (req, excluded), qual = group_rule(problem), lawyers["qual"].to_numpy()
    for i in batch:
        allowed = [q for q in ok_lawyers if not (cases["criminal"].iat[i] and kind[q] == "grassroots")
                   and not (req[i] & ~qual[q]) and q not in excluded[i]]
        options.append([-1, *allowed])
    lpos = {lid: j for j, lid in enumerate(lawyers["lawyer_id"])}
    pinned = [(i, lpos[lw]) for i, lw in enumerate(cases["pinned_lawyer"]) if lw]
    group = cases["group"].to_numpy()
    firm = lawyers["firm"].to_numpy()
    region = lawyers["region"].to_numpy()
    centre = problem.region_code(cases["centre"].to_numpy())
    lreg = problem.region_code(region)
    base = lawyers["base"].to_numpy()
    done = lawyers["handled_this_year"].to_numpy() + lawyers["pinned"].to_numpy()
    pinned_pairs = {}
    for i, q in pinned:
        if group[i]:
            pinned_pairs[(group[i], q)] = pinned_pairs.get((group[i], q), 0) + 1
    best = None
    for choice in itertools.product(*options):
        new = np.zeros(len(lawyers), dtype=int)
        pairs = dict(pinned_pairs)
        valid = True
        for i, q in zip(batch, choice, strict=True):
            if q < 0:
                continue
            new[q] += 1
            if group[i]:
                pairs[(group[i], q)] = pairs.get((group[i], q), 0) + 1
                if pairs[(group[i], q)] > 1:  # this lawyer already defends a co-defendant
                    valid = False
                    break
        if not valid or np.any(new > lawyers["headroom"].to_numpy()):
            continue
        assigned = [(i, q) for i, q in zip(batch, choice, strict=True) if q >= 0]
        shortfall = 0
        for k in range(len(problem.regions)):
            mine = [q for _, q in assigned if lreg[q] == k]
            total = int(done[lreg == k].sum()) + len(mine)
            social = int(done[(lreg == k) & (kind == "social")].sum()) + sum(kind[q] == "social" for q in mine)
            shortfall += max(0, rules.social_required(total) - social)
        cross = sum(1 for i, q in assigned if centre[i] != lreg[q])
        pace = sum(1 for i, q in assigned if centre[i] != lreg[q] and not problem.behind[lreg[q]])
        distance = int(sum(problem.dist_m[centre[i], lreg[q]] for i, q in assigned))
        firms: dict[tuple, list[bool]] = {}
        for i, q in [*assigned, *pinned]:
            if group[i] and firm[q]:
                firms.setdefault((group[i], region[q], firm[q]), []).append((i, q) in pinned)
        same = sum(max(0, len(v) - 1) - max(0, sum(v) - 1) for v in firms.values())
        balance = int(np.sum((base + new) ** 2 - base**2))
        key = (len(batch) - len(assigned), cross, pace, distance, shortfall, same, balance)
        if best is None or key < best:
            best = key
    return dict(zip(LEVELS, best, strict=True))
