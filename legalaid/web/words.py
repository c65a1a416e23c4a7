"""The Chinese the web pages add on top of ``legalaid.report``: case rows, overrides, candidates, notices."""

from __future__ import annotations

import pandas as pd

from legalaid.report import dispatch as dispatch_report
from legalaid.report.labels import CASE_KINDS, INSTANCES, LAWYER_KINDS, YES_NO

CASE_KIND_CHOICES = list(CASE_KINDS.items())
#: The assignment notice's legal basis (司法部《办理法律援助案件程序规定》, 2023).
NOTICE_BASIS = ("根据司法部《办理法律援助案件程序规定》第二十四条，现指派下列法律援助案件由贵所（贵单位）安排承办；"
                "请依第二十七条自收到指派之日起五日内与受援人或者其法定代理人、近亲属签订委托协议和授权委托书。")
VERDICTS = {"better": "更优", "worse": "更差", "mixed": "有得有失", "equal": "相当"}


def _name(plan):
    names = {r.id: r.name for r in plan.regions}
    return lambda rid: names.get(rid, rid)


def case_frame(result) -> pd.DataFrame:
    """Every case (assigned then unassigned) with lawyer, km, cross-region flag and reason."""
    a = dispatch_report.assignments_table(result)
    u = dispatch_report.unassigned_table(result)
    keep = ["案件编号", "案件所在地区", "管辖机构", "案件类型", "审级", "同案编号"]
    assigned = a[[*keep, "律师编号", "人员类别", "所在律所", "律师所在地区", "是否跨区", "调配距离（公里）", "指派理由"]].copy()
    assigned["_unassigned"] = False
    assigned["_region"] = result.assignments["region"].to_numpy()
    assigned["_kind"] = result.assignments["kind"].to_numpy()
    left = u[keep].copy()
    for col, value in (("律师编号", "（未指派）"), ("人员类别", ""), ("所在律所", ""), ("律师所在地区", ""), ("是否跨区", ""),
                       ("调配距离（公里）", "")):
        left[col] = value
    left["指派理由"] = "未能指派：" + u["受阻规则"].astype(str) + "。" + u["说明"].astype(str)
    left["_unassigned"] = True
    left["_region"] = result.unassigned["region"].to_numpy()
    left["_kind"] = result.unassigned["kind"].to_numpy()
    return pd.concat([assigned, left], ignore_index=True)


def filter_cases(frame: pd.DataFrame, *, region: str, kind: str, only: str, q: str) -> pd.DataFrame:
    """The rows a filter keeps: county (case region), kind, unassigned / cross-region / adjusted only, id search."""
    mask = pd.Series(True, index=frame.index)
    if region:
        mask &= frame["_region"] == region
    if kind:
        mask &= frame["_kind"] == kind
    if only == "unassigned":
        mask &= frame["_unassigned"]
    elif only == "cross":
        mask &= frame["是否跨区"] == "是"
    elif only == "adjusted":
        mask &= frame["人工调整"] != ""
    if q:
        mask &= frame["案件编号"].str.contains(q, regex=False)
    return frame[mask]


def override_text(case: str, decisions, exclusions, moved, unresolved) -> str:
    """What a dispatcher did to a case, in words ("" when nothing)."""
    parts = []
    d = decisions.get(case)
    if d is not None:
        parts.append(f"已接受（{d.user}）" if d.action == "accept" else f"改派至{d.lawyer_id}（{d.user}）")
    for lawyer in exclusions.get(case, {}):
        parts.append(f"回避{lawyer}")
    if case in moved and case not in decisions:
        parts.append(f"因回避改派至{moved[case]}")
    if case in unresolved:
        parts.append("无可改派律师，回避未能落实")
    return "；".join(parts)


def override_reasons(case_ids: pd.Series, result, decisions, moved) -> pd.Series:
    """The reason of the cases a dispatcher decided (in place of the engine's "保留已有指派"), by row."""
    pinned = dict(zip(result.assignments["case_id"], result.assignments["lawyer_id"], strict=True))
    out = {}
    for row, case in case_ids.items():
        d = decisions.get(case)
        if d is not None and pinned.get(case) == d.lawyer_id:
            why = f"，理由：{d.reason}" if d.reason else ""
            out[row] = (f"调度员确认原指派（{d.user}{why}）" if d.action == "accept"
                        else f"调度员改派（{d.user}{why}）")
        elif case in moved and pinned.get(case) == moved[case]:
            out[row] = "因回避改派：按派案次序选取的最近、负荷最低的可指派律师"
    return pd.Series(out, dtype=object)


def pending_count(ws) -> int:
    """Decisions and exclusions not yet applied by a re-run."""
    if ws.result is None:
        return len(ws.decisions) + len(ws.exclusions)
    lawyer = dict(zip(ws.result.assignments["case_id"], ws.result.assignments["lawyer_id"], strict=True))
    changed = sum(lawyer.get(c) != d.lawyer_id for c, d in ws.decisions.items())
    excluded = sum(lawyer.get(c) in lw for c, lw in ws.exclusions.items())
    return changed + excluded


def headline(ws) -> dict:
    """Key figures of the run for the page."""
    r = ws.result
    h = dispatch_report.headline(r)
    kept = int(r.assignments["pinned"].sum())
    return {**h, "km": r.distance_km, "status_text": dispatch_report.status_text(r), "kept": kept,
            "seconds": ws.dispatch_seconds, "runs": ws.runs,
            "social_rule": r.social.rule, "shortfall": r.social.shortfall}


