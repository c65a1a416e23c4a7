"""``legalaid project``: will each county reach its target and the closure minimum at its current pace?"""

from __future__ import annotations

import sys

from legalaid.cli import add_subcommand, positive_int
from legalaid.commands import add_reading_options


def register(sub) -> None:
    parser = add_subcommand(
        sub, "project", "进度预测：按当前进度模拟全年，估计各地完成目标和结案率达标的概率",
        "以月度进度表中截至M月的实际数为起点，用离散事件模型（SimPy）按日模拟其余月份的审批、指派与结案，"
        "蒙特卡洛重复N次：给出各地及全市年末审批预测（均值、5%-95%区间）、完成年度目标的概率、预计年末结案率"
        "及其达到计划要求的概率、完成目标的月份，并与序时进度（M/12 × 目标）对照。给出律师表时，承办能力受"
        "年度办案上限约束。可比较市法律援助中心的调配策略（计划规定全市统筹调配时）：none 各自办理，overflow 超出承办"
        "能力时就近调派，rebalance 每月按序时进度调配案源（不超过接收地区的剩余承办能力，年末来不及结案时停止），"
        "combined 两者并用，all 全部。"
        "结果写入 --out 目录：CSV（UTF-8带BOM）、一个 xlsx（难以达标的行标红）、每个地区一张图及全市概览图。"
        "同一种子结果相同，与并行进程数无关。退出码：0 完成，2 输入有误。")
    parser.add_argument("--plan", required=True, help="计划ID（如 anqing-2023）或计划文件路径")
    parser.add_argument("--progress", required=True, metavar="F", help="月度进度表（CSV/XLSX：地区、月份、审批数、结案数）")
    parser.add_argument("--lawyers", metavar="F", help="律师表（CSV/XLSX）；不给出时不限承办能力")
    parser.add_argument("--history", metavar="F",
                        help="历年月度表（CSV/XLSX：地区、年份、月份、审批数、结案数；以往完整年份）；给出时按历年数据估计"
                             "季节性、月度波动、年内趋势误差和年末集中结案比例（各县向全市部分汇总），"
                             "不给出时按本年各月估计，区间较宽，不计年末集中结案")
    parser.add_argument("--runs", type=positive_int, default=1000, metavar="N", help="模拟次数（默认 1000）")
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="随机种子（默认 0）")
    parser.add_argument("--month", type=int, choices=range(1, 13), metavar="M",
                        help="截至月份（1-12，默认进度表中最后一个月）；进度表不能有更晚月份的数据")
    parser.add_argument("--policy", choices=["none", "overflow", "rebalance", "combined", "all"], default="none",
                        help="调配策略：none 各自办理（默认）、overflow 就近调派、rebalance 按序时进度调配、"
                             "combined 两者并用、all 全部比较")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--workers", type=positive_int, metavar="K", help="本机并行进程数（默认：可用CPU数）")
    group.add_argument("--scheduler", metavar="ADDR", help="Dask 集群调度器地址（如 tcp://10.0.0.5:8786；需安装 dask）")
    parser.add_argument("--params", metavar="F.toml",
                        help="模型参数文件（季节性、案件结构、办案时长、调配规则；默认：内置参数）")
    parser.add_argument("--deterministic", action="store_true", help="确定性测算：按期望值推演一次（无随机波动）")
    parser.add_argument("--no-charts", action="store_true", help="不生成图表")
    parser.add_argument("--out", required=True, help="输出目录")
    add_reading_options(parser)
    parser.set_defaults(handler=run)


def run(args) -> int:
    from legalaid import api
    from legalaid.console import progress_bar
    from legalaid.report.projection import describe, write
    from simulation import SimulationParams
    from simulation.montecarlo import default_workers

    plan = api.load_plan(args.plan)
    inputs = api.read_inputs(plan, progress=args.progress, lawyers=args.lawyers, history=args.history,
                             month=args.month, cumulative=args.cumulative, sheet=args.sheet)
    params = SimulationParams.from_toml(args.params) if args.params else SimulationParams.default()
    runs = args.runs
    if args.deterministic:
        params, runs = params.with_(deterministic=True), 1
    workers = args.workers or default_workers()
    try:
        with progress_bar(runs) as bar:
            result = api.project(plan, inputs.progress, inputs.lawyers, runs=runs, seed=args.seed, month=args.month,
                                 policies=args.policy, workers=workers, scheduler=args.scheduler, params=params,
                                 on_chunk=bar, history=inputs.history)
    except ImportError:
        print("错误：使用 --scheduler 需要安装 dask[distributed]（pip install 'legalaid[dask]'）", file=sys.stderr)
        return 2
    except OSError as exc:
        if args.scheduler:
            print(f"错误：无法连接 Dask 调度器 {args.scheduler}（{exc}）", file=sys.stderr)
            return 2
        raise
    out = write(result, args.out, charts=not args.no_charts)
    print(describe(result))
    if inputs.findings:
        print(f"提示：律师表有{len(inputs.findings)}名承办人已超过年度办案上限，不再计入剩余承办能力"
              "（详见 legalaid check）。")
    where = f"Dask {args.scheduler}" if args.scheduler else f"{workers}个进程"
    print(f"模拟 {result.runs} 次 × {len(result.policies)} 种策略，用时 {result.seconds:.1f} 秒（{where}）。")
    print(f"结果已写入：{out}")
    return 0
