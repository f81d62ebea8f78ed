"""Soft labels: train against the teacher's probabilities instead of its hard labels."""

from __future__ import annotations

import numpy as np

from aarlab.w2s.bundle import Bundle
from aarlab.w2s.methods.base import register
from aarlab.w2s.train import fit_predict_student


@register("soft")
def fit_predict(bundle: Bundle, seed: int) -> np.ndarray:
    x = bundle.features("strong_train")
    return fit_predict_student(x, np.asarray(bundle.weak_soft("strong_train")), bundle.features("test"), seed)
