"""Recipes: every component runs, defaults are vanilla, kNN/EM beat vanilla where they should,
and a recipe survives JSON and a method directory."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from aarlab.w2s.bundle import Bundle, BundleMeta, write_bundle
from aarlab.w2s.methods import get_method, load_method_file
from aarlab.w2s.recipe import (
    FAMILIES,
    Recipe,
    family,
    fit_predict_recipe,
    load_recipe,
    write_method_dir,
)


def cluster_bundle(root: Path, n_train: int = 600, n_test: int = 400, d: int = 64, clusters: int = 8,
                   flip: float = 0.3, seed: int = 0) -> tuple[Bundle, np.ndarray]:
    """Strong features: Gaussian clusters, each of one class. The teacher flips labels at random,
    more often in half of the items (noise the strong view cannot see, so a head that fits the
    teacher memorises it, while an item's cluster-mates outvote it)."""
    rng = np.random.default_rng(seed)
    n = n_train + n_test
    centers = rng.normal(size=(clusters, d)) * 0.6
    cl = rng.integers(0, clusters, size=n)
    y = cl % 2
    strong = centers[cl] + rng.normal(size=(n, d))  # (n, d)
    nuisance = rng.normal(size=n)
    wrong = rng.random(n) < np.where(nuisance > 0, 1.6 * flip, 0.4 * flip)
    conf = rng.uniform(0.55, 0.95, size=n)
    soft = np.where(np.where(wrong, 1 - y, y) == 1, conf, 1 - conf).astype(np.float32)
    weak = np.stack([soft, nuisance], axis=1) + rng.normal(scale=0.1, size=(n, 2))  # (n, 2)
    parts = {"strong_train": slice(0, n_train), "test": slice(n_train, n)}
    meta = BundleMeta(dataset="clusters", task_id="clusters-0", sizes={"strong_train": n_train, "test": n_test},
                      backends={"weak": "clusters-weak", "strong": "clusters-strong"})
    b = write_bundle(root, meta, {s: [f"item {i}" for i in range(p.stop - p.start)] for s, p in parts.items()},
                     {"clusters-weak": {s: weak[p] for s, p in parts.items()},
                      "clusters-strong": {s: strong[p] for s, p in parts.items()}},
                     {s: soft[p] for s, p in parts.items()})
    return b, y[parts["test"]]


@pytest.fixture(scope="module")
def task(tmp_path_factory: pytest.TempPathFactory) -> tuple[Bundle, np.ndarray]:
    return cluster_bundle(tmp_path_factory.mktemp("recipe") / "bundle")


def acc(p: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean((p >= 0.5) == y))


FAST = {"epochs": 5, "cross_fit_epochs": 3}
COMPONENTS = [
    {"labels": "soft", "temperature": 0.5}, {"labels": "soft", "temperature": 2.0, "transductive": True},
    {"relabel": "knn", "knn_k": 15, "knn_steps": 2}, {"relabel": "em", "em_iters": 1},
    {"keep": 0.6}, {"weight": "confidence"}, {"weight": "knn_agreement"},
    {"loss": "logconf", "alpha": 0.5}, {"loss": "gce", "q": 0.7}, {"loss": "sce"},
    {"self_train_rounds": 1, "self_train_mix": 0.5}, {"head": "mlp", "hidden": 16, "weight_decay": 0.1},
    {"transform": "pca", "pca_dim": 8}, {"transform": "whiten"}, {"cotrain": "concat"},
    {"cotrain": "agree"}, {"ensemble": 2}, {"post_k": 10, "post_mix": 0.5},
]


@pytest.mark.parametrize("changes", COMPONENTS, ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items()))
def test_every_component_returns_probabilities(task: tuple[Bundle, np.ndarray], changes: dict[str, object]) -> None:
    bundle, _ = task
    r = Recipe.model_validate({**FAST, **changes})
    p = fit_predict_recipe(bundle, 0, r)
    assert p.shape == (bundle.n_test,) and p.dtype == np.float32
    assert np.all(np.isfinite(p)) and p.min() >= 0 and p.max() <= 1
    assert family(r) in FAMILIES


def test_default_recipe_is_exactly_vanilla(task: tuple[Bundle, np.ndarray]) -> None:
    bundle, _ = task
    assert family(Recipe()) == "vanilla"
    for seed in (0, 3):
        np.testing.assert_array_equal(fit_predict_recipe(bundle, seed, Recipe()), get_method("vanilla")(bundle, seed))


def test_knn_and_em_beat_vanilla_on_clustered_noise(task: tuple[Bundle, np.ndarray]) -> None:
    bundle, y = task
    vanilla = np.mean([acc(fit_predict_recipe(bundle, s, Recipe()), y) for s in (0, 1)])
    knn = np.mean([acc(fit_predict_recipe(bundle, s, Recipe(relabel="knn", knn_k=15)), y) for s in (0, 1)])
    em = np.mean([acc(fit_predict_recipe(bundle, s, Recipe(relabel="em", em_iters=2)), y) for s in (0, 1)])
    weak = acc(bundle.weak_soft("test"), y)
    assert knn > vanilla + 0.03, (weak, vanilla, knn)
    assert em > vanilla, (weak, vanilla, em)


def test_json_round_trip_and_validation() -> None:
    r = Recipe(relabel="knn", knn_k=50, transductive=True, loss="logconf", alpha=0.25, ensemble=3)
    assert Recipe.model_validate_json(r.model_dump_json()) == r
    assert load_recipe(r.model_dump_json()) == r
    assert r.changes() == {"relabel": "knn", "knn_k": 50, "transductive": True, "loss": "logconf",
                           "alpha": 0.25, "ensemble": 3}
    with pytest.raises(ValueError):
        Recipe.model_validate({"relabel": "magic"})
    with pytest.raises(ValueError):
        Recipe.model_validate({"unknown_knob": 1})


def test_method_dir_reruns_to_the_same_predictions(task: tuple[Bundle, np.ndarray], tmp_path: Path) -> None:
    bundle, _ = task
    r = Recipe(relabel="knn", knn_k=15, transductive=True, epochs=5)
    d = write_method_dir(r, tmp_path / "m")
    assert sorted(p.name for p in d.iterdir()) == ["method.py", "recipe.json"]
    assert len((d / "method.py").read_text().strip().splitlines()) == 3
    assert load_recipe(d) == r
    fn = load_method_file(d)
    np.testing.assert_array_equal(fn(bundle, 1), fit_predict_recipe(bundle, 1, r))
    out = tmp_path / "preds.npy"
    # the runner, as run_method and the verifier run it: a process of its own, under the method guard
    p = subprocess.run([sys.executable, "-m", "aarlab.w2s.runmethod", str(d), "--bundle", str(bundle.path),
                        "--seeds", "0", "1", "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    expected = np.mean([fit_predict_recipe(bundle, s, r) for s in (0, 1)], axis=0)
    np.testing.assert_allclose(np.load(out), expected, atol=1e-6)
    assert '"seed_agreement"' in p.stdout
