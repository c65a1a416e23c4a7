"""The lexicographic min-cost-flow engine: reduced-cost fixing and column generation are exact."""

import numpy as np
import pytest
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

import allocation.model as model_module
from allocation.data import prepare
from allocation.engine import solve_problem
from allocation.lexflow import LexFlow, Network
from scenarios.plans import load_plan
from tests.allocation.reference import random_instance, reference_levels

LEVELS = ("a", "b", "c")


def random_network(rng: np.random.Generator) -> Network:
    """A random transportation network with an overflow arc, three random cost levels (ties likely)."""
    n_src, n_dst = int(rng.integers(2, 6)), int(rng.integers(2, 6))
    supply = rng.integers(1, 6, n_src)
    tails, heads = [], []
    for i in range(n_src):
        for j in range(n_dst):
            if rng.random() < 0.8:
                tails.append(i)
                heads.append(n_src + j)
    sink = n_src + n_dst
    tails += list(range(n_src)) + list(range(n_src, n_src + n_dst))
    heads += [sink] * (n_src + n_dst)
    k = len(tails)
    cap = rng.integers(0, 5, k)
    cap[-(n_src + n_dst):-n_dst] = supply  # overflow: every unit can always go somewhere
    costs = {lvl: rng.integers(-2, 4, k) for lvl in LEVELS}
    costs["a"][-(n_src + n_dst):-n_dst] = 10  # level a: avoid the overflow
    node_supply = np.zeros(sink + 1, dtype=np.int64)
    node_supply[:n_src] = supply
    node_supply[sink] = -supply.sum()
    return Network(sink + 1, np.array(tails, np.int32), np.array(heads, np.int32), cap.astype(np.int64),
                   node_supply, {lvl: c.astype(np.int64) for lvl, c in costs.items()})


def lp_levels(net: Network) -> list[int]:
    """Lexicographic optimum by scipy's HiGHS LP (network matrices are totally unimodular)."""
    k = net.n_arcs
    incidence = coo_matrix((np.r_[np.ones(k), -np.ones(k)], (np.r_[net.tail, net.head], np.r_[np.arange(k), np.arange(k)])),
                           shape=(net.n_nodes, k)).toarray()
    a_ub, b_ub, out = [], [], []
    for lvl in LEVELS:
        res = linprog(net.costs[lvl], A_ub=np.array(a_ub) if a_ub else None, b_ub=b_ub or None, A_eq=incidence,
                      b_eq=net.supply, bounds=list(zip(np.zeros(k), net.cap, strict=True)), method="highs")
        assert res.status == 0
        value = round(res.fun)
        out.append(value)
        a_ub.append(net.costs[lvl])
        b_ub.append(value)
    return out


@pytest.mark.parametrize("seed", range(40))
def test_levels_match_lp_with_and_without_candidates(seed):
    """Each level equals the LP optimum with earlier levels fixed as constraints, whether all arcs
    are present or a random half start as candidates priced in by column generation."""
    rng = np.random.default_rng(seed)
    net = random_network(rng)
    expected = lp_levels(net)
    plain = LexFlow(net)
    assert [plain.minimise(lvl) for lvl in LEVELS] == expected
    candidate = rng.random(net.n_arcs) < 0.5
    candidate[-(net.n_nodes - 1):] = False  # keep the overflow and sink arcs
    priced = LexFlow(Network(net.n_nodes, net.tail, net.head, net.cap, net.supply, net.costs, candidate))
    assert [priced.minimise(lvl) for lvl in LEVELS] == expected


def test_engine_exact_when_far_regions_must_be_priced_in(monkeypatch):
    """With only the centre's own region in the network from the start (NEAR = 1), every case that
    leaves its county comes in through pricing, and all five levels still equal the per-case MILP."""
    monkeypatch.setattr(model_module, "NEAR", 1)
    plan = load_plan("anqing-2023")
    priced = 0
    for seed in range(15):
        rng = np.random.default_rng(4000 + seed)
        cases, lawyers, pins = random_instance(rng, plan, int(rng.integers(4, 12)), int(rng.integers(3, 8)),
                                               regions=6)
        problem = prepare(plan, cases, lawyers, pinned=pins)
        solved = solve_problem(problem)
        assert solved.run.values == reference_levels(problem), f"seed {4000 + seed}"
        priced += any(s.solves > 1 for s in solved.run.stats)
    assert priced >= 3
