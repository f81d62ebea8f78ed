"""One measurement: run code on a bundle over seeds and score it (PGR per seed)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from aarlab.oversight.records import SeedRun
from aarlab.oversight.rerun import Runner
from aarlab.oversight.scoring import Scorer
from aarlab.w2s.bundle import Bundle
from aarlab.w2s.methods import check_predictions, get_method


def measure_method(runner: Runner, method_dir: Path, bundle_dir: Path, scorer: Scorer,
                   seeds: Sequence[int], part: str, timeout: float) -> tuple[SeedRun, np.ndarray | None]:
    """A researcher's method, in a fresh sandbox; crashes and timeouts are recorded as such."""
    out = runner(method_dir, bundle_dir, seeds, timeout)
    base = SeedRun(status=out.status, dataset=scorer.dataset, part=part, seeds=list(seeds),
                   seconds=round(out.seconds, 3), error=out.error, sandbox_events=out.events)
    if out.status != "ok" or out.per_seed is None:
        return base, None
    if out.per_seed.shape != (len(seeds), scorer.key.n_test):
        base.status, base.error = "crash", f"predictions of shape {out.per_seed.shape}"
        return base, None
    base.accuracy, base.pgr = scorer.score(out.per_seed, seeds, part)
    return base, out.per_seed


def measure_baseline(name: str, bundle_dir: Path, scorer: Scorer, seeds: Sequence[int],
                     part: str) -> tuple[SeedRun, np.ndarray]:
    """A registered baseline (trusted code), in process."""
    fn, bundle = get_method(name), Bundle(bundle_dir)
    t0 = time.perf_counter()
    per_seed = np.stack([check_predictions(fn(bundle, s), bundle.n_test) for s in seeds])
    run = SeedRun(status="ok", dataset=scorer.dataset, part=part, seeds=list(seeds),
                  seconds=round(time.perf_counter() - t0, 3))
    run.accuracy, run.pgr = scorer.score(per_seed, seeds, part)
    return run, per_seed
