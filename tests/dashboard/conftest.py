"""Dashboard fixtures: a seeded hub in-process (plain HTTP tests) and on a real port (browser)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from dashseed import LiveHub, Seeded, hub_config, seed_hub, write_run_files
from fastapi.testclient import TestClient

from aarlab.hub import HubClient, create_app
from aarlab.w2s.answer_key import AnswerKey
from aarlab.w2s.task import Task


@pytest.fixture(scope="module")
def seeded_app(tmp_path_factory: pytest.TempPathFactory,
               synthetic_task: Task) -> Iterator[tuple[TestClient, Seeded]]:
    """An in-process hub (TestClient) on a seeded run, for plain HTTP tests."""
    run_dir = tmp_path_factory.mktemp("dash-http") / "run"
    write_run_files(run_dir)
    with TestClient(create_app(hub_config(run_dir, synthetic_task.key_dir), run_dir=run_dir),
                    raise_server_exceptions=False) as tc:
        admin_token = tc.app.state.hub.admin_token  # type: ignore[attr-defined]
        viewer = (run_dir / "viewer_token").read_text().strip()
        seeded = seed_hub(HubClient(http=tc, token=admin_token),
                          lambda tok: HubClient(http=tc, token=tok), run_dir,
                          AnswerKey.load(synthetic_task.key_dir), viewer)
        seeded.admin_token = admin_token
        yield tc, seeded


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@pytest.fixture(scope="module")
def live_hub(tmp_path_factory: pytest.TempPathFactory, synthetic_task: Task) -> Iterator[LiveHub]:
    """A real uvicorn server on a free loopback port (in a thread) with a seeded run."""
    run_dir = tmp_path_factory.mktemp("dash-live") / "run"
    write_run_files(run_dir)
    app = create_app(hub_config(run_dir, synthetic_task.key_dir), run_dir=run_dir)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False,
                                           timeout_graceful_shutdown=5))
    sock = _free_socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the hub did not start")
        time.sleep(0.05)
    admin_token = app.state.hub.admin_token
    viewer = (run_dir / "viewer_token").read_text().strip()
    http = httpx.Client(base_url=url, timeout=60)
    try:
        seeded = seed_hub(HubClient(http=http, token=admin_token),
                          lambda tok: HubClient(http=http, token=tok), run_dir,
                          AnswerKey.load(synthetic_task.key_dir), viewer)
        seeded.admin_token = admin_token
        yield LiveHub(url, seeded)
    finally:
        http.close()
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
