"""Losses for training a strong student on weak labels.

Every loss takes student logits (n,) for label 1 and targets (n,) in [0, 1] (soft or hard weak
labels) and returns a per-item loss (n,), so callers can weight or mask items.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

LossFn = Callable[..., torch.Tensor]


def xent(logits: torch.Tensor, target: torch.Tensor, **_: float) -> torch.Tensor:
    """Cross-entropy against soft targets (hard targets are the 0/1 special case)."""
    return F.binary_cross_entropy_with_logits(logits, target, reduction="none")


def logconf(
    logits: torch.Tensor, target: torch.Tensor, *, alpha: float = 0.5, progress: float = 1.0, **_: float
) -> torch.Tensor:
    """Auxiliary confidence loss of Burns et al. (2023).

    Mixes CE against the weak labels with CE against the student's own hardened predictions,
    so the student may confidently disagree with the teacher. The student's labels are
    thresholded adaptively (at the batch's median-matching quantile, keeping the weak labels'
    class balance) and alpha warms up linearly over the first 20% of training.
    """
    a = alpha * min(1.0, progress / 0.2)
    p = torch.sigmoid(logits.detach())  # (n,)
    prior = target.mean().clamp(0.05, 0.95)  # share of positives the teacher implies
    thresh = torch.quantile(p, 1.0 - prior.item())
    self_target = (p >= thresh).float()
    weak_term = F.binary_cross_entropy_with_logits(logits, target, reduction="none")
    self_term = F.binary_cross_entropy_with_logits(logits, self_target, reduction="none")
    return (1 - a) * weak_term + a * self_term


def gce(logits: torch.Tensor, target: torch.Tensor, *, q: float = 0.7, **_: float) -> torch.Tensor:
    """Generalized cross-entropy (Zhang & Sabuncu 2018): (1 - p_y^q) / q, robust to label noise.

    q -> 0 recovers CE, q = 1 is MAE. Soft targets weight the two classes' terms.
    """
    p1 = torch.sigmoid(logits).clamp(1e-6, 1 - 1e-6)
    l1 = (1 - p1**q) / q
    l0 = (1 - (1 - p1) ** q) / q
    return target * l1 + (1 - target) * l0


def sce(
    logits: torch.Tensor, target: torch.Tensor, *, a: float = 1.0, b: float = 1.0, **_: float
) -> torch.Tensor:
    """Symmetric cross-entropy (Wang et al. 2019): a * CE(target, p) + b * CE(p, target).

    The reverse term clamps log(0) to -4 as in the paper.
    """
    p1 = torch.sigmoid(logits).clamp(1e-7, 1 - 1e-7)
    ce = F.binary_cross_entropy_with_logits(logits, target, reduction="none")
    log_t1 = torch.log(target.clamp(min=1e-4)).clamp(min=-4.0)
    log_t0 = torch.log((1 - target).clamp(min=1e-4)).clamp(min=-4.0)
    rce = -(p1 * log_t1 + (1 - p1) * log_t0)
    return a * ce + b * rce


LOSSES: dict[str, LossFn] = {"xent": xent, "logconf": logconf, "gce": gce, "sce": sce}


def get_loss(name: str) -> LossFn:
    if name not in LOSSES:
        raise KeyError(f"unknown loss {name!r}; known: {sorted(LOSSES)}")
    return LOSSES[name]
