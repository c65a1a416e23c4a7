"""The dispatch's summary.json, its terminal text, and its report folder."""

from __future__ import annotations

import os
from pathlib import Path

from allocation import DispatchResult
from legalaid.report.dispatch import (
    LEVEL_TEXT,
    LEVELS,
    RULE_NAMES,
    SUMMARY,
    WORKBOOK,
    diagnosis_notes,
    sheets,
    status_text,
)
from legalaid.report.findings import finding_texts
from legalaid.report.folders import staged_dir
from legalaid.report.writers import write_json, write_tables


def summary_json(result: DispatchResult) -> dict:
    """What summary.json holds: status, objective levels, social share, balance, solver, timing."""
    values = result.levels
    objective = []
    for i, level in enumerate((lv for lv in LEVELS if lv in values), start=1):
        name, unit = LEVEL_TEXT[level]
        value = values[level] / 1000 if level == "distance" else values[level]
        objective.append({"level": i, "key": level, "name": name, "value": value, "unit": unit})
    s, a = result.social, result.assignments
    pinned = int(a["pinned"].sum())
    close = None
    if s.close_slots is not None:
        close = {"extra_social_slots": s.close_slots, "remaining_shortfall": s.close_remaining,
                 "by_region": s.close_by_region.to_dict(orient="records")}
    diagnosis = None
    if len(result.unassigned):
        diagnosis = {"extra_slots": result.diagnosis_slots,
                     "binding_rules": {RULE_NAMES[k]: v for k, v in result.binding_rules.items()},
                     "by_region_kind": result.diagnosis.to_dict(orient="records")}
    return {
        "plan": result.plan.id,
        "draw": {"seed": result.seed, "inputs_sha256": result.inputs_sha256,
                 "rule": "同等条件的律师按轮候（本年办案最少者优先，其次距上次指派最久者优先）排序，"
                         "再按种子抽签；用 legalaid verify 可由输入文件和种子重算此哈希并复核派案结果"},
        "status": result.status,
        "status_text": status_text(result),
        "all_assigned": result.all_assigned,
        "cases": {"input": len(a) + len(result.unassigned), "pinned": pinned,
                  "to_assign": len(a) + len(result.unassigned) - pinned, "assigned": result.new_assignments,
                  "unassigned": len(result.unassigned), "local": int((~a["cross_region"]).sum()),
                  "cross_region": result.cross_region_cases},
        "objective": objective,
        "social_share": {
            "rule": s.rule, "citation": s.citation,
            "scope": "按县（市、区）计：各地区承办人员本年已办 + 本批（含保留指派）；全市数为各地区之和",
            "year_cases": s.year_cases, "year_social_cases": s.year_social_cases, "achieved": s.achieved,
            "required_social_cases": s.required, "shortfall_cases": s.shortfall, "before_batch": s.before,
            "capacity_to_close": close,
            "by_region": [] if s.by_region is None else s.by_region.to_dict(orient="records"),
        },
        "distance": {"total_km": result.distance_km, "source": result.distance_source,
                     "cross_region_cases": result.cross_region_cases},
        "balance": {
            "measure": "调配后各可指派承办人办案数的平方和最小（在前几级最优的前提下）；等价于先使最高利用率最小、"
                       "再使达到最高负荷的人数最少，依此类推（字典序最均衡）",
            **result.balance,
        },
        "same_firm": {"codefendants_in_same_firm": result.same_firm, "of_which_pinned": result.same_firm_pinned},
        "rules": {"lawyer_yearly_cap": result.cap, "cap_citation": result.cap_citation,
                  "on": result.rules_on.isoformat()},
        "by_region": [{"centre": r.centre, "name": result.plan.region(r.centre).name, "cases": int(r.cases),
                       "local": int(r.local), "cross_region": int(r.cross_region), "pinned": int(r.pinned),
                       "unassigned": int(r.unassigned)}
                      for r in result.by_region.itertuples(index=False)],
        "delegated_townships": result.by_township.to_dict(orient="records"),
        "diagnosis": diagnosis,
        "findings": finding_texts(result.findings),
        "solver": {"method": "聚合后的字典序最小费用流（OR-Tools SimpleMinCostFlow，逐级固定最优面）",
                   "refinement_rounds": result.solver.rounds, "levels": result.solver.levels,
                   "network": result.solver.network},
        "seconds": dict(result.seconds),
    }


def write(result: DispatchResult, out_dir: str | os.PathLike) -> Path:
    """Write every sheet as CSV (utf-8-sig), one workbook and summary.json, atomically."""
    with staged_dir(out_dir, {"类型": "派案结果", "计划": result.plan.id}) as folder:
        write_tables(folder, sheets(result), workbook=WORKBOOK)
        write_json(summary_json(result), folder / SUMMARY)
    return Path(out_dir)


def describe(result: DispatchResult) -> str:
    """A few Chinese lines for the terminal: status, counts, share, distance, diagnosis."""
    s = summary_json(result)
    c, share = s["cases"], s["social_share"]
    lines = [f"求解状态：{s['status_text']}（用时 {s['seconds']['total']:.2f} 秒）",
             f"案件 {c['input']} 件：本次指派 {c['assigned']} 件（跨区调配 {c['cross_region']} 件），"
             f"保留已有指派 {c['pinned']} 件，未能指派 {c['unassigned']} 件。"]
    if share["achieved"] is not None:
        short = [r for r in share["by_region"] if r["shortfall"]]
        lines.append(f"社会律师办案占比（按县（市、区）计，全年口径）全市 {share['achieved']:.1%}，各地区要求不低于"
                     f"{share['rule']:.0%}（{share['citation']}）"
                     + (f"，{len(short)} 个地区未达标，缺口合计 {share['shortfall_cases']} 件" if short else "，各地区均达标"))
    close = share.get("capacity_to_close")
    if close:
        where = "、".join(f"{result.plan.region(r['region']).name}{r['slots']}件" for r in close["by_region"])
        lines.append(f"  补足缺口最少需增加社会律师承办名额 {close['extra_social_slots']} 件（{where or '—'}）"
                     + (f"，本批案件内仍差 {close['remaining_shortfall']} 件" if close["remaining_shortfall"] else ""))
    lines.append(f"调配总距离 {s['distance']['total_km']:.1f} 公里；最高利用率 "
                 + (f"{s['balance']['max_utilisation']:.0%}" if s["balance"]["max_utilisation"] is not None else "—"))
    if s["diagnosis"]:
        d = s["diagnosis"]
        rules = "、".join(f"{k}（{v}件）" for k, v in d["binding_rules"].items())
        lines.append(f"诊断：受阻规则 {rules}；最少需增加承办名额 {d['extra_slots']} 件：")
        lines += [f"  - {note}" for note in diagnosis_notes(result)]
    lines += [f"提示：{text}" for text in s["findings"]]
    return "\n".join(lines)
