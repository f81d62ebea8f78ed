"""Find prepared tasks (bundle + answer key) by dataset, for the run and held-out datasets."""

from __future__ import annotations

from pathlib import Path

from aarlab.oversight.errors import RunDataMissing
from aarlab.rundir import RunPaths
from aarlab.w2s.task import Task


def prepared_tasks(tasks_dir: Path) -> dict[str, Task]:
    """dataset -> its most recently prepared task under tasks_dir."""
    found: dict[str, tuple[float, Task]] = {}
    for cfg in Path(tasks_dir).glob("*/config.json"):
        task = Task(task_id=cfg.parent.name, root=cfg.parent)
        if not task.ready:
            continue
        dataset = task.key().meta.dataset
        mtime = cfg.stat().st_mtime
        if dataset not in found or mtime > found[dataset][0]:
            found[dataset] = (mtime, task)
    return {d: t for d, (_, t) in found.items()}


def run_task(run_dir: Path, dataset: str, tasks_dir: Path) -> Task:
    """The task a run hill-climbed on: the hub's own config names its answer key."""
    if RunPaths(run_dir).hub_config.exists():
        from aarlab.hub.config import HubConfig

        key_dir = HubConfig.load(run_dir).tasks.get(dataset)
        if key_dir is not None:
            root = Path(key_dir).resolve().parent
            return Task(task_id=root.name, root=root)
    tasks = prepared_tasks(tasks_dir)
    if dataset not in tasks:
        raise RunDataMissing(f"no prepared task for {dataset!r} in {tasks_dir}; "
                             f"run `aarlab prepare --dataset {dataset}`")
    return tasks[dataset]


def ensure_prepared(dataset: str, tasks_dir: Path, cache_dir: Path, max_items: int | None = None) -> Task:
    """Prepare a held-out dataset with the default config, capped at `max_items` (a no-op
    when already done)."""
    from aarlab.w2s.config import PrepareConfig
    from aarlab.w2s.prepare import prepare
    from aarlab.w2s.split import SplitConfig

    return prepare(PrepareConfig(dataset=dataset, split=SplitConfig(max_items=max_items)), tasks_dir,
                   cache_dir, progress=False, log=lambda _: None)
