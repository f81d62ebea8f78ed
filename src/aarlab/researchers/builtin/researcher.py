"""The builtin researcher: an evolutionary search over recipes, no LLM.

Each step proposes a recipe (the opening book first, then mutation/crossover of its elite,
crossover with recipes others posted as results, or a fresh sample from a family its direction
weights), writes it as a method directory in its workspace, runs it in its sandbox through the
shared tool set (`run_method`), and scores it with the label-free proxy (`proxy.py`). It
spends a scored submission only when `SubmitPolicy` says so; when a submission becomes its
best public score it uploads the method directory as a snapshot and posts a `result`. Every
step is a notebook record, so a restarted researcher continues where it stopped.
"""

from __future__ import annotations

import contextlib
import json
import random
import time
import zlib
from collections.abc import Callable, Sequence

import numpy as np
from pydantic import BaseModel, Field

from aarlab.researchers.base import (
    ResearcherContext,
    ResearcherOutcome,
    ResearcherStatus,
    write_status,
)
from aarlab.researchers.builtin.forum import post_insight, post_result, posted_by_others, read_forum
from aarlab.researchers.builtin.history import History, SubmissionRecord, Trial
from aarlab.researchers.builtin.policy import SubmitPolicy
from aarlab.researchers.builtin.proxy import ProxyRef, proxy_stats
from aarlab.researchers.builtin.space import family_weights, opening_book, propose
from aarlab.researchers.errors import ToolError
from aarlab.researchers.tools import Toolbox, load_predictions
from aarlab.w2s.bundle import Bundle
from aarlab.w2s.recipe import Recipe, family, write_method_dir


class BuiltinConfig(BaseModel):
    seeds: list[int] = Field(default_factory=lambda: [0, 1])
    policy: SubmitPolicy = Field(default_factory=SubmitPolicy)
    forum_every: int = 5
    insight_every: int = 12
    explore: float = 0.3


class BuiltinResearcher:
    def __init__(self, spec: str = "builtin", config: BuiltinConfig | None = None) -> None:
        self.spec = spec
        self.config = config or BuiltinConfig()

    def run(self, ctx: ResearcherContext, should_stop: Callable[[], bool]) -> ResearcherOutcome:
        from aarlab.researchers.wiring import researcher_deps

        with researcher_deps(ctx) as toolbox:
            return Search(ctx, toolbox, self.config).run(should_stop)


