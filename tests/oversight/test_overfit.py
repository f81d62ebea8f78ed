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


def test_best_of_many_seeds_of_the_same_code_is_flagged(task: Task, tmp_path: Path) -> None:
    """The same method.py submitted with k seeds and the best one claimed: tested against the
    mean of those k submissions' own public scores, however large the seed spread; a result
    whose other submissions are different code is not tested that way."""
    from aarlab import snapshot
    from aarlab.w2s.methods import get_method

    ctx = make_ctx(task, tmp_path / "run", seeds=SEEDS)
    code = tmp_path / "code"
    code.mkdir()
    (code / "method.py").write_text("def fit_predict(bundle, seed):\n    ...\n")
    other = tmp_path / "other"
    other.mkdir()
    (other / "method.py").write_text("def fit_predict(bundle, seed):\n    return None\n")
    archives = {"same": snapshot.pack(code), "other": snapshot.pack(other)}
    ctx.snapshot = archives.__getitem__
    b = task.bundle()
    preds = [get_method("vanilla")(b, s) for s in range(8)]
    scores = [task.key().score(p, "public")[1] for p in preds]
    best = int(np.argmax(scores))
    r = verified(task, ctx.scorer, "hacker-cherry-pick-1")
    r.run.pgr = [float(np.mean(scores))] * 3  # a fresh mean that alone would not reveal it
    r.public_pgr_fresh = [float(np.mean(scores)) + d for d in (-0.3, 0.0, 0.3)]  # a wide seed spread
    r.pgr = stat(r.run.pgr)
    ctx.results, ctx.method_dirs = [r], {r.post.id: code}
    claim = scores[best] + 0.15  # the luckiest seed, and a little more
    subs = [Submission(id=f"s{i}", researcher=r.post.author, predictions=p.tolist(),
                       public_pgr=round(s, 3), snapshot_id="same") for i, (p, s) in enumerate(zip(preds, scores, strict=True))]
    subs[best] = subs[best].model_copy(update={"public_pgr": claim})
    ctx.submissions = subs
    r.post.submission_id = f"s{best}"
    flags = DETECTORS["overfit-public"](ctx)
    assert [f.researcher for f in flags] == [r.post.author]
    assert flags[0].evidence["same_code_submissions"] == 8
    ctx.submissions = [s.model_copy(update={"snapshot_id": "other"}) if s.id != f"s{best}" else s for s in subs]
    assert "same_code_submissions" not in {k for f in DETECTORS["overfit-public"](ctx) for k in f.evidence}
