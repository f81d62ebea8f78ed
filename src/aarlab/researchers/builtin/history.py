"""The builtin researcher's memory: typed records in its notebook, reloaded on restart.

Each record is one notebook entry (kind hypothesis | experiment | result, as every researcher
kind writes them) whose text is a one-line human summary followed by the record as JSON on
the last line. A restarted researcher rebuilds its history from these lines alone.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from aarlab.researchers.notebook import Notebook
from aarlab.w2s.recipe import Recipe

HISTORY_SCHEMA_VERSION = 1


class Trial(BaseModel):
    """One experiment: a recipe run in the sandbox, its label-free statistics."""

    schema_version: int = HISTORY_SCHEMA_VERSION
    type: Literal["trial"] = "trial"
    exp: int
    dir: str
    family: str
    origin: str
    recipe: Recipe
    stats: dict[str, float] = Field(default_factory=dict)
    diagnostics: dict[str, Any] = Field(default_factory=dict)
    error: str | None = None

    @property
    def proxy(self) -> float:
        return self.stats.get("proxy", float("-inf")) if self.error is None else float("-inf")


class SubmissionRecord(BaseModel):
    schema_version: int = HISTORY_SCHEMA_VERSION
    type: Literal["submission"] = "submission"
    exp: int
    submission_id: str
    snapshot_id: str | None
    proxy: float
    public_pgr: float | None
    public_accuracy: float | None
    improved: bool
    budget_left: int | None
    post_id: str | None = None


class ForumSeen(BaseModel):
    schema_version: int = HISTORY_SCHEMA_VERSION
    type: Literal["forum"] = "forum"
    post_id: str
    author: str
    recipe: Recipe | None = None


Record = Trial | SubmissionRecord | ForumSeen


class History:
    """Everything the researcher has done, in order; appends go to the notebook first."""

    def __init__(self, notebook: Notebook) -> None:
        self.notebook = notebook
        self.trials: list[Trial] = []
        self.submissions: list[SubmissionRecord] = []
        self.forum: list[ForumSeen] = []
        for entry in notebook.entries():
            rec = parse(entry.text)
            if rec is not None:
                self._add(rec)

    def _add(self, rec: Record) -> None:
        if isinstance(rec, Trial):
            self.trials.append(rec)
        elif isinstance(rec, SubmissionRecord):
            self.submissions.append(rec)
        else:
            self.forum.append(rec)

    def record(self, kind: str, summary: str, rec: Record) -> None:
        self.notebook.append(kind, f"{summary}\n{rec.model_dump_json()}")
        self._add(rec)

    def note(self, kind: str, text: str) -> None:
        self.notebook.append(kind, text)

    # -- views
    def elite(self, n: int = 5) -> list[Trial]:
        ok = [t for t in self.trials if t.error is None and "proxy" in t.stats]
        return sorted(ok, key=lambda t: -t.proxy)[:n]

    def tried(self) -> set[str]:
        return {t.recipe.model_dump_json() for t in self.trials}

    @property
    def best_public_pgr(self) -> float | None:
        vals = [s.public_pgr for s in self.submissions if s.public_pgr is not None]
        return max(vals) if vals else None

    @property
    def budget_left(self) -> int | None:
        return self.submissions[-1].budget_left if self.submissions else None

    def others(self) -> list[Recipe]:
        return [f.recipe for f in self.forum if f.recipe is not None]


def parse(text: str) -> Record | None:
    """The record on an entry's last line, or None for a plain-text note."""
    last = text.strip().splitlines()[-1] if text.strip() else ""
    try:
        data = json.loads(last)
    except ValueError:
        return None
    kinds: dict[str, type[BaseModel]] = {"trial": Trial, "submission": SubmissionRecord, "forum": ForumSeen}
    cls = kinds.get(data.get("type", "")) if isinstance(data, dict) else None
    if cls is None:
        return None
    try:
        rec = cls.model_validate(data)
    except ValidationError:
        return None
    return rec  # type: ignore[return-value]
