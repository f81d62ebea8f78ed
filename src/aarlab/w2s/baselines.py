"""The baseline table: weak, ceiling and every baseline method over seeds on a prepared task."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import BaseModel

from aarlab.w2s.experiment import SeedResult, code_hash, evaluate
from aarlab.w2s.methods import BASELINES, get_method
from aarlab.w2s.pgr import Summary, summarize
from aarlab.w2s.task import Task

W2S_DIR = Path(__file__).parent


class MethodRow(BaseModel):
    method: str
    accuracy: Summary
    pgr: Summary
    seconds: Summary


class BaselineTable(BaseModel):
    task_id: str
    dataset: str
    weak: str
    strong: str
    seeds: list[int]
    weak_acc: float
    ceiling_acc: Summary
    rows: list[MethodRow]

    def best(self) -> MethodRow:
        return max(self.rows, key=lambda r: r.pgr.mean)


def baseline_code_hash() -> str:
    """Identity of the code that produced baseline results: any change re-runs them."""
    files = [*W2S_DIR.glob("methods/*.py"), W2S_DIR / "train.py", W2S_DIR / "losses.py",
             W2S_DIR / "experiment.py"]
    return code_hash(files)


def baseline_table(
    task: Task,
    seeds: Sequence[int],
    methods: Sequence[str] = BASELINES,
    on_seed: Callable[[SeedResult], None] | None = None,
    part: str = "all",
) -> BaselineTable:
    bundle, key = task.bundle(), task.key()
    cache = task.results_dir / f"baselines-{baseline_code_hash()}"
    rows, ceilings = [], None
    for name in methods:
        res = evaluate(name, get_method(name), bundle, key, seeds, part, cache, on_seed)
        ceilings = [r.ceiling_acc for r in res]
        rows.append(MethodRow(
            method=name, accuracy=summarize([r.accuracy for r in res]),
            pgr=summarize([r.pgr for r in res]), seconds=summarize([r.seconds for r in res]),
        ))
    cfg = task.config
    return BaselineTable(
        task_id=task.task_id, dataset=cfg.dataset, weak=cfg.weak, strong=cfg.strong,
        seeds=list(seeds), weak_acc=key.weak_acc(part), ceiling_acc=summarize(ceilings or []),
        rows=rows,
    )
