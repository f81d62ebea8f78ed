"""Noisy-channel EM: a posterior over the true labels given a noisy teacher.

Model: the true label y has a prior P(y | x) from the strong features; the teacher's hard
label w is y passed through a class-conditional flip channel P(w | y). EM alternates
  E: q_i = P(y_i = 1 | x_i, w_i)  ∝  P(y=1 | x_i) P(w_i | y=1)
  M: refit the prior head on q (out-of-fold, so it cannot memorise w) and the channel on q.
The student is finally trained on the posterior q.
"""

from __future__ import annotations

import numpy as np

from aarlab.w2s.bundle import Bundle
from aarlab.w2s.methods._common import cross_fit
from aarlab.w2s.methods.base import register
from aarlab.w2s.train import StudentConfig, fit_predict_student

ITERS = 2


def channel(q: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """(P(w=1 | y=1), P(w=0 | y=0)) under the soft assignment q."""
    tpr = float((q * w).sum() / max(q.sum(), 1e-8))
    tnr = float(((1 - q) * (1 - w)).sum() / max((1 - q).sum(), 1e-8))
    return min(max(tpr, 0.51), 0.99), min(max(tnr, 0.51), 0.99)


@register("em_posterior")
def fit_predict(bundle: Bundle, seed: int) -> np.ndarray:
    x = np.asarray(bundle.features("strong_train"))
    w = bundle.weak_hard("strong_train").astype(np.float32)
    q = np.asarray(bundle.weak_soft("strong_train"), dtype=np.float32)
    fast = StudentConfig(epochs=10)
    for it in range(ITERS):
        tpr, tnr = channel(q, w)
        prior = np.clip(cross_fit(x, q, seed + it, cfg=fast), 1e-4, 1 - 1e-4)
        like1 = np.where(w == 1, tpr, 1 - tpr)  # P(w | y=1)
        like0 = np.where(w == 0, tnr, 1 - tnr)  # P(w | y=0)
        q = (prior * like1 / (prior * like1 + (1 - prior) * like0)).astype(np.float32)
    return fit_predict_student(x, q, bundle.features("test"), seed)
