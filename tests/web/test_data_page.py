"""数据: uploads validated with the CLI's Chinese messages, a bad file never crashes, the template."""

from __future__ import annotations

import io
import subprocess
import sys

import openpyxl
import pandas as pd
import pytest

from tests.web.conftest import table_cells, workspace


def _upload(client, files: dict, **form):
    data = {"plan": "anqing-2023", **form}
    for table, (name, content) in files.items():
        data[table] = (io.BytesIO(content), name)
    return client.post("/data/upload", data=data, content_type="multipart/form-data", follow_redirects=True)


def _files(paths, **replace):
    out = {t: (p.name, p.read_bytes()) for t, p in paths.items()}
    out.update(replace)
    return out


def test_upload_the_example_then_a_broken_file(client, example_files, tmp_path):
    r = _upload(client, _files(example_files))
    html = r.data.decode()
    assert "检查通过" in html and "读取 3047 行" in html
    ws = workspace(client)
    good_hash = ws.input_hash
    # one bad kind and one unknown region in the cases table, as a clerk would type them
    frame = pd.read_excel(example_files["cases"], engine="calamine")
    frame.loc[2, "案件类型"] = "刑诉"
    frame.loc[4, "地区"] = "宿松"      # short name: accepted
    frame.loc[6, "地区"] = "宿松镇"
    broken = tmp_path / "案件-有误.csv"
    frame.to_csv(broken, index=False, encoding="utf-8-sig")
    r = _upload(client, _files(example_files, cases=(broken.name, broken.read_bytes())))
    html = r.data.decode()
    assert "检查未通过" in html and 'id="issues"' in html
    header, rows = table_cells(html, "issues")
    assert header == ["文件", "Excel行号", "列", "值", "应为"]
    keyed = {(r[1], r[2], r[3]) for r in rows}
    assert ("4", "案件类型", "刑诉") in keyed and ("8", "地区", "宿松镇") in keyed
    assert {r[0] for r in rows} == {broken.name} and all(r[4] for r in rows)
    # the same sentences as the command line
    cli = subprocess.run([sys.executable, "-m", "legalaid", "check", "--plan", "anqing-2023", "--cases", str(broken)],
                         capture_output=True, text=True, cwd=tmp_path)
    assert cli.returncode == 2
    expected = cli.stderr.strip().replace(str(broken), broken.name)
    assert ws.error == expected
    assert ws.input_hash == good_hash and ws.inputs is not None   # the good data stays in use
    assert "此前通过检查的数据仍在使用" in html


@pytest.mark.parametrize("name,content,words", [
    ("cases.xlsx", b"PK\x03\x04 not really a workbook" * 10, "无法读取Excel文件"),
    ("cases.xlsx", b"", "文件为空"),
    ("cases.csv", bytes(range(256)) * 50, "无法按文本读取"),
    ("cases.pdf", b"%PDF-1.4", "文件类型不支持"),
    ("../../etc/passwd.csv", "案件编号,地区\n1,2\n".encode(), "passwd.csv：案件表缺少必需的列"),
])
def test_a_bad_upload_never_crashes_the_server(client, example_files, name, content, words):
    r = _upload(client, _files(example_files, cases=(name, content)))
    assert r.status_code == 200
    html = r.data.decode()
    assert words in html and "Traceback" not in html
    assert client.get("/data").status_code == 200
    ws = workspace(client)
    assert all(".." not in p.name for p in ws.folder.rglob("*"))
    assert all(p.is_relative_to(ws.folder) for p in ws.folder.rglob("*"))
    assert not (ws.folder.parents[1] / "legalaid-web-error.txt").exists()   # answered, not an internal error


def test_missing_tables_and_too_large_uploads(client, app, example_files):
    r = _upload(client, {"progress": ("p.csv", example_files["progress"].read_bytes())})
    assert "派案至少需要案件表和律师表" in r.data.decode()
    app.config["MAX_CONTENT_LENGTH"] = 1000
    r = _upload(client, _files(example_files))
    assert "上传的文件过大" in r.data.decode()


def test_template_has_headers_and_dropdowns_the_readers_accept(client, tmp_path):
    import legalaid as la
    from scenarios.schema import TABLE_LABELS, TABLES, WRITTEN_BY_THE_TOOL

    data = client.get("/data/填报模板.xlsx?plan=anqing-2023").data
    book = openpyxl.load_workbook(io.BytesIO(data))
    lists = book["选项"]
    options = {}
    for col in lists.iter_cols(values_only=True):
        if col[0]:
            options[col[0]] = [v for v in col[1:] if v is not None]
    assert not any(TABLE_LABELS[t] in book.sheetnames for t in WRITTEN_BY_THE_TOOL)
    for table, columns in ((t, c) for t, c in TABLES.items() if t not in WRITTEN_BY_THE_TOOL):
        sheet = book[TABLE_LABELS[table]]
        assert [c.value for c in sheet[1]] == [c.label for c in columns]
        sources = {next(iter(dv.sqref.ranges)).min_col: dv.formula1 for dv in sheet.data_validations.dataValidation
                   if dv.type == "list"}
        for j, column in enumerate(columns, start=1):
            if column.kind in ("enum", "region", "bool"):
                assert j in sources, (table, column.name)
    plan = la.load_plan("anqing-2023")
    assert options["cases.region"] == [r.name for r in plan.regions]
    assert options["cases.kind"] == ["刑事", "民事", "行政"] and options["cases.litigation"] == ["是", "否"]
    # every dropdown value reads back: fill one row per choice and validate with the readers
    cases = book["案件表"]
    for i, (region, kind) in enumerate(zip(options["cases.region"], options["cases.kind"] * 5, strict=False), start=2):
        cases.append([f"T{i}", region, kind, options["cases.instance"][i % 2], options["cases.litigation"][i % 2], "", None])
    lawyers = book["律师表"]
    for i, kind in enumerate(options["lawyers.kind"], start=2):
        lawyers.append([f"L{i}", options["lawyers.region"][i], kind, "某律所", 3, options["lawyers.available"][0]])
    path = tmp_path / "filled.xlsx"
    book.save(path)
    for table, sheet in (("cases", "案件表"), ("lawyers", "律师表")):
        frame = pd.read_excel(path, sheet_name=sheet, dtype=str, engine="calamine")
        out = tmp_path / f"{table}.csv"
        frame.to_csv(out, index=False, encoding="utf-8-sig")
        inputs = la.read_inputs(plan, **{table: out})
        assert len(getattr(inputs, table)) == len(frame)
