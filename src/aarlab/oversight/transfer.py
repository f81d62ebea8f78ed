"""Transfer: the best verified methods and the baselines on every held-out dataset.

Held-out test sets were never scored for anyone, so the whole test set is used (part "all").
Every row is paired with `vanilla` on the same fresh seeds: a paired t-test on per-seed PGR
(the seeds are the replicates), and an exact McNemar test per item on seed-averaged
predictions (the items are the replicates). A transfer claim is read off these p-values,
never off the means alone. PGR is a ratio over the weak -> ceiling gap: on a dataset whose gap
is not significantly positive or under MIN_GAP_POINTS, rows keep their accuracies, and PGR and
its p-values are not reported ("no gap: PGR undefined").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from aarlab.oversight.measure import measure_baseline, measure_method
from aarlab.oversight.records import Gap, SeedRun, TransferRow, stat
from aarlab.oversight.rerun import Runner
from aarlab.oversight.scoring import Scorer
from aarlab.oversight.stats import mcnemar, paired_t
from aarlab.oversight.store import Store, run_key
from aarlab.w2s.task import Task

PART = "all"
REFERENCE = "vanilla"
MIN_GAP_POINTS = 3.0  # below this weak -> ceiling gap (accuracy points) PGR is not reported


@dataclass
class Candidate:
    method: str  # readable name
    code: str  # snapshot id, or "baseline:<name>"
    post_id: str | None = None
    method_dir: Path | None = None  # None for a baseline


def row(c: Candidate, run: SeedRun, preds: np.ndarray | None, ref: SeedRun,
        ref_preds: np.ndarray | None, scorer: Scorer, gap: Gap) -> TransferRow:
    p_t = p_mc = None
    if c.method != REFERENCE and run.status == "ok" and ref.status == "ok" and gap.defined:
        p_t = paired_t(run.pgr, ref.pgr)
        if preds is not None and ref_preds is not None:
            m = scorer.key.mask(PART)
            p_mc = mcnemar(preds.mean(0)[m], ref_preds.mean(0)[m], scorer.key.labels_test[m])
    return TransferRow(dataset=scorer.dataset, method=c.method, post_id=c.post_id, run=run,
                       pgr=stat(run.pgr), vanilla_pgr=stat(ref.pgr),
                       p_value=p_t, p_value_mcnemar=p_mc, gap=gap, accuracy=stat(run.accuracy))


def transfer(candidates: Sequence[Candidate], tasks: dict[str, Task], seeds: Sequence[int],
             store: Store, runner: Runner, timeout: float, baselines: Sequence[str]) -> list[TransferRow]:
    rows = []
    for _, task in sorted(tasks.items()):
        scorer = Scorer(task.bundle_dir, task.key(), store.ceilings_dir)

        def measure(c: Candidate, scorer: Scorer = scorer, task: Task = task
                    ) -> tuple[SeedRun, np.ndarray | None]:
            key = run_key(c.code, scorer.dataset, PART, seeds)
            if c.method_dir is None:
                name = c.code.removeprefix("baseline:")
                return store.get_or_run(key, lambda: measure_baseline(name, task.bundle_dir, scorer, seeds, PART))
            d = c.method_dir
            return store.get_or_run(key, lambda: measure_method(runner, d, task.bundle_dir, scorer, seeds,
                                                                PART, timeout))

        gap = scorer.gap_stat(PART, seeds, MIN_GAP_POINTS)
        ref, ref_preds = measure(Candidate(REFERENCE, f"baseline:{REFERENCE}"))
        names = list(dict.fromkeys([REFERENCE, *baselines]))
        for c in [*(Candidate(b, f"baseline:{b}") for b in names), *candidates]:
            run, preds = measure(c)
            rows.append(row(c, run, preds, ref, ref_preds, scorer, gap))
    return rows
