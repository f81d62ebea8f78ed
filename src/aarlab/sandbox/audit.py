"""Host side of the audit record: the FIFO the guest hook writes to, parsing, the log."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from pydantic import ValidationError

from aarlab.sandbox.result import AuditEvent

GUEST_SITE_DIR = Path(__file__).resolve().parent / "guest"


class AuditChannel:
    """A FIFO in the sandbox's private host directory. The host holds both ends open, so
    reads never see EOF and writers never see a missing reader; the sandbox can only append."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / "audit.fifo"
        os.mkfifo(self.path, 0o622)
        self.read_fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        self._keep_fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)

    def close(self) -> None:
        for fd in (self.read_fd, self._keep_fd):
            with contextlib.suppress(OSError):
                os.close(fd)


def parse_events(raw: bytes, *, sandbox: str, command_id: str) -> list[AuditEvent]:
    """Each line is one event; a line the sandbox forged badly becomes a `host` event."""
    events: list[AuditEvent] = []
    for line in raw.decode(errors="replace").splitlines():
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            event = AuditEvent.model_validate(
                {**data, "sandbox": sandbox, "command_id": command_id}
            )
        except (ValueError, ValidationError, TypeError):
            event = AuditEvent(
                sandbox=sandbox,
                command_id=command_id,
                event="host",
                detail={"malformed_audit_line": line[:500]},
            )
        events.append(event)
    return events


def append_log(path: Path | None, events: list[AuditEvent]) -> None:
    if path is None or not events:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as f:
        for event in events:
            f.write(event.model_dump_json() + "\n")
