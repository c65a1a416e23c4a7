"""Corpus: budget scenario files, subsidy schedules and simulation parameter files with mistakes."""

from __future__ import annotations

from pathlib import Path

SCENARIO = '''[base]
plan = "anqing-2023"
month = 6

[[scenario]]
name = "上级资金减少20%"
upper_funds = "-20%"

[[scenario]]
name = "宿松县地方预算削减"
[scenario.regions."宿松县"]
local_funds_yuan = 400000
'''

#: (id, old, new, status, words) for scenario files (budget --scenario).
SCENARIOS = [
    ("good_scenario", None, None, 1, ["情景“上级资金减少20%”"]),
    ("nan_amount", "local_funds_yuan = 400000", "local_funds_yuan = nan", 2, ["local_funds_yuan", "nan"]),
    ("inf_change", 'upper_funds = "-20%"', "upper_funds = inf", 2, ["upper_funds"]),
    ("negative_amount", "local_funds_yuan = 400000", "local_funds_yuan = -1", 2, ["local_funds_yuan", "不小于 0"]),
    ("month_as_text", "month = 6", 'month = "六月"', 2, ["month", "应为整数"]),
    ("month_13", "month = 6", "month = 13", 2, ["month", "不大于 12"]),
    ("change_below_minus_100", '"-20%"', '"-120%"', 2, ["-120%", "大于 -100%"]),
    ("change_as_words", '"-20%"', '"减少两成"', 2, ["减少两成", "变化幅度"]),
    ("unknown_key", 'upper_funds = "-20%"', 'upper_fund = "-20%"', 2, ["upper_fund", "是否要写 upper_funds"]),
    ("unknown_table", "[base]", "[basis]", 2, ["basis", "是否要写 base"]),
    ("missing_name", 'name = "上级资金减少20%"\n', "", 2, ["缺少 name"]),
    ("duplicate_names", 'name = "宿松县地方预算削减"', 'name = "上级资金减少20%"', 2, ["情景名称重复"]),
    ("unknown_region", '"宿松县"]', '"宿宋县"]', 2, ["宿宋县", "宿松县"]),
    ("regions_not_a_table", '[scenario.regions."宿松县"]\nlocal_funds_yuan = 400000', 'regions = "宿松县"', 2,
     ["regions", "应为表"]),
    ("huge_sweep", None, '\n[sweep]\nupper_funds = [' + ", ".join(f'"{-50 + i * 0.1:.1f}%"' for i in range(1000))
     + ']\nlocal_funds = [' + ", ".join(f'"{i}%"' for i in range(30)) + ']\ncases = [' +
     ", ".join(f'"{i}%"' for i in range(30)) + ']\n', 2, ["超过上限", "100,000"]),
    ("seed_negative", "month = 6", "month = 6\nseed = -1", 2, ["seed", "不小于 0"]),
    ("invalid_toml", "month = 6", "month = 6 6", 2, ["不是有效的TOML格式"]),
]

SCHEDULE = '''name = "本县办案补贴标准"
reference = "某县司法局2026年"
paid_share = 0.9

[[items]]
id = "criminal"
label = "刑事"
kinds = ["criminal"]
litigation = true
subsidy = 1500
share = 0.3

[[items]]
id = "civil"
label = "民事行政诉讼"
kinds = ["civil", "administrative"]
litigation = true
subsidy = 1800
share = 0.6

[[items]]
id = "other"
label = "非诉讼"
kinds = ["civil", "administrative", "criminal"]
litigation = false
subsidy = 800
share = 0.1
'''

SCHEDULES = [
    ("good_schedule", None, None, 1, ["本县办案补贴标准"]),
    ("nan_subsidy", "subsidy = 1500", "subsidy = nan", 2, ["subsidy", "nan"]),
    ("negative_subsidy", "subsidy = 1500", "subsidy = -1500", 2, ["subsidy", "不小于 0"]),
    ("subsidy_as_text", "subsidy = 1500", 'subsidy = "1500元"', 2, ["subsidy", "应为数字"]),
    ("shares_not_one", "share = 0.1", "share = 0.2", 2, ["share 之和应为1"]),
    ("unknown_kind", 'kinds = ["criminal"]', 'kinds = ["tax"]', 2, ["kinds", "tax", "刑事诉讼"]),
    ("paid_share_over_one", "paid_share = 0.9", "paid_share = 9", 2, ["paid_share", "不大于 1"]),
    ("litigation_as_text", "litigation = false", 'litigation = "否"', 2, ["litigation", "true 或 false"]),
    ("no_items", SCHEDULE[SCHEDULE.index("[[items]]"):], "", 2, ["缺少 items"]),
]

PARAMS = [
    ("good_params", "[durations]\ncivil = { mean_days = 60, shape = 2 }\n", 0, ["进度预测"]),
    ("nan_weight", "[seasonality]\nweights = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, nan]\n", 2, ["weights", "nan"]),
    ("eleven_weights", "[seasonality]\nweights = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n", 2, ["weights", "12 项"]),
    ("negative_mean", "[durations]\ncivil = { mean_days = -60, shape = 2 }\n", 2, ["mean_days", "大于 0"]),
    ("share_max_two", "[rebalance]\nshare_max = 2\n", 2, ["share_max", "不大于 1"]),
    ("until_month_13", "[rebalance]\nuntil_month = 13\n", 2, ["until_month", "不大于 12"]),
    ("unknown_section", "[seasonalty]\nweights = []\n", 2, ["seasonalty", "是否要写 seasonality"]),
    ("calibrate_unknown", "[durations]\ncalibrate = \"county\"\n", 2, ["calibrate"]),
    ("mix_all_zero", "[case_mix]\ncriminal = 0\ncivil = 0\nadministrative = 0\n", 2, ["case_mix", "之和应大于0"]),
]


def _edit(text: str, old: str | None, new: str | None) -> str:
    if old is None:
        return text + (new or "")
    assert old in text, old
    return text.replace(old, new, 1)


def write(files: Path, case) -> None:
    folder = files / "toml"
    folder.mkdir()
    for id, old, new, status, words in SCENARIOS:
        (folder / f"scenario-{id}.toml").write_text(_edit(SCENARIO, old, new), encoding="utf-8")
        case(f"scenario/{id}", ["budget", "--scenario", f"{{files}}/toml/scenario-{id}.toml", "--out", "{out}"],
             status, words)
    (folder / "scenario-gbk.toml").write_bytes(SCENARIO.encode("gb18030"))
    case("scenario/gbk_encoded", ["budget", "--scenario", "{files}/toml/scenario-gbk.toml", "--out", "{out}"], 1,
         ["宿松县地方预算削减"])
    for id, old, new, status, words in SCHEDULES:
        (folder / f"schedule-{id}.toml").write_text(_edit(SCHEDULE, old, new), encoding="utf-8")
        case(f"schedule/{id}", ["budget", "--plan", "anqing-2023", "--schedule", f"{{files}}/toml/schedule-{id}.toml",
                                "--out", "{out}"], status, words)
    for id, text, status, words in PARAMS:
        (folder / f"params-{id}.toml").write_text(text, encoding="utf-8")
        case(f"params/{id}", ["project", "--plan", "anqing-2023", "--progress", "{files}/good/progress.csv",
                              "--params", f"{{files}}/toml/params-{id}.toml", "--runs", "20", "--workers", "1",
                              "--no-charts", "--out", "{out}"], status, words)
