"""The dispatch report: reasons and rules in words, Chinese tables, summary.json, terminal text."""

from __future__ import annotations

import pandas as pd

from allocation import DispatchResult
from allocation.model import LEVELS as ENGINE_LEVELS
from legalaid.report.labels import CASE_KINDS, INSTANCES, LAWYER_KINDS, YES_NO
from legalaid.report.writers import Sheet
from scenarios import law

WORKBOOK = "派案结果.xlsx"
SUMMARY = "summary.json"
STATUS_TEXT = {"optimal": "已求得最优解（各级目标均已证明最优）", "feasible": "可行解（未证明最优）",
               "infeasible": "无可行解"}
LEVEL_TEXT = {
    "unassigned": ("未指派案件数", "件"),
    "cross_region": ("跨区调配案件数", "件"),
    "pace": ("跨区调配至未落后序时进度地区的案件数", "件"),
    "reserve": ("占用为年内后续案件预留额度的案件数", "件"),
    "distance": ("调配总距离", "公里"),
    "social": ("各县（市、区）社会律师占比缺口合计", "件"),
    "same_firm": ("同案被告人同所重复", "人次"),
    "balance": ("负荷均衡（调配后各承办人办案数平方和）", "件²"),
}
#: Names of the blocking rules.
RULE_NAMES = {"cap": "年度承办上限", "codefendants": "同案被告人须由不同律师辩护", "nobody": "无可指派人员",
              "qualification": "承办律师资质要求", "conflict": "利益冲突回避", "other": "其他"}
#: Why a recipient's choice (点援) or the earlier-stage lawyer was not kept (``allocation.requests``).
REFUSAL_TEXT = {"unavailable": "该律师不可指派", "grassroots_criminal": "基层法律服务工作者不得担任刑事辩护人",
                "unqualified": "该律师不具备本案要求的资质", "conflict": "该律师与本案存在利益冲突，应当回避",
                "full": "该律师已达年度承办上限（或余量已由更早的案件使用）", "codefendant": "该律师已为本案其他被告人辩护"}
#: What a case needs (bits of ``allocation.legal``).
NEEDS_TEXT = {1: "可能判处无期徒刑、死刑或死刑复核案件，须由具有三年以上刑事辩护经历的律师辩护",
              2: "未成年人刑事案件，须由熟悉未成年人身心特点的律师辩护"}
LEVELS = tuple(ENGINE_LEVELS)
assert set(LEVELS) == set(LEVEL_TEXT), "every objective level has its words"


def _cross_text(code: str, here: str, lawyer_kind: str) -> str:
    """What the administering region lacked (reason codes of ``allocation.explain``)."""
    text = {
        "no_social": f"{here}没有可指派的社会律师",
        "social_full": f"{here}社会律师额度已满",
        "no_defender": f"{here}没有可担任刑事辩护人的律师",
        "no_handler": f"{here}没有可指派的承办人员",
        "defenders_full": f"{here}可担任刑事辩护人的律师额度已满",
        "handlers_full": f"{here}可承办的律师额度已满",
        "kind_full": f"{here}{LAWYER_KINDS[lawyer_kind]}额度已满",
        "codefendants": f"{here}尚有余量的律师均已为本案其他被告人辩护",
        "no_qualified": f"{here}尚有余量的律师均不具备本案要求的资质",
        "conflict": f"{here}尚有余量的律师均与本案存在利益冲突（回避）",
    }[code]
    return text


def reason_text(result: DispatchResult, row) -> str:
    """Why one case went to its lawyer (a row of ``result.assignments``)."""
    if row.reason == "pinned":
        return "保留已有指派"
    plan = result.plan
    if row.reason in ("requested", "continuity"):
        what = "受援人选择的律师（点援），符合指派规则，予以指派" if row.reason == "requested" else \
            "由前一诉讼阶段的承办律师继续承办（诉讼阶段衔接）"
        return "；".join([what, *_needs(row.needs)])
    here = "市本级" if row.centre == plan.city_centre.id else "本地"
    tiered = row.instance == "second" and row.centre == plan.city_centre.id
    parts = [f"二审案件由市法律援助中心指派（分级管辖，{plan.tiered_reference}）"] if tiered else []
    if row.reason == "local":
        parts.append(f"{here}{'基层法律服务工作者' if row.lawyer_kind == 'grassroots' else '律师'}")
    else:
        why = _cross_text(row.reason, here, row.lawyer_kind)
        reference = plan.provision("city_wide_dispatch")
        toward = "" if not row.toward_behind else (
            f"（该地区落后序时进度、案源不足，按全市统筹调配优先调往，{reference}）" if reference
            else "（该地区落后序时进度、案源不足，优先调往）")
        parts.append(f"{why}，跨区调配至{plan.region(row.lawyer_region).name}{toward}")
    if row.group_size:
        parts.append(f"同案被告人须由不同律师辩护（本案{row.group_size}名被告人）")
    parts += _needs(row.needs)
    if row.refused:
        asked = "受援人选择的律师" if row.asked == "requested" else "前一阶段的承办律师"
        parts.append(f"未能指派{asked}：{REFUSAL_TEXT[row.refused]}")
    return "；".join(parts)


