"""Writing the brief: 月通报.xlsx, one CSV per sheet, 月通报.docx, charts and 摘要.txt, atomically."""

from __future__ import annotations

from pathlib import Path

from legalaid.briefing import Brief
from legalaid.report import budget as budget_report
from legalaid.report.brief.docx import write_docx
from legalaid.report.brief.loads import load_chart
from legalaid.report.brief.sheets import WORKBOOK, sheets
from legalaid.report.brief.summary import summary_text
from legalaid.report.folders import staged_dir
from legalaid.report.projection_charts import CHART_DIR, render_charts
from legalaid.report.writers import write_tables

#: The printable brief and the plain-text summary.
DOCUMENT, SUMMARY = "月通报.docx", "摘要.txt"


def write_brief(brief: Brief, out_dir: str | Path) -> Path:
    """Write 月通报.xlsx, one CSV per sheet, 月通报.docx, charts and 摘要.txt into ``out_dir`` atomically."""
    import matplotlib.pyplot as plt

    info = {"类型": "月通报", "计划": brief.plan.id, "月份": brief.month, "种子": brief.seed,
            "模拟次数": brief.projection.runs, "数据": brief.source}
    with staged_dir(out_dir, info) as folder:
        write_tables(folder, sheets(brief), workbook=WORKBOOK)
        render_charts(brief.projection, folder)
        charts = folder / CHART_DIR
        charts.mkdir(exist_ok=True)
        load_chart(brief.plan, brief.dispatch.loads["handled_this_year"], brief.dispatch.loads["after"],
                   charts / "律师办案量分布.png")
        for stem, figure in budget_report.charts(brief.budget).items():
            figure.savefig(charts / f"{stem}.png", dpi=120)
            plt.close(figure)
        (folder / SUMMARY).write_text(summary_text(brief), encoding="utf-8-sig", newline="")
        write_docx(brief, folder / DOCUMENT, [charts / "全市概览.png", charts / "合规情况.png"])
    return Path(out_dir)
