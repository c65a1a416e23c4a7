"""Legal-aid (法律援助) planning toolkit: the Python API (``legalaid.api``), the command line, the reports.

    import legalaid as la
    plan = la.load_plan("anqing-2023")
    brief = la.brief(plan, la.example_inputs(plan, month=6), month=6)
    la.write_report(brief, "out/月通报")
"""

from legalaid.api import brief as brief
from legalaid.api import (
    budget_scenarios,
    charts,
    check_budget,
    dispatch,
    example_inputs,
    find_files,
    load_plan,
    load_schedule,
    project,
    read_inputs,
    sweep,
    tables,
    write_report,
)
from legalaid.notebook import plan_rules, setup_notebook, user_table
from scenarios.budget import DEFAULT_GRID, Overrides, RegionOverride, Scenario, SweepGrid
from simulation import SimulationParams

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_GRID",
    "Overrides",
    "RegionOverride",
    "Scenario",
    "SimulationParams",
    "SweepGrid",
    "__version__",
    "brief",
    "budget_scenarios",
    "charts",
    "check_budget",
    "dispatch",
    "example_inputs",
    "find_files",
    "load_plan",
    "load_schedule",
    "plan_rules",
    "project",
    "read_inputs",
    "setup_notebook",
    "sweep",
    "tables",
    "user_table",
    "write_report",
]
