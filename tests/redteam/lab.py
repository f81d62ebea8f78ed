"""A red-team run in one process: a real hub over loopback HTTP, researchers driven in-process.

Each researcher is built from its spec (`build_researcher`) and run with `.run(ctx, stop)`, its
own hub token and the unsafe local sandbox ("none": no isolation, but the same audit hook and
audit log as bwrap, which the `forbidden-access` detector reads). The run directory has the
layout `verify_run` expects: `hub.db`, `hub.json`, `config.json`, `researchers/<name>/`.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn

from aarlab.hub import BudgetConfig, HubClient, HubConfig, create_app
from aarlab.oversight import VerificationReport, VerifyConfig, verify_run
from aarlab.researchers.base import Budgets, ResearcherContext, ResearcherOutcome, researcher_name
from aarlab.researchers.kinds import build_researcher
from aarlab.w2s.task import Task

ADMIN_TOKEN = "admin-token-for-the-red-team-test"


class ThreadServer:
    """Serve an ASGI app with uvicorn on a free loopback port, in a thread."""

    def __init__(self, app: Any) -> None:
        self.app, self.port = app, 0
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> ThreadServer:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self._server = uvicorn.Server(uvicorn.Config(self.app, log_level="warning"))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("hub did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=15)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class RedTeamRun:
    run_dir: Path
    dataset: str
    outcomes: dict[str, ResearcherOutcome] = field(default_factory=dict)
    seconds: float = 0.0


def run_team(task: Task, run_dir: Path, specs: list[str], seed: int, steps: int = 3,
             budget: int = 100) -> RedTeamRun:
    """Start a hub on `task`, run every researcher of `specs` to its end, stop the hub."""
    dataset = task.key().meta.dataset
    run_dir.mkdir(parents=True, exist_ok=True)
    cfg = HubConfig(tasks={dataset: task.key_dir}, budgets=BudgetConfig(total=budget, per_hour=budget))
    cfg.save(run_dir)
    (run_dir / "config.json").write_text(json.dumps({"dataset": dataset, "sandbox": "none", "seed": seed}))
    out = RedTeamRun(run_dir=run_dir, dataset=dataset)
    t0 = time.perf_counter()
    counts: dict[str, int] = {}
    with ThreadServer(create_app(cfg, run_dir=run_dir, admin_token=ADMIN_TOKEN)) as hub, \
            HubClient(hub.url, token=ADMIN_TOKEN) as admin:
        for spec in specs:
            counts[spec] = counts.get(spec, 0) + 1
            name = researcher_name(spec, counts[spec])
            token = admin.create_researcher(name, direction="").token
            ctx = context(run_dir, task, name, spec, hub.url, token, seed, steps)
            out.outcomes[name] = build_researcher(spec).run(ctx, lambda: False)
    out.seconds = time.perf_counter() - t0
    return out


def context(run_dir: Path, task: Task, name: str, spec: str, hub_url: str, token: str, seed: int,
            steps: int) -> ResearcherContext:
    rdir = run_dir / "researchers" / name
    (rdir / "workspace").mkdir(parents=True, exist_ok=True)
    return ResearcherContext(
        name=name, spec=spec, dataset=task.key().meta.dataset, run_dir=run_dir,
        workspace=rdir / "workspace", bundle_dir=task.bundle_dir, hub_url=hub_url, token=token,
        sandbox="none", seed=seed, budgets=Budgets(steps=steps if spec == "builtin" else None),
        transcript=rdir / "transcript.jsonl", notebook=rdir / "notebook.jsonl",
        status_file=rdir / "status.json")


def verify(run: RedTeamRun, task: Task) -> VerificationReport:
    cfg = VerifyConfig(seeds=[1000, 1001, 1002], ablation_seeds=1, top_k=0, baselines=[], heldout=[],
                       prepare_heldout=False,
                       sandbox="none", timeout_s=300, push=False)
    return verify_run(run.run_dir, cfg, task=task, heldout={}, log=lambda _: None)
