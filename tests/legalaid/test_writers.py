"""The report workbook: long text wraps in rows tall enough to print whole; short rows stay as they are."""

import openpyxl
import pandas as pd

from legalaid.report.writers import ROW_HEIGHT, Sheet, write_xlsx


def test_long_text_wraps_and_its_row_is_tall_enough(tmp_path):
    long = "按历年月度数据估计，" * 12  # 240 display columns, wider than any column may be
    frame = pd.DataFrame({"项目": ["短", "长"], "取值": ["一行", long], "件数": [1, 2]})
    path = tmp_path / "t.xlsx"
    write_xlsx(path, [Sheet("说明", frame)])
    ws = openpyxl.load_workbook(path)["说明"]
    width = ws.column_dimensions["B"].width
    assert ws.cell(3, 2).alignment.wrap_text and ws.cell(3, 1).alignment.vertical == "top"
    assert ws.row_dimensions[3].height >= ROW_HEIGHT * (240 / width)  # every line of the text has room
    assert not ws.cell(2, 2).alignment.wrap_text and ws.row_dimensions[2].height is None
    assert ws.cell(3, 2).value == long
