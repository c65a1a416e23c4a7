"""Reading the four input tables: formats, encodings, headers, canonical frames, findings."""

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from legalaid.report.findings import finding_texts
from scenarios.errors import InputError
from scenarios.plans import load_plan
from scenarios.tables import DTYPES, coerce, lawyer_findings, load_inputs, progress_issues, read_table
from tests.scenarios.fixtures.tables_data import EN_CSV, ZH_TABLES, expected, zh_csv_text

TABLES = ("cases", "lawyers", "progress", "funds")
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def plan():
    return load_plan("anqing-2023")


def write_xlsx(path: Path, rows: list[list[object]], top: int = 1) -> Path:
    """Write rows to the first sheet of an .xlsx, the header on row ``top``."""
    book = openpyxl.Workbook()
    sheet = book.active
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            sheet.cell(row=top + i, column=j + 1, value=value)
    book.save(path)
    return path


@pytest.mark.parametrize("table", TABLES)
def test_utf8_english_reads_canonical_frame(tmp_path, plan, table):
    """UTF-8 CSV with English headers reads into exactly the documented canonical frame."""
    path = tmp_path / f"{table}.csv"
    path.write_text(EN_CSV[table], encoding="utf-8")
    got = read_table(path, table, plan)
    pd.testing.assert_frame_equal(got, expected(table))
    assert list(got.columns) == list(DTYPES[table])


@pytest.mark.parametrize("table", TABLES)
def test_gb18030_chinese_reads_like_utf8_original(tmp_path, plan, table):
    """GB18030 CSV with Chinese headers and values (刑事, 一审, 是, 宿松/宿松县/菱北办事处) equals the UTF-8 original."""
    original = tmp_path / f"{table}_en.csv"
    original.write_text(EN_CSV[table], encoding="utf-8")
    chinese = tmp_path / f"{table}_zh.csv"
    chinese.write_bytes(zh_csv_text(table).encode("gb18030"))
    with pytest.raises(UnicodeDecodeError):
        chinese.read_bytes().decode("utf-8")  # the file really is not UTF-8
    got = read_table(chinese, table, plan)
    if "township" in got:  # a case registered at a delegated township keeps its name (安庆2023 §6(5))
        assert "经开区菱北办事处" in set(got["township"])
        got = got.drop(columns="township")
    pd.testing.assert_frame_equal(got, read_table(original, table, plan))


@pytest.mark.parametrize("table", TABLES)
def test_utf8_bom_chinese_reads_like_utf8_original(tmp_path, plan, table):
    """UTF-8 with BOM (Excel's “CSV UTF-8”) and Chinese headers reads like the UTF-8 original."""
    original = tmp_path / f"{table}_en.csv"
    original.write_text(EN_CSV[table], encoding="utf-8")
    chinese = tmp_path / f"{table}_bom.csv"
    chinese.write_text(zh_csv_text(table), encoding="utf-8-sig")
    pd.testing.assert_frame_equal(read_table(chinese, table, plan).drop(columns="township", errors="ignore"),
                                  read_table(original, table, plan))


@pytest.mark.parametrize("table", TABLES)
def test_xlsx_chinese_reads_like_utf8_original(tmp_path, plan, table):
    """An .xlsx with Chinese headers, typed numbers and real dates reads like the UTF-8 CSV original."""
    original = tmp_path / f"{table}_en.csv"
    original.write_text(EN_CSV[table], encoding="utf-8")
    book = write_xlsx(tmp_path / f"{table}_zh.xlsx", ZH_TABLES[table])
    pd.testing.assert_frame_equal(read_table(book, table, plan).drop(columns="township", errors="ignore"),
                                  read_table(original, table, plan))


@pytest.mark.parametrize("table", TABLES)
def test_xls_chinese_reads_like_utf8_original(tmp_path, plan, table):
    """A legacy .xls (committed fixture written with xlwt) reads like the UTF-8 CSV original."""
    original = tmp_path / f"{table}_en.csv"
    original.write_text(EN_CSV[table], encoding="utf-8")
    xls = FIXTURES / f"{table}_zh.xls"
    assert xls.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a real BIFF/OLE file
    pd.testing.assert_frame_equal(read_table(xls, table, plan).drop(columns="township", errors="ignore"),
                                  read_table(original, table, plan))


def test_headers_normalised_whitespace_fullwidth_case(tmp_path, plan):
    """Headers with spaces, full-width spaces/parentheses, upper case and a '*' marker are recognised."""
    text = "\ufeff Case_ID ,地　区,*Kind,INSTANCE,是否 诉讼\n C001 ,宿松　,刑事案件,第一审,TRUE\n"
    path = tmp_path / "cases.csv"
    path.write_text(text, encoding="utf-8")
    got = read_table(path, "cases", plan)
    assert got.loc[0, ["case_id", "region", "kind", "instance"]].tolist() == ["C001", "susong", "criminal", "first"]
    assert bool(got.loc[0, "litigation"]) is True
    assert got.loc[0, "group_id"] == "" and pd.isna(got.loc[0, "received"])
    funds = tmp_path / "funds.csv"
    funds.write_text("地区,中央和省级资金(元),地方财政资金 （元）\n宿松,\"1,000\",¥2000.50\n", encoding="utf-8")
    got = read_table(funds, "funds", plan)
    assert got.loc[0, ["upper_funds", "local_funds"]].tolist() == [1000.0, 2000.5]
    assert got[["planned_cases", "arrived", "spent", "subsidy_spent"]].isna().all(axis=None)


