"""``legalaid verify``: check a published dispatch against its inputs and seed (a verifiable draw)."""

from __future__ import annotations

from legalaid.cli import add_subcommand


def register(sub) -> None:
    parser = add_subcommand(
        sub, "verify", "复核派案结果：由输入文件和种子重算哈希并重新派案，核对与已发布结果一致",
        "读取派案结果目录中的 summary.json（记录了输入数据和种子的 SHA-256 哈希），用给出的输入文件和种子重算哈希；"
        "一致时再重新派案，逐案核对律师与已发布的派案结果.csv 相同。退出码：0 一致，1 不一致，2 输入有误。")
    parser.add_argument("--plan", required=True, help="计划ID（如 anqing-2023）或计划文件路径")
    parser.add_argument("--cases", required=True, metavar="F", help="案件表（与派案时相同）")
    parser.add_argument("--lawyers", required=True, metavar="F", help="律师表（与派案时相同）")
    parser.add_argument("--pinned", metavar="F", help="已有指派表（若派案时给出）")
    parser.add_argument("--distances", metavar="F", help="地区间距离表（若派案时给出）")
    parser.add_argument("--expected", metavar="F", help="预计待来案件表（若派案时给出）")
    parser.add_argument("--seed", type=int, default=0, help="派案时的种子（默认 0）")
    parser.add_argument("--result", required=True, metavar="DIR", help="已发布的派案结果目录（含 summary.json）")
    parser.set_defaults(handler=run)


def run(args) -> int:
    from legalaid import api

    check = api.verify_dispatch(args.plan, args.cases, args.lawyers, args.result, pinned=args.pinned,
                                distances=args.distances, seed=args.seed, expected=args.expected)
    print(check.text)
    return 0 if check.ok else 1
