"""A replication's randomness: named generator streams and the draws of rates and arrivals.

Every stream is derived from the replication's ``SeedSequence`` by a fixed spawn key, so the
same replication seed gives every policy the same rates, arrivals and closures (common random
numbers), whatever worker runs it.
"""

from __future__ import annotations

import numpy as np

from simulation.start import StartState

#: Streams derived from a replication's SeedSequence, by purpose.
STREAMS = ("rates", "arrivals", "policy", "durations", "carry")


def child(seed: np.random.SeedSequence, *key: int) -> np.random.SeedSequence:
    """The child of ``seed`` with spawn key suffix ``key`` (fixed, independent of spawn counters)."""
    return np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, *key), pool_size=seed.pool_size)


def streams(seed: np.random.SeedSequence) -> dict[str, np.random.Generator]:
    """The replication's generators by purpose (``STREAMS``); "durations" is split per region later."""
    return {name: np.random.Generator(np.random.PCG64(child(seed, i))) for i, name in enumerate(STREAMS)}


def draw_rates(state: StartState, rng: np.random.Generator) -> np.ndarray:
    """Each region's arrival rate for this replication (posterior draw, or the point estimate)."""
    if state.rate_rate <= 0 or state.params.deterministic:
        return state.rate_hat.copy()
    return rng.gamma(state.rate_shape, 1.0 / state.rate_rate)


def draw_arrivals(state: StartState, rates: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Natural applications per region, remaining day and kind, (C, D, 3)."""
    mu = rates[:, None] * state.day_weight[None, :]
    if state.params.deterministic:
        return mu[:, :, None] * state.mix[None, None, :]
    return rng.multinomial(rng.poisson(mu), state.mix)
