"""Scoring: validate predictions, score the public part through the Ladder, keep budgets.

Everything here is in memory and per process: the answer keys, each researcher's Ladder best
(its public loss vector) and the timestamps that budgets count. It is rebuilt from the
database at start (`Scorer.restore`), so the database stays the only record. One hub process
serves a database; per-(researcher, dataset) locks serialise a researcher's submissions.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from aarlab.errors import UserError
from aarlab.hub.config import BudgetConfig
from aarlab.hub.ladder import LadderDecision, ladder_step
from aarlab.w2s.answer_key import AnswerKey
from aarlab.w2s.pgr import pgr

HOUR_S = 3600.0


class PredictionError(UserError, ValueError):
    """Predictions the researcher must fix (422)."""


class BudgetExceeded(UserError):
    """No scored submission is left in this window (429)."""

    def __init__(self, message: str, retry_after_s: int | None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


def validate_predictions(values: list[float], n_test: int, dataset: str) -> np.ndarray:
    """float32 array of `n_test` probabilities in [0, 1]; PredictionError says what is wrong.

    The hub keeps (and scores) the float32 values, so the audit log holds exactly what was scored.
    """
    if len(values) != n_test:
        raise PredictionError(
            f"expected {n_test} predictions for {dataset!r} (one per test item, bundle order), "
            f"got {len(values)}"
        )
    p = np.asarray(values, dtype=np.float64)
    bad = ~np.isfinite(p)
    if bad.any():
        i = int(np.argmax(bad))
        raise PredictionError(f"prediction {i} is {p[i]}; every prediction must be a finite "
                              f"probability in [0, 1] ({int(bad.sum())} are not finite)")
    out = (p < 0.0) | (p > 1.0)
    if out.any():
        i = int(np.argmax(out))
        raise PredictionError(f"prediction {i} is {p[i]}; predictions must lie in [0, 1] "
                              f"({int(out.sum())} are out of range)")
    return p.astype(np.float32)


def round_score(x: float | None, digits: int) -> float | None:
    if x is None or not math.isfinite(x):
        return None
    return round(float(x), digits)


@dataclass
class TaskScorer:
    """One dataset's answer key, reduced to what public scoring needs."""

    key: AnswerKey
    y_public: np.ndarray = field(init=False)
    public: np.ndarray = field(init=False)
    weak_public: float = field(init=False)
    ceiling_public: float = field(init=False)

    def __post_init__(self) -> None:
        self.public = self.key.public_test
        self.y_public = self.key.labels_test[self.public].astype(np.int8)
        self.weak_public = self.key.weak_acc("public")
        self.ceiling_public = self.key.ceiling_acc("public")

    @property
    def n_test(self) -> int:
        return self.key.n_test

    def public_losses(self, p: np.ndarray) -> np.ndarray:
        """Per-item 0/1 losses on the public part (uint8, n_public)."""
        return ((p[self.public] >= 0.5).astype(np.int8) != self.y_public).astype(np.uint8)

    def public_pgr(self, acc: float) -> float:
        return pgr(acc, self.weak_public, self.ceiling_public)


@dataclass
class LadderState:
    best_loss: np.ndarray | None = None
    best_accuracy: float | None = None
    best_submission_id: str | None = None
    total: int = 0
    recent: deque[float] = field(default_factory=deque)  # monotonic-free wall times (epoch s)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Scorer:
    def __init__(self, tasks: dict[str, Path], budgets: BudgetConfig, ladder: bool,
                 digits: int) -> None:
        self.tasks = {name: TaskScorer(AnswerKey.load(path)) for name, path in tasks.items()}
        self.budgets = budgets
        self.ladder = ladder
        self.digits = digits
        self._states: dict[tuple[str, str], LadderState] = {}

    def task(self, dataset: str) -> TaskScorer:
        try:
            return self.tasks[dataset]
        except KeyError:
            known = ", ".join(sorted(self.tasks)) or "none"
            raise PredictionError(f"unknown dataset {dataset!r}; this hub scores: {known}") from None

    def state(self, researcher_id: str, dataset: str) -> LadderState:
        key = (researcher_id, dataset)
        st = self._states.get(key)
        if st is None:
            st = self._states[key] = LadderState()
        return st

    # ------------------------------------------------------------------ budgets
    def budget_left(self, st: LadderState, now: float | None = None) -> tuple[int, int]:
        """(total left, left in the current sliding hour)."""
        now = time.time() if now is None else now
        while st.recent and st.recent[0] <= now - HOUR_S:
            st.recent.popleft()
        return (max(0, self.budgets.total - st.total),
                max(0, self.budgets.per_hour - len(st.recent)))

    def check_budget(self, st: LadderState, now: float) -> None:
        total_left, hour_left = self.budget_left(st, now)
        if total_left <= 0:
            raise BudgetExceeded(
                f"submission budget spent: {self.budgets.total} scored submissions per researcher "
                "and dataset; no more scores for this dataset", None)
        if hour_left <= 0:
            wait = int(math.ceil(st.recent[0] + HOUR_S - now)) if st.recent else 60
            raise BudgetExceeded(
                f"rate limit: {self.budgets.per_hour} scored submissions per hour; "
                f"the next one is allowed in {wait} s", max(1, wait))

    # ------------------------------------------------------------------ scoring
    def decide(self, task: TaskScorer, st: LadderState, loss: np.ndarray) -> LadderDecision:
        return ladder_step(st.best_loss, st.best_accuracy, loss, self.ladder)

    def commit(self, st: LadderState, decision: LadderDecision, loss: np.ndarray,
               submission_id: str, now: float) -> None:
        """Apply an accepted submission to the in-memory state (after its row is durable)."""
        st.total += 1
        st.recent.append(now)
        if decision.improved:
            st.best_loss = loss
            st.best_accuracy = 1.0 - float(loss.mean())
            st.best_submission_id = submission_id

    def restore(self, researcher_id: str, dataset: str, total: int, recent: list[float],
                best_predictions: np.ndarray | None, best_submission_id: str | None) -> None:
        """Rebuild one researcher's state from the database at start."""
        task = self.tasks.get(dataset)
        if task is None:
            return
        st = self.state(researcher_id, dataset)
        st.total = total
        st.recent = deque(sorted(recent))
        if best_predictions is not None and best_predictions.size == task.n_test:
            st.best_loss = task.public_losses(best_predictions)
            st.best_accuracy = 1.0 - float(st.best_loss.mean())
            st.best_submission_id = best_submission_id
