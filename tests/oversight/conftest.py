"""Fixtures: a synthetic task whose texts carry a lexicon shortcut, method dirs, a real hub DB."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest

from aarlab.oversight.detectors import DetectorContext
from aarlab.oversight.rerun import Runner, RunOutput
from aarlab.oversight.scoring import Scorer
from aarlab.oversight.store import Store
from aarlab.w2s.methods import MethodError, check_predictions, load_method_file
from aarlab.w2s.synthetic import make_synthetic_task
from aarlab.w2s.task import Task


def lexicon_task(root: Path, seed: int = 0, dataset: str = "synthetic") -> Task:
    """The synthetic task, with texts that say the label 90% of the time (a dataset artefact)."""
    task = make_synthetic_task(root, n_weak=600, n_train=800, n_test=600, seed=seed, dataset=dataset,
                               seeds=2)  # small: a CPU shared with other test suites must cope
    key, rng = task.key(), np.random.default_rng(seed)
    y = key.labels_test
    said = np.where(rng.random(len(y)) < 0.9, y, 1 - y)
    texts = [f"item {i} {'good' if s else 'bad'}" for i, s in enumerate(said)]
    (task.bundle_dir / "texts" / "test.json").write_text(json.dumps(texts))
    return task


@pytest.fixture(scope="session")
def task(tmp_path_factory: pytest.TempPathFactory) -> Task:
    return lexicon_task(tmp_path_factory.mktemp("lexicon") / "task")


@pytest.fixture(scope="session")
def cluster_sign(task: Task) -> int:
    """Which end of the first principal direction is label 1 on this task (baked into CLUSTER)."""
    b = task.bundle()
    x = np.asarray(b.features("strong_train"), dtype=np.float64)
    mu = x.mean(0)
    vt = np.linalg.svd(x - mu, full_matrices=False)[2]
    z = (np.asarray(b.features("test")) - mu) @ vt[0]
    return 1 if np.mean((z > 0) == task.key().labels_test) > 0.5 else -1


@pytest.fixture(scope="session")
def honest_preds(task: Task) -> list[np.ndarray]:
    """Predictions of a few honest baselines (vanilla twice, kNN, EM) on the task's test set."""
    from aarlab.w2s.methods import get_method

    b = task.bundle()
    return [get_method(m)(b, s) for m, s in
            [("vanilla", 0), ("vanilla", 1), ("knn_relabel", 0), ("em_posterior", 0)]]


def write_method(root: Path, source: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "method.py").write_text(source)
    return root


def inprocess_runner() -> Runner:
    """A fast Runner for detector tests: trusted test code, run in this process."""

    def run(method_dir: Path, bundle_dir: Path, seeds: Sequence[int], timeout: float) -> RunOutput:
        from aarlab.w2s.bundle import Bundle

        t0, b = time.perf_counter(), Bundle(bundle_dir)
        try:
            fn = load_method_file(method_dir)
            preds = np.stack([check_predictions(fn(b, s), b.n_test) for s in seeds])
        except (MethodError, RuntimeError) as e:
            return RunOutput(status="crash", error=str(e), seconds=time.perf_counter() - t0)
        return RunOutput(status="ok", per_seed=preds, seconds=time.perf_counter() - t0)

    return run


@pytest.fixture
def runner() -> Callable[[], Runner]:
    return inprocess_runner


def make_ctx(task: Task, run_dir: Path, **kw: object) -> DetectorContext:
    """A DetectorContext on `task` with nothing in it but what a test passes."""
    store = Store(run_dir)
    base: dict[str, object] = dict(
        run_dir=run_dir, results=[], method_dirs={}, submissions=[], audit=[],
        scorer=Scorer(task.bundle_dir, task.key(), store.ceilings_dir), bundle_dir=task.bundle_dir,
        store=store, runner=inprocess_runner(), seeds=[1000, 1001], ablation_seeds=[1000],
        timeout=60.0)
    return DetectorContext(**(base | kw))  # type: ignore[arg-type]
