"""The researcher's notebook: JSONL on the host, outside the sandbox, surviving restarts."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from aarlab.researchers.errors import ToolError
from aarlab.researchers.tool_specs import NOTE_KINDS
from aarlab.rundir import NoteEntry


class Notebook:
    def __init__(self, path: Path, researcher: str) -> None:
        self.path = Path(path)
        self.researcher = researcher

    def append(self, kind: str, text: str) -> NoteEntry:
        if kind not in NOTE_KINDS:
            raise ToolError(f"notebook kind must be one of {list(NOTE_KINDS)}, not {kind!r}")
        if not text.strip():
            raise ToolError("empty notebook entry")
        entry = NoteEntry(t=time.time(), researcher=self.researcher, kind=kind, text=text)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(entry.model_dump_json() + "\n")
            f.flush()
            os.fsync(f.fileno())
        return entry

    def entries(self) -> list[NoteEntry]:
        if not self.path.exists():
            return []
        out = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                out.append(NoteEntry.model_validate(json.loads(line)))
            except ValueError:
                continue  # a torn last line after a crash
        return out

    def render(self, max_chars: int = 20_000) -> str:
        lines = [f"[{i}] {e.kind}: {e.text}" for i, e in enumerate(self.entries(), 1)]
        text = "\n".join(lines)
        if len(text) > max_chars:
            text = "[... older entries omitted]\n" + text[-max_chars:]
        return text or "(the notebook is empty)"
