"""Allocation: dispatch legal-aid cases to lawyers across the city, optimally (issue 3).

Entry points
------------
``solve(plan, cases, lawyers, *, pinned=None, distances=None, seed=0) -> DispatchResult``.
The optional km table and the assignments already made are read by the domain layer
(``scenarios.distances.read_distances``, ``scenarios.pinned.read_pinned``); ``legalaid.api``
and ``legalaid dispatch`` are the fronts, ``legalaid.report.dispatch`` words the result.

Pipeline (one small module per step, PyPSA/linopy style)
--------------------------------------------------------
``data`` (check inputs, read rule values) → ``structure`` (aggregate) → ``model`` (one
function per arc family) → ``lexflow``/``engine`` (solve level by level) → ``tighten``
(repair/refine) → ``disaggregate`` (read back per case) → ``engine`` (verify) → ``explain``
(reason codes, blocking rules, diagnosis) → ``result`` (typed, English columns).
``constraints`` holds one function per hard rule, each citing its source and reading its value
from the plan (never a literal).

Hard rules
----------
At most one handler per case; yearly cap on handled + pinned + new (安庆2023 §6(2),
``lawyer_yearly_cap``); grassroots workers never take criminal cases (《刑事诉讼法》第35条);
unavailable lawyers take nothing; co-defendants get distinct defenders (刑诉法解释第43条);
jurisdiction: first instance by the county centre, second instance by the city centre
(安庆2023 §3(3)2; delegated townships are mapped to districts by the readers); pinned
assignments are kept and count against the cap (if one breaks a rule it is kept and reported).

Objective, lexicographic (each level minimised over the optima of the levels before it)
--------------------------------------------------------------------------------------
1. ``unassigned``: cases left without a handler (the law requires assignment).
2. ``social``: shortfall (件) of social-lawyer cases below ``social_lawyer_share_min`` × the
   year's cases, measured city-wide over the year (handled this year by every lawyer + this
   batch, pinned included). City-wide because the share is a city's assessment indicator
   (安庆2023 §6(2) "本地区"; the city plan is the assessed unit) and because the handled counts
   are known per lawyer, not per administering centre. Once level 1 fixes the number assigned,
   the requirement is an integer (exact ceiling of a rational share), so the level is a linear
   cost (−1 per social case up to the requirement). When a shortfall remains, the fewest extra
   social-lawyer slots that would close it are computed (``explain.social_capacity``).
3. ``distance``: whole metres from the administering centre's seat to the lawyer's county
   seat (0 within a county); user km table or plan coordinates.
4. ``same_firm``: co-defendants beyond the first in one firm (a firm is a name within a
   county). Soft, below distance: the law forbids one defender for two co-defendants but allows
   two lawyers of one firm with the clients' informed consent (《律师办理刑事案件规范》), so it
   must not send a defendant across the city; it only decides among equally near lawyers.
5. ``balance`` (均衡指派): minimise Σ (load after)² over the lawyers who may take cases. On the
   optimal face of levels 1–4 the feasible load vectors are the integer points of a base
   polyhedron (network flows), where the square-sum minimiser is exactly the decreasingly
   minimal vector (Frank & Murota, 2021): it first minimises the highest load (utilisation =
   load / cap), then the number of lawyers at that load, then the next highest, and so on;
   with the total fixed it is also the least variance.
Remaining ties are broken deterministically (stable orders; ``seed`` permutes only
interchangeable lawyers).

Formulation and why
-------------------
A boolean per case-lawyer pair does not scale (the issue measured 1,000 cases × 600 lawyers:
CP-SAT 122 s, 3.6 GB, unproven; the benchmark here re-measures it). Cases with the same
administering centre and eligible kinds are interchangeable, and so are lawyers with the same
region and kind, so the core is a transportation problem: classes → pools → {social, other}
→ sink, plus unassigned arcs. Co-defendant groups are their own classes. A lawyer's load
enters only through the convex balance cost (2A+1 for raising a lawyer from A to A+1), which
per pool is the water-filling cost of the pool's total.

Every level is an integer min-cost flow (OR-Tools ``SimpleMinCostFlow``), solved exactly; the
next level runs on the optimal face found by reduced-cost fixing with potentials from the
residual graph (``lexflow``). No big-M weights, so metres and squares never overflow. Arcs to
far regions start outside the network and are priced in with each level's potentials (column
generation), which keeps a province to ~0.1 M active arcs without losing exactness.

Groups are the hard part (distinct defenders, firms, loads interact). They are modelled in
tiers, each a relaxation of the next (``model``): relaxed (group → pool, one member per lawyer),
firm tier (group → firm → firm-pool, exact firm cost), sub-pool tier (group → firm → sub-pool
of identical lawyers, ≤ m members per m lawyers, with exact per-sub-pool balance). Groups start
at firm tier in their own region and relaxed elsewhere. After the levels are solved, a small
max-flow (``tighten.tighten``, the "repair") hands each group's members out to sub-pools inside
the optimal face — members may change firm and social/staff pool within the region since
distance, social count and firm cost stay equal, and ordinary cases move the other way — so
that every sub-pool stays within its water-filling share. If it succeeds, the per-case
assignment attains the relaxation's optimum at every level, hence is the exact lexicographic
optimum; where it fails, those (group, region) pairs are refined and the levels re-solved
(after 8 rounds, the fully detailed model, exact by construction). Inside a sub-pool a cyclic
hand-out (group members first, case j to lawyer j mod m) gives distinct defenders and an even
spread. ``engine`` recomputes every level from the per-case assignment alone and checks every
hard rule before returning; status is "optimal" only then ("infeasible" when pinned
assignments given already break a hard rule: kept as given, reported as findings).

Measured (benchmarks/bench_allocation.py, shared 2-core machine): a city year (≈5,700 cases,
≈570 lawyers) in < 0.1 s; a synthetic province (104 regions, ≈104,000 cases, 20,000 lawyers,
669 groups) in ≈1.6 s and < 0.3 GB; the per-case CP-SAT model at 1,000 cases found no solution
in 120 s. Tests check every level against an independent per-case MILP (scipy HiGHS) and
brute force, and the rules with hypothesis.
"""

from allocation.api import solve
from allocation.result import FEASIBLE, INFEASIBLE, OPTIMAL, DispatchResult

__all__ = ["FEASIBLE", "INFEASIBLE", "OPTIMAL", "DispatchResult", "solve"]
