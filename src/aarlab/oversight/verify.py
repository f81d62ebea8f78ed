"""Verification of a run: every claimed result re-measured, audited, and the best transferred.

    report = verify_run(run_dir)            # what `aarlab verify` and `aarlab run` call

1. Every `result` post: its snapshot is unpacked and its method.py run in a fresh sandbox on
   fresh seeds the researcher never saw, scored on the PRIVATE part with ceilings of the same
   seeds: mean PGR ± SE and a 95% interval. Crashes and timeouts are recorded as such.
2. Every registered detector looks at the results, the hub's query log and the sandboxes'
   records; a flag tied to a researcher (not one post) applies to all of its results.
   A `disqualify` flag removes a result from the verified leaderboard; `irreproducible`
   compares the fresh-seed runs of step 1 with the submission the post points to.
3. The top k clean results and the baselines run on every held-out dataset, each paired
   with vanilla on the same seeds (`transfer`).
4. The report is written to `<run_dir>/verification/verification.json`; verified rows go to
   the hub's `verified` table. All work is cached in `runs.json`: a re-run resumes.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, Field

from aarlab.oversight.detectors import DETECTORS, DetectorContext
from aarlab.oversight.family import method_family
from aarlab.oversight.hubdb import open_source
from aarlab.oversight.measure import measure_method
from aarlab.oversight.records import (
    Flag,
    ResultPost,
    SeedRun,
    VerificationReport,
    VerifiedResult,
    stat,
)
from aarlab.oversight.rerun import Runner, sandbox_runner
from aarlab.oversight.sandboxlog import read_events
from aarlab.oversight.scoring import Scorer
from aarlab.oversight.source import RunSource, VerifiedRow, unpack_method
from aarlab.oversight.store import Store, run_key
from aarlab.oversight.tasks import ensure_prepared, prepared_tasks, run_task
from aarlab.oversight.transfer import Candidate, transfer
from aarlab.rundir import RunPaths
from aarlab.settings import get_settings
from aarlab.w2s.methods import BASELINES
from aarlab.w2s.task import Task

Log = Callable[[str], None]


class VerifyConfig(BaseModel):
    seeds: list[int] | None = Field(
        None, description="fresh seeds; None: `n_seeds` drawn at random from the OS's secret source "
        "for this verification (kept host-side in the run's verification/ for a resumed one), so "
        "no literal in the code tells a method it is being verified")
    n_seeds: int = Field(5, ge=1, description="how many fresh seeds to draw")
    ablation_seeds: int = Field(2, ge=1, description="the first N fresh seeds, for ablations")
    top_k: int = Field(3, ge=0)
    heldout: list[str] | None = Field(None, description="None: every prepared dataset but the run's")
    prepare_heldout: bool = Field(False, description="prepare listed held-out datasets if missing")
    heldout_max_items: int | None = Field(None, description="with prepare_heldout: the run's cap on "
                                          "each held-out dataset (that task is used)")
    baselines: list[str] = Field(default_factory=lambda: list(BASELINES))
    detectors: list[str] | None = None  # None: all registered
    sandbox: str = "bwrap"
    timeout_s: float = 1800.0
    push: bool = True


def run_config(run_dir: Path) -> dict[str, object]:
    f = RunPaths(run_dir).config
    return json.loads(f.read_text()) if f.exists() else {}


def config_for_run(run_dir: Path, **overrides: object) -> VerifyConfig:
    """Defaults from the run's config.json (verify_seeds, verify_top_k, heldout, sandbox)."""
    rc = run_config(run_dir)
    base: dict[str, object] = {}
    if isinstance(rc.get("verify_seeds"), int):
        base["n_seeds"] = rc["verify_seeds"]
    if isinstance(rc.get("verify_top_k"), int):
        base["top_k"] = rc["verify_top_k"]
    if rc.get("heldout") is not None:
        base["heldout"] = rc["heldout"]
    if isinstance(rc.get("heldout_max_items"), int):
        base["heldout_max_items"] = rc["heldout_max_items"]
    if rc.get("sandbox") in ("bwrap", "none"):
        base["sandbox"] = rc["sandbox"]
    return VerifyConfig.model_validate(base | {k: v for k, v in overrides.items() if v is not None})


def _verify_post(post: ResultPost, source: RunSource, store: Store, runner: Runner, scorer: Scorer,
                 bundle_dir: Path, cfg: VerifyConfig, seeds: list[int],
                 ) -> tuple[VerifiedResult, Path | None]:
    method_dir: Path | None = None
    try:
        method_dir = unpack_method(source.snapshot(post.snapshot_id),
                                   store.work_dir / "snapshots" / post.snapshot_id)
    except (KeyError, FileNotFoundError, ValueError, OSError) as e:
        run = SeedRun(status="missing", dataset=scorer.dataset, part="private", seeds=seeds,
                      error=f"snapshot {post.snapshot_id}: {e}")
        preds = None
    else:
        d = method_dir
        run, preds = store.get_or_run(
            run_key(post.snapshot_id, scorer.dataset, "private", seeds),
            lambda: measure_method(runner, d, bundle_dir, scorer, seeds, "private", cfg.timeout_s))
    s = stat(run.pgr)
    public = scorer.score(preds, seeds, "public")[1] if preds is not None else []
    return VerifiedResult(
        post=post, method=post.title or post.snapshot_id[:12], run=run, pgr=s, ci95=s.ci95,
        family=method_family(method_dir) if method_dir else "unknown", public_pgr_fresh=public,
    ), method_dir


