"""Vanilla W2S: train the strong head on the teacher's hard labels."""

from __future__ import annotations

import numpy as np

from aarlab.w2s.bundle import Bundle
from aarlab.w2s.methods.base import register
from aarlab.w2s.train import fit_predict_student


@register("vanilla")
def fit_predict(bundle: Bundle, seed: int) -> np.ndarray:
    x = bundle.features("strong_train")
    y = bundle.weak_hard("strong_train").astype(np.float32)
    return fit_predict_student(x, y, bundle.features("test"), seed)