def test_optional_columns_filled_with_defaults(tmp_path, plan):
    """Without optional columns: group_id "", received NaT, firm "", available True, funds extras NaN."""
    (tmp_path / "c.csv").write_text("case_id,region,kind,instance,litigation\nC1,宿松,民事,一审,否\n", encoding="utf-8")
    (tmp_path / "l.csv").write_text("lawyer_id,region,kind,handled_this_year\nL1,宿松,律师,4\n", encoding="utf-8")
    cases = read_table(tmp_path / "c.csv", "cases", plan)
    lawyers = read_table(tmp_path / "l.csv", "lawyers", plan)
    assert cases.loc[0, "group_id"] == "" and pd.isna(cases.loc[0, "received"])
    assert lawyers.loc[0, "firm"] == "" and bool(lawyers.loc[0, "available"]) is True
    assert {c: str(t) for c, t in cases.dtypes.items()} == {c: str(pd.Series(dtype=t).dtype)
                                                           for c, t in DTYPES["cases"].items()}


def test_header_only_file_is_an_empty_table(tmp_path, plan):
    """A file with headers and no data rows is a valid table with zero rows (e.g. no cases left in December)."""
    path = tmp_path / "cases.csv"
    path.write_text("案件编号,地区,案件类型,审级,是否诉讼\n\n", encoding="utf-8")
    got = read_table(path, "cases", plan)
    assert len(got) == 0 and list(got.columns) == list(DTYPES["cases"])


def test_excel_rows_numbered_as_excel_shows_them(tmp_path, plan):
    """With the header on sheet row 3 and a blank row inside, issues name the row Excel shows."""
    rows = [["律师编号", "地区", "人员类别", "本年已办案件"], ["L1", "宿松", "社会律师", 3], [None, None, None, None],
            ["L2", "宿送", "社会律师", 4]]
    path = write_xlsx(tmp_path / "lawyers.xlsx", rows, top=3)
    with pytest.raises(InputError) as err:
        read_table(path, "lawyers", plan)
    [issue] = err.value.issues
    assert (issue.row, issue.column, issue.value) == (6, "地区", "宿送")


def test_title_rows_above_header_are_skipped(tmp_path, plan):
    """A report with a title and a 填报单位 line above the header reads; rows keep Excel numbers."""
    rows = [["安庆市2023年法律援助工作进度表", None, None, None], ["填报单位：安庆市司法局", None, None, None],
            ["地区", "月份", "审批数", "结案数"], ["宿松县", 1, 10, 2], ["宿松县", 2, 12, 8], ["宜秀", 1, 5, 1]]
    path = write_xlsx(tmp_path / "progress.xlsx", rows)
    pd.testing.assert_frame_equal(read_table(path, "progress", plan), expected("progress"))
    rows.append(["合计", None, 27, 11])
    write_xlsx(path, rows)
    notes = []
    pd.testing.assert_frame_equal(read_table(path, "progress", plan, notes=notes), expected("progress"))
    [note] = notes  # a total row is recognised and skipped, with a note (never double-counted)
    assert (note.code, note.ids, note["values"]) == ("total_rows_skipped", ("7",), ("合计",))


def test_lawyer_over_cap_is_a_finding_citing_the_rule(plan):
    """A lawyer above the yearly cap gives the cited Chinese finding, naming the id and count only."""
    lawyers = expected("lawyers")
    cap = plan.rule_value("lawyer_yearly_cap")
    lawyers.loc[0, "handled_this_year"] = int(cap) + 5
    lawyers.loc[2, "handled_this_year"] = int(cap)  # at the cap: not over it
    findings = finding_texts(lawyer_findings(lawyers, plan))
    rule = plan.rule("lawyer_yearly_cap")
    assert findings[0] == (f"律师 L001 本年已办 {int(cap) + 5} 件，超过年度上限 {rule.value:g} 件（{rule.citation}），"
                           "年度考核时应予问责；本次不再指派新案件。")
    assert findings[0].count("安庆2023方案六（二）") == 1
    assert findings[1].startswith("基层法律服务工作者 L002 本年已办 95 件")
    assert len(findings) == 2
    assert "律师事务所" not in "".join(findings)  # ids and counts only


def test_inherited_cap_cited_as_inherited():
    """Lu'an restates no cap: the finding cites the provincial default and says it is inherited."""
    luan = load_plan("luan-2025")
    lawyers = expected("lawyers").assign(region="huoqiu")
    findings = finding_texts(lawyer_findings(lawyers, luan))
    assert len(findings) == 1 and "沿用省级默认" in findings[0]


