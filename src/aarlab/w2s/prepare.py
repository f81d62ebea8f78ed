"""`prepare`: dataset -> splits -> cached features -> weak teacher -> bundle + answer key.

The task directory's name derives from a hash of the config and of the dataset's content, so
a changed config or dataset gets a new directory and an unchanged one is reused (resumable:
every finished artefact is skipped, features come from the on-disk cache).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from aarlab.w2s.answer_key import AnswerKey, AnswerKeyMeta, SeedBaseline
from aarlab.w2s.bundle import BundleMeta, write_bundle
from aarlab.w2s.config import PrepareConfig
from aarlab.w2s.datasets import Example, get_dataset
from aarlab.w2s.features import featurize
from aarlab.w2s.pgr import accuracy
from aarlab.w2s.split import SPLIT_NAMES, make_splits
from aarlab.w2s.task import Task
from aarlab.w2s.train import fit_predict_student, teacher_proba, train_teacher

Log = Callable[[str], None]


def content_hash(examples: list[Example]) -> str:
    h = hashlib.sha256()
    for e in examples:
        h.update(json.dumps([e.text, e.label, e.group]).encode())
    return h.hexdigest()


def task_for(cfg: PrepareConfig, tasks_dir: Path, examples: list[Example] | None = None) -> Task:
    examples = examples if examples is not None else get_dataset(cfg.dataset).load()
    digest = hashlib.sha256(
        (cfg.model_dump_json() + content_hash(examples)).encode()
    ).hexdigest()[:12]
    task_id = f"{cfg.dataset}-{digest}"
    return Task(task_id=task_id, root=tasks_dir / task_id)


def prepare(cfg: PrepareConfig, tasks_dir: Path, cache_dir: Path, progress: bool = True, log: Log = print) -> Task:
    dataset = get_dataset(cfg.dataset)
    examples = dataset.load()
    task = task_for(cfg, tasks_dir, examples)
    if task.ready:
        log(f"task {task.task_id} already prepared in {task.root}")
        return task
    splits = make_splits(examples, cfg.split, group_split=getattr(dataset, "group_split", False))
    texts = {s: [examples[i].text for i in splits.indices[s]] for s in SPLIT_NAMES}
    labels = {s: np.array([examples[i].label for i in splits.indices[s]]) for s in SPLIT_NAMES}
    log(f"{cfg.dataset}: " + ", ".join(f"{s}={len(texts[s])}" for s in SPLIT_NAMES))

    backends = list(dict.fromkeys([cfg.weak, cfg.strong, *cfg.extra]))
    feats: dict[str, dict[str, np.ndarray]] = {b: {} for b in backends}
    for b in backends:
        for s in SPLIT_NAMES:
            if s == "weak_train" and b != cfg.weak:
                continue  # only the teacher sees weak_train
            feats[b][s] = featurize(b, texts[s], cache_dir, progress=progress)

    # weak teacher: ground truth of weak_train only
    teacher = train_teacher(np.asarray(feats[cfg.weak]["weak_train"]), labels["weak_train"], c=cfg.teacher_c)
    weak_soft = {s: teacher_proba(teacher, np.asarray(feats[cfg.weak][s])) for s in ("strong_train", "test")}

    # ceiling: the strong student on ground truth of strong_train, one per baseline seed
    public = np.array(splits.public_test, dtype=bool)
    y_test = labels["test"]
    ceilings, seeds = [], []
    for seed in range(cfg.baseline_seeds):
        p = fit_predict_student(
            feats[cfg.strong]["strong_train"], labels["strong_train"].astype(np.float32),
            feats[cfg.strong]["test"], seed, cfg.student,
        )
        ceilings.append(p)
        seeds.append(SeedBaseline(
            seed=seed, ceiling_acc=accuracy(p, y_test),
            ceiling_acc_public=accuracy(p[public], y_test[public]),
            ceiling_acc_private=accuracy(p[~public], y_test[~public]),
        ))

    task.root.mkdir(parents=True, exist_ok=True)
    task.config_file.write_text(cfg.model_dump_json(indent=2))
    w = weak_soft["test"]
    key_meta = AnswerKeyMeta(
        dataset=cfg.dataset, task_id=task.task_id, n_test=len(y_test), n_public=int(public.sum()),
        weak_acc=accuracy(w, y_test), weak_acc_public=accuracy(w[public], y_test[public]),
        weak_acc_private=accuracy(w[~public], y_test[~public]), seeds=seeds,
    )
    AnswerKey(key_meta, {
        "labels_test": y_test, "public_test": public, "labels_strong_train": labels["strong_train"],
        "weak_p_test": w, "ceiling_p_test": np.stack(ceilings).astype(np.float32),
    }).save(task.key_dir)
    meta = BundleMeta(
        dataset=cfg.dataset, task_id=task.task_id, description=dataset.description,
        sizes={s: len(texts[s]) for s in ("strong_train", "test")},
        backends={"weak": cfg.weak, "strong": cfg.strong}, extra_backends=cfg.extra,
    )
    bundle_feats = {b: {s: feats[b][s] for s in ("strong_train", "test")} for b in backends}
    write_bundle(task.bundle_dir, meta, {s: texts[s] for s in ("strong_train", "test")}, bundle_feats, weak_soft)
    return task
