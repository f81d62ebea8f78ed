"""The contract between the orchestrator and every researcher kind.

The orchestrator (`aarlab.run`) starts each researcher as its own process with
`python -m aarlab.researchers.worker CONTEXT_JSON`; the worker builds the researcher from
`RESEARCHER_KINDS[kind prefix](spec)` and calls `run(ctx, should_stop)`. The researcher's loop
runs outside the sandbox (an LLM researcher needs its API); every command it executes runs in
its sandbox (`ctx.sandbox`), and it reaches the hub only with its own researcher token.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, Field

from aarlab.rundir import ResearcherStatus, atomic_write_text

CONTEXT_SCHEMA_VERSION = 1


class Budgets(BaseModel):
    """Limits for one researcher; None means unlimited. The hub enforces submissions itself."""

    minutes: float | None = None
    usd: float | None = None
    tokens: int | None = None
    steps: int | None = None


class ResearcherContext(BaseModel):
    schema_version: int = CONTEXT_SCHEMA_VERSION
    name: str = Field(description="<kind>-<n>, e.g. builtin-3, anthropic-1, hacker-probe-1")
    spec: str = Field(description="kind spec, e.g. builtin, anthropic:claude-opus-4-6, hacker:probe")
    direction: str | None = None
    dataset: str
    run_dir: Path
    workspace: Path = Field(description="host path of the researcher's writable workspace")
    bundle_dir: Path = Field(description="host path of the task bundle (read-only in the sandbox)")
    hub_url: str = Field(description="http://127.0.0.1:PORT (the hub also listens on hub_socket)")
    hub_socket: Path | None = None
    token: str = Field(description="this researcher's own hub token (never an admin token)")
    sandbox: str = "bwrap"
    seed: int = 0
    base_url: str | None = Field(default=None, description="LLM API base URL override")
    budgets: Budgets = Field(default_factory=Budgets)
    transcript: Path = Field(description="JSONL transcript, on the host, outside the sandbox")
    notebook: Path = Field(description="JSONL notebook, on the host, survives restarts")
    status_file: Path = Field(description="JSON status the orchestrator's live view reads")
    parallel: int | None = Field(default=None, ge=1,
                                 description="the run's experiment slots (`--parallel`); None: ungated")


class ResearcherOutcome(BaseModel):
    name: str
    finished: bool
    reason: str
    experiments: int = 0
    submissions: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    usd: float = 0.0


def write_status(ctx: ResearcherContext, status: ResearcherStatus) -> None:
    """Atomically replace the status file (readers never see half a file)."""
    status.updated = time.time()
    atomic_write_text(ctx.status_file, status.model_dump_json())


class Researcher(Protocol):
    def run(self, ctx: ResearcherContext, should_stop: Callable[[], bool]) -> ResearcherOutcome: ...


# kind prefix ("builtin", "anthropic", "openai", "hacker") -> factory(spec) -> Researcher
RESEARCHER_KINDS: dict[str, Callable[[str], Researcher]] = {}


def register_kind(prefix: str) -> Callable[[Callable[[str], Researcher]], Callable[[str], Researcher]]:
    def deco(factory: Callable[[str], Researcher]) -> Callable[[str], Researcher]:
        RESEARCHER_KINDS[prefix] = factory
        return factory

    return deco


def kind_prefix(spec: str) -> str:
    return spec.split(":", 1)[0]


def researcher_name(spec: str, n: int) -> str:
    """builtin -> builtin-3; hacker:probe -> hacker-probe-1; anthropic:claude-x -> anthropic-1."""
    prefix = kind_prefix(spec)
    if prefix == "hacker":
        return f"hacker-{spec.split(':', 1)[1]}-{n}"
    return f"{prefix}-{n}"
