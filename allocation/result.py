"""The dispatch result: DataFrames for Python, Chinese tables and summary.json for people.

``DispatchResult`` holds canonical (English-column) frames; ``sheets()`` gives the Chinese
tables and ``write(out_dir)`` writes them atomically (``scenarios.output.staged_dir``) as
CSV (utf-8-sig) plus one workbook, with ``summary.json``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from scenarios.plans import Plan
from scenarios.schema import CASE_KINDS, INSTANCES, LAWYER_KINDS

WORKBOOK = "派案结果.xlsx"
SUMMARY = "summary.json"
STATUS_TEXT = {"optimal": "已求得最优解（各级目标均已证明最优）", "feasible": "可行解（未证明最优）",
               "infeasible": "无可行解"}
LEVEL_TEXT = {
    "unassigned": ("未指派案件数", "件"),
    "social": ("社会律师占比缺口", "件"),
    "distance": ("调配总距离", "公里"),
    "same_firm": ("同案被告人同所重复", "人次"),
    "balance": ("负荷均衡（调配后各承办人办案数平方和）", "件²"),
}


@dataclass
class DispatchResult:
    """One dispatch: every input case once, assigned (with reason) or unassigned (with rule).

    Attributes
    ----------
    plan : the plan.
    status : "optimal" (every level proven optimal), "feasible" or "infeasible".
    assignments : case_id, region, centre, kind, instance, group_id, lawyer_id, lawyer_kind, firm,
        lawyer_region, cross_region (bool), km, pinned (bool), reason — input order.
    unassigned : case_id, region, centre, kind, instance, group_id, rule, citation, reason.
    loads : lawyer_id, region, kind, firm, available, handled_this_year, pinned, new, after, cap,
        headroom (cap − after; negative = over the cap), utilisation (after / cap).
    by_region : per administering centre: centre, cases, local, cross_region, unassigned.
    diagnosis : per (region, kind) the extra slots that would place every case (empty when all
        are placed): region, kind, slots, codefendant_slots, min_new_lawyers.
    summary : what summary.json holds (status, objective levels, social share, balance, timing).
    findings : Chinese sentences (not errors).
    """

    plan: Plan
    status: str
    assignments: pd.DataFrame
    unassigned: pd.DataFrame
    loads: pd.DataFrame
    by_region: pd.DataFrame
    diagnosis: pd.DataFrame
    summary: dict
    findings: list[str] = field(default_factory=list)

    # --- views used by other reports -------------------------------------------------------
    def counts_by_region(self, what: str) -> dict[str, int]:
        """Per administering region id: "unassigned", "cross_region" or "local" case counts."""
        frame = self.by_region.set_index("centre")[what]
        return {k: int(v) for k, v in frame.items()}

    def load_series(self) -> tuple[pd.Series, pd.Series]:
        """Loads (件) of every handler before this batch and after it."""
        return self.loads["handled_this_year"], self.loads["after"]

    def headline(self) -> dict:
        """Key figures: cases, assigned, cross_region, unassigned, status (Chinese), social_share."""
        c = self.summary["cases"]
        return {"cases": c["input"], "assigned": c["assigned"], "cross_region": c["cross_region"],
                "unassigned": c["unassigned"], "status": STATUS_TEXT[self.status],
                "social_share": self.summary["social_share"]["achieved"]}

    # --- Chinese tables --------------------------------------------------------------------
    def _name(self, rid: str) -> str:
        return self.plan.region(rid).name

    def assignments_zh(self) -> pd.DataFrame:
        """派案结果 with Chinese headers and values."""
        a = self.assignments
        return pd.DataFrame({
            "案件编号": a["case_id"], "案件所在地区": a["region"].map(self._name), "管辖机构": a["centre"].map(self._name),
            "案件类型": a["kind"].map(CASE_KINDS), "审级": a["instance"].map(INSTANCES), "同案编号": a["group_id"],
            "律师编号": a["lawyer_id"], "人员类别": a["lawyer_kind"].map(LAWYER_KINDS), "所在律所": a["firm"],
            "律师所在地区": a["lawyer_region"].map(self._name), "是否跨区": a["cross_region"].map({True: "是", False: "否"}),
            "调配距离（公里）": a["km"], "指派方式": a["pinned"].map({True: "保留已有指派", False: "本次指派"}),
            "指派理由": a["reason"],
        })

    def unassigned_zh(self) -> pd.DataFrame:
        """未指派案件 with the blocking rule."""
        u = self.unassigned
        return pd.DataFrame({
            "案件编号": u["case_id"], "案件所在地区": u["region"].map(self._name), "管辖机构": u["centre"].map(self._name),
            "案件类型": u["kind"].map(CASE_KINDS), "审级": u["instance"].map(INSTANCES), "同案编号": u["group_id"],
            "受阻规则": u["rule"], "规则出处": u["citation"], "说明": u["reason"],
        })

    def loads_zh(self) -> pd.DataFrame:
        """律师负荷: before, pinned, new, after, cap, headroom, utilisation."""
        lo = self.loads
        return pd.DataFrame({
            "律师编号": lo["lawyer_id"], "地区": lo["region"].map(self._name), "人员类别": lo["kind"].map(LAWYER_KINDS),
            "所在律所": lo["firm"], "可指派": lo["available"].map({True: "是", False: "否"}),
            "本年已办（件）": lo["handled_this_year"], "保留指派（件）": lo["pinned"], "本次新指派（件）": lo["new"],
            "调配后合计（件）": lo["after"], "年度上限（件）": lo["cap"], "剩余额度（件）": lo["headroom"],
            "利用率": (lo["utilisation"] * 100).round(1).astype(str) + "%",
        })

    def by_region_zh(self) -> pd.DataFrame:
        """分地区统计: cases administered by each centre, local, cross-region, unassigned."""
        b = self.by_region
        return pd.DataFrame({"管辖机构": b["centre"].map(self._name), "案件数（件）": b["cases"],
                             "本地承办（件）": b["local"], "跨区调配（件）": b["cross_region"],
                             "未指派（件）": b["unassigned"]})

    def diagnosis_zh(self) -> pd.DataFrame:
        """诊断: the least extra capacity that would place every case."""
        d = self.diagnosis
        rows = []
        for r in d.itertuples(index=False):
            label = LAWYER_KINDS[r.kind]
            note = f"在{self._name(r.region)}增加{label}承办名额{r.slots}件"
            if r.codefendant_slots:
                note += f"（其中同案被告人{r.codefendant_slots}件，须由不同律师承办）"
            note += f"，至少需新增或调入{r.min_new_lawyers}名{label}"
            rows.append({"地区": self._name(r.region), "人员类别": label, "需增加名额（件）": r.slots,
                         "其中同案被告人（件）": r.codefendant_slots, "至少新增人数（人）": r.min_new_lawyers, "说明": note})
        rules = self.summary.get("diagnosis", {}) or {}
        for rule, count in (rules.get("binding_rules") or {}).items():
            rows.append({"说明": f"受阻规则：{rule}（{count}件）"})
        columns = ["地区", "人员类别", "需增加名额（件）", "其中同案被告人（件）", "至少新增人数（人）", "说明"]
        return pd.DataFrame(rows, columns=columns).astype(object).fillna("")

    def sheets(self) -> list:
        """The report's tables in reading order (Chinese names and headers)."""
        from scenarios.output import Sheet

        loads = self.loads_zh()
        over = pd.Series((self.loads["headroom"] < 0).to_numpy(), index=loads.index)
        sheets = [Sheet("派案结果", self.assignments_zh()), Sheet("未指派案件", self.unassigned_zh()),
                  Sheet("律师负荷", loads, over), Sheet("分地区统计", self.by_region_zh())]
        if len(self.diagnosis):
            sheets.append(Sheet("诊断", self.diagnosis_zh()))
        return sheets

    def write(self, out_dir: str | os.PathLike) -> Path:
        """Write every sheet as CSV (utf-8-sig), one workbook and summary.json, atomically."""
        from scenarios.output import staged_dir, write_json, write_tables

        with staged_dir(out_dir) as folder:
            write_tables(folder, self.sheets(), workbook=WORKBOOK)
            write_json(self.summary, folder / SUMMARY)
        return Path(out_dir)


def km(metres: np.ndarray) -> np.ndarray:
    """Metres → km rounded to 0.1 km."""
    return np.round(np.asarray(metres, dtype=float) / 1000.0, 1)
