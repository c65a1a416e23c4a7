"""The report layer: every Chinese header, sentence, sheet, chart, colour and threshold.

One module per engine (``dispatch``, ``projection``, ``budget``) plus the brief (``brief``),
the input tables (``inputs``), plans (``plans``), findings, labels, fonts and writers. Results
come in typed from the engines; nothing here computes what an engine should.
"""

from __future__ import annotations

import os
from pathlib import Path


def report_sheets(result) -> list:
    """The sheets of any result (``DispatchResult``, ``ProjectionResult``, ``BudgetResult``, ``Brief``)."""
    from allocation import DispatchResult
    from legalaid.brief import Brief
    from scenarios.budget import BudgetResult
    from simulation import ProjectionResult

    if isinstance(result, DispatchResult):
        from legalaid.report.dispatch import sheets
    elif isinstance(result, ProjectionResult):
        from legalaid.report.projection import sheets
    elif isinstance(result, BudgetResult):
        from legalaid.report.budget import sheets
    elif isinstance(result, Brief):
        from legalaid.report.brief.sheets import sheets
    else:
        raise TypeError(f"no report for {type(result).__name__}")
    return sheets(result)


def report_charts(result) -> dict:
    """The charts of any result, by name."""
    from allocation import DispatchResult
    from scenarios.budget import BudgetResult
    from simulation import ProjectionResult

    if isinstance(result, DispatchResult):
        from legalaid.report.dispatch_charts import by_region_chart, loads_chart

        return {"分地区指派": by_region_chart(result), "负荷分布": loads_chart(result)}
    if isinstance(result, ProjectionResult):
        from legalaid.report.projection_charts import overview_chart, region_chart

        charts = {"全市概览": overview_chart(result)}
        charts |= {name: region_chart(result, rid) for rid, name in
                   zip(result.summary["region"], _names(result), strict=True)}
        return charts
    if isinstance(result, BudgetResult):
        from legalaid.report.budget import charts

        return charts(result)
    raise TypeError(f"no charts for {type(result).__name__}")


def _names(result) -> list[str]:
    from legalaid.report.labels import region_names

    return region_names(result.plan, result.summary["region"])


def write_any(result, out_dir: str | os.PathLike) -> Path:
    """Write the report folder of any result, atomically."""
    from allocation import DispatchResult
    from legalaid.brief import Brief
    from scenarios.budget import BudgetResult
    from simulation import ProjectionResult

    if isinstance(result, DispatchResult):
        from legalaid.report.dispatch_summary import write
    elif isinstance(result, ProjectionResult):
        from legalaid.report.projection import write
    elif isinstance(result, BudgetResult):
        from legalaid.report.budget import write
    elif isinstance(result, Brief):
        from legalaid.report.brief.write import write_brief as write
    else:
        raise TypeError(f"no report for {type(result).__name__}")
    return write(result, out_dir)
