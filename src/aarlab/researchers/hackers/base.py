"""What every red-team researcher shares: tools, status, notebook, submissions, result posts.

A hacker is an honest researcher's plumbing driven by a dishonest strategy. It goes through the
same `Toolbox` as every other kind (its own sandbox, its own hub token), writes its status file
and notebook, and ends with a `result` post that points to a snapshot and a submission, so the
verifier sees exactly what it would see from a real researcher attempting the hack.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from aarlab.researchers.base import (
    ResearcherContext,
    ResearcherOutcome,
    ResearcherStatus,
    write_status,
)
from aarlab.researchers.errors import ToolError
from aarlab.researchers.tools import Toolbox

METHODS_DIR = Path(__file__).parent / "methods"


class Scored(BaseModel):
    """One scored submission, as the hub answered it."""

    submission_id: str
    public_pgr: float | None
    public_accuracy: float | None
    improved: bool
    method_dir: str
    snapshot_id: str | None = None


class Stop(Exception):
    """Raised inside a strategy when asked to stop or out of budget."""


class HackerSession:
    """One session of a hacker: the plumbing its strategy (`play`) calls."""

    kind = "hacker"

    def __init__(self, ctx: ResearcherContext, toolbox: Toolbox,
                 should_stop: Callable[[], bool]) -> None:
        self.ctx, self.tb, self._should_stop = ctx, toolbox, should_stop
        self.status = ResearcherStatus(name=ctx.name, direction=ctx.direction)
        self.steps = 0
        self.scored: list[Scored] = []
        self.t0 = time.monotonic()

    # ------------------------------------------------------------------ the strategy
    def play(self) -> str:  # pragma: no cover - every hacker overrides it
        raise NotImplementedError

    def run(self) -> ResearcherOutcome:
        try:
            reason = self.play()
            finished = True
        except Stop as e:
            reason, finished = str(e), "asked to stop" not in str(e)
        except BaseException as e:
            self.set_status("crashed", f"{type(e).__name__}: {e}"[:200])
            raise
        self.set_status("finished" if finished else "idle", reason)
        return ResearcherOutcome(name=self.ctx.name, finished=finished, reason=reason,
                                 experiments=self.tb.experiments, submissions=self.tb.submissions)

    # ------------------------------------------------------------------ budgets
    def check(self) -> None:
        """Raise Stop when asked to stop or when the step/time budget is spent."""
        if self._should_stop():
            raise Stop("asked to stop")
        b = self.ctx.budgets
        if b.steps is not None and self.steps >= b.steps:
            raise Stop(f"step limit reached ({self.steps} of {b.steps})")
        if b.minutes is not None and time.monotonic() - self.t0 >= b.minutes * 60:
            raise Stop(f"wall-clock budget reached ({b.minutes:.1f} min)")

    def step(self, activity: str) -> None:
        self.check()
        self.steps += 1
        self.set_status("running", activity)

    # ------------------------------------------------------------------ workspace
    def write_method(self, rel: str, template: str, replace: dict[str, str] | None = None,
                     files: dict[str, bytes] | None = None) -> Path:
        """Copy a method template from `methods/` into the workspace as `<rel>/method.py`."""
        d = self.ctx.workspace / rel
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)
        src = (METHODS_DIR / template).read_text()
        for old, new in (replace or {}).items():
            if old not in src:
                raise ValueError(f"{template} has no {old!r} to replace")
            src = src.replace(old, new)
        (d / "method.py").write_text(src)
        for name, data in (files or {}).items():
            (d / name).write_bytes(data)
        return d

    def run_method(self, rel: str, seeds: list[int]) -> dict[str, Any]:
        """Run a method directory in the sandbox; its diagnostics (predictions in rel/)."""
        return self.tb.tool_run_method(rel, seeds=seeds, holdout=0.0).model_dump(exclude={"predictions"})

    # ------------------------------------------------------------------ hub
    def submit(self, rel: str, predictions: str | None = None, note: str = "",
               snapshot: bool = False) -> Scored | None:
        """Submit predictions (default rel/predictions.npy); None when the hub refuses."""
        self.set_status("submitting", f"{rel}: {note}"[:120])
        snap = self.snapshot(rel) if snapshot else None
        try:
            out = self.tb.tool_submit(predictions or f"{rel}/predictions.npy", snapshot_id=snap, note=note)
        except ToolError as e:
            self.note("result", f"submission of {rel} refused: {e}")
            return None
        s = Scored(submission_id=out.id, public_pgr=out.public.pgr, public_accuracy=out.public.accuracy,
                   improved=out.improved, method_dir=rel, snapshot_id=out.snapshot_id)
        self.scored.append(s)
        self.set_status("thinking", f"{rel}: public pgr {s.public_pgr} (improved={s.improved})")
        return s

    def snapshot(self, rel: str) -> str:
        return self.tb.tool_snapshot_upload(rel).id

    def post_result(self, s: Scored, title: str, body: str, tags: list[str]) -> str:
        snap = s.snapshot_id or self.snapshot(s.method_dir)
        post = self.tb.tool_forum_post(
            "result", f"{self.ctx.name}: {title}, public PGR {s.public_pgr}", body,
            tags=["hacker", *tags], snapshot_id=snap, submission_id=s.submission_id)
        self.note("result", f"posted result {post.id} ({title}) for submission {s.submission_id}")
        return post.id

    # ------------------------------------------------------------------ records
    def note(self, kind: str, text: str) -> None:
        self.tb.tool_notebook_append(kind, text)

    def set_status(self, state: str, activity: str) -> None:
        s = self.status
        s.state, s.activity = state, activity
        s.experiments, s.submissions = self.tb.experiments, self.tb.submissions
        s.submissions_left, s.best_public_pgr = self.tb.submissions_left, self.tb.best_public_pgr
        write_status(self.ctx, s)
