"""``legalaid check``: validate input files before anything runs; all errors or a short summary."""

from __future__ import annotations

from legalaid.cli import add_subcommand
from legalaid.text import format_table

_TABLES = ("cases", "lawyers", "progress", "funds")


def register(sub) -> None:
    parser = add_subcommand(sub, "check", "检查输入文件（案件、律师、月度进度、经费）",
                            "逐个检查输入文件（CSV：UTF-8/GB18030；Excel：.xlsx/.xls；中文或英文表头），"
                            "一次列出所有错误（文件、行号、列名、取值、应填内容），退出码 2；"
                            "全部无误时打印各表行数和各地区统计，以及不属于错误的提示（如律师超过年度办案上限）。")
    parser.add_argument("--plan", required=True, help="计划ID（如 anqing-2023）或计划文件路径")
    parser.add_argument("--cases", metavar="F", help="案件表（待指派案件）")
    parser.add_argument("--lawyers", metavar="F", help="律师表（承办人员及本年已办案件数）")
    parser.add_argument("--progress", metavar="F", help="月度进度表（各月审批数、结案数）")
    parser.add_argument("--funds", metavar="F", help="经费表（各地资金）")
    parser.add_argument("--month", type=int, choices=range(1, 13), metavar="M",
                        help="当前月份（1-12）；进度表中晚于该月的数据视为错误")
    parser.set_defaults(handler=run)


def run(args) -> int:
    import sys

    from scenarios.plans import load_plan
    from scenarios.tables import load_inputs

    plan = load_plan(args.plan)
    files = {t: getattr(args, t) for t in _TABLES if getattr(args, t)}
    if not files:
        print("错误：请至少给出一个要检查的文件（--cases、--lawyers、--progress、--funds）", file=sys.stderr)
        return 2
    inputs = load_inputs(plan, as_of_month=args.month, **files)
    print(summary(inputs))
    return 0


def summary(inputs) -> str:
    """Chinese summary of validated inputs: rows per file, counts per region, findings."""
    from scenarios.schema import CASE_KINDS, LAWYER_KINDS, TABLE_LABELS

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
        lines += [f"  - {f}" for f in inputs.findings]
    return "\n".join(lines)
