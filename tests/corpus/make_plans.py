"""Corpus: plan files for a new city as staff write them — encodings, types, ranges, typos,
collisions, dates, coordinates or distances, missing rules."""

from __future__ import annotations

from pathlib import Path

GOOD = '''id = "testcity-2026"
city = "测试市"
year = 2026
title = "测试市2026年法律援助工作实施方案"
issued = 2026-03-01
inherits = "anhui"
target_total = 300

[[subtotals]]
name = "县级小计"
regions = ["jia", "yi"]
total = 250

[[regions]]
id = "centre"
name = "测试市本级"
short = ["市本级"]
level = "city"
target = 50
lat = 31.80
lon = 117.20

[[regions]]
id = "jia"
name = "甲县"
short = ["甲"]
level = "county"
target = 150
lat = 31.60
lon = 117.00

[[regions]]
id = "yi"
name = "乙区"
short = ["乙"]
level = "district"
target = 100
lat = 31.90
lon = 117.40

[rules.local_matching_per_case_min]
values = [{ since = 2026-01-01, value = 600, reference = "测试市2026 §4" }]
'''

#: (id, change (old → new, or a function of the text), status, words).
VARIANTS = [
    ("good_third_city", None, 0, ["测试市2026年法律援助工作实施方案", "沿用省级默认"]),
    ("subtotal_without_regions", ('regions = ["jia", "yi"]\ntotal = 250', "total = 250"), 2, ["[[subtotals]]", "regions"]),
    ("short_is_a_number", ('short = ["甲"]', "short = 5"), 2, ["short", "应为列表"]),
    ("year_zero", ("year = 2026", "year = 0"), 2, ["year", "不小于 2000"]),
    ("cap_zero", (None, '\n[rules.lawyer_yearly_cap]\nvalues = [{ since = 2026-01-01, value = 0, reference = "x" }]\n'),
     2, ["lawyer_yearly_cap", "不小于1的整数"]),
    ("cap_nan", (None, '\n[rules.lawyer_yearly_cap]\nvalues = [{ since = 2026-01-01, value = nan, reference = "x" }]\n'),
     2, ["lawyer_yearly_cap", "nan"]),
    ("cap_negative", (None, '\n[rules.lawyer_yearly_cap]\nvalues = [{ since = 2026-01-01, value = -5, reference = "x" }]\n'),
     2, ["-5", "不小于1的整数"]),
    ("cap_fractional", (None, '\n[rules.lawyer_yearly_cap]\nvalues = [{ since = 2026-01-01, value = 90.5, reference = "x" }]\n'),
     2, ["90.5", "整数"]),
    ("share_as_percent", (None, '\n[rules.social_lawyer_share_min]\nvalues = [{ since = 2026-01-01, value = 75, reference = "x" }]\n'),
     2, ["75", "0.75"]),
    ("lat_nan", ("lat = 31.60", "lat = nan"), 2, ["lat", "nan"]),
    ("lat_out_of_range", ("lat = 31.60", "lat = 131.6"), 2, ["lat", "不大于 90"]),
    ("typo_key", ("target = 150", "taget = 150"), 2, ["taget", "是否要写 target"]),
    ("typo_top_level_key", ("inherits = \"anhui\"", "inherit = \"anhui\""), 2, ["inherit", "是否要写 inherits"]),
    ("short_name_collision", ('short = ["乙"]', 'short = ["甲"]'), 2, ["同时属于甲县和乙区"]),
    ("since_after_plan_year", ("since = 2026-01-01, value = 600", "since = 2027-01-01, value = 600"), 2,
     ["晚于计划年度", "2026"]),
    ("name_with_slash", ('name = "乙区"', 'name = "乙区/开发区"'), 2, ["name", "/"]),
    ("no_coordinates_no_distances", ("lat = 31.60\nlon = 117.00\n", ""), 2, ["甲县缺少坐标", "distances"]),
    ("distances_instead_of_coordinates", ("lat = 31.60\nlon = 117.00\n", ""), 0, ["测试市"]),
    ("no_inherits_missing_rules", ("inherits = \"anhui\"\n", ""), 2, ["缺少规则", "lawyer_yearly_cap", "inherits"]),
    ("invalid_toml", ("target_total = 300", "target_total = = 300"), 2, ["不是有效的TOML格式", "行"]),
    ("unknown_inherits", ("inherits = \"anhui\"", "inherits = \"jiangsu\""), 2, ["找不到对应的规则文件", "anhui"]),
    ("rule_name_typo", ("[rules.local_matching_per_case_min]", "[rules.local_matching_per_case]"), 2,
     ["local_matching_per_case", "是否要写 local_matching_per_case_min"]),
    ("duplicate_region_id", ('id = "yi"', 'id = "jia"'), 2, ["jia", "重复"]),
    ("two_city_centres", ('level = "district"', 'level = "city"'), 2, ["只能有一个", "city"]),
    ("targets_not_summing", ("target_total = 300", "target_total = 310"), 2, ["300", "310"]),
    ("subtotal_wrong", ("total = 250", "total = 260"), 2, ["县级小计", "260", "250"]),
    ("delegation_unknown_region", (None, '\n[[delegations]]\nname = "开发区"\nregion = "bing"\n'), 2,
     ["代办关系“开发区”", "bing"]),
    ("level_unknown", ('level = "county"', 'level = "town"'), 2, ["level", "town"]),
    ("id_not_ascii", ('id = "jia"', 'id = "甲县"'), 2, ["id 应为小写英文字母"]),
    ("issued_as_text", ("issued = 2026-03-01", 'issued = "2026-03-01"'), 2, ["issued", "日期"]),
    ("population_negative", ("target = 150\n", "target = 150\npopulation = -3\n"), 2, ["population", "大于 0"]),
    ("rule_value_as_text", ("value = 600", 'value = "600元"'), 2, ["value", "应为数字"]),
    ("rule_without_reference", ('reference = "测试市2026 §4"', 'reference = ""'), 2, ["reference", "不能为空"]),
    ("three_problems_at_once", ("year = 2026", "year = 0"), 2, ["处问题", "year", "taget", "short"]),
]

