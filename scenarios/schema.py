"""The four input tables: canonical columns, the headers users write, and the values allowed.

This module is the contract between the readers (``scenarios.tables``) and the engines. After
reading, every table is a pandas DataFrame with exactly the canonical columns below, in this
order, with these dtypes; region is always a region id of the plan.

cases    : case_id str, region str, kind {criminal, civil, administrative}, instance {first,
           second}, litigation bool, group_id str ("" when none), received datetime64[s] (NaT
           when not given)
lawyers  : lawyer_id str, region str, kind {social, staff, grassroots}, firm str ("" when
           none), handled_this_year int (件, already handled this year), available bool
progress : region str, month int 1-12, approved int, closed int (that month's counts 件); optional
    closed_litigation, closed_social int (of that month's closures: litigation cases, and cases
    handled by social lawyers; 安庆2023方案六（二） shares of closed cases)
history  : region str, year int, month int 1-12, approved int, closed int: earlier complete years,
           the progress format plus a year column (optional; the projection's seasonality,
           overdispersion and drifts are estimated from it)
funds    : region str, upper_funds float (元, central+provincial), local_funds float (元),
           planned_cases, arrived, spent, subsidy_spent float (元 or 件; NaN when not given)
"""

from __future__ import annotations

from dataclasses import dataclass

from scenarios.vocab import CASE_CATEGORIES, CASE_KINDS, INSTANCES, LAWYER_KINDS, STAGES

__all__ = ["CASE_KINDS", "INSTANCES", "LAWYER_KINDS", "OPTIONAL_DISPATCH", "TABLES", "TABLE_LABELS", "WRITTEN_BY_THE_TOOL", "Column", "chinese_headers", "columns"]


@dataclass(frozen=True)
class Column:
    """One canonical column.

    Attributes
    ----------
    name : canonical (English) name.
    label : Chinese header used when writing the table.
    aliases : other headers accepted on input (English and Chinese).
    kind : "id", "region", "enum", "bool", "int", "money", "date", "text".
    required : the header must be present.
    choices : for "enum": canonical value -> accepted spellings.
    default : value of a blank cell or a missing optional column (None: the kind's default —
        "" for text, NaT for dates, 是 for bool, NA for numbers).
    """

    name: str
    label: str
    aliases: tuple[str, ...]
    kind: str
    required: bool = True
    choices: tuple[tuple[str, tuple[str, ...]], ...] = ()
    default: object = None


YES = ("yes", "y", "true", "1", "是", "有", "√")
NO = ("no", "n", "false", "0", "否", "无", "×")


_REGION_ALIASES = ("region", "county", "地区", "县区", "县（市、区）", "所属地区", "法律援助机构", "管辖地区")

#: The case-kind column (cases table and expected-demand table).
_CASE_KIND = Column("kind", "案件类型", ("kind", "type", "案件类型", "类型"), "enum",
                    choices=(("criminal", ("criminal", "刑事", "刑事案件")),
                             ("civil", ("civil", "民事", "民事案件")),
                             ("administrative", ("administrative", "行政", "行政案件", "国家赔偿"))))

