"""Both plans and an invented third city, at months 6 and 12: the brief says what each plan says.

- no other plan's name or section appears in any output a user reads (CSV, workbook, 摘要.txt,
  月通报.docx), and no code identifier (snake_case names, region ids, file names of the code);
- no year-end rule is called 不达标 before December;
- the county furthest behind 序时进度 is named among the three that need attention.
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from legalaid.cli import main
from scenarios.plans import load_plan
from tests.corpus.make_plans import GOOD

PLANS = {"anqing-2023": "安庆", "luan-2025": "六安"}
#: Year-end rules by their Chinese labels (经费核查 rows) — never 不达标 before December.
YEAR_END_LABELS = ("经费支出率", "资金到位率", "办案补贴及直接费用占支出比例")
IDENTIFIER = re.compile(r"\b[A-Za-z]+_[A-Za-z0-9_]+\b|\b\w+\.py\b|\blegalaid\b|\bsimulation/|\bscenarios/")


@pytest.fixture(scope="module")
def third_city(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("plans") / "testcity-2026.toml"
    path.write_text(GOOD, encoding="utf-8")
    return path


def texts(folder: Path) -> dict[str, str]:
    """Every text a user reads in a brief folder, by file."""
    out = {}
    for path in folder.rglob("*"):
        if path.suffix in (".csv", ".txt"):
            out[path.name] = path.read_text(encoding="utf-8-sig")
        elif path.suffix == ".xlsx":
            book = openpyxl.load_workbook(path, read_only=True)
            cells = [str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row
                     if isinstance(c, str)]
            out[path.name] = "\n".join([*book.sheetnames, *cells])
        elif path.suffix == ".docx":
            import docx

            document = docx.Document(str(path))
            cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
            out[path.name] = "\n".join([p.text for p in document.paragraphs] + cells)
    return out


def run_brief(plan: str, month: int, out: Path) -> int:
    return main(["run", "--plan", plan, "--month", str(month), "--runs", "40", "--workers", "1", "--quiet",
                 "--out", str(out)])


@pytest.mark.parametrize("month", [6, 12])
@pytest.mark.parametrize("plan_id", ["anqing-2023", "luan-2025", "third"])
def test_brief_cites_only_its_own_plan_and_no_code(plan_id, month, tmp_path, third_city):
    plan_arg = str(third_city) if plan_id == "third" else plan_id
    out = tmp_path / "brief"
    assert run_brief(plan_arg, month, out) == 0
    plan = load_plan(plan_arg)
    others = [word for pid, word in PLANS.items() if pid != plan.id]
    ids = re.compile(r"\b(" + "|".join(re.escape(r.id) for r in plan.regions) + r")\b")
    found = texts(out)
    assert {"摘要.txt", "月通报.xlsx", "月通报.docx", "总览.csv"} <= set(found)
    for name, text in found.items():
        for word in others:
            assert word not in text, f"{name}: {word} in a {plan.city} brief: " + _around(text, word)
        if plan.id != "anqing-2023":
            assert "§" not in text or plan.id == "testcity-2026", f"{name}: § in {plan.city}"
        hit = IDENTIFIER.search(text) or ids.search(text)
        assert hit is None, f"{name}: code identifier “{hit.group(0)}”: " + _around(text, hit.group(0))

    verdicts = pd.read_csv(out / "经费核查.csv", encoding="utf-8-sig")
    year_end = verdicts[verdicts["规则"].isin(YEAR_END_LABELS)]
    if month < 12:
        assert not (year_end["结论"] == "不达标").any()
    front = pd.read_csv(out / "总览.csv", encoding="utf-8-sig")
    counties = front[front["单位"] != f"{plan.city}合计"]
    behind = counties[counties["与序时进度差距（件）"] < 0]
    if len(behind):
        worst = behind.sort_values("与序时进度差距（件）").iloc[0]["单位"]
        attention = found["摘要.txt"].split("需要关注的三个地区")[1].split("、经费\r\n")[0]
        assert worst in attention


def _around(text: str, word: str, width: int = 60) -> str:
    i = text.find(word)
    return text[max(0, i - width): i + width].replace("\n", " ")
