"""A commented plan file for a new city (``legalaid plans new``): fill in the numbers and it loads."""

from __future__ import annotations

import re

_ID = re.compile(r"[^a-z0-9]+")


def _region_block(index: int, name: str, level: str) -> str:
    return f'''[[regions]]
id = "r{index:02d}"            # 英文小写编号，填表时也可用（可改为拼音，如 "susong"）
name = "{name}"
short = []                  # 其他写法，如 ["{name[:-1] if len(name) > 2 else name}"]；不能与其他地区重复
level = "{level}"           # city（市本级）、district（市辖区）、county（县、县级市）
target = 0                  # 年度目标任务数（件/年），各地区之和应等于 target_total
# lat = 31.00               # 县城（政府驻地）纬度；给出 [[distances]] 时可不填
# lon = 117.00              # 县城经度
# population = 0            # 常住人口（人，可不填；填写后计算每10万人供给量）
'''


def plan_template(city: str, year: int, regions: list[str]) -> str:
    """The TOML text of a plan for ``city`` in ``year`` with a city centre and ``regions``."""
    blocks = [_region_block(0, f"{city}本级", "city")]
    for i, name in enumerate(regions, start=1):
        blocks.append(_region_block(i, name, "district" if name.endswith("区") else "county"))
    return f'''# {city}{year}年法律援助工作实施方案 —— 计划文件（由 legalaid plans new 生成，请按方案原文填写）
#
# 填写后用 `legalaid plans show 本文件` 检查；有误时会一次列出所有问题。
# 每个数字都应能在方案原文中找到出处（写在 reference / target_reference 中）。

id = "{city}-{year}"           # 计划编号（也可改为英文，如 "hefei-{year}"）
city = "{city}"
year = {year}
title = "{city}{year}年法律援助工作实施方案"
document = ""               # 文号，如 "X司通〔{year}〕N号"
issuer = ""                 # 印发单位
issued = {year}-01-01       # 印发日期
inherits = "anhui"          # 方案未规定的规则沿用安徽省默认规则（90件上限、75%、70%、80%、1:1）
target_reference = ""       # 目标任务出处，如 "方案附件（目标任务分解表）"
target_total = 0            # 全市目标任务合计（件）
population_reference = ""   # 人口数据出处（可不填）

{chr(10).join(blocks)}
# 没有坐标时，可直接给出地区间距离（公里），用于跨区调配：
# [[distances]]
# from = "r01"
# to = "r02"
# km = 35.0

# 方案自己规定的规则（写在这里的值优先于省级默认），例如：
# [rules.local_matching_per_case_min]
# values = [{{ since = {year}-01-01, value = 600, reference = "方案第X条" }}]
'''
