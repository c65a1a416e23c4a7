"""The override and dispatch history (历史): a real database through SQLAlchemy.

SQLite in the data folder by default (``history.sqlite``); any SQLAlchemy URL for a shared
server (e.g. ``postgresql+psycopg://user@host/legalaid``, with that database's driver
installed). One table, ``events``: every dispatch run and every override (accept, change,
回避, release), who typed their name, when (UTC), what changed, the reason and the hash of the
inputs the decision was made on. Nothing is ever updated or deleted.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text, create_engine, insert, select

DEFAULT_FILE = "history.sqlite"

metadata = MetaData()
events = Table(
    "events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=False), nullable=False),      # UTC
    Column("user", String(100), nullable=False),                 # the name the user typed
    Column("action", String(20), nullable=False),                # ACTIONS key
    Column("plan", String(100), nullable=False, default=""),
    Column("case_id", String(100), nullable=False, default=""),
    Column("before", String(200), nullable=False, default=""),   # lawyer before (or a run's figures)
    Column("after", String(200), nullable=False, default=""),    # lawyer after
    Column("reason", Text, nullable=False, default=""),
    Column("input_hash", String(64), nullable=False, default=""),
    Column("detail", Text, nullable=False, default=""),
)

#: Action codes → what the history page calls them.
ACTIONS = {"dispatch": "派案运行", "accept": "接受指派", "change": "改派", "exclude": "回避", "release": "撤销调整",
           "inputs": "载入数据"}


def sqlite_url(folder: str | os.PathLike) -> str:
    """The default database: ``history.sqlite`` in the data folder."""
    return "sqlite:///" + Path(folder, DEFAULT_FILE).resolve().as_posix()


@dataclass
class History:
    """An append-only event log in the database at ``url``."""

    url: str

    def __post_init__(self) -> None:
        self.engine = create_engine(self.url, future=True)
        metadata.create_all(self.engine)

    def record(self, *, user: str, action: str, plan: str = "", case_id: str = "", before: str = "", after: str = "",
               reason: str = "", input_hash: str = "", detail: str = "") -> None:
        """Append one event (``action`` one of ``ACTIONS``)."""
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        row = {"at": dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0), "user": user[:100], "action": action,
               "plan": plan, "case_id": case_id, "before": before[:200], "after": after[:200], "reason": reason,
               "input_hash": input_hash, "detail": detail}
        with self.engine.begin() as conn:
            conn.execute(insert(events).values(**row))

    def frame(self, limit: int | None = None) -> pd.DataFrame:
        """Every event, newest first (English columns)."""
        query = select(events).order_by(events.c.id.desc())
        if limit:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return pd.DataFrame(rows, columns=[c.name for c in events.columns])

    def dispose(self) -> None:
        """Close the connections (the file stays)."""
        self.engine.dispose()


def chinese(frame: pd.DataFrame) -> pd.DataFrame:
    """The history as the page and the export show it."""
    return pd.DataFrame({
        "序号": frame["id"], "时间（UTC）": frame["at"].astype(str), "操作人": frame["user"],
        "操作": frame["action"].map(ACTIONS).fillna(frame["action"]), "计划": frame["plan"],
        "案件编号": frame["case_id"], "调整前": frame["before"], "调整后": frame["after"], "理由": frame["reason"],
        "输入数据指纹（SHA-256）": frame["input_hash"], "说明": frame["detail"],
    })
