"""The Ladder: a leaderboard that adaptive queries cannot overfit (Blum & Hardt, 2015).

Parameter-free variant, as the hub applies it per researcher and dataset, on the public part
of the test set only (n public items, 0/1 loss per item: 1 when `p >= 0.5` disagrees with the
label):

1. The first submission becomes the best; its score is reported.
2. For a new submission with per-item losses `l_new`, let `d = l_best - l_new` (positive where
   the new one fixed an item), `mean = mean(d)` (its accuracy gain) and
   `se = std(d, ddof=1) / sqrt(n)`, the standard error of that paired difference.
3. If `mean > se` (one-sided, by more than a float tolerance), the new submission becomes the
   best and its score is reported (`improved = True`); otherwise the previous best's score is
   reported again (`improved = False`).
4. Reported scores are rounded (`score_digits`).

A single flipped item moves the accuracy by exactly one standard error (1/n), so it never
passes: flipping items one at a time reads nothing. Small blocks pass only when most of their
public items were wrong, and then the best (and the bar) moves up, which bounds how many bits
a researcher can learn; Blum & Hardt show the leaderboard error stays O((log(kn)/n)^(1/3)) after
k adaptive queries. With `ladder=False` (tests only) the hub reports every submission's own
rounded accuracy: the plain scorer that the probing-attack test breaks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

_TOL = 1e-9


@dataclass(frozen=True)
class LadderDecision:
    improved: bool
    accuracy: float  # exact public accuracy of the score to report (new or previous best)
    mean_gain: float  # accuracy gain over the previous best (0 for the first)
    se: float


def paired_gain(loss_best: np.ndarray, loss_new: np.ndarray) -> tuple[float, float]:
    """(mean, standard error) of d = loss_best - loss_new over the items."""
    d = loss_best.astype(np.float64) - loss_new.astype(np.float64)  # (n,)
    n = d.size
    if n < 2:
        return float(d.mean()) if n else 0.0, math.inf
    return float(d.mean()), float(d.std(ddof=1) / math.sqrt(n))


def ladder_step(loss_best: np.ndarray | None, best_accuracy: float | None,
                loss_new: np.ndarray, ladder: bool = True) -> LadderDecision:
    """Decide what to report for a new submission with per-item 0/1 losses `loss_new`."""
    acc_new = 1.0 - float(loss_new.mean())
    if loss_best is None or best_accuracy is None:
        return LadderDecision(True, acc_new, 0.0, 0.0)
    mean, se = paired_gain(loss_best, loss_new)
    if not ladder:  # plain scorer: report every score; "improved" means a new maximum
        return LadderDecision(acc_new > best_accuracy + _TOL, acc_new, mean, se)
    if mean > se + _TOL:
        return LadderDecision(True, acc_new, mean, se)
    return LadderDecision(False, best_accuracy, mean, se)
