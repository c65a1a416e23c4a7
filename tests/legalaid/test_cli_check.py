"""`legalaid check`: a corpus of broken input files, each answered in Chinese with exit status 2."""

import io
from dataclasses import dataclass

import openpyxl
import pytest

from legalaid.cli import main
from tests.scenarios.fixtures.tables_data import EN_CSV, complete_progress

CASES = "案件编号,地区,案件类型,审级,是否诉讼,同案编号,受理日期\n"
LAWYERS = "律师编号,地区,人员类别,所在律所,本年已办案件,可指派\n"
PROGRESS = "地区,月份,审批数,结案数\n"
FUNDS = "地区,中央和省级资金（元）,地方财政资金（元）\n"


def xlsx_bytes() -> bytes:
    """A real, valid .xlsx workbook (used under wrong extensions)."""
    book = openpyxl.Workbook()
    book.active.append(["案件编号", "地区"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@dataclass
class Broken:
    """One broken file and what the message must name: row (Excel), column (as written), value, phrase."""

    id: str
    table: str
    name: str
    content: str | bytes | None
    row: int | None
    column: str | None
    value: str | None
    phrase: str
    args: tuple[str, ...] = ()


CORPUS = [
    Broken("empty_file", "cases", "cases.csv", b"", None, None, None, "文件为空"),
    Broken("blank_lines_only", "cases", "cases.csv", "\ufeff \r\n\r\n", None, None, None, "文件为空"),
    Broken("missing_columns", "cases", "cases.csv", "案件编号,案件类型,审级\nC1,刑事,一审\n", None, None, None,
           "缺少必需的列：“地区”（region）、“是否诉讼”（litigation）"),
    Broken("csv_named_xlsx", "cases", "cases.xlsx", CASES + "C1,宿松,刑事,一审,是,,\n", None, None, None,
           "扩展名是.xlsx，但内容是文本"),
    Broken("binary_named_csv", "cases", "cases.csv", bytes(range(256)) * 8, None, None, None, "无法按文本读取"),
    Broken("xlsx_named_csv", "cases", "cases.csv", xlsx_bytes(), None, None, None, "但内容是Excel工作簿"),
    Broken("xlsx_named_xls", "cases", "cases.xls", xlsx_bytes(), None, None, None, "请把扩展名改为.xlsx"),
    Broken("html_named_xls", "cases", "cases.xls", "<html><body><table><tr><td>案件编号</td></tr></table></body></html>",
           None, None, None, "内容是网页"),
    Broken("corrupt_xlsx", "cases", "cases.xlsx", b"PK\x03\x04" + bytes(200), None, None, None, "无法读取Excel文件"),
    Broken("encrypted_xlsx", "cases", "cases.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100)
           + "EncryptedPackage".encode("utf-16-le"), None, None, None, "设置了打开密码"),
    Broken("missing_file", "cases", "no-such-file.csv", None, None, None, None, "找不到该文件"),
    Broken("unsupported_extension", "cases", "cases.docx", b"whatever", None, None, None, "不支持的文件类型“.docx”"),
    Broken("duplicate_header", "cases", "cases.csv", "案件编号,编号,地区,案件类型,审级,是否诉讼\nC1,C1,宿松,刑事,一审,是\n",
           1, "编号", None, "与列“案件编号”表示同一项"),
    Broken("data_without_header", "progress", "progress.csv", PROGRESS + "宿松,1,3,1,7\n", 2, None, "7",
           "第5列没有表头，却有数据"),
    Broken("duplicate_case_id", "cases", "cases.csv", CASES + "C1,宿松,刑事,一审,是,,\nC1,太湖,民事,一审,是,,\n",
           3, "案件编号", "C1", "编号重复（与第2行相同）"),
    Broken("duplicate_lawyer_id", "lawyers", "lawyers.csv", LAWYERS + "L1,宿松,社会律师,,3,是\nL2,宿松,社会律师,,3,是\n"
           "L1,太湖,社会律师,,3,是\n", 4, "律师编号", "L1", "编号重复（与第2行相同）"),
    Broken("duplicate_progress_month", "progress", "progress.csv", PROGRESS + "宿松,1,3,1\n宿松县,1,4,2\n", 3, "月份", "1",
           "宿松县1月已在第2行填报"),
    Broken("duplicate_funds_region", "funds", "funds.csv", FUNDS + "宿松,1000,1000\nsusong,2000,2000\n", 3, "地区", "susong",
           "宿松县已在第2行出现"),
    Broken("negative_count", "lawyers", "lawyers.csv", LAWYERS + "L1,宿松,社会律师,,-3,是\n", 2, "本年已办案件", "-3",
           "不能为负数"),
    Broken("negative_money", "funds", "funds.csv", FUNDS + "宿松,1000,-500\n", 2, "地方财政资金（元）", "-500", "不能为负数"),
    Broken("unknown_region", "cases", "cases.csv", CASES + "C1,宿送,刑事,一审,是,,\n", 2, "地区", "宿送",
           "是否要填“宿松县”？可选：安庆市本级、迎江区"),
    Broken("unknown_case_kind", "cases", "cases.csv", CASES + "C1,宿松,刑是,一审,是,,\n", 2, "案件类型", "刑是",
           "应为刑事（criminal）、民事（civil）、行政（administrative）之一；是否要填“刑事”？"),
    Broken("unknown_instance", "cases", "cases.csv", CASES + "C1,宿松,刑事,再审,是,,\n", 2, "审级", "再审",
           "应为一审（first）、二审（second）之一"),
    Broken("unknown_yes_no", "cases", "cases.csv", CASES + "C1,宿松,刑事,一审,也许,,\n", 2, "是否诉讼", "也许",
           "应为 是 或 否（yes/no）"),
    Broken("unknown_lawyer_kind", "lawyers", "lawyers.csv", LAWYERS + "L1,宿松,律帅,,3,是\n", 2, "人员类别", "律帅",
           "基层法律服务工作者（grassroots）之一；是否要填“社会律师”？"),
    Broken("unknown_available", "lawyers", "lawyers.csv", LAWYERS + "L1,宿松,社会律师,,3,待定\n", 2, "可指派", "待定",
           "应为 是 或 否"),
    Broken("month_out_of_range", "progress", "progress.csv", PROGRESS + "宿松,13,3,1\n", 2, "月份", "13",
           "月份应为1到12之间的整数"),
    Broken("month_zero", "progress", "progress.csv", PROGRESS + "宿松,0,3,1\n", 2, "月份", "0", "月份应为1到12之间的整数"),
    Broken("count_in_chinese", "progress", "progress.csv", PROGRESS + "宿松,1,十二,1\n", 2, "审批数", "十二",
           "不能用汉字书写数字"),
    Broken("count_with_unit", "lawyers", "lawyers.csv", LAWYERS + "L1,宿松,社会律师,,12件,是\n", 2, "本年已办案件", "12件",
           "不能带单位或其他文字"),
    Broken("count_garbled", "progress", "progress.csv", PROGRESS + "宿松,1,\"1,2x\",1\n", 2, "审批数", "1,2x",
           "不能带单位或其他文字"),
    Broken("count_bad_grouping", "progress", "progress.csv", PROGRESS + "宿松,1,3,\"1,2\"\n", 2, "结案数", "1,2",
           "千位分隔符或小数点位置不对"),
    Broken("count_not_integer", "lawyers", "lawyers.csv", LAWYERS + "L1,宿松,社会律师,,3.5,是\n", 2, "本年已办案件", "3.5",
           "件数不能有小数"),
    Broken("money_in_chinese", "funds", "funds.csv", FUNDS + "宿松,五万,1000\n", 2, "中央和省级资金（元）", "五万",
           "不能用汉字书写数字"),
    Broken("impossible_date", "cases", "cases.csv", CASES + "C1,宿松,刑事,一审,是,,2023-02-30\n", 2, "受理日期",
           "2023-02-30", "不是有效的日期"),
    Broken("date_as_words", "cases", "cases.csv", CASES + "C1,宿松,刑事,一审,是,,上周三\n", 2, "受理日期", "上周三",
           "应为日期，如 2023-03-05"),
    Broken("empty_required_cell", "cases", "cases.csv", CASES + "C1,,刑事,一审,是,,\n", 2, "地区", None, "不能为空"),
    Broken("progress_month_gap", "progress", "progress.csv", PROGRESS + "宿松,1,3,1\n宿松,3,3,1\n", None, "月份", None,
           "宿松县缺少2月的数据"),
    Broken("closed_more_than_approved", "progress", "progress.csv", PROGRESS + "太湖,1,5,2\n太湖,2,3,7\n", 3, "结案数", "7",
           "太湖县截至2月累计结案9件，多于累计审批8件"),
    Broken("future_month", "progress", "progress.csv", PROGRESS + "宿松,1,3,1\n宿松,2,3,1\n", 3, "月份", "2",
           "晚于当前月份（1月）", ("--month", "1")),
]


def test_civil_cases_sharing_a_group_id_are_accepted(tmp_path, capsys):
    """群体性 civil cases may share a 同案编号: the batch is accepted and dispatched (the distinct-defender
    rule is for criminal co-defendants only), not rejected."""
    cases = tmp_path / "cases.csv"
    cases.write_text(CASES + "C1,宿松,刑事,一审,是,G7,\nC2,宿松,民事,一审,是,G7,\nC3,宿松,民事,一审,是,G7,\n",
                     encoding="utf-8")
    lawyers = tmp_path / "lawyers.csv"
    lawyers.write_text("律师编号,地区,人员类别,本年已办案件\nL001,宿松,社会律师,0\n", encoding="utf-8")
    assert main(["check", "--plan", "anqing-2023", "--cases", str(cases)]) == 0
    assert main(["dispatch", "--plan", "anqing-2023", "--cases", str(cases), "--lawyers", str(lawyers),
                 "--out", str(tmp_path / "out")]) == 0
    assert "Traceback" not in capsys.readouterr().err


def test_unknown_lawyer_ids_in_the_new_columns_are_clear_errors(tmp_path, capsys):
    """A requested lawyer (点援) or excluded lawyer (回避) not in the lawyers table: exit 2, one line per
    cell naming the file, row, column, value, what was expected and the likely id; a bad 诉讼阶段 too."""
    cases = tmp_path / "cases.csv"
    cases.write_text(CASES.rstrip("\n") + ",受援人选择的律师,回避律师\n"
                     "C1,宿松,民事,一审,是,,,L0O1,\nC2,宿松,刑事,一审,是,,,,L001、X9\n", encoding="utf-8")
    lawyers = tmp_path / "lawyers.csv"
    lawyers.write_text("律师编号,地区,人员类别,本年已办案件,刑事辩护执业年限\nL001,宿松,社会律师,0,5\n", encoding="utf-8")
    status = main(["dispatch", "--plan", "anqing-2023", "--cases", str(cases), "--lawyers", str(lawyers),
                   "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert status == 2 and "Traceback" not in err
    line = next(x for x in err.splitlines() if "L0O1" in x)
    assert str(cases) in line and "第2行" in line and "列“受援人选择的律师”" in line and "是否要填“L001”" in line
    assert any("第3行" in x and "列“回避律师”" in x and "值“X9”" in x for x in err.splitlines())
    cases.write_text(CASES.rstrip("\n") + ",诉讼阶段\nC1,宿松,刑事,一审,是,,,死刑复合\n", encoding="utf-8")
    assert main(["check", "--plan", "anqing-2023", "--cases", str(cases)]) == 2
    err = capsys.readouterr().err
    assert "列“诉讼阶段”" in err and "值“死刑复合”" in err and "死刑复核" in err


@pytest.mark.parametrize("case", CORPUS, ids=[c.id for c in CORPUS])
def test_broken_file_gets_clear_message_and_status_2(tmp_path, capsys, case):
    """Each broken file: exit 2, no traceback, one line naming file, row, column, value and what was expected."""
    path = tmp_path / case.name
    content = case.content
    if case.table == "progress" and isinstance(content, str) and not case.args:
        content = complete_progress(content)  # the rest of the city reports too: one problem remains
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    status = main(["check", "--plan", "anqing-2023", f"--{case.table}", str(path), *case.args])
    captured = capsys.readouterr()
    assert status == 2
    assert "Traceback" not in captured.err and captured.out == ""
    assert "输入数据有1处错误" in captured.err  # one problem, no follow-on errors
    lines = [line for line in captured.err.splitlines() if case.phrase in line]
    assert len(lines) == 1, captured.err
    line = lines[0]
    assert line.strip().startswith(f"- {path}")
    assert (f"第{case.row}行" in line) == (case.row is not None)
    assert (f"列“{case.column}”" in line) == (case.column is not None)
    assert (f"值“{case.value}”" in line) == (case.value is not None)


def test_totals_row_is_skipped_with_a_note(tmp_path, capsys):
    """A 合计 row is recognised: skipped (the tool adds up itself) and named in a note, not an error."""
    path = tmp_path / "progress.csv"
    path.write_text(complete_progress(PROGRESS + "宿松,1,3,1\n合计,,3,1\n"), encoding="utf-8")
    assert main(["check", "--plan", "anqing-2023", "--progress", str(path)]) == 0
    out = capsys.readouterr().out
    assert "第3行" in out and "合计" in out and "已跳过" in out


def test_all_problems_of_a_file_reported_at_once(tmp_path, capsys):
    """One file with six problems on four rows: all six are listed in one run, in row order."""
    path = tmp_path / "cases.csv"
    path.write_text(CASES + "C1,宿送,刑事,一审,是,,\nC2,宿松,民亊,三审,是,,\nC1,宿松,刑事,一审,是,,2023-13-01\n"
                    "C4,宿松,刑事,一审,也许,,\n", encoding="utf-8")
    assert main(["check", "--plan", "anqing-2023", "--cases", str(path)]) == 2
    err = capsys.readouterr().err
    assert "输入数据有6处错误" in err
    rows = [int(line.split("第")[1].split("行")[0]) for line in err.splitlines()[1:]]
    assert rows == [2, 3, 3, 4, 4, 5]
    for text in ("宿送", "民亊", "三审", "2023-13-01", "与第2行相同", "也许"):
        assert text in err


def test_problems_of_several_files_reported_together(tmp_path, capsys):
    """Bad cases and bad progress files: both files' problems are listed by one check."""
    cases, progress = tmp_path / "cases.csv", tmp_path / "progress.csv"
    cases.write_text(CASES + "C1,宿送,刑事,一审,是,,\n", encoding="utf-8")
    progress.write_text(complete_progress(PROGRESS + "宿松,1,-1,0\n"), encoding="gb18030")
    assert main(["check", "--plan", "anqing-2023", "--cases", str(cases), "--progress", str(progress)]) == 2
    err = capsys.readouterr().err
    assert f"{cases}，第2行" in err and f"{progress}，第2行" in err


def test_valid_files_print_summary_and_findings_exit_0(tmp_path, capsys):
    """Valid files: exit 0 with rows per table, counts per county and the over-cap finding (not an error)."""
    args = ["check", "--plan", "anqing-2023"]
    for table, text in EN_CSV.items():
        text = complete_progress(text) if table == "progress" else text
        (tmp_path / f"{table}.csv").write_text(text, encoding="utf-8")
        args += [f"--{table}", str(tmp_path / f"{table}.csv")]
    assert main(args) == 0
    captured = capsys.readouterr()
    out = captured.out
    assert captured.err == ""
    assert "检查通过" in out and "案件表" in out and "读取 5 行" in out and "读取 4 行" in out
    susong = next(line for line in out.splitlines() if line.startswith("宿松县")).split()
    # 宿松县: cases 刑事 2 民事 0 行政 0; lawyers 社会 1 法援 0 基层 1; months 1-2, approved 22, closed 10; funds 1
    assert susong[1:] == ["2", "0", "0", "1", "0", "1", "1-2月", "22", "10", "1"]
    total = next(line for line in out.splitlines() if line.startswith("合计")).split()
    assert total[1:4] == ["2", "2", "1"]
    assert "提示（1条" in out and "基层法律服务工作者 L002 本年已办 95 件" in out and "安庆2023方案六（二）" in out


def test_no_file_given_is_status_2(capsys):
    """check without any file says which options to give and exits 2."""
    assert main(["check", "--plan", "anqing-2023"]) == 2
    assert "--cases" in capsys.readouterr().err


def test_directory_instead_of_file(tmp_path, capsys):
    """A folder given as a file is a clear input error, not a traceback."""
    folder = tmp_path / "cases.csv"
    folder.mkdir()
    assert main(["check", "--plan", "anqing-2023", "--cases", str(folder)]) == 2
    assert "这是一个文件夹" in capsys.readouterr().err
