"""The builtin researcher's search space, submission policy and notebook records (no I/O)."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np

from aarlab.researchers.builtin.history import History, SubmissionRecord, Trial, parse
from aarlab.researchers.builtin.policy import SubmitPolicy
from aarlab.researchers.builtin.proxy import ProxyRef, proxy_stats
from aarlab.researchers.builtin.space import (
    SAMPLERS,
    crossover,
    family_weights,
    mutate,
    opening_book,
    propose,
    sample,
)
from aarlab.researchers.directions import DIRECTIONS
from aarlab.researchers.notebook import Notebook
from aarlab.w2s.recipe import FAMILIES, Recipe, family
from aarlab.w2s.task import Task


def test_every_direction_weights_every_family_and_opens_with_knn() -> None:
    for d in [*(x.key for x in DIRECTIONS), None, "free text about neighbours and ensembles"]:
        w = family_weights(d)
        assert set(w) == set(SAMPLERS) - {"vanilla"} and min(w.values()) > 0
        book = opening_book(d)
        assert book and any(r.relabel == "knn" for r in book)
    assert family_weights("noisy-teacher-posterior")["em"] > family_weights("simplicity-bias")["em"]
    assert family_weights("some neighbour idea")["knn"] > family_weights("unrelated")["robust_loss"] - 2


def test_proposals_are_valid_recipes_of_known_families() -> None:
    g = random.Random(0)
    w = family_weights(None)
    elite = [Recipe(relabel="knn", knn_k=50), Recipe(keep=0.7, loss="logconf")]
    seen = set()
    for _ in range(200):
        r, origin = propose(g, w, elite, [Recipe(transform="pca", pca_dim=32)])
        assert origin in {"sample", "mutate", "crossover", "forum"}
        assert family(Recipe.model_validate_json(r.model_dump_json())) in FAMILIES
        seen.add(family(r))
    assert len(seen) >= 6  # the search actually explores
    a, b = Recipe(relabel="knn", knn_k=75), Recipe(loss="gce", q=0.5, ensemble=3)
    child = crossover(g, a, b)
    assert child.relabel in {"none", "knn"} and child.loss in {"xent", "gce"}
    assert mutate(g, a, w) != a or True  # a mutation may resample the same value
    assert isinstance(sample(g, w), Recipe)


def trial(exp: int, proxy: float) -> Trial:
    return Trial(exp=exp, dir=f"exp-{exp:03d}", family="knn", origin="book", recipe=Recipe(knn_k=exp + 1),
                 stats={"proxy": proxy})


def sub(exp: int, proxy: float, left: int = 20) -> SubmissionRecord:
    return SubmissionRecord(exp=exp, submission_id=f"s{exp}", snapshot_id=None, proxy=proxy, public_pgr=0.3,
                            public_accuracy=0.7, improved=True, budget_left=left)


def test_policy_submits_rarely_and_only_for_a_clear_gain(tmp_path: Path) -> None:
    h = History(Notebook(tmp_path / "nb.jsonl", "builtin-1"))
    p = SubmitPolicy(first_after=3, every=4, margin=0.01, reserve=5, max_submissions=3)
    for i, v in enumerate([0.80, 0.82]):
        h.record("result", "t", trial(i, v))
    assert p.candidate(h) is None  # too early
    h.record("result", "t", trial(2, 0.81))
    assert p.candidate(h) is not None and p.candidate(h).exp == 1  # type: ignore[union-attr]
    h.record("result", "s", sub(1, 0.82))
    h.record("result", "t", trial(3, 0.90))
    assert p.candidate(h) is None  # better, but too soon after the last submission
    for i in range(4, 7):
        h.record("result", "t", trial(i, 0.5))
    assert p.candidate(h) is not None and p.candidate(h).exp == 3  # type: ignore[union-attr]
    h.record("result", "s", sub(3, 0.90, left=5))
    h.record("result", "t", trial(7, 0.99))
    for i in range(8, 12):
        h.record("result", "t", trial(i, 0.5))
    assert p.candidate(h) is None  # the reserve is untouchable
    # the notebook alone rebuilds the same history
    h2 = History(Notebook(tmp_path / "nb.jsonl", "builtin-1"))
    assert [t.exp for t in h2.trials] == list(range(12)) and len(h2.submissions) == 2
    assert parse("a plain note") is None and parse("x\n{\"type\": \"nope\"}") is None


def test_proxy_prefers_siding_with_the_neighbourhood(synthetic_task: Task) -> None:
    ref = ProxyRef(synthetic_task.bundle())
    teacher = proxy_stats(ref.weak.astype(np.float32), ref)
    neighbour = proxy_stats(ref.ref.astype(np.float32), ref)
    assert teacher["weak_agree"] == 1.0 and teacher["contested_side"] == 0.0
    assert neighbour["proxy"] > teacher["proxy"]
    unstable = proxy_stats(ref.ref.astype(np.float32), ref, seed_agreement=0.8)
    assert unstable["proxy"] < neighbour["proxy"]