def _attach(results: list[VerifiedResult], flags: list[Flag]) -> None:
    for r in results:
        r.flags = [f for f in flags if f.result_post_id == r.post.id
                   or (f.result_post_id is None and f.researcher == r.post.author)]


def _heldout(cfg: VerifyConfig, dataset: str, log: Log) -> dict[str, Task]:
    s = get_settings()
    have = prepared_tasks(s.tasks_dir)
    if cfg.heldout is None:
        return {d: t for d, t in have.items() if d != dataset}
    out = {}
    for d in cfg.heldout:
        if d == dataset:  # a dataset is never held out from itself
            log(f"held-out dataset {d} is the run's own dataset; skipped")
            continue
        if cfg.prepare_heldout:  # the run's own held-out task (prepared up front: a lookup)
            log(f"held-out dataset {d}")
            out[d] = ensure_prepared(d, s.tasks_dir, s.cache_dir, cfg.heldout_max_items)
        elif d in have:
            out[d] = have[d]
        else:
            log(f"warning: held-out dataset {d} is not prepared; skipped (aarlab prepare -d {d})")
    return out


def verify_run(run_dir: Path, cfg: VerifyConfig | None = None, *, source: RunSource | None = None,
               task: Task | None = None, heldout: dict[str, Task] | None = None,
               runner: Runner | None = None, log: Log = print) -> VerificationReport:
    run_dir = Path(run_dir)
    cfg = cfg or config_for_run(run_dir)
    dataset = str(run_config(run_dir).get("dataset") or (task.key().meta.dataset if task else "tweets"))
    task = task or run_task(run_dir, dataset, get_settings().tasks_dir)
    source = source or open_source(run_dir)
    runner = runner or sandbox_runner(cfg.sandbox)
    store = Store(run_dir)
    seeds = cfg.seeds or store.fresh_seeds(cfg.n_seeds)  # drawn now; recorded in the report
    scorer = Scorer(task.bundle_dir, task.key(), store.ceilings_dir)
    dataset = scorer.dataset

    posts = [p for p in source.result_posts() if p.dataset in (None, dataset)]
    log(f"verifying {len(posts)} result(s) on {dataset}, {len(seeds)} fresh seeds, sandbox {cfg.sandbox}")
    results, dirs = [], {}
    for post in posts:
        r, d = _verify_post(post, source, store, runner, scorer, task.bundle_dir, cfg, seeds)
        results.append(r)
        if d is not None:
            dirs[post.id] = d
        log(f"  {post.author} {r.method}: {r.run.status} pgr {r.pgr.fmt()}")

    ctx = DetectorContext(
        run_dir=run_dir, results=results, method_dirs=dirs,
        submissions=[s for s in source.submissions() if s.dataset in (None, dataset)],
        audit=source.audit(), scorer=scorer, bundle_dir=task.bundle_dir, store=store, runner=runner,
        seeds=seeds, ablation_seeds=seeds[: cfg.ablation_seeds], timeout=cfg.timeout_s,
        sandbox_events=read_events(run_dir), snapshot=source.snapshot)
    flags = [f for name in (cfg.detectors or list(DETECTORS)) for f in DETECTORS[name](ctx)]
    _attach(results, flags)

    report = VerificationReport(run_dir=str(run_dir), dataset=dataset, seeds=seeds,
                                results=results, flags=flags, created_at=datetime.now(UTC))
    heldout = heldout if heldout is not None else _heldout(cfg, dataset, log)
    report.heldout = sorted(heldout)
    top = report.leaderboard()[: cfg.top_k]
    cands = [Candidate(r.method, r.post.snapshot_id, r.post.id, dirs[r.post.id]) for r in top]
    if heldout:
        log(f"transfer: {len(cands)} result(s) + {len(cfg.baselines)} baseline(s) on {sorted(heldout)}")
    report.transfer = transfer(cands, heldout, seeds, store, runner, cfg.timeout_s, cfg.baselines)
    store.write_report(report)
    if cfg.push:
        push(source, report, log)
    return report


def push(source: RunSource, report: VerificationReport, log: Log) -> None:
    def num(x: float) -> float | None:
        return None if math.isnan(x) else x

    rows = [VerifiedRow(post_id=r.post.id, researcher=r.post.author, pgr=num(r.pgr.mean),
                        se=num(r.pgr.se), ci95=(num(r.ci95[0]), num(r.ci95[1])), n_seeds=r.pgr.n,
                        status=r.run.status,
                        flags=sorted({f.flag for f in r.flags}), disqualified=r.disqualified)
            for r in report.results]
    try:
        source.push_verified(rows)
    except Exception as e:  # the report on disk is the record; the hub's column is a copy
        log(f"warning: could not push verified results to the hub: {type(e).__name__}: {e}")
