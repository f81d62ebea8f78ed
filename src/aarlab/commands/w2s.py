"""`aarlab prepare` and `aarlab baselines`."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Annotated

import typer

from aarlab.cli import app
from aarlab.commands import checks

if TYPE_CHECKING:  # the heavy modules (torch, sklearn) load only once the options are checked
    from rich.console import Console

    from aarlab.w2s.baselines import BaselineTable
    from aarlab.w2s.config import PrepareConfig
    from aarlab.w2s.task import Task

MIN_ITEMS = 20  # fewer leave splits too small to train on (RunConfig's floor too)


def console() -> Console:
    from rich.console import Console

    return Console(width=None if sys.stdout.isatty() else 160)  # logs: tables not squashed to 80


Dataset = Annotated[str, typer.Option("--dataset", "-d", help="dataset name (tweets, wordnet, bbc, humaneval, ...)")]
Weak = Annotated[str, typer.Option(help="weak feature backend")]
Strong = Annotated[str, typer.Option(help="strong feature backend")]
Extra = Annotated[list[str] | None, typer.Option("--extra", help="extra backends in the bundle (repeatable)")]
SplitSeed = Annotated[int, typer.Option("--split-seed", help="seed of the data split")]
MaxItems = Annotated[int | None, typer.Option(help="cap on items used (balanced)")]
Progress_ = Annotated[bool, typer.Option("--progress/--no-progress", help="show progress bars")]


def make_config(dataset: str, weak: str, strong: str, extra: list[str] | None, split_seed: int,
                max_items: int | None) -> PrepareConfig:
    """The prepare config of these options, each checked first (fast, nothing written)."""
    checks.datasets(dataset)
    checks.backends(weak, strong, *(extra or []))
    checks.at_least("--split-seed", split_seed, 0)
    checks.at_least("--max-items", max_items, MIN_ITEMS)
    from aarlab.w2s.config import PrepareConfig
    from aarlab.w2s.split import SplitConfig

    return PrepareConfig(dataset=dataset, weak=weak, strong=strong, extra=extra or [],
                         split=SplitConfig(seed=split_seed, max_items=max_items))


def ensure_task(cfg: PrepareConfig, progress: bool) -> Task:
    from aarlab.settings import get_settings
    from aarlab.w2s.prepare import prepare

    s = get_settings()
    return prepare(cfg, s.tasks_dir, s.cache_dir, progress=progress, log=console().print)


@app.command("prepare")
def prepare_cmd(
    dataset: Dataset, weak: Weak = "glove", strong: Strong = "minilm", extra: Extra = None,
    split_seed: SplitSeed = 0, max_items: MaxItems = None, progress: Progress_ = True,
) -> None:
    """Build a task: agent-visible bundle (no labels) + hub-private answer key."""
    t0 = time.perf_counter()
    task = ensure_task(make_config(dataset, weak, strong, extra, split_seed, max_items), progress)
    key, bundle = task.key(), task.bundle()
    print(f"task_id: {task.task_id}")
    print(f"bundle: {task.bundle_dir}")
    print(f"answer_key: {task.key_dir}")
    for split in ("strong_train", "test"):
        print(f"n_{split}: {bundle.n(split)}")
    print(f"weak_acc: {key.meta.weak_acc:.4f}")
    print(f"ceiling_acc: {key.ceiling_acc('all'):.4f}")
    print(f"prepare_s: {time.perf_counter() - t0:.1f}")


def print_table(t: BaselineTable) -> None:
    from rich.table import Table

    table = Table(title=f"{t.dataset}: {t.weak} → {t.strong}, {len(t.seeds)} seeds (task {t.task_id})")
    for col in ("method", "test accuracy", "PGR", "s/seed"):
        table.add_column(col, justify="left" if col == "method" else "right")
    table.add_row("weak (teacher)", f"{t.weak_acc:.4f}", "0", "")
    table.add_row("ceiling (strong on truth)", t.ceiling_acc.fmt(4), "1", "")
    for r in t.rows:
        table.add_row(r.method, r.accuracy.fmt(4), r.pgr.fmt(3), f"{r.seconds.mean:.2f}")
    console().print(table)


@app.command("baselines")
def baselines_cmd(
    dataset: Dataset,
    seeds: Annotated[int, typer.Option(help="number of seeds (0..N-1)")] = 5,
    method: Annotated[list[str] | None, typer.Option("--method", "-m", help="only these methods")] = None,
    weak: Weak = "glove", strong: Strong = "minilm", extra: Extra = None,
    split_seed: SplitSeed = 0, max_items: MaxItems = None, progress: Progress_ = True,
) -> None:
    """Weak, ceiling and every baseline over seeds: accuracy and PGR, mean ± standard error."""
    t0 = time.perf_counter()
    checks.at_least("--seeds", seeds, 1)
    cfg = make_config(dataset, weak, strong, extra, split_seed, max_items)
    checks.methods(*(method or []))
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from aarlab.w2s.baselines import baseline_table
    from aarlab.w2s.methods import BASELINES

    task = ensure_task(cfg, progress)
    methods = method or list(BASELINES)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console(), disable=not progress, transient=True) as bar:
        job = bar.add_task("baselines", total=len(methods) * seeds)
        table = baseline_table(task, list(range(seeds)), methods,
                               on_seed=lambda r: bar.update(job, advance=1, description=f"{r.method} seed {r.seed}"))
    print_table(table)
    print(f"task_id: {table.task_id}")
    print(f"dataset: {table.dataset}")
    print(f"weak_backend: {table.weak}")
    print(f"strong_backend: {table.strong}")
    print(f"seeds: {len(table.seeds)}")
    print(f"weak_acc: {table.weak_acc:.4f}")
    print(f"ceiling_acc: {table.ceiling_acc.mean:.4f} ± {table.ceiling_acc.se:.4f}")
    print(f"gap_points: {100 * (table.ceiling_acc.mean - table.weak_acc):.2f}")
    for r in table.rows:
        print(f"acc.{r.method}: {r.accuracy.mean:.4f} ± {r.accuracy.se:.4f}")
        print(f"pgr.{r.method}: {r.pgr.mean:.4f} ± {r.pgr.se:.4f}")
    best = table.best()
    print(f"best_baseline: {best.method}")
    print(f"best_baseline_pgr: {best.pgr.mean:.4f}")
    print(f"baselines_s: {time.perf_counter() - t0:.1f}")

