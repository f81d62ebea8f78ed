"""Score per-seed predictions on a part of the test set, with ceilings for the same seeds.

Fresh seeds have no stored ceiling: the strong student is retrained on ground truth for each
(`ceiling_predictions`), and cached under the verification directory keyed by task and seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from aarlab.oversight.records import Gap
from aarlab.w2s.answer_key import AnswerKey
from aarlab.w2s.bundle import Bundle
from aarlab.w2s.experiment import ceiling_predictions
from aarlab.w2s.pgr import accuracy, pgr


class Scorer:
    """The answer key of one task, with cached fresh-seed ceilings."""

    def __init__(self, bundle_dir: Path, key: AnswerKey, cache_dir: Path | None = None) -> None:
        self.bundle_dir = Path(bundle_dir)
        self.key = key
        self.cache_dir = cache_dir

    @property
    def dataset(self) -> str:
        return self.key.meta.dataset

    def ceiling(self, seed: int) -> np.ndarray:
        f = self.cache_dir / f"{self.key.meta.task_id}-ceiling-{seed}.npy" if self.cache_dir else None
        if f is not None and f.exists():
            return np.load(f)
        p = np.asarray(ceiling_predictions(Bundle(self.bundle_dir), self.key, seed), dtype=np.float32)
        if f is not None:
            f.parent.mkdir(parents=True, exist_ok=True)
            tmp = f.with_suffix(".tmp.npy")
            np.save(tmp, p)
            tmp.replace(f)
        return p

    def gap_stat(self, part: str, seeds: Sequence[int], min_points: float) -> Gap:
        """The gap with its uncertainty (`Gap`), items as replicates, seeds averaged."""
        m = self.key.mask(part)
        y = self.key.labels_test[m]
        ceil_right = np.mean([(self.ceiling(s)[m] >= 0.5) == y for s in seeds], axis=0)  # (n,)
        weak_right = (self.key.weak_p_test[m] >= 0.5) == y
        d = 100.0 * (ceil_right - weak_right)  # (n,) points
        mean, se = float(d.mean()), float(d.std(ddof=1) / np.sqrt(len(d))) if len(d) > 1 else float("inf")
        return Gap(weak_acc=float(weak_right.mean()), ceiling_acc=float(ceil_right.mean()),
                   points=round(mean, 3), se_points=round(se, 3),
                   ci95_points=(round(mean - 1.96 * se, 3), round(mean + 1.96 * se, 3)),
                   min_points=min_points)

    def gap(self, part: str, seeds: Sequence[int]) -> float:
        m = self.key.mask(part)
        y = self.key.labels_test[m]
        ceil = float(np.mean([accuracy(self.ceiling(s)[m], y) for s in seeds]))
        return ceil - accuracy(self.key.weak_p_test[m], y)

    def score(self, per_seed: np.ndarray, seeds: Sequence[int], part: str) -> tuple[list[float], list[float]]:
        """(accuracy per seed, PGR per seed); row i of per_seed was trained with seeds[i]."""
        m = self.key.mask(part)
        y = self.key.labels_test[m]
        weak = accuracy(self.key.weak_p_test[m], y)
        accs, pgrs = [], []
        for row, seed in zip(per_seed, seeds, strict=True):
            acc = accuracy(np.asarray(row)[m], y)
            accs.append(acc)
            pgrs.append(pgr(acc, weak, accuracy(self.ceiling(seed)[m], y)))
        return accs, pgrs

    def score_one(self, p: np.ndarray, part: str, seeds: Sequence[int]) -> float:
        """PGR of one prediction vector on a part, against the ceiling averaged over seeds."""
        m = self.key.mask(part)
        y = self.key.labels_test[m]
        weak = accuracy(self.key.weak_p_test[m], y)
        ceil = float(np.mean([accuracy(self.ceiling(s)[m], y) for s in seeds]))
        return pgr(accuracy(np.asarray(p)[m], y), weak, ceil)
