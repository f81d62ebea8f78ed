"""The orchestrator's event log, `events.jsonl`: one JSON line per event (start, crash,
restart, stop), fsynced. The run's state record lives with the run directory's layout in
`aarlab.rundir`."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path


def append_event(path: Path, kind: str, **fields: object) -> None:
    line = json.dumps({"t": time.time(), "event": kind, **fields}, default=str)
    with open(path, "a") as f:
        f.write(line + "\n")
        f.flush()
        os.fsync(f.fileno())