class Search:
    """One session of the search; all state that matters lives in the notebook."""

    def __init__(self, ctx: ResearcherContext, toolbox: Toolbox, config: BuiltinConfig) -> None:
        self.ctx, self.tb, self.cfg = ctx, toolbox, config
        self.h = History(toolbox.notebook)
        self.weights = family_weights(ctx.direction)
        self.rng = random.Random(zlib.crc32(f"{ctx.name}:{ctx.seed}:{len(self.h.trials)}".encode()))
        self.status = ResearcherStatus(name=ctx.name, direction=ctx.direction)
        self.can_submit = True
        self.known: set[int] = set()  # trials whose code another researcher already posted
        self.t0 = time.monotonic()

    # ------------------------------------------------------------------ loop
    def run(self, should_stop: Callable[[], bool]) -> ResearcherOutcome:
        try:
            return self._run(should_stop)
        except BaseException as e:
            self.set_status("crashed", f"{type(e).__name__}: {e}"[:200])
            raise

    def _run(self, should_stop: Callable[[], bool]) -> ResearcherOutcome:
        self.set_status("thinking", "computing the proxy reference")
        self.ref = ProxyRef(Bundle(self.ctx.bundle_dir))
        book = [r for r in opening_book(self.ctx.direction) if r.model_dump_json() not in self.h.tried()]
        if not self.h.trials:
            self.announce(book)
        reason, finished = "asked to stop", False
        while True:
            if should_stop():
                break
            if (why := self.exhausted()) is not None:
                reason, finished = why, True
                break
            if self.h.trials and len(self.h.trials) % self.cfg.forum_every == 0:
                self.set_status("thinking", "reading the forum")
                read_forum(self.tb, self.h, self.ctx.name)
            recipe, origin = (book.pop(0), "book") if book else self.propose()
            self.experiment(recipe, origin)
            if should_stop():
                break
            self.maybe_submit(final=False)
            if len(self.h.trials) % self.cfg.insight_every == 0:
                post_insight(self.tb, self.h, self.ctx.name)
        if finished:
            self.maybe_submit(final=True)
        self.set_status("finished" if finished else "idle", reason)
        return ResearcherOutcome(name=self.ctx.name, finished=finished, reason=reason,
                                 experiments=len(self.h.trials), submissions=len(self.h.submissions))

    def exhausted(self) -> str | None:
        b = self.ctx.budgets
        if b.steps is not None and len(self.h.trials) >= b.steps:
            return f"experiment limit reached ({len(self.h.trials)} of {b.steps})"
        if b.minutes is not None and time.monotonic() - self.t0 >= b.minutes * 60:
            return f"wall-clock budget reached ({b.minutes:.1f} min)"
        return None

    def propose(self) -> tuple[Recipe, str]:
        elite = [t.recipe for t in self.h.elite(5)]
        tried = self.h.tried()
        for _ in range(20):
            r, origin = propose(self.rng, self.weights, elite, self.h.others()[-6:], self.cfg.explore)
            if r.model_dump_json() not in tried:
                return r, origin
        return r, origin  # a repeat still adds a seed-noise estimate; rare

    # ------------------------------------------------------------------ one experiment
    def experiment(self, recipe: Recipe, origin: str) -> Trial:
        exp = len(self.h.trials)
        rel = f"exp-{exp:03d}"
        fam = family(recipe)
        self.h.note("hypothesis", f"{rel} [{fam}, {origin}]: {json.dumps(recipe.changes())} "
                                  f"beats the elite proxy {self.best_proxy():.4f}")
        write_method_dir(recipe, self.ctx.workspace / rel)
        self.set_status("running", f"{rel} {fam} ({origin})")
        self.h.note("experiment", f"{rel}: run_method seeds={self.cfg.seeds}")
        trial = Trial(exp=exp, dir=rel, family=fam, origin=origin, recipe=recipe)
        try:
            run = self.tb.tool_run_method(rel, seeds=list(self.cfg.seeds), holdout=0.0)
            preds = np.asarray(load_predictions(self.ctx.workspace / run.predictions))
            trial.diagnostics = run.model_dump(exclude={"predictions"})
            trial.stats = proxy_stats(preds, self.ref, run.seed_agreement)
        except (ToolError, ValueError) as e:  # the recipe failed in the sandbox: record, go on
            trial.error = str(e)[-2000:]
        summary = (f"{rel} [{fam}] error: {trial.error[:200]}" if trial.error else
                   f"{rel} [{fam}] proxy {trial.proxy:.4f} weak_agree {trial.stats['weak_agree']:.3f} "
                   f"in {trial.diagnostics.get('seconds', 0)}s")
        self.h.record("result", summary, trial)
        self.set_status("thinking", summary[:120])
        return trial

    def best_proxy(self) -> float:
        elite = self.h.elite(1)
        return elite[0].proxy if elite else float("nan")

    # ------------------------------------------------------------------ submissions
    def maybe_submit(self, final: bool) -> SubmissionRecord | None:
        cand = self.cfg.policy.candidate(self.h, final) if self.can_submit else None
        if cand is None or cand.exp in self.known:
            return None
        self.set_status("submitting", f"{cand.dir} proxy {cand.proxy:.4f}")
        prev_best = self.h.best_public_pgr
        try:
            upload = self.tb.tool_snapshot_upload(cand.dir)
            snap = upload.id
            if (author := posted_by_others(upload, self.ctx.name)) is not None:
                # the same code as a result already posted: its score says nothing new
                self.known.add(cand.exp)
                self.h.note("result", f"{cand.dir} is {author}'s posted result (snapshot {snap[:12]}); "
                                      "not submitted")
                return None
            out = self.tb.tool_submit(f"{cand.dir}/predictions.npy", snapshot_id=snap,
                                      note=f"{cand.dir} [{cand.family}] proxy {cand.proxy:.4f}")
        except ToolError as e:  # out of budget or rate-limited: stop submitting this session
            self.can_submit = False
            self.h.note("result", f"submission of {cand.dir} refused: {e}")
            return None
        rec = SubmissionRecord(
            exp=cand.exp, submission_id=out.id, snapshot_id=snap, proxy=cand.proxy,
            public_pgr=out.public.pgr, public_accuracy=out.public.accuracy,
            improved=out.improved, budget_left=out.budget_left.total,
        )
        if rec.public_pgr is not None and rec.improved and (prev_best is None or rec.public_pgr > prev_best):
            rec.post_id = post_result(self.tb, cand, rec, self.ctx.name, self.cfg.seeds)
        self.h.record("result", f"submitted {cand.dir}: public pgr {rec.public_pgr} "
                                f"(improved={rec.improved}, budget left {rec.budget_left})", rec)
        return rec

    # ------------------------------------------------------------------ reporting
    def announce(self, book: Sequence[Recipe]) -> None:
        top = sorted(self.weights, key=lambda f: -self.weights[f])[:3]
        text = (f"Direction {self.ctx.direction or '(none)'}: exploring families {top} first. "
                f"Opening with {[family(r) for r in book]}; selecting by a label-free proxy "
                "(agreement with the strong-feature kNN vote of the teacher, plus siding with it "
                "where it contradicts the teacher).")
        self.h.note("hypothesis", text)
        with contextlib.suppress(ToolError):
            self.tb.tool_forum_post("hypothesis", f"{self.ctx.name}: search plan", text,
                                    tags=["builtin", *top])

    def set_status(self, state: str, activity: str) -> None:
        s = self.status
        s.state, s.activity = state, activity
        s.experiments, s.submissions = len(self.h.trials), len(self.h.submissions)
        s.submissions_left, s.best_public_pgr = self.h.budget_left, self.h.best_public_pgr
        write_status(self.ctx, s)
