"""Significance tests and noise estimates the verifier and detectors share."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import stats


def paired_t(a: Sequence[float], b: Sequence[float]) -> float | None:
    """Two-sided paired t-test p-value of mean(a - b) = 0 over matched seeds; None if n < 2."""
    x = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    x = x[np.isfinite(x)]
    if x.size < 2:
        return None
    if np.allclose(x, x[0]):  # no spread: identical runs (p = 1) or a constant shift (p = 0)
        return 1.0 if abs(x[0]) < 1e-12 else 0.0
    return float(stats.ttest_1samp(x, 0.0).pvalue)


def mcnemar(p_a: np.ndarray, p_b: np.ndarray, y: np.ndarray) -> float:
    """Exact two-sided McNemar p-value: do a and b differ in per-item correctness?"""
    ca = (np.asarray(p_a) >= 0.5) == y
    cb = (np.asarray(p_b) >= 0.5) == y
    n01 = int(np.sum(ca & ~cb))  # a right, b wrong
    n10 = int(np.sum(~ca & cb))
    if n01 + n10 == 0:
        return 1.0
    return float(stats.binomtest(n01, n01 + n10, 0.5).pvalue)


def pgr_split_se(p: np.ndarray, weak_p: np.ndarray, y: np.ndarray, gap: float) -> float:
    """Standard error of a PGR measured on these items, from the finite sample alone.

    PGR's numerator is the mean over items of (method correct - teacher correct); its sampling
    SE is sd(that difference) / sqrt(n), divided by the weak-to-ceiling gap.
    """
    d = ((np.asarray(p) >= 0.5) == y).astype(np.float64) - ((np.asarray(weak_p) >= 0.5) == y)
    if d.size < 2 or abs(gap) < 1e-12:
        return float("nan")
    return float(d.std(ddof=1) / math.sqrt(d.size) / abs(gap))


def hamming(a: np.ndarray, b: np.ndarray) -> int:
    """Number of items whose hard prediction differs."""
    return int(np.sum((np.asarray(a) >= 0.5) != (np.asarray(b) >= 0.5)))


def agreement(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean((np.asarray(a) >= 0.5) == (np.asarray(b) >= 0.5)))
