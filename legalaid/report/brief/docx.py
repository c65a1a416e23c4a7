"""月通报.docx: the printable brief in 通报 layout, editable in WPS and Word (python-docx).

Title, basis and data source, the key figures, the front table with lights, what changed since
last month, the three counties, funding, and the charts. Paragraphs come from
``summary.sections`` (one home for the words); fonts are named by family (宋体 body, 黑体
headings) so WPS and Word on Windows pick them and LibreOffice falls back to a CJK font.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from legalaid.report.brief.progress import LIGHTS
from legalaid.report.brief.summary import _ORDINALS, sections, title
from legalaid.report.projection import percent

#: Cell colours of the lights (light fills a printer renders legibly).
_LIGHT_FILL = {"green": "C6EFCE", "amber": "FFEB9C", "red": "FFC7CE"}
BODY_FONT, HEADING_FONT = "宋体", "黑体"


def _font(run, family: str, size: float | None = None, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = family
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), family)
    if size:
        run.font.size = Pt(size)
    run.font.bold = bold


def _shade(cell, fill: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def front_rows(table: pd.DataFrame) -> tuple[list[str], list[list[str]], list[str]]:
    """Header, rows (text) and light codes of the front table, counties first, the city last."""
    header = ["排名", "单位", "全年目标（件）", "累计审批（件）", "序时完成率", "结案率", "完成目标概率", "信号灯"]
    rows, lights = [], []
    for r in table.itertuples(index=False):
        p = r.reach_probability
        rows.append(["" if pd.isna(r.rank) else f"{int(r.rank)}", r.name, f"{r.target:,}", f"{r.approved:,}",
                     "" if pd.isna(r.pace) else f"{r.pace:.1%}",
                     "" if pd.isna(r.closure_ratio) else f"{r.closure_ratio:.1%}",
                     "" if p is None or pd.isna(p) else percent(p), LIGHTS[r.light].split("（")[0]])
        lights.append(r.light)
    return header, rows, lights


def write_docx(brief, path: str | Path, charts: list[Path]) -> Path:
    """Write 月通报.docx to ``path`` with the given chart images (PNG, in order)."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    from legalaid.report.brief.sheets import progress_table

    doc = Document()
    doc.core_properties.title = title(brief)
    doc.core_properties.author = ""
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.2)
    section.top_margin = section.bottom_margin = Cm(2.2)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(11)

    heading = doc.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(heading.add_run(title(brief)), HEADING_FONT, 18, bold=True)
    plan = brief.plan
    for text in (f"依据：{plan.title}（{plan.document}）", f"数据：{brief.source}"):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(p.add_run(text), BODY_FONT, 9)

    parts = sections(brief)
    for i, (name, paragraphs) in enumerate(parts):
        h = doc.add_paragraph()
        h.paragraph_format.space_before = Pt(8)
        _font(h.add_run(f"{_ORDINALS[i]}、{name}"), HEADING_FONT, 13, bold=True)
        for text in paragraphs:
            p = doc.add_paragraph()
            p.paragraph_format.first_line_indent = Pt(22)
            p.paragraph_format.line_spacing = 1.25
            _font(p.add_run(text), BODY_FONT, 11)
        if i == 0:
            _front_table(doc, progress_table(brief), WD_TABLE_ALIGNMENT)

    for chart in charts:
        if Path(chart).exists():
            doc.add_picture(str(chart), width=Cm(16))
            doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.save(str(path))
    return Path(path)


def _front_table(doc, table: pd.DataFrame, alignment) -> None:
    header, rows, lights = front_rows(table)
    grid = doc.add_table(rows=1, cols=len(header))
    grid.style = "Table Grid"
    grid.alignment = alignment.CENTER
    for cell, text in zip(grid.rows[0].cells, header, strict=True):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(text), HEADING_FONT, 9, bold=True)
        _shade(cell, "DDEBF7")
    for values, light in zip(rows, lights, strict=True):
        cells = grid.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(text), BODY_FONT, 9)
        _shade(cells[-1], _LIGHT_FILL[light])
    # repeat the header row on every page
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = grid.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    tr_pr.append(repeat)
