"""The run's durable state: which researchers exist, how often they restarted, time spent.

Written atomically after every change, so `--resume` after a SIGKILL finds what happened.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from pydantic import BaseModel, Field

STATE_SCHEMA_VERSION = 1


class MemberState(BaseModel):
    name: str
    spec: str
    direction: str | None = None
    researcher_id: str | None = None
    status: str = "pending"  # pending | running | finished | crashed | stopped
    restarts: int = 0
    exit_codes: list[int] = Field(default_factory=list)
    pid: int | None = None  # while running: what a resumed run must end first


class RunState(BaseModel):
    schema_version: int = STATE_SCHEMA_VERSION
    created: float = Field(default_factory=time.time)
    elapsed_s: float = 0.0
    members: dict[str, MemberState] = Field(default_factory=dict)
    finished: bool = False
    resumes: int = 0
    hub_pid: int | None = None

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(self.model_dump_json(indent=2))
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> RunState:
        return cls.model_validate(json.loads(path.read_text()))


def append_event(path: Path, kind: str, **fields: object) -> None:
    """One JSON line per orchestrator event (start, crash, restart, stop), fsynced."""
    line = json.dumps({"t": time.time(), "event": kind, **fields}, default=str)
    with open(path, "a") as f:
        f.write(line + "\n")
        f.flush()
        import os

        os.fsync(f.fileno())
