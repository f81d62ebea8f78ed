"""Build a researcher's dependencies from its context: sandbox, hub client, slots, toolbox.

Shared by every kind that uses the tool set. The hub client holds the researcher's own token
(never an admin token). The sandbox kind is the run's (`bwrap`, or `none` for
`--unsafe-no-sandbox`); a missing bwrap raises `SandboxUnavailable`, never a silent fallback.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from aarlab.researchers.base import ResearcherContext
from aarlab.researchers.slots import LocalSlots
from aarlab.researchers.tools import Slots, Toolbox
from aarlab.rundir import ResearcherPaths, RunPaths
from aarlab.sandbox import Sandbox, SandboxSpec, make_sandbox
from aarlab.sandbox.spec import BUNDLE_MOUNT


def sandbox_for(ctx: ResearcherContext) -> Sandbox:
    spec = SandboxSpec(name=ctx.name, bundle_dir=ctx.bundle_dir, workspace=ctx.workspace,
                       hub_socket=ctx.hub_socket if ctx.hub_socket and ctx.hub_socket.exists() else None,
                       audit_log=ResearcherPaths(ctx.transcript.parent).audit,
                       # the run (hub DB, logs, tokens) and every task's answer key: any
                       # attempt to reach them is recorded even if a path looks allowed inside
                       sensitive_paths=[ctx.run_dir, ctx.bundle_dir.parent.parent])
    return make_sandbox(ctx.sandbox, spec)


def bundle_path_in(sandbox: Sandbox) -> str:
    """Where commands in this sandbox find the bundle (host path in the unsafe mode)."""
    return str(BUNDLE_MOUNT) if sandbox.isolated else str(sandbox.spec.bundle_dir)


def hub_for(ctx: ResearcherContext) -> Any:
    from aarlab.hub.client import HubClient

    return HubClient(ctx.hub_url, token=ctx.token)


def slots_for(ctx: ResearcherContext) -> Slots | None:
    """The run's experiment slots (`--parallel`), shared by every researcher process."""
    if ctx.parallel is None:
        return None
    return LocalSlots(RunPaths(ctx.run_dir).slots, ctx.parallel)


def make_toolbox(ctx: ResearcherContext, sandbox: Sandbox, hub: Any, slots: Slots | None = None) -> Toolbox:
    return Toolbox(sandbox, hub, Path(ctx.workspace), ctx.dataset, ctx.notebook, ctx.name,
                   bundle_path=bundle_path_in(sandbox), slots=slots,
                   seed_salt=ResearcherPaths(ctx.transcript.parent).ensure_seed_salt())


@contextmanager
def researcher_deps(ctx: ResearcherContext) -> Iterator[Toolbox]:
    sandbox = sandbox_for(ctx)
    hub = hub_for(ctx)
    try:
        yield make_toolbox(ctx, sandbox, hub, slots_for(ctx))
    finally:
        close = getattr(hub, "close", None)
        if callable(close):
            close()
        sandbox.close()
