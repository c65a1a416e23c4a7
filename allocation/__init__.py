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
unavailable lawyers take nothing; co-defendants get distinct defenders (刑诉法解释第43条); cases
that may carry life imprisonment or death and 死刑复核 cases to lawyers with ≥3 years of criminal
defence (法律援助法第二十六条), minors' criminal cases to lawyers experienced with minors, never a
lawyer in conflict (回避) — ``allocation.legal``, dated values in ``scenarios/data/law``; tiered
jurisdiction: for the plan's listed categories the city centre administers the second instance,
every other case its county's centre (安庆2023 §3(3)2; delegated townships are mapped to districts
by the readers); pinned assignments are kept and count against the cap (if one breaks a rule it is
kept and reported).

Objective, lexicographic (each level minimised over the optima of the levels before it)
--------------------------------------------------------------------------------------
0. The recipient's choice (点援) and stage continuity, honoured where the rules allow, oldest first
   (``allocation.requests``); the rest are placed by the levels below.
1. ``unassigned``: cases left without a handler (the law requires assignment).
2. ``cross_region``: cases handled outside the administering county — only where local capacity
   cannot place them (安庆2023 §3(3)2 市域一体通办).
3. ``pace``: cross-region cases sent to a county not behind 序时进度 (§3(3)2: toward counties behind
   pace for lack of cases first).
3b. ``reserve`` (only with an expected-demand input, ``solve(expected=...)``): units of local room
   reserved for each county's cases still to come that this batch uses (``allocation.ahead``).
   Below locality it never leaves a case unassigned or sends one away on a forecast; it chooses
   which local handlers take today's cases (civil cases to grassroots workers when defenders' room
   will be needed) and, for cases that must leave, counties with room to spare.
4. ``distance``: whole metres from the administering centre's seat to the lawyer's county seat.
5. ``social``: per administering county (§6(2) "本地区"), the shortfall of social-lawyer cases below
   ``social_lawyer_share_min`` × the cases its handlers handle this year, summed over counties.
   Below locality, it only chooses among local handlers and never sends a case away; a shortfall
   is reported with the social slots that would close it (``explain.close_table``).
6. ``same_firm``: co-defendants beyond the first in one firm (soft: allowed with consent,
   《律师办理刑事案件规范》).
7. ``balance`` (均衡指派): minimise Σ (load after)² over the lawyers who may take cases (the
   decreasingly minimal load vector, Frank & Murota, 2021).
8. Rotation (轮候) among lawyers equal on every level: fewest this year, then longest since the last
   case, then the seeded draw (``structure.rotation_order``).
9. Among the lawyers so chosen (each keeps its number of cases), which takes which case:
   专业特长 first (a case's 案件领域 to a lawyer whose specialties name it), then 执业经验 — criminal
   cases to the most experienced (``experienced_years_min`` years of 执业年限 or more first, then
   more years) — 《办理法律援助案件程序规定》 (``disaggregate._prefer_specialty``).
Remaining ties are broken deterministically (stable orders; ``seed`` permutes only
interchangeable lawyers). docs/dispatch.md documents the order for users.

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
669 groups) in ≈1.6 s and < 0.3 GB; a nation as 370 city plans (2.08 M cases, 322 k
lawyers; ``allocation.cities.solve_cities``, benchmarks/nation.py) in 36 s on two workers, ≈100 MB
each; the per-case CP-SAT model at 1,000 cases found no solution in 120 s. Tests check every level against an independent per-case MILP (scipy HiGHS) and
brute force, and the rules with hypothesis.
"""

from allocation.api import solve
from allocation.result import FEASIBLE, INFEASIBLE, OPTIMAL, DispatchResult

__all__ = ["FEASIBLE", "INFEASIBLE", "OPTIMAL", "DispatchResult", "solve"]
