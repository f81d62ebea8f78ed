"""aarlab.lifeline: children die with their parent, stuck or not; a parent's stop escalates.

Each test builds the real process tree (parent -> child in its own session -> grandchild) and
SIGKILLs the parent, as a killed orchestrator would be.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from aarlab.lifeline import reap, stop_children

# A child as the orchestrator starts one; argv: mode (graceful|stuck), grace_s, out dir.
CHILD = textwrap.dedent("""
    import signal, subprocess, sys, threading
    from pathlib import Path
    from aarlab.lifeline import bind_to_parent
    mode, grace_s, out = sys.argv[1], float(sys.argv[2]), Path(sys.argv[3])
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())  # caught, as the worker does
    assert bind_to_parent(grace_s)
    if mode == "stuck":  # a grandchild in the child's process group, like a command it runs
        grandchild = subprocess.Popen(["sleep", "1000"])
        (out / "grandchild").write_text(str(grandchild.pid))
    (out / "ready").write_text("")
    if mode == "stuck":  # the stop is requested but never acted on: the main thread waits forever
        lock = threading.Lock()
        lock.acquire()
        lock.acquire()
    stop.wait()
    (out / "stopped").write_text("")
""")

PARENT = textwrap.dedent("""
    import subprocess, sys, time
    from aarlab.lifeline import child_env
    child = subprocess.Popen([sys.executable, "-c", sys.argv[1], *sys.argv[2:]], env=child_env(),
                             start_new_session=True)
    print(child.pid, flush=True)
    time.sleep(1000)
""")


def running(pid: int) -> bool:
    """Whether `pid` exists and is not a zombie (an orphan's zombie waits for init)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def wait_until(cond: object, timeout: float) -> float:
    """Seconds until `cond()` held; fails after `timeout`."""
    t0 = time.monotonic()
    while not cond():  # type: ignore[operator]
        assert time.monotonic() - t0 < timeout, f"not within {timeout} s"
        time.sleep(0.05)
    return time.monotonic() - t0


def orphan(tmp_path: Path, mode: str, grace_s: float) -> tuple[int, float]:
    """Start parent -> child, SIGKILL the parent once the child is ready; the child's pid and
    the seconds it took to end."""
    parent = subprocess.Popen([sys.executable, "-c", PARENT, CHILD, mode, str(grace_s), str(tmp_path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        wait_until(lambda: (tmp_path / "ready").exists(), timeout=60)
        assert running(child)
    finally:
        parent.kill()
        parent.wait()
    try:
        return child, wait_until(lambda: not running(child), timeout=30)
    except AssertionError:
        os.killpg(child, signal.SIGKILL)  # leave nothing behind when the test fails
        raise


def test_orphan_stops_gracefully(tmp_path: Path) -> None:
    _, took = orphan(tmp_path, "graceful", grace_s=60)
    assert (tmp_path / "stopped").exists()  # its SIGTERM handler ran: not the watchdog's SIGKILL
    assert took < 30


def test_stuck_orphan_and_its_group_are_killed_after_the_grace(tmp_path: Path) -> None:
    _, took = orphan(tmp_path, "stuck", grace_s=1)
    grandchild = int((tmp_path / "grandchild").read_text())
    wait_until(lambda: not running(grandchild), timeout=5)  # its process group went with it
    assert not (tmp_path / "stopped").exists()
    assert took < 15


def test_sandboxed_command_dies_with_its_starter(tmp_path: Path) -> None:
    # The command runs in a session of its own, so only PR_SET_PDEATHSIG can take it along.
    starter = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        from pathlib import Path
        from aarlab.sandbox.process import run_process
        run_process(["sh", "-c", "echo $$ > {tmp_path}/cmd; exec sleep 1000"], env={{"PATH": "/usr/bin:/bin"}},
                    cwd=Path("{tmp_path}"), stdin=None, timeout=1000, output_cap=1000,
                    preexec=lambda: None, audit_fd=None, watch=None)
    """)])
    try:
        wait_until(lambda: (tmp_path / "cmd").exists() and (tmp_path / "cmd").read_text().strip(), timeout=60)
        cmd = int((tmp_path / "cmd").read_text())
        assert running(cmd)
    finally:
        starter.kill()
        starter.wait()
    try:
        wait_until(lambda: not running(cmd), timeout=10)
    except AssertionError:
        os.kill(cmd, signal.SIGKILL)
        raise


def _sleeper(ignore_term: bool, marker: str = "") -> subprocess.Popen[bytes]:
    code = "import signal, subprocess, time\n"
    if ignore_term:
        code += "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    code += "subprocess.Popen(['sleep', '1000']); print('ready', flush=True); time.sleep(1000)\n"
    proc = subprocess.Popen([sys.executable, "-c", code, marker], stdout=subprocess.PIPE,
                            start_new_session=True)
    assert proc.stdout is not None and proc.stdout.readline() == b"ready\n"
    return proc


def _group_gone(pgid: int) -> bool:
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            return False
    return True


def test_stop_children_escalates_to_sigkill_of_the_group() -> None:
    polite, stubborn = _sleeper(ignore_term=False), _sleeper(ignore_term=True)
    t0 = time.monotonic()
    stop_children([polite, stubborn], grace_s=1)
    assert time.monotonic() - t0 < 15
    assert polite.returncode == -signal.SIGTERM and stubborn.returncode == -signal.SIGKILL
    wait_until(lambda: _group_gone(polite.pid) and _group_gone(stubborn.pid), timeout=5)


def test_reap_escalates_for_processes_left_by_another_orchestrator() -> None:
    stubborn = _sleeper(ignore_term=True, marker="left-behind-marker")
    other = _sleeper(ignore_term=False)  # not named: untouched
    try:
        assert reap({stubborn.pid: "left-behind-marker", other.pid: "left-behind-marker-2"},
                    grace_s=0.5) == [stubborn.pid]
        assert stubborn.wait(timeout=5) == -signal.SIGKILL
        wait_until(lambda: _group_gone(stubborn.pid), timeout=5)
        assert other.poll() is None
    finally:
        stop_children([other], grace_s=1)