TABLES: dict[str, tuple[Column, ...]] = {
    "cases": (
        Column("case_id", "案件编号", ("case_id", "id", "案件编号", "案号", "编号"), "id"),
        Column("region", "地区", _REGION_ALIASES, "region"),
        _CASE_KIND,
        Column("instance", "审级", ("instance", "审级", "审理程序"), "enum",
               choices=(("first", ("first", "1", "一审", "第一审")), ("second", ("second", "2", "二审", "第二审")))),
        Column("litigation", "是否诉讼", ("litigation", "是否诉讼", "诉讼"), "bool"),
        Column("group_id", "同案编号", ("group_id", "group", "同案编号", "团伙编号", "共同犯罪编号"), "text", required=False),
        Column("received", "受理日期", ("received", "date", "受理日期", "收案日期", "申请日期"), "date", required=False),
        # optional columns of dispatch (issue 13); see docs/dispatch-law.md
        Column("category", "案件类别", ("category", "案件类别", "分级管辖类别"), "enum", required=False, default="",
               choices=tuple((code, (word, f"{word}案件")) for code, word in CASE_CATEGORIES.items())),
        Column("stage", "诉讼阶段", ("stage", "诉讼阶段", "办案阶段"), "enum", required=False, default="",
               choices=tuple((code, (word, f"{word}阶段")) for code, word in STAGES.items())),
        Column("severe", "可能判处无期徒刑死刑", ("severe", "可能判处无期徒刑死刑", "可能判处无期徒刑、死刑",
                                            "可能判处无期徒刑或死刑"), "bool", required=False, default=False),
        Column("minor", "未成年人", ("minor", "未成年人", "是否未成年人", "未成年人案件"), "bool", required=False,
               default=False),
        Column("specialty", "案件领域", ("specialty", "案件领域", "专业领域", "案由类别"), "text", required=False),
        Column("requested_lawyer", "受援人选择的律师", ("requested_lawyer", "受援人选择的律师", "点援律师", "申请指派律师"),
               "text", required=False),
        Column("previous_lawyer", "前一阶段律师", ("previous_lawyer", "前一阶段律师", "原承办律师"), "text",
               required=False),
        Column("opposing_lawyers", "对方代理律师", ("opposing_lawyers", "对方代理律师", "对方律师"), "text",
               required=False),
        Column("opposing_firm", "对方律所", ("opposing_firm", "对方律所", "对方律师事务所"), "text", required=False),
        Column("excluded_lawyers", "回避律师", ("excluded_lawyers", "回避律师", "应回避律师"), "text", required=False),
        Column("township", "代办乡镇", ("township", "代办乡镇", "代办地"), "text", required=False),
        Column("decided", "决定援助日期", ("decided", "决定援助日期", "给予法律援助决定日期", "审批日期"), "date",
               required=False),
    ),
    "lawyers": (
        Column("lawyer_id", "律师编号", ("lawyer_id", "id", "律师编号", "人员编号", "编号"), "id"),
        Column("region", "地区", _REGION_ALIASES, "region"),
        Column("kind", "人员类别", ("kind", "type", "人员类别", "类别", "类型"), "enum",
               choices=(("social", ("social", "社会律师", "律师", "执业律师")),
                        ("staff", ("staff", "法援律师", "法援中心律师", "公职律师", "法律援助中心律师")),
                        ("grassroots", ("grassroots", "基层法律服务工作者", "基层法律工作者", "基层")))),
        Column("firm", "所在律所", ("firm", "所在律所", "律所", "律师事务所", "执业机构"), "text", required=False),
        Column("handled_this_year", "本年已办案件", ("handled_this_year", "handled", "本年已办案件", "本年已办",
                                                     "已办案件数", "本年已承办"), "int"),
        Column("available", "可指派", ("available", "可指派", "是否可指派", "是否可用", "在岗"), "bool", required=False),
        # optional columns of dispatch (issue 13); see docs/dispatch-law.md
        Column("criminal_years", "刑事辩护执业年限", ("criminal_years", "刑事辩护执业年限", "刑辩年限", "刑事辩护年限"), "int",
               required=False, default=0),
        Column("minors", "熟悉未成年人案件", ("minors", "熟悉未成年人案件", "未成年人案件经验", "擅长未成年人案件"), "bool",
               required=False, default=False),
        Column("specialties", "专业特长", ("specialties", "专业特长", "擅长领域"), "text", required=False),
        Column("years", "执业年限", ("years", "执业年限", "执业年数"), "int", required=False, default=0),
        Column("last_assigned", "最近一次指派日期", ("last_assigned", "最近一次指派日期", "上次指派日期"), "date",
               required=False),
    ),
    "progress": (
        Column("region", "地区", _REGION_ALIASES, "region"),
        Column("month", "月份", ("month", "月份", "月"), "int"),
        Column("approved", "审批数", ("approved", "审批数", "批准数", "审批案件数", "当月审批"), "int"),
        Column("closed", "结案数", ("closed", "结案数", "办结数", "结案案件数", "当月结案"), "int"),
        Column("closed_litigation", "结案中诉讼案件数", ("closed_litigation", "结案中诉讼案件数", "诉讼案件结案数",
                                                          "结案中诉讼案件", "诉讼结案数"), "int", required=False),
        Column("closed_social", "结案中社会律师办理数", ("closed_social", "结案中社会律师办理数", "社会律师办结数",
                                                        "社会律师结案数", "结案中社会律师办理"), "int", required=False),
    ),
    "history": (
        Column("region", "地区", _REGION_ALIASES, "region"),
        Column("year", "年份", ("year", "年份", "年度", "年"), "int"),
        Column("month", "月份", ("month", "月份", "月"), "int"),
        Column("approved", "审批数", ("approved", "审批数", "批准数", "审批案件数", "当月审批"), "int"),
        Column("closed", "结案数", ("closed", "结案数", "办结数", "结案案件数", "当月结案"), "int"),
    ),
    # cases still to come this year per county and kind (written by `legalaid project` as
    # 预计待来案件.csv; `legalaid dispatch --expected` keeps room for them, allocation.ahead)
    "expected": (
        Column("region", "地区", _REGION_ALIASES, "region"),
        _CASE_KIND,
        Column("cases", "预计案件数", ("cases", "预计案件数", "预计待来案件数", "预计来案数"), "int"),
    ),
    "funds": (
        Column("region", "地区", _REGION_ALIASES, "region"),
        Column("upper_funds", "中央和省级资金（元）", ("upper_funds", "中央和省级资金（元）", "中央和省级资金", "中央省级资金",
                                                    "上级资金"), "money"),
        Column("local_funds", "地方财政资金（元）", ("local_funds", "地方财政资金（元）", "地方财政资金", "地方配套资金",
                                                  "地方资金"), "money"),
        Column("planned_cases", "计划案件数", ("planned_cases", "计划案件数", "预算案件数"), "money", required=False),
        Column("arrived", "到位资金（元）", ("arrived", "到位资金（元）", "到位资金", "资金到位"), "money", required=False),
        Column("spent", "已支出（元）", ("spent", "已支出（元）", "已支出", "支出", "业务经费支出"), "money", required=False),
        Column("subsidy_spent", "办案补贴及直接费用（元）", ("subsidy_spent", "办案补贴及直接费用（元）", "办案补贴及直接费用",
                                                          "办案补贴"), "money", required=False),
    ),
}

