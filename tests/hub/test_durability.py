"""Durability: kill -9 the hub mid-burst; after a restart every acknowledged write is there."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import numpy as np
import pytest

from aarlab.hub import HubClient, HubConfig
from aarlab.hub.config import BudgetConfig

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(run_dir: Path, port: int) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-c", "from aarlab.cli import main; main()", "hub",
           "--run-dir", str(run_dir), "--port", str(port), "--log-level", "warning"]
    log = open(run_dir / "hub.log", "ab")  # noqa: SIM115 (kept open for the child's life)
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError((run_dir / "hub.log").read_text()[-3000:])
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("hub did not start")


def test_kill_9_loses_no_acknowledged_write(tmp_path: Path, db_url: str, key_dir: Path) -> None:
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    HubConfig(tasks={"toy": key_dir}, database_url=db_url,
              budgets=BudgetConfig(total=100_000, per_hour=100_000)).save(run_dir)
    port = _free_port()
    proc = _start(run_dir, port)
    url = f"http://127.0.0.1:{port}"
    admin = HubClient(url, (run_dir / "admin_token").read_text().strip())
    tokens = [admin.create_researcher(f"r{i}").token for i in range(6)]
    rng = np.random.default_rng(0)
    preds = [rng.random(2000) for _ in range(4)]

    acked_subs: list[str] = []
    acked_posts: list[str] = []
    stop = threading.Event()

    def submitter(token: str, i: int) -> None:
        with HubClient(url, token, timeout=10) as c:
            while not stop.is_set():
                try:
                    acked_subs.append(c.submit("toy", preds[i % 4]).id)
                except Exception:  # noqa: BLE001 -- the hub was killed: stop
                    return

    def poster(token: str, i: int) -> None:
        with HubClient(url, token, timeout=10) as c:
            n = 0
            while not stop.is_set():
                try:
                    acked_posts.append(c.create_post("insight", f"note {i}-{n}", body="burst").id)
                except Exception:  # noqa: BLE001
                    return
                n += 1

    threads = [threading.Thread(target=submitter, args=(t, i)) for i, t in enumerate(tokens[:4])]
    threads += [threading.Thread(target=poster, args=(t, i)) for i, t in enumerate(tokens[4:])]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while (len(acked_subs) < 40 or len(acked_posts) < 20) and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # mid-burst: requests are in flight
    proc.wait()
    stop.set()
    for t in threads:
        t.join(timeout=30)
    n_subs, n_posts = len(acked_subs), len(acked_posts)
    assert n_subs >= 40 and n_posts >= 20

    proc = _start(run_dir, port)
    try:
        subs = {s.id for s in admin.admin_submissions(limit=10_000)}
        posts = {p.id for p in admin.posts(limit=500)}
        audited = {r.submission_id for r in admin.audit_all(accepted=True)}
        print(f"\ndurability: acknowledged submissions={n_subs} posts={n_posts}; "
              f"stored submissions={len(subs)} posts={len(posts)}")
        assert set(acked_subs) <= subs
        assert set(acked_subs) <= audited
        assert set(acked_posts) <= posts
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
