"""Every baseline runs, returns valid probabilities and differs from vanilla where it should."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from aarlab.w2s.experiment import evaluate
from aarlab.w2s.methods import (
    BASELINES,
    METHODS,
    MethodError,
    check_predictions,
    get_method,
    load_method_file,
)
from aarlab.w2s.methods.bootstrap import intermediates
from aarlab.w2s.methods.em_posterior import channel
from aarlab.w2s.methods.knn_relabel import knn_smooth
from aarlab.w2s.task import Task


def test_every_baseline_is_registered() -> None:
    assert set(BASELINES) <= set(METHODS)


@pytest.mark.parametrize("name", BASELINES)
def test_baseline_runs_and_differs_from_vanilla(name: str, synthetic_task: Task) -> None:
    bundle = synthetic_task.bundle()
    p = check_predictions(get_method(name)(bundle, 0), bundle.n_test)
    assert p.shape == (bundle.n_test,)
    vanilla = get_method("vanilla")(bundle, 0)
    if name == "vanilla":
        np.testing.assert_array_equal(p, vanilla)
    else:  # each baseline changes the targets or the loss, so the predictions move
        assert np.abs(p - vanilla).max() > 1e-3


def test_knn_smoothing_outvotes_an_isolated_error() -> None:
    x = np.concatenate([np.zeros((10, 2)), np.ones((10, 2)) * 5]) + np.random.default_rng(0).normal(0, 0.01, (20, 2))
    v = np.array([0.0] * 10 + [1.0] * 10, dtype=np.float32)
    v[3] = 1.0  # a teacher error inside the negative cluster
    s = knn_smooth(x, v, k=5)
    assert s[3] < 0.5 and s[15] > 0.5


def test_em_channel_estimates_flip_rates() -> None:
    q = np.array([1, 1, 1, 1, 0, 0, 0, 0], dtype=np.float32)
    w = np.array([1, 1, 1, 0, 0, 0, 1, 1], dtype=np.float32)
    tpr, tnr = channel(q, w)
    assert tpr == pytest.approx(0.75) and tnr == pytest.approx(0.51)  # 0.5 clamped above chance


def test_bootstrap_chain_uses_only_intermediate_backends(synthetic_task: Task) -> None:
    assert intermediates(synthetic_task.bundle()) == []  # synthetic backends: no chain


def test_evaluate_scores_and_caches(synthetic_task: Task, tmp_path: Path) -> None:
    bundle, key = synthetic_task.bundle(), synthetic_task.key()
    calls = []

    def counting(b, seed):  # type: ignore[no-untyped-def]
        calls.append(seed)
        return get_method("vanilla")(b, seed)

    first = evaluate("counting", counting, bundle, key, [0, 1], "private", tmp_path)
    second = evaluate("counting", counting, bundle, key, [0, 1], "private", tmp_path)
    assert calls == [0, 1] and first == second
    assert all(0.0 < r.pgr < 1.5 and r.accuracy > r.weak_acc for r in first)
    fresh = evaluate("vanilla", get_method("vanilla"), bundle, key, [1000], "all")
    assert fresh[0].ceiling_acc > fresh[0].weak_acc  # a fresh seed retrains the ceiling


def test_check_predictions_rejects_bad_output() -> None:
    with pytest.raises(MethodError, match="3 predictions"):
        check_predictions([0.1, 0.2, 0.3], 4)
    with pytest.raises(MethodError, match="NaN"):
        check_predictions([0.1, float("nan")], 2)
    with pytest.raises(MethodError, match=r"\[0, 1\]"):
        check_predictions([0.1, 1.5], 2)
    with pytest.raises(MethodError, match="not numbers"):
        check_predictions(["a", "b"], 2)


def test_load_method_file_errors(tmp_path: Path) -> None:
    with pytest.raises(MethodError, match="not found"):
        load_method_file(tmp_path)
    (tmp_path / "method.py").write_text("x = 1\n")
    with pytest.raises(MethodError, match="no fit_predict"):
        load_method_file(tmp_path)
    (tmp_path / "method.py").write_text("import nonexistent_module_xyz\n")
    with pytest.raises(MethodError, match="ModuleNotFoundError"):
        load_method_file(tmp_path)


def test_runmethod_cli_writes_predictions_and_diagnostics(synthetic_task: Task, tmp_path: Path) -> None:
    method = tmp_path / "m"
    method.mkdir()
    (method / "method.py").write_text("from aarlab.w2s.methods.vanilla import fit_predict  # noqa: F401\n")
    out, out_all = tmp_path / "p.npy", tmp_path / "all.npy"
    proc = subprocess.run(
        [sys.executable, "-m", "aarlab.w2s.runmethod", str(method), "--bundle", str(synthetic_task.bundle_dir),
         "--seeds", "0", "1", "--out", str(out), "--out-all", str(out_all), "--holdout", "0.2"],
        capture_output=True, text=True, check=True,
    )
    diag = json.loads(proc.stdout.strip().splitlines()[-1])
    assert diag["n_test"] == synthetic_task.bundle().n_test and diag["seeds"] == [0, 1]
    assert 0.5 < diag["weak_agreement_test"] <= 1.0 and 0.5 < diag["holdout_weak_agreement"] <= 1.0
    assert np.load(out).shape == (diag["n_test"],) and np.load(out_all).shape == (2, diag["n_test"])


def test_runmethod_reports_a_broken_method(synthetic_task: Task, tmp_path: Path) -> None:
    (tmp_path / "method.py").write_text("def fit_predict(bundle, seed):\n    return [0.5]\n")
    proc = subprocess.run(
        [sys.executable, "-m", "aarlab.w2s.runmethod", str(tmp_path), "--bundle", str(synthetic_task.bundle_dir)],
        capture_output=True, text=True,
    )
    assert proc.returncode == 1
    assert "1 predictions" in json.loads(proc.stdout.strip().splitlines()[-1])["error"]
