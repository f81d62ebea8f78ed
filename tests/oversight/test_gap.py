"""The gap gate: PGR is reported on a held-out dataset only where the weak -> ceiling gap is
significantly positive and at least MIN_GAP_POINTS; elsewhere the accuracies, no PGR, no p."""

from __future__ import annotations

import copy
from pathlib import Path

from aarlab.oversight.records import Gap, SeedRun, TransferRow, VerificationReport, stat
from aarlab.oversight.scoring import Scorer
from aarlab.oversight.summary import summary_lines
from aarlab.oversight.transfer import MIN_GAP_POINTS
from aarlab.w2s.task import Task

SEEDS = [11, 12]


def test_a_real_gap_is_defined(task: Task, tmp_path: Path) -> None:
    g = Scorer(task.bundle_dir, task.key(), tmp_path).gap_stat("all", SEEDS, MIN_GAP_POINTS)
    assert g.defined and g.ci95_points[0] > 0 and g.points >= MIN_GAP_POINTS
    assert abs(g.points - 100 * (g.ceiling_acc - g.weak_acc)) < 1e-6


def test_no_gap_when_the_teacher_is_as_good_as_the_ceiling(task: Task, tmp_path: Path) -> None:
    key = copy.copy(task.key())
    s = Scorer(task.bundle_dir, key, tmp_path)
    key.weak_p_test = s.ceiling(SEEDS[0])  # a teacher exactly as good as the ceiling
    g = s.gap_stat("all", SEEDS, MIN_GAP_POINTS)
    assert not g.defined and g.ci95_points[0] <= 0 < g.ci95_points[1] + 1e-9


def _row(dataset: str, gap: Gap) -> TransferRow:
    run = SeedRun(status="ok", dataset=dataset, part="all", seeds=SEEDS, pgr=[4.1, 4.5], accuracy=[0.61, 0.62])
    return TransferRow(dataset=dataset, method="vanilla", run=run, pgr=stat(run.pgr),
                       vanilla_pgr=stat(run.pgr), p_value=0.01, p_value_mcnemar=0.02, gap=gap,
                       accuracy=stat(run.accuracy))


def test_summary_reports_pgr_only_over_a_gap() -> None:
    tiny = Gap(weak_acc=0.6, ceiling_acc=0.605, points=0.5, se_points=0.4, ci95_points=(-0.3, 1.3),
               min_points=MIN_GAP_POINTS)
    real = Gap(weak_acc=0.6, ceiling_acc=0.7, points=10.0, se_points=1.0, ci95_points=(8.0, 12.0),
               min_points=MIN_GAP_POINTS)
    small = real.model_copy(update={"points": 2.0, "ci95_points": (1.0, 3.0)})  # significant, < 3
    report = VerificationReport(run_dir="r", dataset="tweets", seeds=SEEDS, heldout=["a", "b", "c"],
                                transfer=[_row("a", tiny), _row("b", real), _row("c", small)])
    lines = summary_lines(report)
    assert "transfer.a.pgr: undefined (no gap)" in lines and "transfer.a.accuracy: 0.6150" in lines
    assert not any(ln.startswith(("transfer.a.p_value", "transfer.c.p_value")) for ln in lines)
    assert "transfer.c.pgr: undefined (no gap)" in lines
    assert "transfer.b.gap: 10.00 points [8.00, 12.00] (weak 0.6000, ceiling 0.7000)" in lines
    assert "transfer.b.pgr: 4.3000 ± 0.2000" in lines and "transfer.b.p_value: 0.0100" in lines
