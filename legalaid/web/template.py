"""The blank 填报模板: one sheet per input table with its headers and dropdowns (xlsxwriter).

Headers are the canonical Chinese labels the readers accept (``scenarios.schema``); dropdowns
list the case kinds, instances, lawyer kinds, the plan's regions and 是/否, taken from the same
vocabularies, so what the template offers is exactly what validation accepts.
"""

from __future__ import annotations

import io

import xlsxwriter

from scenarios.plans import Plan
from scenarios.schema import TABLE_LABELS, TABLES, WRITTEN_BY_THE_TOOL

#: Empty rows that carry the dropdowns.
ROWS = 2000
#: For each enum column, the spelling written in the dropdown (the first Chinese accepted spelling).
_YES_NO = ["是", "否"]


def _choices(column) -> list[str]:
    return [next(s for s in spellings if not s.isascii()) for _, spellings in column.choices]


def template_bytes(plan: Plan) -> bytes:
    """The workbook as bytes: 案件表, 律师表, 月度进度表, 经费表, 说明, and a hidden list sheet."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    lists = book.add_worksheet("选项")
    regions = [r.name for r in plan.regions]
    vocab: dict[str, list[str]] = {"region": regions, "bool": _YES_NO}
    for table, columns in TABLES.items():
        if table in WRITTEN_BY_THE_TOOL:
            continue
        sheet = book.add_worksheet(TABLE_LABELS[table])
        for j, column in enumerate(columns):
            sheet.write(0, j, column.label, bold)
            sheet.set_column(j, j, max(12, 2 * len(column.label) + 2))
            values = _choices(column) if column.kind == "enum" else vocab.get(column.kind)
            if table == "progress" and column.name == "month":
                sheet.data_validation(1, j, ROWS, j, {"validate": "integer", "criteria": "between", "minimum": 1,
                                                      "maximum": 12, "error_message": "月份应为1至12的整数"})
            if values is None:
                continue
            key = f"{table}.{column.name}"
            col = len(vocab) + list(TABLES).index(table) * 10 + j
            lists.write(0, col, key)
            lists.write_column(1, col, values)
            letter = xlsxwriter.utility.xl_col_to_name(col)
            sheet.data_validation(1, j, ROWS, j, {
                "validate": "list", "source": f"=选项!${letter}$2:${letter}${len(values) + 1}",
                "error_title": "请从下拉列表选择", "error_message": f"“{column.label}”应为：{'、'.join(values)}"})
        sheet.freeze_panes(1, 0)
    notes = book.add_worksheet("说明")
    notes.set_column(0, 0, 100)
    lines = [f"{plan.title} 数据填报模板", "每张表第一行为表头，请勿修改；从第二行起每行一条记录。",
             "带下拉列表的列请从列表中选择（地区、案件类型、审级、人员类别、是/否）。",
             "保存后可在网页“数据”页分别上传各表（或另存为 CSV UTF-8）。"]
    for table, columns in TABLES.items():
        if table in WRITTEN_BY_THE_TOOL:
            continue
        required = "、".join(c.label for c in columns if c.required)
        optional = "、".join(c.label for c in columns if not c.required) or "无"
        lines.append(f"{TABLE_LABELS[table]}：必填列 {required}；选填列 {optional}。")
    notes.write_column(0, 0, lines)
    lists.hide()
    notes.activate()
    book.close()
    return buffer.getvalue()
