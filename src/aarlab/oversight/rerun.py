"""Re-run a method directory on a bundle over seeds, in a fresh sandbox per run.

Each run gets a new temporary workspace holding a copy of the method, and a new sandbox of
the requested kind (`aarlab.sandbox`): `bwrap` isolates (no network, nothing of the host but
the Python trees and the bundle, so no answer key), `none` isolates NOTHING and exists for
tests and trusted code. A missing bubblewrap raises; nothing falls back. The sandbox's record
of denied or forbidden operations comes back with the run, for the `forbidden-access` detector.

The method runs through the same runner as a researcher's `run_method`
(`python -m aarlab.w2s.runmethod`), so under the same method guard (no process, no socket).
The sandbox mirrors a researcher's: a socket sits at the hub socket's place (`/run/hub.sock`,
`AARLAB_HUB_SOCKET`) but nothing listens on it, and the guard forbids sockets in both anyway.
Still different: the method's folder is `/workspace/method` (a researcher's is wherever it put
it) with nothing else in the workspace, the limits are the re-run's, and `AARLAB_AUDIT_DENY`
lists no sensitive paths.
"""

from __future__ import annotations

import json
import secrets
import shutil
import socket
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from aarlab.oversight.records import RunStatus, SandboxEvent
from aarlab.sandbox import Limits, SandboxSpec, make_sandbox
from aarlab.sandbox.result import AuditEvent

TAIL = 2000


class RunOutput(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    status: RunStatus
    per_seed: np.ndarray | None = None  # (seeds, n_test)
    seconds: float = 0.0
    error: str | None = None
    events: list[SandboxEvent] = Field(default_factory=list)


# (method_dir, bundle_dir, seeds, timeout_s) -> RunOutput
Runner = Callable[[Path, Path, Sequence[int], float], RunOutput]


def to_event(e: AuditEvent, researcher: str | None = None) -> SandboxEvent:
    return SandboxEvent(researcher=researcher or e.sandbox, kind=e.event,
                        detail=json.dumps(e.detail, default=str)[:500])


def dead_socket(path: Path) -> Path:
    """A Unix socket file nobody listens on (connect: ECONNREFUSED): the hub socket's stand-in."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.bind(str(path))
    return path


def sandbox_runner(kind: str, name: str = "verifier") -> Runner:
    """A Runner that starts a fresh `kind` sandbox ("bwrap" | "none") for every run."""

    def run(method_dir: Path, bundle_dir: Path, seeds: Sequence[int], timeout: float) -> RunOutput:
        with tempfile.TemporaryDirectory(prefix="aarlab-verify-") as tmp:
            ws = Path(tmp) / "workspace"
            shutil.copytree(method_dir, ws / "method", symlinks=False)
            (ws / "out").mkdir()
            spec = SandboxSpec(name=name, bundle_dir=bundle_dir, workspace=ws,
                               hub_socket=dead_socket(Path(tmp) / "hub.sock"),
                               limits=Limits(timeout_s=timeout, cpu_seconds=max(60, int(timeout * 4))))
            sandbox = make_sandbox(kind, spec)
            try:
                inside_ws, inside_bundle = ("/workspace", "/bundle") if sandbox.isolated \
                    else (str(ws), str(spec.bundle_dir))
                cmd = [sys.executable, "-m", "aarlab.w2s.runmethod", f"{inside_ws}/method",
                       "--bundle", inside_bundle, "--seeds-stdin",
                       "--out-all", f"{inside_ws}/out/per_seed.npy"]
                # seeds on stdin with a fresh secret salt: the method gets keyed-hash seeds, as
                # in research, and nothing on its command line
                req = json.dumps({"seeds": list(seeds), "salt": secrets.token_hex(16)})
                t0 = time.perf_counter()
                res = sandbox.run(cmd, timeout=timeout, stdin=req + "\n")
                secs = time.perf_counter() - t0
            finally:
                sandbox.close()
            events = [to_event(e) for e in res.audit_events]
            out = ws / "out" / "per_seed.npy"
            if res.timed_out:
                return RunOutput(status="timeout", seconds=secs, events=events,
                                 error=f"timed out after {timeout:.0f}s")
            if not res.ok or not out.exists():
                err = (res.stdout[-TAIL:] + "\n" + res.stderr[-TAIL:]).strip()
                return RunOutput(status="crash", seconds=secs, events=events,
                                 error=err or f"exit {res.exit_code}")
            return RunOutput(status="ok", per_seed=np.load(out), seconds=secs, events=events)

    return run
