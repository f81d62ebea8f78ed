"""The embedded hub: a uvicorn subprocess on a Unix socket (for sandboxes) and loopback TCP.

A subprocess rather than a thread, so that a researcher's load never stalls the scorer's
event loop, and a killed orchestrator leaves a database the next hub opens cleanly (SQLite WAL).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from aarlab.errors import AarlabError
from aarlab.hub.client import HubClient, HubError
from aarlab.lifeline import child_env, stop_children
from aarlab.rundir import RunPaths


class HubStartError(AarlabError, RuntimeError):
    """The hub process died or never answered (a fault; its log says why)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class HubProcess:
    def __init__(self, paths: RunPaths, tasks: dict[str, Path], port: int | None = None,
                 extra_args: list[str] | None = None) -> None:
        self.paths = paths
        self.tasks = tasks
        self.port = port or free_port()
        self.extra_args = extra_args or []
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        cmd = [sys.executable, "-m", "aarlab", "hub", "--run-dir", str(self.paths.root),
               "--port", str(self.port), "--uds", str(self.paths.hub_socket)]
        for dataset, key_dir in self.tasks.items():
            cmd += ["--task", f"{dataset}={key_dir}"]
        return cmd + self.extra_args

    def start(self, timeout_s: float = 60.0) -> HubProcess:
        log = open(self.paths.hub_log, "ab")  # noqa: SIM115 (kept open for the child's life)
        self.proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT,
                                     start_new_session=True, env=child_env())
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise HubStartError(f"the hub exited with code {self.proc.returncode}; see {self.paths.hub_log}")
            try:
                with HubClient(self.url, timeout=1.0) as probe:
                    probe.health()
                return self
            except (httpx.HTTPError, HubError):
                pass
            time.sleep(0.2)
        self.stop()
        raise HubStartError(f"the hub did not answer within {timeout_s:.0f} s; see {self.paths.hub_log}")

    def admin_token(self) -> str:
        return self.paths.admin_token.read_text().strip()

    def admin(self) -> HubClient:
        """A client holding the admin token (the orchestrator's; never given to a researcher)."""
        return HubClient(self.url, token=self.admin_token(), timeout=30)

    def viewer_token_file(self) -> Path:
        return self.paths.viewer_token

    def stop(self) -> None:
        if self.proc is not None:
            stop_children([self.proc])
