"""The verifier's sandboxed re-runs: an honest method, a crash, a timeout, a denied socket."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aarlab.oversight.rerun import sandbox_runner
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
    if kind == "bwrap":  # the guest audit hook records the attempt; the namespace refuses it
        assert any(e.kind == "socket.connect" for e in ok.events), ok.events
    crash = run(write_method(tmp_path / "crash", CRASH), task.bundle_dir, [1000], 120)
    assert crash.status == "crash" and "this method is broken" in (crash.error or "")
    slow = run(write_method(tmp_path / "slow", SLEEP), task.bundle_dir, [1000], 8)
    assert slow.status == "timeout"
