"""The verifier's sandboxed re-runs: an honest method, a crash, a timeout, a denied socket, a
refused process, and the hub socket's stand-in."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aarlab.oversight.rerun import sandbox_runner
from aarlab.w2s.guard import BLOCKED
from aarlab.w2s.task import Task

from .conftest import write_method
from .methods import CRASH, SLEEP, VANILLA

KINDS = ["none", pytest.param("bwrap", marks=pytest.mark.skipif(shutil.which("bwrap") is None,
                                                                reason="bubblewrap not installed"))]
SOCKET = VANILLA.replace("def fit_predict(bundle, seed):", '''def fit_predict(bundle, seed):
    import socket
    try:
        socket.create_connection(("192.0.2.1", 80), timeout=0.5)
    except OSError:
        pass''')


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_runs_crashes_and_timeouts_are_recorded(kind: str, task: Task, tmp_path: Path) -> None:
    run = sandbox_runner(kind, name="verify-test")
    ok = run(write_method(tmp_path / "ok", SOCKET), task.bundle_dir, [1000, 1001], 120)
    assert ok.status == "ok", ok.error
    assert ok.per_seed is not None and ok.per_seed.shape == (2, task.key().n_test)
    # the method guard refuses the socket and records the refusal on the sandbox's audit channel
    assert any(e.kind == "guard.refused" and "socket" in e.detail for e in ok.events), ok.events
    crash = run(write_method(tmp_path / "crash", CRASH), task.bundle_dir, [1000], 120)
    assert crash.status == "crash" and "this method is broken" in (crash.error or "")
    slow = run(write_method(tmp_path / "slow", SLEEP), task.bundle_dir, [1000], 8)
    assert slow.status == "timeout"


# runs in the verifier's sandbox: what a method sees at the hub socket's place, then a process
PROCESS = VANILLA.replace("def fit_predict(bundle, seed):", '''def fit_predict(bundle, seed):
    import os, stat
    hub = os.environ["AARLAB_HUB_SOCKET"]
    assert stat.S_ISSOCK(os.stat(hub).st_mode), hub  # as in research: a socket is there
    os.system("true")''')


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_a_process_is_refused_in_verification(kind: str, task: Task, tmp_path: Path) -> None:
    out = sandbox_runner(kind, name="verify-test")(write_method(tmp_path / "p", PROCESS), task.bundle_dir,
                                                   [1000], 120)
    assert out.status == "crash" and BLOCKED in (out.error or ""), out.error
    assert any(e.kind == "guard.refused" and "os.system" in e.detail for e in out.events), out.events
