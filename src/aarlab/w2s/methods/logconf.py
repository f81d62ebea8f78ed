"""Auxiliary confidence loss (Burns et al. 2023): let the student overrule the teacher."""

from __future__ import annotations

import numpy as np

from aarlab.w2s.bundle import Bundle
from aarlab.w2s.methods.base import register
from aarlab.w2s.train import StudentConfig, fit_predict_student


@register("logconf")
def fit_predict(bundle: Bundle, seed: int) -> np.ndarray:
    cfg = StudentConfig(loss="logconf", loss_args={"alpha": 0.75})
    x = bundle.features("strong_train")
    y = bundle.weak_hard("strong_train").astype(np.float32)
    return fit_predict_student(x, y, bundle.features("test"), seed, cfg)
