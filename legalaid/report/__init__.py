"""The report layer: every Chinese header, sentence, sheet, chart, colour and threshold.

One module per engine (``dispatch``, ``projection``, ``budget``) plus the brief (``brief``),
the input tables (``inputs``), plans (``plans``), findings, labels, fonts and writers. Results
come in typed from the engines; nothing here computes what an engine should.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

#: Per result type: the module and function names of its sheets, writer and terminal text.
_REPORTS = {
    "DispatchResult": {"sheets": ("dispatch", "sheets"), "write": ("dispatch_summary", "write"),
                       "describe": ("dispatch_summary", "describe")},
    "ProjectionResult": {"sheets": ("projection", "sheets"), "write": ("projection", "write"),
                         "describe": ("projection", "describe")},
    "BudgetResult": {"sheets": ("budget", "sheets"), "write": ("budget", "write"), "describe": ("budget", "describe")},
    "Brief": {"sheets": ("brief.sheets", "sheets"), "write": ("brief.write", "write_brief")},
}


def _function(result, what: str):
    """The report function ``what`` for the type of ``result`` (TypeError when there is none)."""
    name = type(result).__name__
    entry = _REPORTS.get(name, {}).get(what)
    if entry is None:
        raise TypeError(f"no {what} for {name}")
    module, function = entry
    return getattr(importlib.import_module(f"legalaid.report.{module}"), function)


def report_sheets(result) -> list:
    """The sheets of any result (``DispatchResult``, ``ProjectionResult``, ``BudgetResult``, ``Brief``)."""
    return _function(result, "sheets")(result)


def write_any(result, out_dir: str | os.PathLike) -> Path:
    """Write the report folder of any result, atomically."""
    return _function(result, "write")(result, out_dir)


def describe_any(result) -> str:
    """The terminal text of any result."""
    return _function(result, "describe")(result)


def report_charts(result, only=None) -> dict:
    """The charts of any result, by name; ``only`` the named ones (all when None)."""
    name = type(result).__name__
    if name == "DispatchResult":
        from legalaid.report.dispatch_charts import by_region_chart, loads_chart

        makers = {"分地区指派": lambda: by_region_chart(result), "负荷分布": lambda: loads_chart(result)}
    elif name == "ProjectionResult":
        from legalaid.report.labels import region_names
        from legalaid.report.projection_charts import overview_chart, region_chart

        regions = list(result.summary["region"])
        makers = {"全市概览": lambda: overview_chart(result)}
        makers |= {label: (lambda rid=rid: region_chart(result, rid))
                   for rid, label in zip(regions, region_names(result.plan, regions), strict=True)}
    elif name == "BudgetResult":
        from legalaid.report.budget import charts

        makers = {label: (lambda f=f: f) for label, f in charts(result).items()}
    else:
        raise TypeError(f"no charts for {name}")
    unknown = sorted(set(only or ()) - set(makers))
    if unknown:
        raise KeyError(f"no chart named {unknown}; available: {list(makers)}")
    return {label: make() for label, make in makers.items() if only is None or label in only}
