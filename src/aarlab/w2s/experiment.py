"""Run methods on a prepared task over seeds and score them, with results cached on disk.

This is the trusted side (it reads the answer key): baselines and verification use it;
researchers never do.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from pydantic import BaseModel

from aarlab.w2s.answer_key import AnswerKey
from aarlab.w2s.bundle import Bundle
from aarlab.w2s.methods import MethodFn, check_predictions
from aarlab.w2s.pgr import accuracy, pgr
from aarlab.w2s.train import StudentConfig, fit_predict_student

RESULT_SCHEMA_VERSION = 1


class SeedResult(BaseModel):
    schema_version: int = RESULT_SCHEMA_VERSION
    method: str
    seed: int
    part: str
    accuracy: float
    weak_acc: float
    ceiling_acc: float
    pgr: float
    seconds: float


def ceiling_predictions(bundle: Bundle, key: AnswerKey, seed: int, cfg: StudentConfig | None = None) -> np.ndarray:
    """The strong student trained on ground truth, for any seed (stored ones are reused)."""
    if seed < key.ceiling_p_test.shape[0]:
        return key.ceiling_p_test[seed]
    y = key.labels_strong_train.astype(np.float32)
    return fit_predict_student(bundle.features("strong_train"), y, bundle.features("test"), seed, cfg)


def score_seed(
    name: str, p_test: np.ndarray, bundle: Bundle, key: AnswerKey, seed: int, part: str, seconds: float,
    ceiling_cfg: StudentConfig | None = None,
) -> SeedResult:
    m = key.mask(part)
    y = key.labels_test[m]
    acc = accuracy(p_test[m], y)
    weak = accuracy(key.weak_p_test[m], y)
    ceil = accuracy(ceiling_predictions(bundle, key, seed, ceiling_cfg)[m], y)
    return SeedResult(method=name, seed=seed, part=part, accuracy=acc, weak_acc=weak,
                      ceiling_acc=ceil, pgr=pgr(acc, weak, ceil), seconds=seconds)


def code_hash(paths: Sequence[Path]) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


def evaluate(
    name: str,
    fn: MethodFn,
    bundle: Bundle,
    key: AnswerKey,
    seeds: Sequence[int],
    part: str = "all",
    cache_dir: Path | None = None,
    on_seed: Callable[[SeedResult], None] | None = None,
) -> list[SeedResult]:
    """Run fn on each seed and score it; a cached result for (name, code, seed, part) is reused."""
    results = []
    for seed in seeds:
        f = cache_dir / f"{name}-seed{seed}-{part}.json" if cache_dir else None
        if f is not None and f.exists():
            res = SeedResult.model_validate(json.loads(f.read_text()))
        else:
            t0 = time.perf_counter()
            p = check_predictions(fn(bundle, seed), bundle.n_test)
            res = score_seed(name, p, bundle, key, seed, part, time.perf_counter() - t0)
            if f is not None:
                f.parent.mkdir(parents=True, exist_ok=True)
                tmp = f.with_suffix(".tmp")
                tmp.write_text(res.model_dump_json())
                tmp.replace(f)
        results.append(res)
        if on_seed:
            on_seed(res)
    return results
