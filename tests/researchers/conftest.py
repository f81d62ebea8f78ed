"""Fixtures for the researcher tests: the fake LLM server, a sandbox on the synthetic bundle,
a hub, and a researcher context in a temporary run directory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fake_llm import FakeLLM
from researcher_helpers import ADMIN_TOKEN, ThreadServer

from aarlab.hub import BudgetConfig, HubClient, HubConfig, create_app
from aarlab.researchers.base import Budgets, ResearcherContext
from aarlab.researchers.tools import Toolbox
from aarlab.sandbox import SandboxSpec, UnsafeLocalSandbox
from aarlab.w2s.task import Task


@pytest.fixture
def fake_llm() -> Iterator[FakeLLM]:
    server = FakeLLM().start()
    yield server
    server.stop()


@pytest.fixture
def rdir(tmp_path: Path) -> Path:
    d = tmp_path / "run" / "researchers" / "anthropic-1"
    (d / "workspace").mkdir(parents=True)
    return d


@pytest.fixture
def sandbox(synthetic_task: Task, rdir: Path) -> Iterator[UnsafeLocalSandbox]:
    sbx = UnsafeLocalSandbox(SandboxSpec(name="test", bundle_dir=synthetic_task.bundle_dir,
                                         workspace=rdir / "workspace"))
    yield sbx
    sbx.close()


@pytest.fixture
def hub_server(synthetic_task: Task, tmp_path: Path) -> Iterator[ThreadServer]:
    """The real hub (SQLite) over loopback HTTP, scoring the synthetic task's answer key."""
    cfg = HubConfig(tasks={"synthetic": synthetic_task.key_dir}, budgets=BudgetConfig(total=5, per_hour=5))
    server = ThreadServer(create_app(cfg, run_dir=tmp_path / "hub", admin_token=ADMIN_TOKEN)).start()
    yield server
    server.stop()


@pytest.fixture
def token(hub_server: ThreadServer) -> str:
    with HubClient(hub_server.url, token=ADMIN_TOKEN) as admin:
        return admin.create_researcher("anthropic-1", direction="data-reweighting").token


@pytest.fixture
def hub(hub_server: ThreadServer, token: str) -> Iterator[HubClient]:
    with HubClient(hub_server.url, token=token) as client:
        yield client


@pytest.fixture
def toolbox(sandbox: UnsafeLocalSandbox, hub: HubClient, rdir: Path, synthetic_task: Task) -> Toolbox:
    return Toolbox(sandbox, hub, rdir / "workspace", "synthetic", rdir / "notebook.jsonl", "anthropic-1",
                   bundle_path=str(synthetic_task.bundle_dir))


@pytest.fixture
def make_ctx(rdir: Path, synthetic_task: Task, hub_server: ThreadServer, token: str,
             ) -> Callable[..., ResearcherContext]:
    def make(spec: str = "anthropic:claude-opus-4-6", **budgets: float) -> ResearcherContext:
        return ResearcherContext(
            name="anthropic-1", spec=spec, direction="data-reweighting", dataset="synthetic",
            run_dir=rdir.parent.parent, workspace=rdir / "workspace", bundle_dir=synthetic_task.bundle_dir,
            hub_url=hub_server.url, token=token, sandbox="none",
            budgets=Budgets(**budgets), transcript=rdir / "transcript.jsonl",
            notebook=rdir / "notebook.jsonl", status_file=rdir / "status.json")

    return make
