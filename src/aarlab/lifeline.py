"""Children of the orchestrator die with it, whatever they are doing; a resumed run clears the rest.

Bottom layer (stdlib only): the orchestrator (`aarlab.run`), the hub command, the researcher
worker and the sandbox all use it.

- The orchestrator starts each child (the hub, every researcher worker) in its own session with
  `child_env()`, so Ctrl-C reaches only the orchestrator, which stops them in order
  (`stop_children`: SIGTERM to each process group, a grace, SIGKILL, wait).
- A child calls `bind_to_parent()` first. When its parent dies (even SIGKILLed), the kernel
  sends it SIGTERM (Linux `PR_SET_PDEATHSIG`), which starts its graceful stop; and a daemon
  thread that polls `getppid()` SIGKILLs the child's whole process group `grace_s` later. That
  thread needs neither the main thread nor a signal handler, so a worker stuck in a futex wait
  with SIGTERM caught still dies within the grace.
- Sandboxed commands run in sessions of their own (so a timeout kills their group); they die
  with the process that started them (`die_with_parent` in their pre-exec; bwrap also has
  `--die-with-parent`, and its pid namespace takes every descendant with it).
- `--resume` first ends any process a previous orchestrator left behind (`reap`), so two
  generations never share a run.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

PARENT_ENV = "AARLAB_PARENT_PID"
ORPHAN_GRACE_S = 5.0  # an orphaned child's graceful stop, before its process group is SIGKILLed
STOP_GRACE_S = 15.0  # a parent's graceful stop of its children, before SIGKILL
_POLL_S = 0.2
_PR_SET_PDEATHSIG = 1


def _load_prctl() -> Callable[..., int] | None:
    """libc's prctl, resolved once at import (never between fork and exec)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return None


_prctl = _load_prctl()


def die_with_parent(sig: int = signal.SIGKILL) -> None:
    """Ask the kernel to send `sig` to this process when the thread that forked it exits (Linux;
    a no-op elsewhere). Safe in a `preexec_fn`."""
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)


def child_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a child that must not outlive this process."""
    return {**(os.environ if env is None else env), PARENT_ENV: str(os.getpid())}


def kill_own_group() -> None:
    """SIGKILL this process and its process group (only itself unless it leads the group, so a
    shell's group is never hit)."""
    if os.getpgrp() == os.getpid():
        os.killpg(os.getpgrp(), signal.SIGKILL)
    os.kill(os.getpid(), signal.SIGKILL)


def _watch_parent(parent: int, grace_s: float) -> None:
    while os.getppid() == parent:
        time.sleep(_POLL_S)
    with contextlib.suppress(OSError):  # in case PR_SET_PDEATHSIG was lost: stop gracefully
        os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(grace_s)
    kill_own_group()


def bind_to_parent(grace_s: float = ORPHAN_GRACE_S) -> bool:
    """End this process when the parent named in `AARLAB_PARENT_PID` dies: SIGTERM at once (its
    graceful stop), then SIGKILL of its process group after `grace_s`. Returns whether a parent
    was named (the variable is removed, so grandchildren do not inherit it)."""
    want = os.environ.pop(PARENT_ENV, None)
    if not want:
        return False
    die_with_parent(signal.SIGTERM)
    threading.Thread(target=_watch_parent, args=(int(want), grace_s), name="aarlab-lifeline",
                     daemon=True).start()
    return True


def stop_children(procs: Sequence[subprocess.Popen[bytes]], grace_s: float = STOP_GRACE_S) -> None:
    """SIGTERM the process group of each child (started with `start_new_session`), wait up to
    `grace_s` for all of them, SIGKILL the groups of those left, and wait for them."""
    for proc in procs:
        _signal_group(proc, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    for proc in procs:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(proc, signal.SIGKILL)
    for proc in procs:
        proc.wait()


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    if proc.poll() is None:  # not yet reaped: its pid (and group id) cannot have been reused
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def alive(pid: int, marker: str) -> bool:
    """Whether `pid` still runs and is the process we started (its command line has `marker`;
    a zombie's is empty)."""
    return marker in cmdline(pid)


def reap(pids: dict[int, str], grace_s: float = STOP_GRACE_S, kill_wait_s: float = 10.0) -> list[int]:
    """End processes that are not our children (pid -> command-line marker): SIGTERM the process
    groups of those still alive, SIGKILL what is left after `grace_s`, and wait (at most
    `kill_wait_s`) until they are gone. Returns the pids that had to be ended."""
    live = [p for p, marker in pids.items() if alive(p, marker)]

    def signal_live(sig: int) -> None:
        for p in live:
            if alive(p, pids[p]):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(p, sig)

    def wait(timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and any(alive(p, pids[p]) for p in live):
            time.sleep(0.1)

    signal_live(signal.SIGTERM)
    wait(grace_s)
    signal_live(signal.SIGKILL)
    wait(kill_wait_s)
    return live
