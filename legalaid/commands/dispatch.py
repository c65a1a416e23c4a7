"""``legalaid dispatch``: assign a batch of cases to lawyers across the city (issue 3)."""

from __future__ import annotations

from legalaid.cli import add_subcommand


def register(sub) -> None:
    parser = add_subcommand(
        sub, "dispatch", "案件指派：全市统筹把待指派案件派给律师（最优、守规则、说明理由）",
        "把一批待指派案件（一天的或全年的）派给律师：遵守年度承办上限、基层法律服务工作者不办刑事案件、"
        "同案被告人由不同律师辩护、一审由县级二审由市法律援助中心管辖、已有指派保持不变；在此前提下依次"
        "使未指派案件最少、跨区调配最少（本地人员无法承办时才跨区）、跨区时优先调往落后序时进度的地区、调配距离最短、"
        "各县（市、区）社会律师办案占比（在本地承办人员中选择）缺口最小、同案被告人尽量不在同一律所、"
        "负荷最均衡，每一级都求得并证明最优。结果写入 --out 目录：派案结果、未指派案件（及受阻规则）、"
        "律师负荷、分地区统计、诊断（有未指派案件时：最少需增加哪个地区哪类律师多少名额）的 CSV"
        "（UTF-8带BOM）和一个 xlsx，以及 summary.json。退出码：0 全部指派，1 有未指派案件，2 输入有误；"
        "社会律师占比按县（市、区）在年底对已结案件考核，缺口只作提示（并给出补足所需的社会律师名额），不影响退出码。")
    parser.add_argument("--plan", required=True, help="计划ID（如 anqing-2023）或计划文件路径")
    parser.add_argument("--cases", required=True, metavar="F", help="案件表（待指派案件，CSV/XLSX）")
    parser.add_argument("--lawyers", required=True, metavar="F", help="律师表（承办人员及本年已办案件数）")
    parser.add_argument("--pinned", metavar="F", help="已有指派表（列：案件编号、律师编号），保持不变并计入上限")
    parser.add_argument("--distances", metavar="F",
                        help="地区间距离表（列：起点、终点、距离（公里）；按地区名或ID；只给一个方向视为双向）；"
                             "不给出时按各县城坐标估算直线距离")
    parser.add_argument("--previous", metavar="F",
                        help="此前的派案结果（派案结果.csv）：重新测算时原有指派保持不变，只重新指派 --release 列出的案件、"
                             "律师已不可指派的案件和新案件")
    parser.add_argument("--release", metavar="编号", default="", help="重新测算时放开重新指派的案件编号（用、或逗号分隔）")
    parser.add_argument("--expected", metavar="F",
                        help="预计待来案件表（legalaid project 输出的 预计待来案件.csv；列：地区、案件类型、预计案件数）："
                             "本批派案为本年尚未到来的案件预留本地承办余量（不因预留而不派或跨区派案）")
    parser.add_argument("--out", required=True, help="输出目录")
    parser.add_argument("--seed", type=int, default=0, help="同等条件律师之间的排序种子（默认 0；同输入同种子结果相同）")
    parser.set_defaults(handler=run)


def run(args) -> int:
    from allocation.legal import split_ids
    from legalaid import api
    from legalaid.report.dispatch_summary import describe, write

    result = api.dispatch(args.plan, args.cases, args.lawyers, pinned=args.pinned, distances=args.distances,
                          seed=args.seed, previous=args.previous, release=split_ids(args.release), expected=args.expected)
    out = write(result, args.out)
    print(describe(result))
    print(f"结果已写入：{out}")
    return 0 if result.all_assigned else 1
