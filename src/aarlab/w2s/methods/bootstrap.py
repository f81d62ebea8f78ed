"""Bootstrapping: weak -> intermediate -> strong (Burns et al. 2023).

With intermediate backends in the bundle (GloVe -> MiniLM -> mpnet when the task's strong
model is mpnet and MiniLM is an extra backend), each model in the chain is trained on the
out-of-fold labels of the one before. With no intermediate model the strong model bootstraps
itself: its out-of-fold predictions are averaged with the weak labels for a second round.
"""

from __future__ import annotations

import numpy as np

from aarlab.w2s.bundle import Bundle
from aarlab.w2s.methods._common import cross_fit
from aarlab.w2s.methods.base import register
from aarlab.w2s.train import fit_predict_student

CHAIN = ("glove", "minilm", "mpnet")  # weakest to strongest


def intermediates(bundle: Bundle) -> list[str]:
    weak, strong = bundle.meta.backends["weak"], bundle.meta.backends["strong"]
    if strong not in CHAIN:
        return []
    top = CHAIN.index(strong)
    lo = CHAIN.index(weak) if weak in CHAIN else -1
    return [b for b in CHAIN[lo + 1 : top] if b in bundle.backends]


@register("bootstrap")
def fit_predict(bundle: Bundle, seed: int) -> np.ndarray:
    target = np.asarray(bundle.weak_soft("strong_train"), dtype=np.float32)
    steps = intermediates(bundle)
    for i, backend in enumerate(steps):
        # Each link relabels strong_train with what its own features generalise to.
        hard = (target >= 0.5).astype(np.float32)
        target = cross_fit(bundle.features("strong_train", backend), hard, seed + i)
    if not steps:
        own = cross_fit(bundle.features("strong_train"), (target >= 0.5).astype(np.float32), seed)
        target = 0.5 * (target + own)
    y = (target >= 0.5).astype(np.float32)
    return fit_predict_student(bundle.features("strong_train"), y, bundle.features("test"), seed)