def test_load_inputs_reads_all_and_reports_findings(tmp_path, plan):
    """load_inputs reads every given file, keeps the sources, and lists the over-cap lawyer as a finding."""
    paths = {}
    for table in TABLES:
        paths[table] = tmp_path / f"{table}.csv"
        paths[table].write_text(EN_CSV[table], encoding="utf-8")
    with pytest.raises(InputError, match="桐城市没有任何月份的数据"):  # the city as a whole must report
        load_inputs(plan, **paths)
    full = pd.DataFrame([(r, m, 3, 1) for r in plan.region_ids for m in (1, 2)],
                        columns=["region", "month", "approved", "closed"])
    full.to_csv(paths["progress"], index=False)
    inputs = load_inputs(plan, **paths)
    for table in TABLES:
        want = coerce(full, "progress") if table == "progress" else expected(table)
        pd.testing.assert_frame_equal(getattr(inputs, table), want)
        assert inputs.sources[table] == str(paths[table])
    assert inputs.plan is plan
    assert len(inputs.findings) == 1 and "L002" in finding_texts(inputs.findings)[0]
    partial = load_inputs(plan, cases=paths["cases"])
    assert partial.lawyers is None and partial.findings == [] and list(partial.sources) == ["cases"]


def test_load_inputs_collects_errors_of_all_files(tmp_path, plan):
    """Problems in two files come back in one InputError naming both files."""
    (tmp_path / "c.csv").write_text("case_id,region,kind,instance,litigation\nC1,宿送,民事,一审,否\n", encoding="utf-8")
    (tmp_path / "p.csv").write_text("region,month,approved,closed\n宿松,13,1,0\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_inputs(plan, cases=tmp_path / "c.csv", progress=tmp_path / "p.csv")
    files = {issue.file for issue in err.value.issues}
    assert files == {str(tmp_path / "c.csv"), str(tmp_path / "p.csv")}


def test_group_across_regions_is_fine(tmp_path, plan):
    """Co-defendants of one criminal group may sit in different regions (city-wide dispatch)."""
    path = tmp_path / "cases.csv"
    path.write_text("case_id,region,kind,instance,litigation,group_id\nC1,宿松,刑事,一审,是,G\nC2,太湖,刑事,一审,是,G\n",
                    encoding="utf-8")
    assert read_table(path, "cases", plan)["group_id"].tolist() == ["G", "G"]


def test_progress_issues_on_a_frame_built_in_code(plan):
    """progress_issues checks a canonical frame directly: gap, repeat, closed > approved, future month."""
    frame = pd.DataFrame({"region": ["susong", "susong", "susong", "yixiu", "yixiu"], "month": [1, 3, 3, 1, 2],
                          "approved": [5, 4, 4, 3, 1], "closed": [1, 2, 2, 2, 3]})
    issues = progress_issues(frame, plan, as_of_month=2)
    text = [str(i) for i in issues]
    assert any("宿松县缺少2月" in t for t in text)
    assert any(i.row == 4 and "宿松县3月已在第3行填报" in i.expected for i in issues)
    assert any(i.row == 6 and "宜秀区截至2月累计结案5件，多于累计审批4件" in i.expected for i in issues)
    assert sorted(i.row for i in issues if "晚于当前月份" in i.expected) == [3, 4]
    assert len(issues) == 5
    good = expected("progress")
    assert progress_issues(good, plan) == []
    stopped = progress_issues(good, plan, as_of_month=2)
    assert [(i.row, i.column) for i in stopped] == [(None, "月份")] and "宜秀区缺少2月" in stopped[0].expected


def test_coerce_gives_canonical_dtypes():
    """coerce orders columns, resets the index and casts to DTYPES."""
    frame = expected("progress")[["closed", "month", "region", "approved"]].astype({"month": "int32"})
    frame.index = [5, 6, 7]
    pd.testing.assert_frame_equal(coerce(frame, "progress"), expected("progress"))


def test_example_round_trip(tmp_path):
    """generate_example + write_example (CSV and .xlsx) -> load_inputs reads the same tables back."""
    example = pytest.importorskip("scenarios.example")
    from legalaid.report.inputs import write_example
    plan = load_plan("anqing-2023")
    data = example.generate_example(plan, month=6, seed=0)
    for fmt in ("csv", "xlsx"):
        paths = write_example(data, tmp_path / fmt, fmt=fmt)
        inputs = load_inputs(plan, **paths, as_of_month=6)
        for table in TABLES:
            given = getattr(data, table)
            keep = tuple(c for c in ("category",) if c in given)  # the example's optional column
            pd.testing.assert_frame_equal(getattr(inputs, table), coerce(given, table, keep))
        over = data.lawyers["handled_this_year"] > plan.rule_value("lawyer_yearly_cap")
        assert len(inputs.findings) == int(over.sum())
