"""Fixtures for the sandbox suite (helpers live in sandbox_lab.py)."""

from __future__ import annotations

import shutil
import socketserver
import sqlite3
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sandbox_lab import KEY_MARKER, SECRET_B, Lab, _Echo, require_bwrap, spec_for

from aarlab.sandbox import BwrapSandbox


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[Lab]:
    project = tmp_path / "project"
    task = project / ".aarlab" / "tasks" / "t"
    (task / "key").mkdir(parents=True)
    (task / "bundle").mkdir(parents=True)
    np.savez(task / "key" / "key.npz", labels=np.array([KEY_MARKER, 0, 1]))
    (task / "bundle" / "readme.txt").write_text("bundle ok\n")
    (task / "bundle" / "check.py").write_text("print('ran bundle code')\n")
    run = project / "runs" / "r"
    (run / "logs").mkdir(parents=True)
    hub_db = run / "hub.db"
    with sqlite3.connect(hub_db) as db:
        db.execute("create table labels (id integer, label integer)")
        db.execute("insert into labels values (1, 1)")
    researcher_log = run / "logs" / "builtin-1.jsonl"
    researcher_log.write_text('{"step": 1}\n')
    ws_a, ws_b = run / "workspaces" / "builtin-1", run / "workspaces" / "builtin-2"
    ws_a.mkdir(parents=True)
    ws_b.mkdir(parents=True)
    (ws_b / "secret-b.txt").write_text(SECRET_B)
    sock_dir = Path(tempfile.mkdtemp(prefix="aarlab-hub-", dir="/tmp"))  # AF_UNIX path limit
    hub_socket = sock_dir / "hub.sock"
    server = socketserver.ThreadingUnixStreamServer(str(hub_socket), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Lab(
            project=project,
            key=task / "key" / "key.npz",
            bundle=task / "bundle",
            hub_db=hub_db,
            researcher_log=researcher_log,
            audit_log=run / "logs" / "audit.jsonl",
            workspace_a=ws_a,
            workspace_b=ws_b,
            hub_socket=hub_socket,
        )
    finally:
        server.shutdown()
        server.server_close()
        shutil.rmtree(sock_dir, ignore_errors=True)


@pytest.fixture
def sandbox(lab: Lab) -> Iterator[BwrapSandbox]:
    require_bwrap()
    sb = BwrapSandbox(spec_for(lab))
    try:
        yield sb
    finally:
        sb.close()
