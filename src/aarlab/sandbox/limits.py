"""Kernel limits for a sandboxed command: rlimits, and a pids cgroup where one is needed.

RLIMIT_NPROC is not enforced for processes whose real uid is host root, even inside a user
namespace with another uid (the kernel exempts INIT_USER). So as root the process limit
comes from a pids cgroup (v1 `pids` hierarchy or a v2 tree with the pids controller), and
without root from RLIMIT_NPROC, which bwrap's fresh user namespace makes per-sandbox.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from aarlab.sandbox.spec import Limits

CGROUP_V1_PIDS = Path("/sys/fs/cgroup/pids")
CGROUP_V2 = Path("/sys/fs/cgroup")


class PidsCgroup:
    """One pids cgroup per command: a hard cap on tasks, and a way to kill them all."""

    def __init__(self, path: Path, max_tasks: int) -> None:
        self.path = path
        path.mkdir(parents=False)
        (path / "pids.max").write_text(str(max_tasks))

    def procs(self) -> list[int]:
        try:
            return [int(x) for x in (self.path / "cgroup.procs").read_text().split()]
        except OSError:
            return []

    def kill_all(self) -> None:
        for pid in self.procs():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)

    def remove(self) -> None:
        for _ in range(100):
            self.kill_all()
            try:
                self.path.rmdir()
                return
            except OSError:
                time.sleep(0.01)


def _v2_parent() -> Path | None:
    controllers = CGROUP_V2 / "cgroup.controllers"
    if not controllers.exists() or "pids" not in controllers.read_text().split():
        return None
    parent = CGROUP_V2 / "aarlab"
    parent.mkdir(exist_ok=True)
    with contextlib.suppress(OSError):
        (CGROUP_V2 / "cgroup.subtree_control").write_text("+pids")
    (parent / "cgroup.subtree_control").write_text("+pids")
    return parent


def pids_cgroup_parent() -> Path | None:
    """A directory under which this process may create pids cgroups, or None."""
    candidates: list[Callable[[], Path | None]] = [
        lambda: CGROUP_V1_PIDS / "aarlab" if (CGROUP_V1_PIDS / "cgroup.procs").exists() else None,
        _v2_parent,
    ]
    for make in candidates:
        try:
            parent = make()
            if parent is None:
                continue
            parent.mkdir(exist_ok=True)
            probe = PidsCgroup(parent / f"probe-{uuid.uuid4().hex[:8]}", 8)
            probe.remove()
            return parent
        except OSError:
            continue
    return None


def process_limit_mode() -> tuple[str, Path | None]:
    """('cgroup-pids', parent) or ('rlimit-nproc', None); ('none', None) if root without a
    usable pids cgroup (the process limit cannot be enforced)."""
    parent = pids_cgroup_parent()
    if parent is not None:
        return "cgroup-pids", parent
    if os.geteuid() != 0:
        return "rlimit-nproc", None
    return "none", None


def make_preexec(
    limits: Limits, *, file_size: int, cgroup: PidsCgroup | None, nproc: bool
) -> Callable[[], None]:
    """Runs in the forked child before exec (of bwrap): joins the cgroup, sets rlimits.
    Kept to plain syscalls, since it runs between fork and exec."""
    procs = str(cgroup.path / "cgroup.procs") if cgroup is not None else None

    def preexec() -> None:
        if procs is not None:
            with open(procs, "w") as f:
                f.write(str(os.getpid()))
        pairs = [
            (resource.RLIMIT_CPU, limits.cpu_seconds),
            (resource.RLIMIT_AS, limits.memory_bytes),
            (resource.RLIMIT_FSIZE, file_size),
            (resource.RLIMIT_NOFILE, limits.open_files),
            (resource.RLIMIT_CORE, 0),
        ]
        if nproc:
            pairs.append((resource.RLIMIT_NPROC, limits.max_processes))
        for which, value in pairs:
            resource.setrlimit(which, (value, value))

    return preexec
