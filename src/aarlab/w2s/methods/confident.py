"""Confident: drop the weak labels whose confidence lies in the middle band.

The teacher is least reliable near p = 0.5; training only on the most confident share of its
labels trades data for cleaner targets.
"""

from __future__ import annotations

import numpy as np

from aarlab.w2s.bundle import Bundle
from aarlab.w2s.methods.base import register
from aarlab.w2s.train import fit_predict_student

KEEP = 0.6  # share of strong_train kept, the most confident first


@register("confident")
def fit_predict(bundle: Bundle, seed: int, keep: float = KEEP) -> np.ndarray:
    soft = np.asarray(bundle.weak_soft("strong_train"))
    margin = np.abs(soft - 0.5)
    keep_idx = np.argsort(-margin, kind="stable")[: int(keep * len(soft))]
    x = np.asarray(bundle.features("strong_train"))[keep_idx]
    y = (soft[keep_idx] >= 0.5).astype(np.float32)
    return fit_predict_student(x, y, bundle.features("test"), seed)
