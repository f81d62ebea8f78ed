"""Escape attempts against the limits (processes, memory, disk, time, output) from
researcher A's sandbox: each is contained, and this process and the host keep working."""

from __future__ import annotations

import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from sandbox_lab import TEST_LIMITS, Lab, outcomes, py

from aarlab.sandbox import BwrapSandbox
from aarlab.sandbox.quota import workspace_usage

MiB = 1024 * 1024


# 6 ----------------------------------------------------------------------------------------
def test_fork_bomb_is_capped(sandbox: BwrapSandbox) -> None:
    r = py(
        sandbox,
        """
        import time
        n = 0
        for _ in range(1000):
            try:
                pid = os.fork()
            except OSError as e:
                print("ERR", errno.errorcode[e.errno], n, flush=True)
                break
            if pid == 0:
                time.sleep(30)
                os._exit(0)
            n += 1
        else:
            print("OK", n)
        """,
        timeout=10,
    )
    first = outcomes(r)[0].split()
    assert first[:2] == ["ERR", "EAGAIN"], r
    assert int(first[2]) < TEST_LIMITS.max_processes
    assert r.duration_s < 9  # and the sleeping children did not hold the command open


def _host_procs_running(marker: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "cmdline").read_bytes().decode(errors="replace"):
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


@pytest.mark.slow
def test_shell_fork_bomb_is_contained_and_killed(sandbox: BwrapSandbox, lab: Lab) -> None:
    marker = f"bomb-{uuid.uuid4().hex[:8]}.sh"
    (lab.workspace_a / marker).write_text(":(){ :|:& };:\n")
    r = sandbox.run(["sh", f"/workspace/{marker}"], timeout=3)
    assert r.timed_out or r.exit_code != 0
    assert r.duration_s < 8
    time.sleep(0.5)
    assert _host_procs_running(marker) == []  # nothing of the bomb outlived the command
    assert subprocess.run(["true"]).returncode == 0  # the host can still fork
    assert sandbox.run("echo alive").stdout == "alive\n"
    # A bomb that never gives up is held at the cap until the timeout kills it.
    stubborn = py(
        sandbox,
        """
        while True:
            try:
                if os.fork() == 0:
                    while True:
                        pass
            except OSError:
                pass
        """,
        timeout=2,
    )
    assert stubborn.timed_out and stubborn.duration_s < 6
    assert sandbox.run("echo alive").stdout == "alive\n"


# 7 ----------------------------------------------------------------------------------------
def test_memory_bomb(sandbox: BwrapSandbox) -> None:
    r = py(
        sandbox,
        """
        try:
            b = bytearray(10 * 1024**3)
            print("OK")
        except MemoryError:
            print("ERR MemoryError")
        chunks = []
        try:
            while True:
                chunks.append(bytearray(64 * 1024**2))
        except MemoryError:
            print("ERR MemoryError", len(chunks))
        """,
    )
    lines = outcomes(r)
    assert lines[0] == "ERR MemoryError", r
    assert lines[1].startswith("ERR MemoryError")
    assert int(lines[1].split()[2]) * 64 * MiB <= TEST_LIMITS.memory_bytes


# 8 ----------------------------------------------------------------------------------------
def test_fill_disk_one_file(sandbox: BwrapSandbox, lab: Lab) -> None:
    r = py(
        sandbox,
        """
        import signal
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        def fill():
            with open("/workspace/fill.bin", "wb") as f:
                while True:
                    f.write(b"x" * 1024**2)
                    f.flush()
        attempt(fill)
        """,
    )
    assert outcomes(r) == ["ERR EFBIG"], r
    assert (lab.workspace_a / "fill.bin").stat().st_size <= TEST_LIMITS.file_size_bytes


def test_fill_disk_many_files(sandbox: BwrapSandbox, lab: Lab) -> None:
    r = py(
        sandbox,
        """
        i = 0
        while True:
            with open(f"/workspace/f{i}.bin", "wb") as f:
                f.write(os.urandom(1024**2))
            i += 1
        """,
    )
    assert r.quota_exceeded and r.exit_code != 0, r
    used = workspace_usage(lab.workspace_a).bytes
    # The documented bound: the quota plus what one poll period lets through.
    assert used <= TEST_LIMITS.workspace_bytes + 96 * MiB, used
    assert any(e.event == "host" and "quota_exceeded" in e.detail for e in r.audit_events)
    # Over quota, nothing can grow any more; deleting still works.
    grow = py(
        sandbox,
        """
        def grow():
            with open('/workspace/more.bin', 'wb') as f:
                f.write(b'x')
        attempt(grow)
        """,
    )
    assert outcomes(grow) == ["ERR EFBIG"], grow
    assert sandbox.run("rm -f /workspace/f*.bin").exit_code == 0
    assert workspace_usage(lab.workspace_a).bytes < TEST_LIMITS.workspace_bytes
    assert sandbox.run("echo x > /workspace/small.txt").exit_code == 0  # room again


def test_fill_tmp(sandbox: BwrapSandbox) -> None:
    r = py(
        sandbox,
        """
        n = 0
        try:
            for i in range(10_000):
                with open(f"/tmp/f{i}", "wb") as f:
                    f.write(b"x" * 1024**2)
                n += 1
            print("OK")
        except OSError as e:
            print("ERR", errno.errorcode[e.errno], n)
        """,
    )
    err, code, n = outcomes(r)[0].split()
    assert (err, code) == ("ERR", "ENOSPC"), r
    assert int(n) * MiB <= TEST_LIMITS.tmp_bytes


# 12 ---------------------------------------------------------------------------------------
def test_timeout_kills_command_and_children(sandbox: BwrapSandbox, lab: Lab) -> None:
    r = sandbox.run("(sleep 2; echo late > /workspace/late.txt) & sleep 100", timeout=1)
    assert r.timed_out and r.killed_by_signal == signal.SIGKILL
    assert r.duration_s < 3
    time.sleep(2.5)
    assert not (lab.workspace_a / "late.txt").exists()  # the background child died too


def test_output_is_capped(sandbox: BwrapSandbox) -> None:
    r = sandbox.run(["python", "-c", "print('x' * 10_000_000)"])
    assert r.truncated and r.exit_code == 0
    assert len(r.stdout) < TEST_LIMITS.output_bytes + 200
    assert "output truncated" in r.stdout
