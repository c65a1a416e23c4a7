"""Findings of the input tables and of a dispatch, as the sentences a bureau reads."""

from __future__ import annotations

from scenarios import law
from scenarios.vocab import Finding


def _listed(ids: tuple[str, ...], limit: int = 10) -> str:
    return "、".join(ids[:limit])


def finding_text(finding: Finding) -> str:
    """One finding as a Chinese sentence (ids only, never personal names)."""
    code, ids, n = finding.code, finding.ids, len(finding.ids)
    if code == "lawyer_over_cap":
        who = "基层法律服务工作者" if finding["kind"] == "grassroots" else "律师"
        return (f"{who} {ids[0]} 本年已办 {finding['handled']} 件，超过年度上限 {finding['cap']:g} 件"
                f"（{finding['citation']}），年度考核时应予问责；本次不再指派新案件。")
    if code == "lawyers_over_cap":
        return (f"{n} 名律师/基层法律服务工作者本年已办案件超过年度上限 {finding['cap']} 件（{finding['citation']}），"
                f"年度考核时应予问责，本次不再指派：{_listed(ids)}" + ("等" if n > 10 else ""))
    if code == "pinned_over_cap":
        return f"{n} 名律师因保留的已有指派超过年度上限 {finding['cap']} 件（{finding['citation']}）：{_listed(ids)}"
    if code == "lawyers_at_cap":
        return f"{n} 名律师本年已达年度上限 {finding['cap']} 件，本次不再指派。"
    if code == "pinned_grassroots_criminal":
        return f"保留的已有指派中有 {n} 件刑事案件由基层法律服务工作者承办（{law.DEFENCE}）：" + _listed(ids)
    if code == "pinned_unavailable":
        return f"保留的已有指派中有 {n} 件的律师标为不可指派：" + _listed(ids)
    if code == "pinned_same_defender":
        return f"保留的已有指派中有 {n} 处同一律师为同案多名被告人辩护（{law.CODEFENDANTS}）：" + _listed(ids)
    if code == "group_id_not_criminal":
        return (f"{n} 件非刑事案件填写了同案编号；“同案被告人须由不同律师辩护”只适用于刑事案件，"
                "这些案件按普通案件指派。")
    if code == "no_senior_defender":
        return (f"{n} 件可能判处无期徒刑、死刑或死刑复核案件须由具有三年以上刑事辩护经历的律师辩护，但律师表中没有"
                "这样的可指派律师（请在律师表填写“刑事辩护执业年限”列）：" + _listed(ids))
    if code == "no_minors_defender":
        return (f"{n} 件未成年人刑事案件须由熟悉未成年人身心特点的律师辩护，但律师表中没有这样的可指派律师"
                "（请在律师表填写“熟悉未成年人案件”列）：" + _listed(ids))
    if code == "room_short_ahead":
        parts = [f"{rid}{'刑事' if kind == 'criminal' else '全部'}案件预计还有{exp}件、本地余量{room}件、缺{short}件"
                 for rid, kind, exp, room, short in finding["rows"]]
        basis = f"（{finding['reference']}）" if finding.values.get("reference") else ""
        return (f"按预计今年还将受理的案件，以下地区本地承办余量不足，届时需全市统筹调配{basis}："
                + "；".join(parts))
    if code == "total_rows_skipped":
        rows = "、".join(f"第{r}行" for r in ids[:10]) + ("等" if n > 10 else "")
        return (f"{finding['file']}：{rows}是合计/小计行（{'、'.join(dict.fromkeys(finding['values']))}），"
                "已跳过，合计由工具按各地区明细计算")
    if code == "sheet_chosen":
        return f"{finding['file']}：第一个工作表没有数据表，读取的是工作表“{finding['sheet']}”"
    if code == "merged_cells_filled":
        return (f"{finding['file']}：工作表“{finding['sheet']}”有合并单元格，已按Excel中显示的内容填入"
                f"{finding['cells']}个单元格")
    if code == "delegation_rows_merged":
        return (f"{finding['file']}：代办地的行已按计划的代办关系计入其代办地区：" + "、".join(finding["merged"]))
    if code == "distance_pairs_missing":
        return f"距离表缺少 {finding['count']} 个方向的地区对，按县城直线距离估算。"
    raise KeyError(code)


def finding_texts(findings: list[Finding]) -> list[str]:
    """Every finding as a sentence, in order."""
    return [finding_text(f) for f in findings]
