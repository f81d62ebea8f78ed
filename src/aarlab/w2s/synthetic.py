"""A small synthetic task (bundle + answer key) for tests and examples: no data, no encoder.

Strong features: two Gaussian classes in `dim` dimensions, well separated. Weak features:
a noisier view. The teacher is a real logistic regression on the weak view, so its errors
are structured (they follow the weak features), as in the real testbed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from aarlab.w2s.answer_key import AnswerKey, AnswerKeyMeta, SeedBaseline
from aarlab.w2s.bundle import BundleMeta, write_bundle
from aarlab.w2s.pgr import accuracy
from aarlab.w2s.task import Task
from aarlab.w2s.train import fit_predict_student, teacher_proba, train_teacher


def make_synthetic_task(
    root: Path, n_weak: int = 600, n_train: int = 1200, n_test: int = 800, dim: int = 32,
    seed: int = 0, seeds: int = 3, dataset: str = "synthetic",
) -> Task:
    rng = np.random.default_rng(seed)
    n = n_weak + n_train + n_test
    y = rng.permutation(np.arange(n) % 2)
    direction = rng.normal(size=dim)
    direction /= np.linalg.norm(direction)
    strong = rng.normal(size=(n, dim)) + np.outer(2 * y - 1, direction) * 1.2  # (n, dim)
    weak = strong[:, :8] + rng.normal(scale=2.0, size=(n, 8))  # a noisy low-dim view
    idx = {"weak_train": np.arange(n_weak), "strong_train": np.arange(n_weak, n_weak + n_train),
           "test": np.arange(n_weak + n_train, n)}
    teacher = train_teacher(weak[idx["weak_train"]], y[idx["weak_train"]])
    soft = {s: teacher_proba(teacher, weak[idx[s]]) for s in ("strong_train", "test")}
    y_test = y[idx["test"]]
    public = rng.permutation(np.arange(n_test) % 2 == 0)
    ceilings = [
        fit_predict_student(strong[idx["strong_train"]], y[idx["strong_train"]].astype(np.float32),
                            strong[idx["test"]], s)
        for s in range(seeds)
    ]
    task = Task(task_id=f"{dataset}-{seed}", root=root)
    texts = {s: [f"item {i} of {s}" for i in range(len(idx[s]))] for s in ("strong_train", "test")}
    meta = BundleMeta(dataset=dataset, task_id=task.task_id, description="synthetic Gaussian task",
                      sizes={"strong_train": n_train, "test": n_test},
                      backends={"weak": "synthetic-weak", "strong": "synthetic-strong"})
    feats = {"synthetic-weak": {s: weak[idx[s]] for s in ("strong_train", "test")},
             "synthetic-strong": {s: strong[idx[s]] for s in ("strong_train", "test")}}
    write_bundle(task.bundle_dir, meta, texts, feats, soft)
    w = soft["test"]
    AnswerKey(
        AnswerKeyMeta(
            dataset=dataset, task_id=task.task_id, n_test=n_test, n_public=int(public.sum()),
            weak_acc=accuracy(w, y_test), weak_acc_public=accuracy(w[public], y_test[public]),
            weak_acc_private=accuracy(w[~public], y_test[~public]),
            seeds=[SeedBaseline(seed=s, ceiling_acc=accuracy(c, y_test),
                                ceiling_acc_public=accuracy(c[public], y_test[public]),
                                ceiling_acc_private=accuracy(c[~public], y_test[~public]))
                   for s, c in enumerate(ceilings)],
        ),
        {"labels_test": y_test, "public_test": public, "labels_strong_train": y[idx["strong_train"]],
         "weak_p_test": w, "ceiling_p_test": np.stack(ceilings)},
    ).save(task.key_dir)
    return task
