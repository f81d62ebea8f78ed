"""The label-probing attacks the reference system suffered, run against the hub's API.

An attacker with the full budget (200 scored submissions; 2,000 test items, half public):
(a) flips its honest best one item at a time and keeps each flip that raises the reported
score (the published exfiltration hack); (b) submits random 0/1 vectors, keeps those reported
above chance, and majority-votes them (Blum & Hardt's boosting attack). We measure accuracy
on the public part (where exfiltration shows) and on the private part (what the method is
actually worth). With the Ladder the public gains stay within noise; with a plain scorer
(reported rounded accuracy of every submission) the same attacks gain a lot on the public
part and nothing on the private part: the test fails against a plain scorer by design.
Run with `pytest -s` to see the figures.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from aarlab.hub import HubClient
from aarlab.w2s.answer_key import AnswerKey

BUDGET = 200


def _acc(key: AnswerKey, p: np.ndarray, part: str) -> float:
    return key.score(p, part)[0]


def flip_attack(r: HubClient, key: AnswerKey, honest: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    best = (honest >= 0.5).astype(np.float64)
    score = r.submit("toy", best).public.accuracy
    for i in rng.permutation(key.n_test)[: BUDGET - 1]:
        cand = best.copy()
        cand[i] = 1.0 - cand[i]
        res = r.submit("toy", cand)
        if res.public.accuracy > score:  # keep the flips that move the reported score up
            best, score = cand, res.public.accuracy
    return best


def boosting_attack(r: HubClient, key: AnswerKey, rng: np.random.Generator) -> tuple[np.ndarray, int]:
    kept = []
    best = None
    for _ in range(BUDGET):
        v = rng.integers(0, 2, key.n_test).astype(np.float64)
        res = r.submit("toy", v)
        # A reported score is this vector's own when it is new or differs from the best seen
        # (the Ladder repeats the best verbatim; a plain scorer reports every score).
        own = res.improved or res.public.accuracy != best
        best = res.public.accuracy if res.improved else best
        if own and res.public.accuracy > 0.5:
            kept.append(2 * v - 1)
    if not kept:
        return rng.integers(0, 2, key.n_test).astype(np.float64), 0
    vote = np.sum(kept, axis=0)
    return np.where(vote == 0, rng.integers(0, 2, key.n_test), vote > 0).astype(np.float64), len(kept)


@pytest.mark.parametrize("ladder", [True, False], ids=["ladder", "plain-scorer"])
def test_probing_attacks(make_hub, new_researcher, key: AnswerKey, ladder: bool) -> None:  # type: ignore[no-untyped-def]
    admin = make_hub(ladder=ladder, budgets={"total": BUDGET, "per_hour": BUDGET})
    rng = np.random.default_rng(12345)
    honest = key.ceiling_p_test[0]
    n_pub = int(key.public_test.sum())
    se = math.sqrt(0.25 / n_pub)  # sampling noise of an accuracy on the public part

    flipped = flip_attack(new_researcher(admin, "flipper"), key, honest, rng)
    flip_pub = _acc(key, flipped, "public") - _acc(key, honest, "public")
    flip_priv = _acc(key, flipped, "private") - _acc(key, honest, "private")

    boosted, n_kept = boosting_attack(new_researcher(admin, "booster"), key, rng)
    boost_pub = _acc(key, boosted, "public") - 0.5
    boost_priv = _acc(key, boosted, "private") - 0.5

    name = "ladder" if ladder else "plain-scorer"
    print(f"\nprobing[{name}] n_test={key.n_test} n_public={n_pub} budget={BUDGET} "
          f"noise_se={se:.4f}")
    print(f"probing[{name}] flip_attack: public_gain={flip_pub:+.4f} private_gain={flip_priv:+.4f} "
          f"(honest public={_acc(key, honest, 'public'):.4f} private={_acc(key, honest, 'private'):.4f})")
    print(f"probing[{name}] boosting_attack: kept={n_kept} public_over_chance={boost_pub:+.4f} "
          f"private_over_chance={boost_priv:+.4f}")

    # Neither attack learns anything about the private part, with or without the Ladder.
    assert abs(flip_priv) < 1e-9  # flips around the best change no private prediction's value
    assert abs(boost_priv) <= 3 * se
    if ladder:
        assert flip_pub <= 0.002, "single flips must never be reported through the Ladder"
        assert boost_pub <= 3.5 * se, "boosting must stay within noise through the Ladder"
    else:
        # The plain scorer leaks: the public part is overfitted well beyond noise.
        assert flip_pub >= 0.01, f"expected >= 10 public labels exfiltrated, got {flip_pub:.4f}"
        assert boost_pub >= 4 * se, f"expected boosting to beat chance by 4 SE, got {boost_pub:.4f}"
