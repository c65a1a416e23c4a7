"""Corpus: workbooks as offices make them — merged cells, error cells, formulas without values, the
table on another sheet, title rows, numbers stored as text, legacy .xls."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl

from tests.corpus.make_tables import FUNDS_H, full_city_progress

FIXTURES = Path(__file__).resolve().parents[1] / "scenarios" / "fixtures"


def _progress_rows() -> list[list[object]]:
    lines = full_city_progress().splitlines()
    return [lines[0].split(",")] + [[a, int(b), int(c), int(d)] for a, b, c, d in (x.split(",") for x in lines[1:])]


def _save(rows_by_sheet: dict[str, list[list[object]]], path: Path, merge: tuple[str, str] | None = None) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in rows_by_sheet.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
        if merge and merge[0] == name:
            ws.merge_cells(merge[1])
    book.save(path)
    return path


def write(files: Path, case) -> None:
    folder = files / "excel"
    folder.mkdir()
    rows = _progress_rows()
    check = ["check", "--plan", "anqing-2023", "--progress"]
    merged = [list(r) for r in rows]
    susong = [i for i, r in enumerate(merged) if r[0] == "宿松县"]
    for i in susong[1:]:
        merged[i][0] = None
    _save({"进度": merged}, folder / "merged-region-progress.xlsx", ("进度", f"A{susong[0] + 1}:A{susong[-1] + 1}"))
    case("excel/merged_region_cells", [*check, "{files}/excel/merged-region-progress.xlsx"], 0,
         ["检查通过", "合并单元格"])
    na = [list(r) for r in rows]
    na[3][2] = "#N/A"
    _save({"进度": na}, folder / "na-progress.xlsx")
    case("excel/na_error_cell", [*check, "{files}/excel/na-progress.xlsx"], 2, ["第4行", "#N/A", "Excel错误值"])
    funds = [[*FUNDS_H.strip().split(","), "到位资金（元）"], ["宿松县", 500000, 520000, "#DIV/0!"]]
    _save({"经费": funds}, folder / "div0-funds.xlsx")
    case("excel/div0_in_optional_column", ["check", "--plan", "anqing-2023", "--funds", "{files}/excel/div0-funds.xlsx"],
         2, ["#DIV/0!", "到位资金"])
    formula = [list(r) for r in rows]
    formula[2][2] = "=B3*10"
    _save({"进度": formula}, folder / "formula-progress.xlsx")
    case("excel/formula_without_value", [*check, "{files}/excel/formula-progress.xlsx"], 2,
         ["=B3*10", "没有保存计算结果"])
    _save({"Sheet1": [], "进度": rows}, folder / "second-sheet-progress.xlsx")
    case("excel/data_on_second_sheet", [*check, "{files}/excel/second-sheet-progress.xlsx"], 0,
         ["检查通过", "工作表“进度”"])
    _save({"填表说明": [["本表由各县区司法局每月5日前报送"], ["联系人：市局法援科"]], "进度": rows},
          folder / "cover-sheet-progress.xlsx")
    case("excel/cover_sheet_first", [*check, "{files}/excel/cover-sheet-progress.xlsx"], 0, ["检查通过"])
    case("excel/sheet_named", [*check, "{files}/excel/cover-sheet-progress.xlsx", "--sheet", "进度"], 0, ["检查通过"])
    case("excel/sheet_missing", [*check, "{files}/excel/cover-sheet-progress.xlsx", "--sheet", "汇总"], 2,
         ["没有名为“汇总”的工作表", "填表说明"])
    titled = [["安庆市法律援助工作进度表（2023年6月）"], ["填报单位：市司法局"], *rows]
    _save({"进度": titled}, folder / "title-rows-progress.xlsx")
    case("excel/title_rows_above_header", [*check, "{files}/excel/title-rows-progress.xlsx"], 0, ["检查通过"])
    text_numbers = [rows[0]] + [[a, str(b), str(c), str(d)] for a, b, c, d in rows[1:]]
    _save({"进度": text_numbers}, folder / "text-numbers-progress.xlsx")
    case("excel/numbers_stored_as_text", [*check, "{files}/excel/text-numbers-progress.xlsx"], 0, ["检查通过"])
    _save({"Sheet1": []}, folder / "empty-workbook.xlsx")
    case("excel/empty_workbook", [*check, "{files}/excel/empty-workbook.xlsx"], 2, ["文件为空"])
    totals = [*rows, ["合计", None, "=SUM(C2:C67)", "=SUM(D2:D67)"]]
    _save({"进度": totals}, folder / "sum-formula-totals-progress.xlsx")
    case("excel/totals_row_with_formulas", [*check, "{files}/excel/sum-formula-totals-progress.xlsx"], 0,
         ["合计", "已跳过"])
    shutil.copy(FIXTURES / "cases_zh.xls", folder / "legacy-cases.xls")
    case("excel/legacy_xls", ["check", "--plan", "anqing-2023", "--cases", "{files}/excel/legacy-cases.xls"], 0,
         ["检查通过"])
