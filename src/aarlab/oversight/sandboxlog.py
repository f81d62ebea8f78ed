"""The sandboxes' host-side record of denied or forbidden operations, per researcher.

The orchestrator gives each researcher's sandbox `audit_log =
<run_dir>/researchers/<name>/sandbox_audit.jsonl` (one `aarlab.sandbox.AuditEvent` a line);
any `*audit*.jsonl` there is read. A line that does not parse is kept as a `malformed` event:
the sandbox can add noise to its record, and noise is itself worth a look.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from aarlab.oversight.records import SandboxEvent
from aarlab.oversight.rerun import to_event
from aarlab.sandbox.result import AuditEvent


def read_events(run_dir: Path) -> list[SandboxEvent]:
    out: list[SandboxEvent] = []
    for f in sorted(Path(run_dir).glob("researchers/*/*audit*.jsonl")):
        who = f.parent.name
        for line in f.read_text(errors="replace").splitlines():
            if not line.strip():
                continue
            try:
                out.append(to_event(AuditEvent.model_validate(json.loads(line)), who))
            except (ValueError, ValidationError):
                out.append(SandboxEvent(researcher=who, kind="malformed", detail=line[:300]))
    return out
