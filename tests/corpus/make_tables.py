"""Corpus: the four input tables as clerks type them (CSV), the progress table's own mistakes,
personal data in a file, and command-line usage errors."""

from __future__ import annotations

from pathlib import Path

from tests.scenarios.fixtures.tables_data import complete_progress

CASES_H = "案件编号,地区,案件类型,审级,是否诉讼,同案编号,受理日期\n"
LAWYERS_H = "律师编号,地区,人员类别,所在律所,本年已办案件,可指派\n"
PROGRESS_H = "地区,月份,审批数,结案数\n"
FUNDS_H = "地区,中央和省级资金（元）,地方财政资金（元）\n"

#: (id, table, file name, content, words) — one problem each; exit status 2.
BROKEN = [
    ("empty_file", "cases", "cases.csv", b"", ["文件为空"]),
    ("blank_lines_only", "cases", "cases.csv", "\ufeff \r\n\r\n", ["文件为空"]),
    ("missing_columns", "cases", "cases.csv", "案件编号,案件类型,审级\nC1,刑事,一审\n", ["缺少必需的列", "地区"]),
    ("csv_named_xlsx", "cases", "cases.xlsx", CASES_H + "C1,宿松,刑事,一审,是,,\n", ["扩展名是.xlsx，但内容是文本"]),
    ("binary_named_csv", "cases", "cases.csv", bytes(range(256)) * 8, ["无法按文本读取"]),
    ("pdf_named_csv", "cases", "cases.csv", b"%PDF-1.4\n" + bytes(300), ["PDF文件"]),
    ("png_named_xlsx", "cases", "cases.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(200), ["不是Excel工作簿"]),
    ("html_named_xls", "cases", "cases.xls", "<html><table><tr><td>案件编号</td></tr></table></html>", ["内容是网页"]),
    ("corrupt_xlsx", "cases", "cases.xlsx", b"PK\x03\x04" + bytes(200), ["无法读取Excel文件"]),
    ("encrypted_xlsx", "cases", "cases.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100)
     + "EncryptedPackage".encode("utf-16-le"), ["设置了打开密码"]),
    ("unsupported_extension", "cases", "cases.docx", b"whatever", ["不支持的文件类型"]),
    ("duplicate_header", "cases", "cases.csv", "案件编号,编号,地区,案件类型,审级,是否诉讼\nC1,C1,宿松,刑事,一审,是\n",
     ["与列“案件编号”表示同一项"]),
    ("data_without_header", "cases", "cases.csv", CASES_H.rstrip("\n") + "\nC1,宿松,刑事,一审,是,,,7\n",
     ["第8列没有表头，却有数据"]),
    ("duplicate_case_id", "cases", "cases.csv", CASES_H + "C1,宿松,刑事,一审,是,,\nC1,太湖,民事,一审,是,,\n",
     ["第3行", "编号重复（与第2行相同）"]),
    ("duplicate_lawyer_id", "lawyers", "lawyers.csv", LAWYERS_H + "L1,宿松,社会律师,,3,是\nL1,太湖,社会律师,,3,是\n",
     ["编号重复"]),
    ("duplicate_funds_region", "funds", "funds.csv", FUNDS_H + "宿松,1000,1000\nsusong,2000,2000\n",
     ["宿松县已在第2行出现"]),
    ("negative_count", "lawyers", "lawyers.csv", LAWYERS_H + "L1,宿松,社会律师,,-3,是\n", ["不能为负数"]),
    ("negative_money", "funds", "funds.csv", FUNDS_H + "宿松,1000,-500\n", ["不能为负数"]),
    ("unknown_region", "cases", "cases.csv", CASES_H + "C1,宿送,刑事,一审,是,,\n", ["宿送", "是否要填“宿松县”"]),
    ("region_of_other_city", "cases", "cases.csv", CASES_H + "C1,合肥市,刑事,一审,是,,\n", ["合肥市", "不是安庆市的地区"]),
    ("unknown_case_kind", "cases", "cases.csv", CASES_H + "C1,宿松,刑是,一审,是,,\n", ["刑是", "是否要填“刑事”"]),
    ("unknown_instance", "cases", "cases.csv", CASES_H + "C1,宿松,刑事,再审,是,,\n", ["再审", "一审（first）"]),
    ("unknown_yes_no", "cases", "cases.csv", CASES_H + "C1,宿松,刑事,一审,也许,,\n", ["也许", "是 或 否"]),
    ("unknown_lawyer_kind", "lawyers", "lawyers.csv", LAWYERS_H + "L1,宿松,律帅,,3,是\n", ["律帅", "是否要填“社会律师”"]),
    ("unknown_available", "lawyers", "lawyers.csv", LAWYERS_H + "L1,宿松,社会律师,,3,待定\n", ["待定", "是 或 否"]),
    ("count_in_chinese", "lawyers", "lawyers.csv", LAWYERS_H + "L1,宿松,社会律师,,十二,是\n", ["不能用汉字书写数字"]),
    ("count_with_unit", "lawyers", "lawyers.csv", LAWYERS_H + "L1,宿松,社会律师,,12件,是\n", ["不能带单位或其他文字"]),
    ("count_not_integer", "lawyers", "lawyers.csv", LAWYERS_H + "L1,宿松,社会律师,,3.5,是\n", ["件数不能有小数"]),
    ("count_huge", "lawyers", "lawyers.csv", LAWYERS_H + "L1,宿松,社会律师,,99999999999,是\n", ["数字过大"]),
    ("money_in_chinese", "funds", "funds.csv", FUNDS_H + "宿松,五万,1000\n", ["不能用汉字书写数字"]),
    ("money_bad_grouping", "funds", "funds.csv", FUNDS_H + "宿松,\"1,00,000\",1000\n", ["千位分隔符或小数点位置不对"]),
    ("impossible_date", "cases", "cases.csv", CASES_H + "C1,宿松,刑事,一审,是,,2023-02-30\n", ["不是有效的日期"]),
    ("date_as_words", "cases", "cases.csv", CASES_H + "C1,宿松,刑事,一审,是,,上周三\n", ["应为日期，如 2023-03-05"]),
    ("empty_required_cell", "cases", "cases.csv", CASES_H + "C1,,刑事,一审,是,,\n", ["不能为空"]),
    ("empty_id_cell", "lawyers", "lawyers.csv", LAWYERS_H + ",宿松,社会律师,,3,是\n", ["不能为空"]),
    ("unclosed_quote", "cases", "cases.csv", CASES_H + "C1,\"宿松,刑事,一审,是,,\n", ["不能为空"]),
    ("semicolon_delimited", "cases", "cases.csv", "案件编号;地区;案件类型\nC1;宿松;刑事\n", ["缺少必需的列", "审级"]),
]

#: Progress-table mistakes (the rest of the city reporting correctly): (id, rows, extra args, status, words).
PROGRESS = [
    ("month_out_of_range", "宿松,13,3,1\n", [], 2, ["月份应为1到12之间的整数"]),
    ("month_zero", "宿松,0,3,1\n", [], 2, ["月份应为1到12之间的整数"]),
    ("month_as_words", "宿松,一月,3,1\n", [], 2, ["应为整数"]),
    ("month_with_suffix", "宿松,1月,3,1\n", [], 0, ["检查通过"]),
    ("duplicate_progress_month", "宿松,1,3,1\n宿松县,1,4,2\n", [], 2, ["宿松县1月已在第2行填报"]),
    ("progress_month_gap", "宿松,1,3,1\n宿松,3,3,1\n", [], 2, ["宿松县缺少2月的数据"]),
    ("closed_more_than_approved", "太湖,1,5,2\n太湖,2,3,7\n", [], 2, ["多于累计审批"]),
    ("count_garbled", "宿松,1,\"1,2x\",1\n", [], 2, ["不能带单位或其他文字"]),
    ("future_month", "宿松,1,3,1\n宿松,2,3,1\n", ["--month", "1"], 2, ["晚于当前月份（1月）"]),
    ("totals_row", "宿松,1,3,1\n合计,,3,1\n", [], 0, ["合计", "已跳过"]),
    ("city_totals_row", "宿松,1,3,1\n安庆市合计,1,30,10\n", [], 0, ["安庆市合计", "已跳过"]),
    ("subtotal_row", "宿松,1,3,1\n县级小计,1,20,5\n", [], 0, ["县级小计", "已跳过"]),
    ("delegated_township_row", "宜秀区,1,5,1\n菱北办事处,1,2,1\n", [], 0, ["菱北办事处", "并入"]),
]


def _write(path: Path, content) -> None:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")


def write_good(files: Path) -> dict[str, Path]:
    """The example year (Anqing, month 6, seed 0) as valid CSV files, for cases that need the other tables."""
    from legalaid.report.inputs import write_example
    from scenarios.example import generate_example
    from scenarios.plans import load_plan

    return write_example(generate_example(load_plan("anqing-2023"), month=6, seed=0), files / "good")


def full_city_progress(months: int = 6, approved: int = 30) -> str:
    """A complete progress table (every Anqing region, months 1..``months``), monthly counts."""
    from scenarios.plans import load_plan

    plan = load_plan("anqing-2023")
    rows = [f"{r.name},{m},{approved},{approved * 4 // 5}" for r in plan.regions for m in range(1, months + 1)]
    return PROGRESS_H + "\n".join(rows) + "\n"


def cumulative_progress() -> str:
    """The same city typing year-to-date counts (each month the total so far)."""
    from scenarios.plans import load_plan

    plan = load_plan("anqing-2023")
    rows = []
    for r in plan.regions:
        for m in range(1, 7):
            rows.append(f"{r.name},{m},{round(r.target / 12 * m)},{round(r.target / 12 * m * 0.7)}")
    return PROGRESS_H + "\n".join(rows) + "\n"


def write(files: Path, case) -> None:
    write_good(files)
    folder = files / "tables"
    folder.mkdir()
    for id, table, name, content, words in BROKEN:
        path = folder / f"{id}-{name}"
        _write(path, content)
        case(f"table/{id}", ["check", "--plan", "anqing-2023", f"--{table}", f"{{files}}/tables/{path.name}"], 2,
             words)
    case("table/missing_file", ["check", "--plan", "anqing-2023", "--cases", "{files}/tables/no-such-file.csv"], 2,
         ["找不到该文件"])
    case("table/folder_instead_of_file", ["check", "--plan", "anqing-2023", "--cases", "{files}/tables"], 2,
         ["这是一个文件夹"])
    for id, rows, extra, status, words in PROGRESS:
        path = folder / f"{id}-progress.csv"
        text = PROGRESS_H + rows
        _write(path, complete_progress(text) if not extra else text)
        case(f"progress/{id}", ["check", "--plan", "anqing-2023", "--progress", f"{{files}}/tables/{path.name}",
                                *extra], status, words)
    _write(folder / "missing-county-progress.csv", "\n".join(
        line for line in full_city_progress().splitlines() if not line.startswith("望江县")) + "\n")
    case("progress/missing_county", ["check", "--plan", "anqing-2023", "--progress",
                                     "{files}/tables/missing-county-progress.csv", "--month", "6"], 2,
         ["望江县没有任何月份的数据"])
    _write(folder / "short-county-progress.csv", "\n".join(
        line for line in full_city_progress().splitlines() if not line.startswith(("太湖县,5", "太湖县,6"))) + "\n")
    case("progress/county_behind_others", ["check", "--plan", "anqing-2023", "--progress",
                                           "{files}/tables/short-county-progress.csv"], 2, ["太湖县只填报到4月"])
    _write(folder / "cumulative-progress.csv", cumulative_progress())
    case("progress/cumulative_counts", ["check", "--plan", "anqing-2023", "--progress",
                                        "{files}/tables/cumulative-progress.csv"], 2, ["累计数", "--cumulative"])
    case("progress/cumulative_flag", ["check", "--plan", "anqing-2023", "--progress",
                                      "{files}/tables/cumulative-progress.csv", "--cumulative"], 0, ["检查通过"])
    _write(folder / "gbk-progress.csv", full_city_progress().encode("gb18030"))
    case("progress/gbk_encoded", ["check", "--plan", "anqing-2023", "--progress", "{files}/tables/gbk-progress.csv"],
         0, ["检查通过"])
    _write(folder / "utf16-tabs-progress.txt", b"\xff\xfe" + full_city_progress().replace(",", "\t").encode("utf-16-le"))
    case("progress/utf16_unicode_text", ["check", "--plan", "anqing-2023", "--progress",
                                         "{files}/tables/utf16-tabs-progress.txt"], 0, ["检查通过"])
    # 群体性 civil cases may share a 同案编号 (issue 13): accepted, not an error
    _write(folder / "group_not_criminal-cases.csv", CASES_H + "C1,宿松,刑事,一审,是,G7,\nC2,宿松,民事,一审,是,G7,\n")
    case("table/group_not_criminal", ["check", "--plan", "anqing-2023", "--cases",
                                      "{files}/tables/group_not_criminal-cases.csv"], 0, ["检查通过"])
    _personal(folder, case)
    _usage(case)


def _personal(folder: Path, case) -> None:
    """Personal data in a file: the message names the cell, never the full ID or phone number."""
    _write(folder / "id-number-cases.csv", CASES_H.rstrip("\n") + "\nC1,宿松,刑事,一审,是,,,340823199001011234\n")
    case("personal/id_number_without_header", ["check", "--plan", "anqing-2023", "--cases",
                                               "{files}/tables/id-number-cases.csv"], 2,
         ["第8列没有表头", "340*************34"], ["340823199001011234"])
    _write(folder / "phone-lawyers.csv", LAWYERS_H + "L1,13912345678,社会律师,,3,是\n")
    case("personal/phone_as_region", ["check", "--plan", "anqing-2023", "--lawyers", "{files}/tables/phone-lawyers.csv"],
         2, ["不是安庆市的地区", "139******78"], ["13912345678"])
    _write(folder / "id-region-cases.csv", CASES_H + "C1,34082319900101123X,刑事,一审,是,,\n")
    case("personal/id_number_as_region", ["check", "--plan", "anqing-2023", "--cases",
                                          "{files}/tables/id-region-cases.csv"], 2,
         ["不是安庆市的地区"], ["34082319900101123X"])


def _usage(case) -> None:
    """Command-line mistakes: Chinese messages, exit 2; --version and help exit 0."""
    good = "{files}/good"
    case("usage/runs_zero", ["project", "--plan", "anqing-2023", "--progress", f"{good}/progress.csv", "--runs", "0",
                             "--out", "{out}"], 2, ["--runs", "正整数"])
    case("usage/runs_words", ["run", "--runs", "很多", "--out", "{out}"], 2, ["--runs", "应为正整数"])
    case("usage/workers_zero", ["run", "--workers", "0", "--out", "{out}"], 2, ["--workers", "正整数"])
    case("usage/unknown_option", ["check", "--plan", "anqing-2023", "--casess", "x.csv"], 2, ["无法识别的参数"])
    case("usage/missing_required", ["dispatch", "--plan", "anqing-2023"], 2, ["缺少必需的参数", "--cases"])
    case("usage/bad_choice", ["project", "--plan", "anqing-2023", "--progress", "p.csv", "--policy", "all2",
                              "--out", "{out}"], 2, ["无效", "可选"])
    case("usage/month_13", ["check", "--plan", "anqing-2023", "--month", "13"], 2, ["--month", "无效"])
    case("usage/unknown_command", ["runn"], 2, ["无效"])
    case("usage/version", ["--version"], 0, ["legalaid 0.1.0"])
    case("usage/no_arguments", [], 0, ["子命令"])
    case("usage/unknown_plan", ["plans", "show", "anqin-2023"], 2, ["未知计划", "是否要找“anqing-2023”"])
    case("usage/check_without_files", ["check", "--plan", "anqing-2023"], 2, ["--cases"])
    case("usage/data_folder_missing", ["run", "--data", "{files}/no-such-folder", "--out", "{out}"], 2, ["不是一个目录"])