def _needs(bits: int) -> list[str]:
    return [text for bit, text in NEEDS_TEXT.items() if int(bits) & bit]


def reason_texts(result: DispatchResult) -> list[str]:
    """The reason of every assigned case, in the order of ``result.assignments``."""
    columns = ["reason", "centre", "instance", "lawyer_kind", "lawyer_region", "toward_behind", "group_size", "needs",
               "asked", "refused"]
    memo: dict[tuple, str] = {}
    out = []
    for row in result.assignments[columns].itertuples(index=False):
        if row not in memo:
            memo[row] = reason_text(result, row)
        out.append(memo[row])
    return out


def blocking_text(result: DispatchResult, row) -> str:
    """Why one case could not be placed (a row of ``result.unassigned``)."""
    criminal = row.kind == "criminal"
    if row.rule == "other":
        return "按规则应可指派却未指派（请报告此问题）"
    if row.rule == "nobody":
        who = "可担任刑事辩护人的律师" if criminal else "律师或基层法律服务工作者"
        return f"全市没有可指派的{who}（律师表中没有，或均标为不可指派）"
    if row.rule == "qualification":
        return "全市尚有余量的律师均不具备本案要求的资质（" + "；".join(_needs(row.needs)) + f"，{row.citation}）"
    if row.rule == "conflict":
        return f"全市尚有余量、可承办本案的{row.candidates}名律师均与本案存在利益冲突，应当回避（{law.CONFLICT}）"
    if row.rule == "codefendants":
        return f"全市尚有余量的可担任刑事辩护人的律师共{row.candidates}名，均已为本案其他被告人辩护"
    if not criminal:
        return f"全市律师及基层法律服务工作者均已达到年度承办上限{result.cap}件"
    text = f"全市可担任刑事辩护人的律师均已达到年度承办上限{result.cap}件"
    if row.grassroots_room:
        text += f"；基层法律服务工作者尚有余量，但不得担任刑事辩护人（{law.DEFENCE}）"
    return text


def _name(result: DispatchResult):
    names = {r.id: r.name for r in result.plan.regions}
    return names.__getitem__


def assignments_table(result: DispatchResult) -> pd.DataFrame:
    """派案结果 with Chinese headers and values."""
    a, name = result.assignments, _name(result)
    return pd.DataFrame({
        "案件编号": a["case_id"], "案件所在地区": a["region"].map(name), "管辖机构": a["centre"].map(name),
        "代办乡镇": a["township"],
        "案件类型": a["kind"].map(CASE_KINDS), "审级": a["instance"].map(INSTANCES), "同案编号": a["group_id"],
        "律师编号": a["lawyer_id"], "人员类别": a["lawyer_kind"].map(LAWYER_KINDS), "所在律所": a["firm"],
        "律师所在地区": a["lawyer_region"].map(name), "是否跨区": a["cross_region"].map(YES_NO),
        "调配距离（公里）": a["km"],
        "指派方式": a["placed_by"].map({"pinned": "保留已有指派", "requested": "点援（受援人选择）",
                                     "continuity": "前一阶段律师继续承办", "": "本次指派"}),
        "指派理由": pd.Series(reason_texts(result), index=a.index, dtype=object),
    })


def unassigned_table(result: DispatchResult) -> pd.DataFrame:
    """未指派案件 with the blocking rule."""
    u, name = result.unassigned, _name(result)
    return pd.DataFrame({
        "案件编号": u["case_id"], "案件所在地区": u["region"].map(name), "管辖机构": u["centre"].map(name),
        "案件类型": u["kind"].map(CASE_KINDS), "审级": u["instance"].map(INSTANCES), "同案编号": u["group_id"],
        "指派期限": pd.to_datetime(u["deadline"]).dt.strftime("%Y-%m-%d").fillna(""),
        "受阻规则": u["rule"].map(RULE_NAMES), "规则出处": u["citation"],
        "说明": pd.Series([blocking_text(result, r) for r in u.itertuples(index=False)], index=u.index, dtype=object),
    })