def diagnosis(result):
    """The diagnosis table and notes when cases cannot be placed (None when all are placed)."""
    if result.all_assigned:
        return None
    from legalaid.web.tables import html_table

    return {"notes": dispatch_report.diagnosis_notes(result),
            "table": html_table(dispatch_report.diagnosis_table(result)),
            "unassigned": html_table(dispatch_report.unassigned_table(result).head(200))}


def case_facts(result, found) -> list[tuple[str, str]]:
    """The case and its current lawyer as label/value pairs."""
    name, c = _name(result.plan), found.case
    facts = [("案件编号", c["case_id"]), ("案件所在地区", name(c["region"])), ("管辖机构", name(c["centre"])),
             ("案件类型", CASE_KINDS[c["kind"]]), ("审级", INSTANCES[c["instance"]]), ("同案编号", c["group_id"] or "无")]
    if found.current is not None:
        cur = found.current
        facts += [("当前律师", f"{cur['lawyer_id']}（{LAWYER_KINDS[cur['kind']]}，{cur['firm'] or '无律所'}，{name(cur['region'])}）"),
                  ("距离", f"{cur['km']:g} 公里"), ("当前律师调配后办案量", f"{int(cur['after'])}/{int(cur['cap'])} 件"),
                  ("指派理由", dispatch_report.reason_text(result, _assignment(result, c["case_id"])))]
    else:
        facts.append(("当前律师", "未指派"))
    return facts


def _assignment(result, case_id):
    a = result.assignments
    return next(a[a["case_id"] == case_id].itertuples(index=False))


def _why(row, assigned: bool, share_rule: float) -> str:
    if not assigned:
        return f"可承办：距离{row.km:g}公里，调配后{int(row.after)}/{int(row.cap)}件"
    parts = []
    if row.km_delta < 0:
        parts.append(f"近{-row.km_delta:g}公里")
    elif row.km_delta > 0:
        parts.append(f"远{row.km_delta:g}公里" + ("，需跨区调配" if row.cross_region else ""))
    else:
        parts.append("距离相同")
    if row.load_delta < 0:
        parts.append(f"办案量更少（调配后{int(row.after)}件，少{-int(row.load_delta)}件）")
    elif row.load_delta > 0:
        parts.append(f"办案量更多（调配后{int(row.after)}件，多{int(row.load_delta)}件）")
    else:
        parts.append(f"办案量相同（调配后{int(row.after)}件）")
    if row.social_delta < 0:
        parts.append(f"非社会律师：社会律师办案减少1件（占比要求{share_rule:.0%}）")
    elif row.social_delta > 0:
        parts.append("社会律师：计入社会律师办案占比")
    return "；".join(parts)


def candidate_frame(result, found) -> pd.DataFrame:
    """The allowed lawyers with why each is better or worse than the current one."""
    t, name = found.table, _name(result.plan)
    return pd.DataFrame({
        "排序": t["rank"], "律师编号": t["lawyer_id"], "人员类别": t["kind"].map(LAWYER_KINDS), "所在律所": t["firm"],
        "所在地区": t["region"].map(name), "距离（公里）": t["km"], "是否跨区": t["cross_region"].map(YES_NO),
        "调配后办案量（件）": t["after"], "年度上限（件）": t["cap"],
        "与当前相比": t["verdict"].map(VERDICTS) if found.assigned else "可承办",
        "理由": [_why(r, found.assigned, result.social.rule) for r in t.itertuples(index=False)],
    })


def overrides_frame(ws) -> pd.DataFrame:
    """人工调整 sheet: every decision and exclusion of the workspace."""
    rows = []
    for case, d in ws.decisions.items():
        rows.append({"案件编号": case, "调整": "接受指派" if d.action == "accept" else "改派", "律师编号": d.lawyer_id,
                     "操作人": d.user, "理由": d.reason})
    for case, lawyers in ws.exclusions.items():
        for lawyer, reason in lawyers.items():
            rows.append({"案件编号": case, "调整": "回避", "律师编号": lawyer, "操作人": "", "理由": reason})
    for case, lawyer in ws.moved.items():
        rows.append({"案件编号": case, "调整": "因回避改派（系统按规则选择最近、负荷最低的可指派律师）", "律师编号": lawyer,
                     "操作人": "", "理由": ""})
    return pd.DataFrame(rows, columns=["案件编号", "调整", "律师编号", "操作人", "理由"])


def notices(result) -> list[dict]:
    """One assignment notice per lawyer with cases in this run: firm, lawyer, the cases."""
    name = _name(result.plan)
    a = result.assignments
    out = []
    for lawyer, rows in a.groupby("lawyer_id", sort=True):
        first = rows.iloc[0]
        out.append({"lawyer": lawyer, "firm": first["firm"] or "（无律所）", "kind": LAWYER_KINDS[first["lawyer_kind"]],
                    "region": name(first["lawyer_region"]),
                    "cases": [(r.case_id, name(r.centre), CASE_KINDS[r.kind], INSTANCES[r.instance])
                              for r in rows.itertuples(index=False)]})
    return out


def run_detail(result, decisions, exclusions, moved, unresolved) -> str:
    """One sentence about a dispatch run for the history."""
    h = dispatch_report.headline(result)
    text = (f"案件{h['cases']}件，指派{len(result.assignments)}件（跨区{h['cross_region']}件），未指派{h['unassigned']}件；"
            f"保留人工调整{len(decisions)}件，回避{sum(len(v) for v in exclusions.values())}项"
            f"（因回避改派{len(moved)}件）；{h['status']}")
    if unresolved:
        text += f"；{len(unresolved)}件无可改派律师"
    return text
