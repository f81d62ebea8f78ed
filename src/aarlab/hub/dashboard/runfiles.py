"""What the dashboard reads from the run directory (outside any sandbox): the team's state and
status files, notebooks, transcripts and the oversight report. Every reader tolerates a
missing or half-written file (the orchestrator and researchers write while we read)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aarlab.hub.dashboard.report_view import FlagView, ReportView
from aarlab.rundir import MemberState, NoteEntry, ResearcherStatus, RunPaths, RunState, read_status

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
MAX_RECORDS = 2000


@dataclass
class TeamMember:
    name: str
    spec: str = ""
    member_status: str = ""
    restarts: int = 0
    status: ResearcherStatus | None = None
    direction: str | None = None

    @property
    def state(self) -> str:
        if self.status is not None:
            return self.status.state
        return self.member_status or "unknown"


@dataclass
class TranscriptEntry:
    t: float | None
    event: str
    text: str = ""
    calls: list[tuple[str, str]] = field(default_factory=list)  # (tool, arguments as JSON)
    results: list[tuple[str, str, bool]] = field(default_factory=list)  # (tool, output, error)
    usd: float | None = None


def valid_name(name: str) -> bool:
    return bool(_NAME.match(name))


def load_state(run_dir: Path) -> RunState | None:
    try:
        return RunState.load(RunPaths(run_dir).state)
    except (OSError, ValueError):
        return None


def team(run_dir: Path) -> list[TeamMember]:
    """Members of state.json, plus any researcher directory with a status file."""
    paths = RunPaths(run_dir)
    state = load_state(run_dir)
    members: dict[str, MemberState] = dict(state.members) if state else {}
    names = list(members) + [r.name for r in paths.researcher_dirs() if r.name not in members]
    out = []
    for name in names:
        m = members.get(name)
        st = read_status(paths.researcher(name).status) if valid_name(name) else None
        out.append(TeamMember(
            name=name, spec=m.spec if m else "", member_status=m.status if m else "",
            restarts=m.restarts if m else 0, status=st,
            direction=(st.direction if st and st.direction else None) or (m.direction if m else None)))
    return out


def _jsonl(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    out = []
    for line in lines[-MAX_RECORDS:]:
        try:
            rec = json.loads(line)
        except ValueError:
            continue  # a torn last line
        if isinstance(rec, dict):
            out.append(rec)
    return out


def notebook(run_dir: Path, name: str) -> list[NoteEntry]:
    out = []
    for rec in _jsonl(RunPaths(run_dir).researcher(name).notebook):
        try:
            out.append(NoteEntry.model_validate(rec))
        except ValueError:
            continue
    return out


def _short(value: object, limit: int = 4000) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[:limit] + " […]"


def transcript(run_dir: Path, name: str) -> list[TranscriptEntry]:
    """Transcript events, flattened for display (assistant text, tool calls and results)."""
    out = []
    for rec in _jsonl(RunPaths(run_dir).researcher(name).transcript):
        t = rec.get("t")
        e = TranscriptEntry(t=float(t) if isinstance(t, int | float) else None,
                            event=str(rec.get("event", "?")))
        assistant = rec.get("assistant")
        if isinstance(assistant, dict):
            e.text = _short(assistant.get("text", ""))
            for call in assistant.get("tool_calls") or []:
                if isinstance(call, dict):
                    e.calls.append((str(call.get("name", "?")), _short(call.get("arguments", {}))))
        for r in rec.get("tool_results") or []:
            if isinstance(r, dict):
                e.results.append((str(r.get("name", "?")), _short(r.get("content", "")),
                                  bool(r.get("is_error"))))
        if not e.text:
            e.text = _short(rec.get("summary") or rec.get("reason") or "")
        usd = rec.get("usd")
        e.usd = float(usd) if isinstance(usd, int | float) else None
        out.append(e)
    return out


def verification(run_dir: Path) -> ReportView | None:
    try:
        return ReportView.model_validate_json(RunPaths(run_dir).verification_report.read_text())
    except (OSError, ValueError):
        return None


def all_flags(report: ReportView | None) -> list[FlagView]:
    """The report's flags and those attached to verified results, each once."""
    if report is None:
        return []
    seen: set[str] = set()
    out = []
    for f in [*report.flags, *(f for r in report.results for f in r.flags)]:
        key = f.model_dump_json()
        if key not in seen:
            seen.add(key)
            out.append(f)
    order = {"disqualify": 0, "warn": 1, "info": 2}
    return sorted(out, key=lambda f: (order.get(f.severity, 3), f.researcher, f.flag))


def mtime_fingerprint(paths: list[Path]) -> str:
    parts = []
    for p in paths:
        try:
            st = p.stat()
            parts.append(f"{p.name}:{st.st_mtime_ns}:{st.st_size}")
        except OSError:
            parts.append(f"{p.name}:-")
    return "|".join(parts)


def status_files(run_dir: Path) -> list[Path]:
    paths = RunPaths(run_dir)
    files = [paths.state]
    if paths.researchers.is_dir():
        files += sorted(paths.researcher(p.name).status for p in paths.researchers.iterdir() if p.is_dir())
    return files