def loads_table(result: DispatchResult) -> pd.DataFrame:
    """律师负荷: before, pinned, new, after, cap, headroom, utilisation."""
    lo, name = result.loads, _name(result)
    return pd.DataFrame({
        "律师编号": lo["lawyer_id"], "地区": lo["region"].map(name), "人员类别": lo["kind"].map(LAWYER_KINDS),
        "所在律所": lo["firm"], "可指派": lo["available"].map(YES_NO),
        "本年已办（件）": lo["handled_this_year"], "保留指派（件）": lo["pinned"], "本次新指派（件）": lo["new"],
        "调配后合计（件）": lo["after"], "年度上限（件）": lo["cap"], "剩余额度（件）": lo["headroom"],
        "利用率": (lo["utilisation"] * 100).round(1).astype(str) + "%",
    })


def by_region_table(result: DispatchResult) -> pd.DataFrame:
    """分地区统计: cases administered by each centre, local, cross-region, unassigned."""
    b = result.by_region
    return pd.DataFrame({"管辖机构": b["centre"].map(_name(result)), "案件数（件）": b["cases"],
                         "本地承办（件）": b["local"], "跨区调配（件）": b["cross_region"],
                         "保留已有指派（件）": b["pinned"], "未指派（件）": b["unassigned"]})


def social_table(result: DispatchResult) -> pd.DataFrame:
    """社会律师占比（分地区）: each county's share on its handlers' cases this year, the shortfall and
    the social-lawyer slots that would close it (安庆2023 §6(2), per 本地区)."""
    t = result.social.by_region
    if t is None or not len(t):
        return pd.DataFrame(columns=["地区", "本年案件（件）", "其中社会律师（件）", "占比", "要求（件）", "缺口（件）",
                                     "补足需增加社会律师名额（件）", "本批内无法补足（件）"])
    return pd.DataFrame({"地区": t["region"].map(_name(result)), "本年案件（件）": t["year_cases"],
                         "其中社会律师（件）": t["year_social_cases"],
                         "占比": (t["share"] * 100).round(1).astype(str) + "%", "要求（件）": t["required"],
                         "缺口（件）": t["shortfall"], "补足需增加社会律师名额（件）": t["close_slots"],
                         "本批内无法补足（件）": t["close_remaining"]})


def diagnosis_notes(result: DispatchResult) -> list[str]:
    """One sentence per (region, kind) needing extra slots."""
    notes = []
    for r in result.diagnosis.itertuples(index=False):
        label = LAWYER_KINDS[r.kind]
        note = f"在{result.plan.region(r.region).name}增加{label}承办名额{r.slots}件"
        if r.codefendant_slots:
            note += f"（其中同案被告人{r.codefendant_slots}件，须由不同律师承办）"
        notes.append(note + f"，至少需新增或调入{r.min_new_lawyers}名{label}")
    return notes


def diagnosis_table(result: DispatchResult) -> pd.DataFrame:
    """诊断: the least extra capacity that would place every case."""
    rows = []
    for r, note in zip(result.diagnosis.itertuples(index=False), diagnosis_notes(result), strict=True):
        label = LAWYER_KINDS[r.kind]
        rows.append({"地区": result.plan.region(r.region).name, "人员类别": label, "需增加名额（件）": r.slots,
                     "其中同案被告人（件）": r.codefendant_slots, "至少新增人数（人）": r.min_new_lawyers, "说明": note})
    for rule, count in result.binding_rules.items():
        rows.append({"说明": f"受阻规则：{RULE_NAMES[rule]}（{count}件）"})
    columns = ["地区", "人员类别", "需增加名额（件）", "其中同案被告人（件）", "至少新增人数（人）", "说明"]
    return pd.DataFrame(rows, columns=columns).astype(object).fillna("")


def sheets(result: DispatchResult) -> list[Sheet]:
    """The report's tables in reading order (Chinese names and headers)."""
    loads = loads_table(result)
    over = pd.Series((result.loads["headroom"] < 0).to_numpy(), index=loads.index)
    out = [Sheet("派案结果", assignments_table(result)), Sheet("未指派案件", unassigned_table(result)),
           Sheet("律师负荷", loads, over), Sheet("分地区统计", by_region_table(result)),
           Sheet("社会律师占比", social_table(result))]
    if len(result.diagnosis):
        out.append(Sheet("诊断", diagnosis_table(result)))
    return out


def status_text(result: DispatchResult) -> str:
    """The solver status in words, with the unassigned count when any."""
    extra = f"；另有{len(result.unassigned)}件在现行规则和现有人员下无法指派（见诊断）" if len(result.unassigned) else ""
    return STATUS_TEXT[result.status] + extra


def headline(result: DispatchResult) -> dict:
    """Key figures: cases, assigned, cross_region, unassigned, status (Chinese), social_share."""
    return {"cases": len(result.assignments) + len(result.unassigned), "assigned": result.new_assignments,
            "cross_region": result.cross_region_cases, "unassigned": len(result.unassigned),
            "status": STATUS_TEXT[result.status], "social_share": result.social.achieved}
