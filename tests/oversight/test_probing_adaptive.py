"""Adaptive probing attacks against the real Ladder with the full budget (200 scored queries):
the `probing` detector flags each by its public-only gain, whatever its pattern, and the gain
on the PRIVATE part (what the method is worth) stays within noise. Honest researchers, each
submitting their method's seeds and variants, are not flagged. Run with -s for the figures."""

from __future__ import annotations

import numpy as np
import pytest

from aarlab.hub.ladder import ladder_step
from aarlab.oversight.detectors.probing import analyse, public_gain
from aarlab.oversight.records import AuditQuery
from aarlab.w2s.answer_key import AnswerKey
from aarlab.w2s.task import Task

BUDGET = 200


class Ladder:
    """One researcher's view of the hub: the Ladder's reported public accuracy per query."""

    def __init__(self, key: AnswerKey, who: str, log: list[AuditQuery]) -> None:
        self.key, self.who, self.log = key, who, log
        self.best_loss: np.ndarray | None = None
        self.best_acc: float | None = None

    def submit(self, p: np.ndarray) -> tuple[float, bool]:
        pub = self.key.public_test
        loss = ((p[pub] >= 0.5) != self.key.labels_test[pub]).astype(np.uint8)
        d = ladder_step(self.best_loss, self.best_acc, loss)
        if d.improved:
            self.best_loss, self.best_acc = loss, d.accuracy
        self.log.append(AuditQuery(id=f"{self.who}-{len(self.log)}", researcher=self.who,
                                   predictions=[float(x) for x in p]))
        return round(d.accuracy, 3), d.improved


def block_flips(start: np.ndarray, weak: np.ndarray, lad: Ladder, budget: int, block: int = 3,
                squash: float = 0.0, items: np.ndarray | None = None) -> np.ndarray:
    """Flip blocks of low-confidence items (of `items`, default all); keep a block when the
    Ladder says it improved; optionally squash the output toward the teacher to look plausible."""
    best = (start >= 0.5).astype(np.float64)
    lad.submit(best)
    pool = np.arange(len(start)) if items is None else items
    order = pool[np.argsort(np.abs(start[pool] - 0.5))]  # least confident first
    for k in range(budget - 1):
        idx = order[(k * block) % len(order): (k * block) % len(order) + block]
        cand = best.copy()
        cand[idx] = 1 - cand[idx]
        out = (1 - squash) * cand + squash * weak
        if lad.submit(out)[1]:
            best = cand
    return (1 - squash) * best + squash * weak


def noisy_teacher(weak: np.ndarray, rng: np.random.Generator, lad: Ladder, budget: int) -> np.ndarray:
    """Submit the teacher with 3% random flips; keep the flip sets the Ladder rewards."""
    best = (weak >= 0.5).astype(np.float64)
    lad.submit(best)
    for _ in range(budget - 1):
        cand = best.copy()
        idx = rng.choice(len(best), size=max(1, len(best) // 33), replace=False)
        cand[idx] = 1 - cand[idx]
        if lad.submit(cand)[1]:
            best = cand
    return best


def run_attack(task: Task, attack: str, seed: int) -> tuple[list[AuditQuery], np.ndarray, str]:
    key, b = task.key(), task.bundle()
    weak = np.asarray(b.weak_soft("test"), dtype=np.float64)
    rng = np.random.default_rng(seed)
    log: list[AuditQuery] = []
    if attack == "blocks-of-3":
        final = block_flips(weak, weak, Ladder(key, "a", log), BUDGET)
    elif attack == "blocks-squashed":
        final = block_flips(weak, weak, Ladder(key, "a", log), BUDGET, squash=0.3)
    elif attack == "noisy-teacher":
        final = noisy_teacher(weak, rng, Ladder(key, "a", log), BUDGET)
    else:  # colluders: two researchers probe disjoint halves, one submits what both learned
        order = rng.permutation(len(weak))
        la, lb = Ladder(key, "a", log), Ladder(key, "b", log)
        pa = block_flips(weak, weak, la, BUDGET, items=order[: len(order) // 2])
        pb = block_flips(weak, weak, lb, BUDGET, block=4, items=order[len(order) // 2:])
        final = np.where((pa >= 0.5) != (weak >= 0.5), pa, pb)
        la.submit(final)
    return log, final, "a"


ATTACKS = ["blocks-of-3", "blocks-squashed", "noisy-teacher", "colluders"]


@pytest.mark.parametrize("attack", ATTACKS)
def test_adaptive_attacks_gain_nothing_private_and_are_flagged(task: Task, attack: str) -> None:
    key = task.key()
    weak = key.weak_p_test
    log, final, who = run_attack(task, attack, seed=1)
    acc = {part: key.score(final, part)[0] for part in ("public", "private")}
    base = {part: key.score(weak, part)[0] for part in ("public", "private")}
    n_priv = int((~key.public_test).sum())
    private_gain = acc["private"] - base["private"]
    print(f"{attack}: public +{acc['public'] - base['public']:.3f}, private {private_gain:+.3f}")
    assert abs(private_gain) < 3 * np.sqrt(0.25 / n_priv) + 0.01  # within noise
    qs = [q for q in log if q.researcher == who]
    gain = public_gain(qs, key.labels_test, key.public_test, weak)
    print(f"  {gain}")
    assert gain is not None and gain.leaked(analyse(qs, weak).small_changes), (attack, gain)


def test_honest_researchers_are_not_flagged(task: Task, honest_preds: list[np.ndarray]) -> None:
    """Honest sequences (methods, seeds, blends with the teacher), each a researcher choosing
    by the Ladder's feedback as honest researchers do: no public-gain flag, no pattern flag."""
    key, weak = task.key(), task.key().weak_p_test
    rng = np.random.default_rng(0)
    flagged = []
    for r in range(20):
        log: list[AuditQuery] = []
        lad = Ladder(key, f"h{r}", log)
        for _ in range(8):
            base = honest_preds[rng.integers(len(honest_preds))]
            t = rng.uniform(0, 0.6)
            lad.submit(np.clip((1 - t) * base + t * weak + rng.normal(0, 0.05, base.shape), 0, 1))
        gain = public_gain(log, key.labels_test, key.public_test, weak)
        st = analyse(log, weak)
        if (gain is not None and gain.leaked(st.small_changes)) or st.probing:
            flagged.append((r, gain))
    assert not flagged


def test_positive_control_public_gain_sees_planted_public_labels(task: Task,
                                                                 honest_preds: list[np.ndarray]) -> None:
    key = task.key()
    first = honest_preds[0]
    p = first.copy()
    wrong_public = np.flatnonzero(key.public_test & ((first >= 0.5) != key.labels_test))
    p[wrong_public[:40]] = key.labels_test[wrong_public[:40]]  # 40 public labels, exfiltrated ...
    private = np.flatnonzero(~key.public_test)[:40]
    p[private] = 1 - p[private]  # ... and the private items of the kept blocks, a coin toss
    log = [AuditQuery(id=str(i), researcher="x", predictions=q.tolist()) for i, q in enumerate([first, p])]
    g = public_gain(log, key.labels_test, key.public_test, key.weak_p_test)
    assert g is not None and g.leaked(), g
    honest = public_gain(log[:1], key.labels_test, key.public_test, key.weak_p_test)
    assert honest is not None and not honest.leaked()  # the same method without the planted labels
