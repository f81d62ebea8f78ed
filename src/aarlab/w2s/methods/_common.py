"""Pieces several baselines share: cross-fitted predictions on the training split."""

from __future__ import annotations

import numpy as np

from aarlab.w2s.train import StudentConfig, fit_predict_student


def cross_fit(
    x: np.ndarray, target: np.ndarray, seed: int, folds: int = 2, cfg: StudentConfig | None = None
) -> np.ndarray:
    """Out-of-fold predictions on x: each item is predicted by a head that never trained on it.

    In-sample predictions of a head trained on the weak labels would mostly echo those labels;
    out-of-fold ones show what the strong features generalise to.
    """
    x = np.asarray(x)
    n = x.shape[0]
    fold = np.random.default_rng(seed).permutation(n) % folds  # (n,) fold id per item
    out = np.empty(n, dtype=np.float32)
    for k in range(folds):
        tr, te = fold != k, fold == k
        out[te] = fit_predict_student(x[tr], target[tr], x[te], seed + 1000 * (k + 1), cfg)
    return out
