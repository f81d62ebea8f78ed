"""Records a command leaves behind: its result and the audit events it produced."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

RESULT_SCHEMA_VERSION = 1
TRUNCATION_MARKER = "\n[... aarlab sandbox: output truncated, {n} more bytes dropped ...]\n"


class AuditEvent(BaseModel):
    """One attempt recorded inside the sandbox by the guest audit hook (or by the host)."""

    schema_version: int = RESULT_SCHEMA_VERSION
    sandbox: str = ""
    command_id: str = ""
    event: str = Field(description="open | socket.connect | socket.bind | exec | ctypes | host")
    detail: dict[str, Any] = Field(default_factory=dict)
    pid: int | None = None
    time: float = 0.0


class CommandResult(BaseModel):
    """What a command did. `exit_code` is the process's status (128+N for a signal N
    reported by the sandbox's init, -N when the host killed it)."""

    schema_version: int = RESULT_SCHEMA_VERSION
    command_id: str
    exit_code: int
    stdout: str
    stderr: str
    timed_out: bool = False
    truncated: bool = False
    quota_exceeded: bool = False
    duration_s: float
    killed_by_signal: int | None = None
    audit_events: list[AuditEvent] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out and not self.quota_exceeded
