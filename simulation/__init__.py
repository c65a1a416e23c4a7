"""Simulation engine: will each county reach its target and the closure minimum at its current pace?

A SimPy model of the rest of the legal-aid year (``simulation.model``), run as a Monte Carlo
through any ``concurrent.futures`` executor (``simulation.montecarlo``), each replication drawing
its parameters (rate drift with a shared city factor, seasonality, negative-binomial months,
handling-time drift, the year-end clearance seen in earlier Decembers) from a posterior estimated
from a history table or this year's months (``simulation.posterior``, ``simulation.history``),
with a quadrature / vectorised projection beside it (``simulation.closed_form``), city-centre dispatch policies (``simulation.policies``,
安庆2023 §3(3)2) and the measured backtest record (``simulation.record``). Entry point::

    from simulation import project
    result = project(plan, progress, lawyers, runs=1000, seed=0, policies="all", workers=2, history=None)
    result.summary          # per region and city: year-end approvals, P(target), closure ratio …

``legalaid.report.projection`` words, draws and writes the result.
"""

from simulation.closed_form import closed_form, vectorised
from simulation.model import Replication, simulate
from simulation.montecarlo import Samples, run_monte_carlo
from simulation.params import SimulationParams
from simulation.policies import POLICIES
from simulation.projection import ProjectionResult, project
from simulation.start import StartState, build_start

__all__ = [
    "POLICIES",
    "ProjectionResult",
    "Replication",
    "Samples",
    "SimulationParams",
    "StartState",
    "build_start",
    "closed_form",
    "project",
    "run_monte_carlo",
    "simulate",
    "vectorised",
]
