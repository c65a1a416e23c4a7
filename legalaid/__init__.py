"""Legal-aid (法律援助) planning toolkit: the Python API (``legalaid.api``), the command line, the reports.

    import legalaid as la
    plan = la.load_plan("anqing-2023")
    brief = la.brief(plan, la.example_inputs(plan, month=6), month=6)
    la.write_report(brief, "out/月通报")

The names below are loaded on first use, so ``import legalaid`` (and ``legalaid --help``) stays fast.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

#: Public name → module that defines it.
_HOMES = {
    **{name: "legalaid.api" for name in (
        "brief", "budget_scenarios", "charts", "check_budget", "describe", "dispatch", "example_inputs", "find_files",
        "load_plan", "load_schedule", "project", "read_inputs", "sweep", "tables", "write_report")},
    **{name: "legalaid.notebook" for name in (
        "compare_dispatches", "plan_rules", "progress_table", "schedule_table", "setup_notebook", "user_table")},
    **{name: "scenarios.budget" for name in ("DEFAULT_GRID", "Overrides", "RegionOverride", "Scenario", "SweepGrid")},
    "SimulationParams": "simulation",
}

__all__ = sorted([*_HOMES, "__version__"])


def __getattr__(name: str):
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'legalaid' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
