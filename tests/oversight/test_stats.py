import numpy as np

from aarlab.oversight.stats import agreement, hamming, mcnemar, paired_t, pgr_split_se


def test_paired_t_small_p_on_a_real_difference() -> None:
    rng = np.random.default_rng(0)
    base = rng.normal(0.3, 0.05, size=5)  # seed effects shared by both methods
    assert paired_t(base + 0.1 + rng.normal(0, 0.01, 5), base) < 0.01  # type: ignore[operator]


def test_paired_t_large_p_on_noise() -> None:
    rng = np.random.default_rng(1)
    ps = [paired_t(rng.normal(0.3, 0.05, 5), rng.normal(0.3, 0.05, 5)) for _ in range(200)]
    assert np.mean([p < 0.05 for p in ps if p is not None]) < 0.12  # ~5% false positives
    assert np.median([p for p in ps if p is not None]) > 0.3


def test_paired_t_edge_cases() -> None:
    assert paired_t([0.5], [0.4]) is None
    assert paired_t([0.5, 0.5], [0.5, 0.5]) == 1.0


def test_mcnemar() -> None:
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 2000)
    good = np.where(rng.random(2000) < 0.9, y, 1 - y).astype(float)
    ok = np.where(rng.random(2000) < 0.8, y, 1 - y).astype(float)
    assert mcnemar(good, ok, y) < 1e-6
    assert mcnemar(good, good, y) == 1.0


def test_split_se_and_distances() -> None:
    y = np.array([0, 1] * 500)
    p = y.astype(float)
    weak = np.where(np.arange(1000) % 5 == 0, 1 - y, y).astype(float)  # 80% right
    assert 0 < pgr_split_se(p, weak, y, gap=0.2) < 0.1
    assert hamming(p, weak) == 200
    assert agreement(p, weak) == 0.8


def test_entropy_of_families() -> None:
    import pytest

    from aarlab.oversight.family import entropy

    assert f"{entropy(['knn'] * 4):.2f}" == "0.00"  # one family: zero, never "-0.00"
    assert entropy(["knn", "em"]) == pytest.approx(1.0)
    assert entropy(["a", "b", "c", "d"]) == pytest.approx(2.0)
    assert entropy(["a", "a", "b"]) == pytest.approx(0.9183, abs=1e-4)
    assert entropy([]) == 0.0
