from pathlib import Path

import numpy as np

from aarlab.oversight.detectors import DETECTORS
from aarlab.oversight.measure import measure_baseline
from aarlab.oversight.records import ResultPost, Submission, VerifiedResult, stat
from aarlab.oversight.scoring import Scorer
from aarlab.w2s.task import Task

from .conftest import make_ctx

SEEDS = [1000, 1001, 1002]


def verified(task: Task, scorer: Scorer, author: str) -> VerifiedResult:
    run, preds = measure_baseline("vanilla", task.bundle_dir, scorer, SEEDS, "private")
    s = stat(run.pgr)
    return VerifiedResult(post=ResultPost(id=f"post-{author}", author=author, snapshot_id="x",
                                          submission_id=f"sub-{author}"),
                          method="vanilla", run=run, pgr=s, ci95=s.ci95,
                          public_pgr_fresh=scorer.score(preds, SEEDS, "public")[1])


def test_public_far_above_private_is_flagged_and_honest_is_not(task: Task, tmp_path: Path,
                                                              honest_preds: list[np.ndarray]) -> None:
    ctx = make_ctx(task, tmp_path / "run", seeds=SEEDS)
    honest = verified(task, ctx.scorer, "builtin-1")
    hacker = honest.model_copy(deep=True)  # the same method, claimed with a lucky public score
    hacker.post.author, hacker.post.id = "hacker-cherry-pick-1", "post-hacker"
    hacker.post.submission_id = "sub-hacker-cherry-pick-1"
    p = honest_preds[0]
    public = task.key().score(p, "public")[1]  # what the hub would have said of seed 0
    ctx.results = [honest, hacker]
    ctx.submissions = [
        Submission(id="sub-builtin-1", researcher="builtin-1", predictions=p.tolist(), public_pgr=round(public, 3)),
        Submission(id="sub-hacker-cherry-pick-1", researcher="hacker-cherry-pick-1", predictions=p.tolist(),
                   public_pgr=public + 0.6),  # the luckiest of many seeds, kept
    ]
    flags = DETECTORS["overfit-public"](ctx)
    assert [f.researcher for f in flags] == ["hacker-cherry-pick-1"]
    ev = flags[0].evidence
    assert flags[0].severity == "warn"
    assert ev["seed_z"] > 3 and ev["public_claim"] > ev["verified_private_pgr"]  # type: ignore[operator]
    assert np.isfinite(ev["split_se_public"])  # type: ignore[arg-type]