DISTANCES = '''
[[distances]]
from = "甲县"
to = "centre"
km = 30

[[distances]]
from = "jia"
to = "乙"
km = 55
'''


def _variant(id: str, change) -> str:
    text = GOOD
    if change is None:
        return text
    old, new = change
    text = text + new if old is None else text.replace(old, new, 1)
    if id == "distances_instead_of_coordinates":
        text += DISTANCES
    if id == "three_problems_at_once":
        text = text.replace("target = 150", "taget = 150").replace('short = ["甲"]', "short = 5")
    return text


def write(files: Path, case) -> None:
    folder = files / "plans"
    folder.mkdir()
    for id, change, status, words in VARIANTS:
        text = _variant(id, change)
        assert change is None or text != GOOD, id
        path = folder / f"{id}.toml"
        path.write_text(text, encoding="utf-8")
        case(f"plan/{id}", ["plans", "show", f"{{files}}/plans/{path.name}"], status, words)
    (folder / "gbk_encoded.toml").write_bytes(GOOD.encode("gb18030"))
    case("plan/gbk_encoded", ["plans", "show", "{files}/plans/gbk_encoded.toml"], 0, ["测试市"])
    (folder / "utf8_bom.toml").write_bytes(b"\xef\xbb\xbf" + GOOD.encode("utf-8"))
    case("plan/utf8_bom", ["plans", "show", "{files}/plans/utf8_bom.toml"], 0, ["测试市"])
    (folder / "binary.toml").write_bytes(bytes(range(256)))
    case("plan/binary_file", ["plans", "show", "{files}/plans/binary.toml"], 2, ["无法按文本读取"])
    case("plan/missing_file", ["plans", "show", "{files}/plans/nothing.toml"], 2, ["找不到计划文件"])
    case("plan/third_city_check", ["check", "--plan", "{files}/plans/good_third_city.toml", "--funds",
                                   "{files}/plans/third-city-funds.csv"], 0, ["检查通过", "甲县"])
    (folder / "third-city-funds.csv").write_text("地区,中央和省级资金（元）,地方财政资金（元）\n甲,100000,100000\n乙区,80000,90000\n"
                                                 "市本级,50000,60000\n", encoding="utf-8")