#: Optional columns the dispatcher reads (table -> names); absent columns take their defaults.
OPTIONAL_DISPATCH = {
    "cases": ("category", "stage", "severe", "minor", "specialty", "requested_lawyer", "previous_lawyer",
              "opposing_lawyers", "opposing_firm", "excluded_lawyers", "township", "decided"),
    "lawyers": ("criminal_years", "minors", "specialties", "years", "last_assigned"),
}

#: Chinese name of each table, for messages.
TABLE_LABELS = {"cases": "案件表", "lawyers": "律师表", "progress": "月度进度表", "funds": "经费表",
                "history": "历年月度表", "expected": "预计待来案件表"}

#: Tables the tool writes for another command to read, not filled in by hand (no 填报模板 sheet).
WRITTEN_BY_THE_TOOL = ("expected",)


def columns(table: str, optional: bool = False) -> list[str]:
    """Canonical column names of ``table`` in order; with ``optional``, the dispatcher's optional
    columns (``OPTIONAL_DISPATCH``) too."""
    extra = () if optional else OPTIONAL_DISPATCH.get(table, ())
    return [c.name for c in TABLES[table] if c.name not in extra]


def chinese_headers(table: str) -> dict[str, str]:
    """Canonical name -> Chinese header, for writing a table users read."""
    return {c.name: c.label for c in TABLES[table]}
