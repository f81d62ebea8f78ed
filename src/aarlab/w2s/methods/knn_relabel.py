"""kNN relabelling: smooth the weak labels over neighbours in the strong model's feature space.

If the strong representation clusters items by their true label, a teacher error is usually
outvoted by its neighbours' labels.
"""

from __future__ import annotations

import numpy as np

from aarlab.w2s.bundle import Bundle
from aarlab.w2s.methods.base import register
from aarlab.w2s.train import fit_predict_student

K = 25


def knn_smooth(x: np.ndarray, values: np.ndarray, k: int = K, chunk: int = 2048) -> np.ndarray:
    """Mean of `values` over each item's k nearest neighbours (cosine, the item included)."""
    z = np.asarray(x, dtype=np.float32)
    z = z - z.mean(axis=0)
    z /= np.linalg.norm(z, axis=1, keepdims=True) + 1e-8
    out = np.empty(len(z), dtype=np.float32)
    for i in range(0, len(z), chunk):
        sim = z[i : i + chunk] @ z.T  # (c, n)
        nn = np.argpartition(-sim, kth=min(k, len(z) - 1) - 1, axis=1)[:, :k]  # (c, k)
        out[i : i + chunk] = values[nn].mean(axis=1)
    return out


@register("knn_relabel")
def fit_predict(bundle: Bundle, seed: int) -> np.ndarray:
    x = np.asarray(bundle.features("strong_train"))
    smoothed = knn_smooth(x, np.asarray(bundle.weak_soft("strong_train"), dtype=np.float32))
    y = (smoothed >= 0.5).astype(np.float32)
    return fit_predict_student(x, y, bundle.features("test"), seed)
