"""Property tests: whatever a file holds, reading it returns a canonical frame or raises InputError."""

import datetime as dt

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenarios.errors import InputError
from scenarios.plans import load_plan
from scenarios.tables import DTYPES, read_table

PLAN = load_plan("anqing-2023")
TOKENS = ["宿松", "宿松县", "susong", "菱北", "合计", "刑事", "民事", "一审", "二审", "是", "否", "社会律师", "12",
          "-3", "3.5", "十二", "12件", "1,2x", "1,000", "2023-02-30", "2023/3/5", "", " ", "　", '"', ",", "\n", "\r\n",
          "\t", "\x00", "\ufeff", "C1", "L1", "G1", "13", "0", "¥5", "=1+1"]
HEADERS = {
    "cases": "案件编号,地区,案件类型,审级,是否诉讼,同案编号,受理日期\n",
    "lawyers": "lawyer_id,region,kind,firm,handled_this_year,available\n",
    "progress": "地区,月份,审批数,结案数\n",
    "funds": "region,upper_funds,local_funds,arrived\n",
}


@pytest.mark.parametrize("table", sorted(HEADERS))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.lists(st.sampled_from(TOKENS), max_size=40), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
def test_any_text_reads_or_raises_input_error(tmp_path, table, body, encoding):
    """Random cells under a real header never crash: a canonical frame comes back, or InputError."""
    path = tmp_path / f"{table}.csv"
    path.write_bytes((HEADERS[table] + "".join(body)).encode(encoding, errors="replace"))
    try:
        frame = read_table(path, table, PLAN)
    except InputError as exc:
        assert exc.issues and all(i.file == str(path) and i.expected for i in exc.issues)
        return
    assert list(frame.columns) == list(DTYPES[table])
    assert isinstance(frame.index, pd.RangeIndex)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300), suffix=st.sampled_from([".csv", ".xlsx", ".xls"]))
def test_any_bytes_read_or_raise_input_error(tmp_path, data, suffix):
    """Arbitrary bytes under any supported extension give InputError (or a frame), never another exception."""
    path = tmp_path / f"cases{suffix}"
    path.write_bytes(data)
    try:
        read_table(path, "cases", PLAN)
    except InputError as exc:
        assert exc.issues


CELLS = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(10**20), max_value=10**20),
                  st.floats(allow_nan=False, allow_infinity=False, width=32), st.sampled_from(TOKENS[:22]),
                  st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2100, 1, 1)),
                  st.times())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(CELLS, min_size=4, max_size=5), max_size=6))
def test_any_typed_excel_cells_read_or_raise_input_error(tmp_path, rows):
    """Typed Excel cells (numbers, huge ints, booleans, dates, times, text) under a real header never crash."""
    book = openpyxl.Workbook()
    book.active.append(["地区", "月份", "审批数", "结案数"])
    for row in rows:
        book.active.append(row)
    path = tmp_path / "progress.xlsx"
    book.save(path)
    try:
        frame = read_table(path, "progress", PLAN)
    except InputError as exc:
        assert exc.issues
        return
    assert list(frame.columns) == list(DTYPES["progress"])
