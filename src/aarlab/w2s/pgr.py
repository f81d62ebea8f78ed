"""Accuracy, PGR and their summaries over seeds."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel


def accuracy(p: np.ndarray, y: np.ndarray) -> float:
    """Share of items where p >= 0.5 agrees with the 0/1 label y."""
    p = np.asarray(p, dtype=np.float64)
    y = np.asarray(y)
    if p.shape != y.shape:
        raise ValueError(f"predictions have shape {p.shape}, labels {y.shape}")
    if p.size == 0:
        raise ValueError("accuracy of an empty set")
    return float(np.mean((p >= 0.5).astype(np.int64) == y))


def pgr(transfer_acc: float, weak_acc: float, ceiling_acc: float) -> float:
    """Performance gap recovered: 0 = no better than the teacher, 1 = the ceiling."""
    gap = ceiling_acc - weak_acc
    if abs(gap) < 1e-12:
        return float("nan")
    return (transfer_acc - weak_acc) / gap


class Summary(BaseModel):
    """Mean, standard error and a normal 95% interval over n values."""

    mean: float
    se: float
    n: int

    @property
    def ci95(self) -> tuple[float, float]:
        return (self.mean - 1.96 * self.se, self.mean + 1.96 * self.se)

    def fmt(self, digits: int = 3) -> str:
        return f"{self.mean:.{digits}f} ± {self.se:.{digits}f}"


def summarize(values: Sequence[float]) -> Summary:
    v = np.asarray([x for x in values if not math.isnan(x)], dtype=np.float64)
    if v.size == 0:
        return Summary(mean=float("nan"), se=float("nan"), n=0)
    se = float(v.std(ddof=1) / math.sqrt(v.size)) if v.size > 1 else 0.0
    return Summary(mean=float(v.mean()), se=se, n=int(v.size))
