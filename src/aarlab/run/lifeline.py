"""Children of the orchestrator die with it, and a resumed run first clears what is left.

The hub and the researchers run in their own sessions (so Ctrl-C reaches only the
orchestrator, which stops them in order). A SIGKILLed orchestrator cannot stop them, so each
child asks the kernel for SIGTERM when its parent dies (`bind_to_parent`, Linux
`PR_SET_PDEATHSIG`), and `--resume` ends any process a previous orchestrator left behind
(`reap`) before it starts the hub and the team again, so two generations never share a run.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import time
from pathlib import Path

PARENT_ENV = "AARLAB_PARENT_PID"
_PR_SET_PDEATHSIG = 1


def child_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a child that must not outlive this process."""
    return {**(os.environ if env is None else env), PARENT_ENV: str(os.getpid())}


def bind_to_parent() -> None:
    """SIGTERM this process when the parent named in `AARLAB_PARENT_PID` dies (Linux)."""
    want = os.environ.pop(PARENT_ENV, None)
    if not want or not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != int(want):  # the parent died before prctl took effect
        os.kill(os.getpid(), signal.SIGTERM)


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def alive(pid: int, marker: str) -> bool:
    """Whether `pid` still runs and is the process we started (its command line has `marker`)."""
    return marker in cmdline(pid)


def reap(pids: dict[int, str], grace_s: float = 15.0) -> list[int]:
    """SIGTERM the process groups of `pids` still alive (pid -> command-line marker), then
    SIGKILL what is left after `grace_s`. Returns the pids that had to be ended."""
    live = [p for p, marker in pids.items() if alive(p, marker)]
    for p in live:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(p, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline and any(alive(p, pids[p]) for p in live):
        time.sleep(0.1)
    for p in live:
        if alive(p, pids[p]):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(p, signal.SIGKILL)
    return live
