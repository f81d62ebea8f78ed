"""The builtin researcher end to end: a real hub (in-process, SQLite), the unsafe local
sandbox, the synthetic task. It experiments, submits sparingly, posts a re-runnable result,
and resumes from its notebook."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from aarlab.hub import HubClient, HubConfig, create_app
from aarlab.hub.config import BudgetConfig
from aarlab.researchers.base import Budgets, ResearcherContext
from aarlab.researchers.builtin import BuiltinConfig, Search, SubmitPolicy
from aarlab.researchers.builtin.history import History, SubmissionRecord, Trial
from aarlab.researchers.notebook import Notebook
from aarlab.researchers.tools import Toolbox
from aarlab.rundir import ResearcherPaths, read_status
from aarlab.sandbox import SandboxSpec, UnsafeLocalSandbox
from aarlab.snapshot import unpack
from aarlab.w2s.methods import load_method_file
from aarlab.w2s.recipe import load_recipe
from aarlab.w2s.runmethod import blind_seed
from aarlab.w2s.task import Task


@pytest.fixture
def admin(synthetic_task: Task, tmp_path: Path) -> Iterator[HubClient]:
    cfg = HubConfig(tasks={"synthetic": synthetic_task.key_dir}, database_url=f"sqlite:///{tmp_path / 'hub.db'}",
                    budgets=BudgetConfig(total=30, per_hour=30))
    with TestClient(create_app(cfg, run_dir=tmp_path / "hubrun"), raise_server_exceptions=True) as tc:
        yield HubClient(http=tc, token=tc.app.state.hub.admin_token)  # type: ignore[attr-defined]


def session(admin: HubClient, task: Task, run_dir: Path, name: str, steps: int,
            token: str | None = None) -> tuple[Search, ResearcherContext, str]:
    token = token or admin.create_researcher(name, direction="w2s-plus-elicitation").token
    rdir = run_dir / "researchers" / name
    (rdir / "workspace").mkdir(parents=True, exist_ok=True)
    ctx = ResearcherContext(
        name=name, spec="builtin", direction="w2s-plus-elicitation", dataset="synthetic", run_dir=run_dir,
        workspace=rdir / "workspace", bundle_dir=task.bundle_dir, hub_url="http://hub", token=token,
        sandbox="none", budgets=Budgets(steps=steps), transcript=rdir / "transcript.jsonl",
        notebook=rdir / "notebook.jsonl", status_file=rdir / "status.json")
    sandbox = UnsafeLocalSandbox(SandboxSpec(name=name, bundle_dir=task.bundle_dir, workspace=ctx.workspace))
    hub = HubClient(http=admin._http, token=token)
    tb = Toolbox(sandbox, hub, ctx.workspace, "synthetic", ctx.notebook, name,
                 bundle_path=str(task.bundle_dir), seed_salt=ResearcherPaths(rdir).ensure_seed_salt())
    cfg = BuiltinConfig(policy=SubmitPolicy(first_after=2, every=2, margin=0.0, reserve=2), forum_every=3,
                        insight_every=4)
    return Search(ctx, tb, cfg), ctx, token


@pytest.mark.slow
def test_search_submits_sparingly_posts_a_rerunnable_result_and_resumes(
    admin: HubClient, synthetic_task: Task, tmp_path: Path,
) -> None:
    run_dir = tmp_path / "run"
    search, ctx, token = session(admin, synthetic_task, run_dir, "builtin-1", steps=5)
    out = search.run(lambda: False)
    assert out.finished and out.experiments == 5
    assert 1 <= out.submissions < out.experiments

    # a result post that points at a snapshot and a submission, with the recipe in its body
    posts = [p for p in admin.posts(kind="result") if p.author == "builtin-1"]
    assert posts, "the first scored submission improves the best public score, so it is posted"
    post = posts[-1]
    assert post.snapshot_id and post.submission_id and '"relabel"' in post.body
    snap = tmp_path / "snap"
    unpack(admin.download_snapshot(post.snapshot_id), snap)
    recipe = load_recipe(snap)
    bundle = synthetic_task.bundle()
    fn = load_method_file(snap)
    # run_method hands the method keyed seeds (the researcher's secret salt): the same ones re-run it
    salt = ResearcherPaths(ctx.transcript.parent).seed_salt.read_text().strip()
    rerun = np.mean([fn(bundle, blind_seed(salt, s)) for s in (0, 1)], axis=0)
    np.testing.assert_allclose(rerun, np.load(snap / "predictions.npy"), atol=1e-6)
    submitted = [s for s in admin.admin_submissions(researcher="builtin-1", predictions=True)
                 if s.id == post.submission_id][0]
    np.testing.assert_allclose(rerun, np.asarray(submitted.predictions), atol=1e-5)
    assert recipe.model_dump_json() in {t.recipe.model_dump_json() for t in History(Notebook(ctx.notebook, "x")).trials}

    status = read_status(ctx.status_file)
    assert status is not None and status.state == "finished" and status.experiments == 5
    assert status.best_public_pgr is not None

    # restart: the notebook alone restores the history; numbering and budgets continue
    search2, _, _ = session(admin, synthetic_task, run_dir, "builtin-1", steps=7, token=token)
    assert len(search2.h.trials) == 5 and len(search2.h.submissions) == out.submissions
    out2 = search2.run(lambda: False)
    assert out2.experiments == 7
    h = History(Notebook(ctx.notebook, "builtin-1"))
    assert [t.exp for t in h.trials] == list(range(7))
    assert all(isinstance(t, Trial) and (t.error is None) for t in h.trials), [t.error for t in h.trials]
    assert all(isinstance(s, SubmissionRecord) for s in h.submissions)
    assert len(h.submissions) < len(h.trials)
    kinds = [json.loads(line)["kind"] for line in ctx.notebook.read_text().splitlines()]
    assert {"hypothesis", "experiment", "result"} <= set(kinds)


@pytest.mark.slow
def test_stops_when_asked_and_reads_others_results(admin: HubClient, synthetic_task: Task, tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    first, _, _ = session(admin, synthetic_task, run_dir, "builtin-1", steps=3)
    first.run(lambda: False)
    calls = iter(range(100))
    second, ctx2, _ = session(admin, synthetic_task, run_dir, "builtin-2", steps=50)
    out = second.run(lambda: next(calls) >= 8)  # stop after a few steps
    assert not out.finished and out.reason == "asked to stop" and 1 <= out.experiments < 50
    seen = second.h.forum
    assert [f.author for f in seen] == ["builtin-1"] and seen[0].recipe is not None
