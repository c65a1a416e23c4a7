"""Per-session workspaces: each browser session has its own files, inputs, runs and lock.

A workspace lives in memory (its results) and in ``<data>/sessions/<id>/`` (its uploads, a
folder this tool creates and alone writes). Two users never share a workspace, and one user's
requests are serialised by the workspace's lock, so a run is never half-replaced by another.
"""

from __future__ import annotations

import hashlib
import secrets
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from scenarios.errors import InputIssue

#: Workspaces idle longer than this are dropped from memory and their uploads removed (s).
IDLE_SECONDS = 12 * 3600


@dataclass
class Decision:
    """A dispatcher's decision on one case: ``accept`` (keep its lawyer) or ``change`` (to ``lawyer_id``)."""

    action: str
    lawyer_id: str
    user: str
    reason: str = ""


@dataclass
class Workspace:
    """One session's state (see the module docstring)."""

    id: str
    folder: Path
    plan_id: str = "anqing-2023"
    month: int | None = None
    inputs: object = None            # scenarios.tables.InputTables
    source: str = ""                 # where the inputs came from, for the reader
    files: dict[str, str] = field(default_factory=dict)   # table → file name as uploaded
    input_hash: str = ""
    issues: list[InputIssue] = field(default_factory=list)
    error: str = ""                  # the Chinese message of the last rejected upload
    result: object = None            # allocation.DispatchResult
    dispatch_seconds: float | None = None
    runs: int = 0
    decisions: dict[str, Decision] = field(default_factory=dict)
    exclusions: dict[str, dict[str, str]] = field(default_factory=dict)   # case → lawyer → reason
    moved: dict[str, str] = field(default_factory=dict)   # case → lawyer it was moved to for 回避
    unresolved: list[str] = field(default_factory=list)   # cases whose 回避 could not be honoured
    cache: dict = field(default_factory=dict)             # derived tables and charts of the current run
    brief: object = None
    brief_runs: int = 0
    budget: object = None
    budget_form: dict = field(default_factory=dict)
    touched: float = field(default_factory=time.time)
    lock: threading.RLock = field(default_factory=threading.RLock)

    @property
    def plan(self):
        """The plan in use."""
        from legalaid.api import load_plan

        return load_plan(self.plan_id)

    def set_inputs(self, inputs, source: str, files: dict[str, str], digest: str) -> None:
        """Use new validated inputs: every run and decision made on the old ones is dropped."""
        self.inputs, self.source, self.files, self.input_hash = inputs, source, files, digest
        self.issues, self.error = [], ""
        self.clear_dispatch()
        self.brief = self.budget = None

    def clear_dispatch(self) -> None:
        """Forget the dispatch and every decision on it."""
        self.result, self.dispatch_seconds = None, None
        self.decisions, self.exclusions, self.moved, self.unresolved = {}, {}, {}, []
        self.cache = {}

    def upload_dir(self) -> Path:
        """A new folder for one upload (inside this workspace's folder)."""
        path = self.folder / f"upload-{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(3)}"
        path.mkdir(parents=True)
        return path


def digest(parts: list[tuple[str, bytes]]) -> str:
    """SHA-256 of named byte strings (the input hash recorded with every decision)."""
    h = hashlib.sha256()
    for name, data in sorted(parts):
        h.update(name.encode())
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


class Workspaces:
    """Every session's workspace, created on first use, dropped when idle for long."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder) / "sessions"
        self._items: dict[str, Workspace] = {}
        self._lock = threading.Lock()

    def get(self, key: str | None) -> Workspace:
        """The workspace of session ``key`` (a new one when unknown or None)."""
        with self._lock:
            self._drop_idle()
            ws = self._items.get(key or "")
            if ws is None:
                key = secrets.token_urlsafe(12)
                ws = Workspace(id=key, folder=self.folder / key)
                self._items[key] = ws
            ws.touched = time.time()
            return ws

    def _drop_idle(self) -> None:
        now = time.time()
        for key in [k for k, ws in self._items.items() if now - ws.touched > IDLE_SECONDS]:
            ws = self._items.pop(key)
            shutil.rmtree(ws.folder, ignore_errors=True)   # only our own upload folder
