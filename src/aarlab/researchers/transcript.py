"""The JSONL transcript of an LLM researcher, on the host, one fsynced line per event.

Events: `session_start`, `turn` (the assistant message, its tool results, usage, cost and the
running totals), `compaction` (the summary that replaced older turns), `session_end`. A
restarted researcher reads it back (`resume_state`): its totals, so budgets carry over, and a
digest of its past work — the last compaction summary plus the turns after it.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from aarlab.researchers.budget import Totals
from aarlab.researchers.hub_api import budget_total
from aarlab.researchers.messages import Message, ToolResult

TRANSCRIPT_SCHEMA_VERSION = 1


class Transcript:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def log(self, event: str, **fields: Any) -> None:
        rec = {"v": TRANSCRIPT_SCHEMA_VERSION, "t": time.time(), "event": event}
        for k, v in fields.items():
            rec[k] = v.model_dump(mode="json") if isinstance(v, BaseModel) else v
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(rec, default=str) + "\n")
            f.flush()
            os.fsync(f.fileno())

    def records(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        out = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                continue  # a torn last line after SIGKILL
        return out


class ResumeState(BaseModel):
    totals: Totals = Totals()
    sessions: int = 0
    summary: str | None = None  # the last compaction summary
    recent: str = ""  # a digest of the turns after it
    finished: bool = False
    experiments: int = 0  # successful run_method calls
    submissions: int = 0  # accepted submissions
    submissions_left: int | None = None
    best_public_pgr: float | None = None


def digest_turn(assistant: Message, results: list[ToolResult], max_chars: int = 400) -> str:
    """One short line per tool call: what was called and how it went."""
    lines = [f"you said: {assistant.text[:max_chars]}"] if assistant.text.strip() else []
    by_id = {r.call_id: r for r in results}
    for tc in assistant.tool_calls:
        args = json.dumps(tc.arguments)[:max_chars]
        r = by_id.get(tc.id)
        out = "" if r is None else ("ERROR " if r.is_error else "") + r.content[:max_chars].replace("\n", " ")
        lines.append(f"- {tc.name}({args}) -> {out}")
    return "\n".join(lines)


def resume_state(transcript: Transcript, max_recent_chars: int = 12_000) -> ResumeState:
    st = ResumeState()
    recent: list[str] = []
    for rec in transcript.records():
        ev = rec.get("event")
        if ev == "session_start":
            st.sessions += 1
        elif ev == "turn":
            st.totals = Totals.model_validate(rec["totals"])
            msg = Message.model_validate(rec["assistant"])
            results = [ToolResult.model_validate(r) for r in rec.get("tool_results", [])]
            recent.append(digest_turn(msg, results))
            _count(st, results)
        elif ev == "compaction":
            st.summary = rec.get("summary")
            recent = []
            if "totals" in rec:
                st.totals = Totals.model_validate(rec["totals"])
        elif ev == "session_end":
            st.finished = rec.get("finished", False)
            if "totals" in rec:
                st.totals = Totals.model_validate(rec["totals"])
    text = "\n".join(recent)
    st.recent = text if len(text) <= max_recent_chars else "[...]\n" + text[-max_recent_chars:]
    return st


def _count(st: ResumeState, results: list[ToolResult]) -> None:
    for r in results:
        if r.is_error:
            continue
        if r.name == "run_method":
            st.experiments += 1
        elif r.name == "submit":
            st.submissions += 1
            try:
                out = json.loads(r.content)
            except ValueError:
                continue
            st.submissions_left = budget_total(out.get("budget_left"), st.submissions_left)
            pgr = (out.get("public") or {}).get("pgr")
            if pgr is not None and (st.best_public_pgr is None or pgr > st.best_public_pgr):
                st.best_public_pgr = float(pgr)
