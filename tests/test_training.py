"""Losses, teacher/student training and splits, on small synthetic data."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from aarlab.w2s.datasets import Example
from aarlab.w2s.losses import LOSSES, gce, logconf, sce, xent
from aarlab.w2s.pgr import accuracy, pgr, summarize
from aarlab.w2s.split import SplitConfig, make_splits
from aarlab.w2s.train import StudentConfig, fit_predict_student, teacher_proba, train_teacher


def blobs(n: int = 400, d: int = 8, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    x = rng.normal(size=(n, d)) + (2 * y - 1)[:, None] * 1.5
    return x.astype(np.float32), y


def test_xent_matches_torch_bce() -> None:
    logits, target = torch.tensor([0.3, -2.0, 4.0]), torch.tensor([1.0, 0.2, 0.0])
    expected = torch.nn.functional.binary_cross_entropy(torch.sigmoid(logits), target, reduction="none")
    assert torch.allclose(xent(logits, target), expected, atol=1e-5)


def test_gce_interpolates_between_ce_and_mae() -> None:
    logits, target = torch.tensor([0.5, -1.0]), torch.tensor([1.0, 1.0])
    p = torch.sigmoid(logits)
    assert torch.allclose(gce(logits, target, q=1.0), 1 - p, atol=1e-5)  # q = 1 is MAE
    assert torch.allclose(gce(logits, target, q=1e-4), -torch.log(p), atol=1e-3)  # q -> 0 is CE


def test_sce_adds_a_bounded_reverse_term() -> None:
    logits, target = torch.tensor([3.0, -3.0]), torch.tensor([0.0, 1.0])  # confidently wrong
    assert torch.all(sce(logits, target, a=0.0, b=1.0) <= 4.0 + 1e-5)  # log 0 clamped at -4
    assert torch.all(sce(logits, target) > xent(logits, target))


def test_logconf_warms_up_from_plain_ce() -> None:
    logits, target = torch.tensor([2.0, -1.0, 0.5, -0.2]), torch.tensor([0.0, 1.0, 1.0, 0.0])
    assert torch.allclose(logconf(logits, target, alpha=0.75, progress=0.0), xent(logits, target))
    assert not torch.allclose(logconf(logits, target, alpha=0.75, progress=1.0), xent(logits, target))


@pytest.mark.parametrize("loss", sorted(LOSSES))
def test_student_learns_with_every_loss(loss: str) -> None:
    x, y = blobs()
    p = fit_predict_student(x, y.astype(np.float32), x, seed=0, cfg=StudentConfig(loss=loss))
    assert accuracy(p, y) > 0.9


def test_student_is_deterministic_per_seed_and_varies_across_seeds() -> None:
    x, y = blobs()
    noisy = np.where(np.random.default_rng(1).random(len(y)) < 0.3, 1 - y, y).astype(np.float32)
    a = fit_predict_student(x, noisy, x, seed=3)
    b = fit_predict_student(x, noisy, x, seed=3)
    c = fit_predict_student(x, noisy, x, seed=4)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_mlp_head_and_item_weights() -> None:
    x, y = blobs()
    w = np.where(y == 1, 1.0, 0.0).astype(np.float32)  # only positives count
    p = fit_predict_student(x, y.astype(np.float32), x, seed=0, cfg=StudentConfig(head="mlp"), weight=w)
    assert p.mean() > 0.5  # trained only on positives, it leans positive
    with pytest.raises(ValueError, match="unknown head"):
        fit_predict_student(x, y.astype(np.float32), x, seed=0, cfg=StudentConfig(head="tree"))


def test_teacher_probabilities() -> None:
    x, y = blobs()
    p = teacher_proba(train_teacher(x, y), x)
    assert p.dtype == np.float32 and p.shape == (len(y),)
    assert accuracy(p, y) > 0.9


def test_pgr_and_summary() -> None:
    assert pgr(0.75, 0.7, 0.8) == pytest.approx(0.5)
    assert np.isnan(pgr(0.7, 0.7, 0.7))
    s = summarize([0.1, 0.3])
    assert s.mean == pytest.approx(0.2) and s.se == pytest.approx(0.1) and s.n == 2
    lo, hi = s.ci95
    assert lo < 0.2 < hi


def examples(n: int = 1000, groups: int = 0) -> list[Example]:
    rng = np.random.default_rng(0)
    return [Example(text=f"t{i}", label=int(rng.random() < 0.6), group=f"g{i % groups}" if groups else "")
            for i in range(n)]


def test_splits_are_balanced_reproducible_and_disjoint() -> None:
    ex = examples()
    a = make_splits(ex, SplitConfig(seed=1))
    b = make_splits(ex, SplitConfig(seed=1))
    c = make_splits(ex, SplitConfig(seed=2))
    assert a == b and a != c
    seen: set[int] = set()
    for idx in a.indices.values():
        labels = [ex[i].label for i in idx]
        assert sum(labels) * 2 == len(labels)  # balanced
        assert seen.isdisjoint(idx)
        seen |= set(idx)
    public = np.array(a.public_test)
    assert 0.45 < public.mean() < 0.55


def test_group_split_keeps_groups_on_one_side() -> None:
    ex = examples(groups=60)
    s = make_splits(ex, SplitConfig(seed=0), group_split=True)
    side = {}
    for name, idx in s.indices.items():
        for i in idx:
            assert side.setdefault(ex[i].group, name) == name


def test_split_config_rejects_bad_fractions() -> None:
    with pytest.raises(ValueError, match="sum to 1"):
        SplitConfig(weak_train=0.5, strong_train=0.5, test=0.5)
