"""Run one process with a deadline, capped output, a workspace watcher and an audit pipe.

Shared by every sandbox kind; knows nothing about isolation. The child starts in its own
session, so the whole group is killed on timeout (bwrap's pid namespace then takes every
descendant with it, since its init dies), and is SIGKILLed by the kernel if the process that
started it dies first (`die_with_parent`), so a killed researcher leaves no command running.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from aarlab.lifeline import die_with_parent
from aarlab.sandbox.quota import workspace_usage
from aarlab.sandbox.result import TRUNCATION_MARKER

_READ = 65536
_EXIT_GRACE_S = 0.2  # after the main process exits, how long to wait for pipes to close
_AUDIT_CAP = 4 * 1024 * 1024  # audit bytes kept per command (a flood is cut, not stored)


@dataclass
class Watch:
    """Workspace quota enforced while the command runs."""

    root: Path
    max_bytes: int
    max_files: int
    period_s: float

    def exceeded(self) -> bool:
        usage = workspace_usage(self.root)
        return usage.bytes > self.max_bytes or usage.files > self.max_files


@dataclass
class _Capped:
    cap: int
    data: bytearray = field(default_factory=bytearray)
    dropped: int = 0

    def feed(self, chunk: bytes) -> None:
        room = self.cap - len(self.data)
        if room > 0:
            self.data += chunk[:room]
        self.dropped += max(0, len(chunk) - max(room, 0))

    def text(self) -> str:
        out = self.data.decode("utf-8", errors="replace")
        return out + TRUNCATION_MARKER.format(n=self.dropped) if self.dropped else out


@dataclass
class Outcome:
    returncode: int
    stdout: str
    stderr: str
    audit: bytes
    timed_out: bool
    truncated: bool
    quota_exceeded: bool
    duration_s: float


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def _drain(fd: int, into: _Capped, limit: int = 64) -> None:
    """Read what is buffered now, without blocking, at most `limit` chunks."""
    os.set_blocking(fd, False)
    with contextlib.suppress(BlockingIOError, OSError):
        for _ in range(limit):
            chunk = os.read(fd, _READ)
            if not chunk:
                return
            into.feed(chunk)


def _feed_stdin(proc: subprocess.Popen[bytes], data: bytes) -> None:
    assert proc.stdin is not None  # set by Popen(stdin=PIPE); a programming error otherwise
    with contextlib.suppress(BrokenPipeError, OSError):
        proc.stdin.write(data)
    with contextlib.suppress(BrokenPipeError, OSError):
        proc.stdin.close()


def run_process(
    argv: list[str],
    *,
    env: dict[str, str],
    cwd: Path,
    stdin: str | None,
    timeout: float,
    output_cap: int,
    preexec: Callable[[], None],
    audit_fd: int | None,
    watch: Watch | None,
    on_exit: Callable[[], None] = lambda: None,
) -> Outcome:
    def child_setup() -> None:
        die_with_parent()
        preexec()

    start = time.monotonic()
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=cwd,
        start_new_session=True,
        preexec_fn=child_setup,
        close_fds=True,
    )
    if stdin is not None:
        threading.Thread(target=_feed_stdin, args=(proc, stdin.encode()), daemon=True).start()
    assert proc.stdout is not None and proc.stderr is not None
    outs = {proc.stdout.fileno(): _Capped(output_cap), proc.stderr.fileno(): _Capped(output_cap)}
    audit = _Capped(_AUDIT_CAP)
    sel = selectors.DefaultSelector()
    for fd in outs:
        sel.register(fd, selectors.EVENT_READ)
    if audit_fd is not None:
        sel.register(audit_fd, selectors.EVENT_READ)
    deadline = start + timeout
    next_watch = start + (watch.period_s if watch else 0.0)
    timed_out = quota_exceeded = False
    exited_at: float | None = None
    open_pipes = set(outs)
    try:
        while open_pipes:
            now = time.monotonic()
            if now >= deadline:
                timed_out = True
                break
            if exited_at is None and proc.poll() is not None:
                exited_at = now
            if exited_at is not None and now - exited_at > _EXIT_GRACE_S:
                break  # a background child holds the pipes open; the group is killed below
            if watch is not None and now >= next_watch:
                next_watch = now + watch.period_s
                if watch.exceeded():
                    quota_exceeded = True
                    break
            wait = min(deadline - now, watch.period_s if watch else 0.1, 0.1)
            for key, _ in sel.select(max(wait, 0.0)):
                fd = int(key.fd)
                chunk = os.read(fd, _READ)
                if fd == audit_fd:
                    audit.feed(chunk)  # the host holds a write end: no EOF here
                elif chunk:
                    outs[fd].feed(chunk)
                else:
                    sel.unregister(fd)
                    open_pipes.discard(fd)
    finally:
        _kill_group(proc)
        proc.wait()
        on_exit()
        sel.close()
    for fd, capped in outs.items():  # whatever the killed group left in the pipes
        _drain(fd, capped)
    if audit_fd is not None:
        _drain(audit_fd, audit)
    stdout, stderr = outs[proc.stdout.fileno()], outs[proc.stderr.fileno()]
    proc.stdout.close()
    proc.stderr.close()
    if watch is not None and not quota_exceeded and watch.exceeded():
        quota_exceeded = True
    return Outcome(
        returncode=proc.returncode,
        stdout=stdout.text(),
        stderr=stderr.text(),
        audit=bytes(audit.data),
        timed_out=timed_out,
        truncated=bool(stdout.dropped or stderr.dropped),
        quota_exceeded=quota_exceeded,
        duration_s=time.monotonic() - start,
    )
