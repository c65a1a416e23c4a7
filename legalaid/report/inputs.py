"""Input tables as users write and read them: example files with Chinese headers, the check summary."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from legalaid.report.findings import finding_texts
from legalaid.report.labels import YES_NO
from legalaid.text import format_table
from scenarios.example import ExampleData
from scenarios.plans import Plan
from scenarios.schema import CASE_KINDS, INSTANCES, LAWYER_KINDS, TABLE_LABELS, chinese_headers, columns

_TABLES = ("cases", "lawyers", "progress", "funds")


#: File stems of the four tables (English names; the readers also accept 案件/律师/进度/经费).
FILE_STEMS = {"cases": "cases", "lawyers": "lawyers", "progress": "progress", "funds": "funds"}


def to_user_table(table: str, frame: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """A canonical table as a user writes it: Chinese headers, Chinese names and values."""
    out = frame.copy()
    if "region" in out:
        out["region"] = out["region"].map(lambda rid: plan.region(rid).name)
    if table == "cases":
        out["kind"] = out["kind"].map(CASE_KINDS)
        out["instance"] = out["instance"].map(INSTANCES)
        out["litigation"] = out["litigation"].map(YES_NO)
        out["received"] = out["received"].dt.strftime("%Y-%m-%d").fillna("")
        if "category" in out:
            from scenarios.vocab import CASE_CATEGORIES

            out["category"] = out["category"].map(lambda c: CASE_CATEGORIES.get(c, ""))
    elif table == "lawyers":
        out["kind"] = out["kind"].map(LAWYER_KINDS)
        out["available"] = out["available"].map(YES_NO)
    elif table == "funds":
        for col in columns("funds")[1:]:
            out[col] = out[col].map(lambda v: "" if pd.isna(v) else f"{v:.0f}" if float(v).is_integer() else f"{v}")
    return out.rename(columns=chinese_headers(table))


def write_example(data: ExampleData, out_dir: str | Path, fmt: str = "csv") -> dict[str, Path]:
    """Write the four tables (Chinese headers) as CSV (utf-8-sig) or .xlsx; return the paths."""
    from legalaid.report.writers import Sheet, write_csv, write_xlsx

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for table, stem in FILE_STEMS.items():
        frame = to_user_table(table, getattr(data, table), data.plan)
        path = out / f"{stem}.{fmt}"
        if fmt == "csv":
            write_csv(frame, path)
        elif fmt == "xlsx":
            write_xlsx(path, [Sheet(stem, frame)])  # text stays text (no formulas from data)
        else:
            raise ValueError("fmt must be csv or xlsx")
        paths[table] = path
    return paths


def check_summary(inputs) -> str:
    """Chinese summary of validated inputs: rows per file, counts per region, findings."""
    plan = inputs.plan
    lines = [f"检查通过：{plan.title}（{plan.id}）"]
    for table in _TABLES:
        frame = getattr(inputs, table)
        if frame is not None:
            lines.append(f"  {TABLE_LABELS[table]}：{inputs.sources[table]}，读取 {len(frame)} 行")
    headers, per_region = ["地区"], {r.id: [r.name] for r in plan.regions}

    def add(names, counts):
        headers.extend(names)
        for rid, row in per_region.items():
            row.extend(counts(rid))

    if inputs.cases is not None:
        by = inputs.cases.groupby(["region", "kind"]).size()
        add([f"{v}案件" for v in CASE_KINDS.values()], lambda rid: [int(by.get((rid, k), 0)) for k in CASE_KINDS])
    if inputs.lawyers is not None:
        by = inputs.lawyers.groupby(["region", "kind"]).size()
        add(list(LAWYER_KINDS.values()), lambda rid: [int(by.get((rid, k), 0)) for k in LAWYER_KINDS])
    if inputs.progress is not None:
        months = inputs.progress.groupby("region")["month"].agg(["min", "max"])
        sums = inputs.progress.groupby("region")[["approved", "closed"]].sum()
        add(["已报月份", "累计审批", "累计结案"], lambda rid: (
            [f"{months.at[rid, 'min']}-{months.at[rid, 'max']}月", int(sums.at[rid, "approved"]),
             int(sums.at[rid, "closed"])] if rid in months.index else ["—", 0, 0]))
    if inputs.funds is not None:
        n_rows = inputs.funds.groupby("region").size()
        add(["经费行"], lambda rid: [int(n_rows.get(rid, 0))])
    rows = list(per_region.values())
    total = ["合计"] + [sum(col) if all(isinstance(v, int) for v in col) else "" for col in list(zip(*rows, strict=True))[1:]]
    lines += ["", "各地区统计：", format_table(headers, [*rows, total], right=set(range(1, len(headers))))]
    if inputs.findings:
        lines += ["", f"提示（{len(inputs.findings)}条，不属于输入错误）："]
        lines += [f"  - {f}" for f in finding_texts(inputs.findings)]
    return "\n".join(lines)
