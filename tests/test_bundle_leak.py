"""The bundle carries no label and nothing a label can be recovered from beyond the teacher.

A checker (`leaks`) looks at everything a method can read in a bundle: its files, its
metadata, the order of its items and every numeric column (each feature dimension of every
backend, and the teacher's soft labels). On real prepared tasks it finds nothing; on doctored
copies (a label-carrying column added, items sorted by label) it finds the leak, so the check
can fail.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from aarlab.settings import get_settings
from aarlab.w2s.bundle import SPLITS, Bundle, BundleMeta
from aarlab.w2s.config import PrepareConfig
from aarlab.w2s.prepare import prepare
from aarlab.w2s.split import SplitConfig
from aarlab.w2s.task import Task

ALLOWED_FILES = re.compile(r"^(meta\.json|texts/(strong_train|test)\.json|weak/(strong_train|test)\.npy"
                           r"|features/[A-Za-z0-9_.\-]+/(strong_train|test)\.npy)$")
P_MIN = 1e-4  # order statistics: below this the order says something about the labels
AUC_MARGIN = 0.03  # no single column may rank items better than the teacher by more than this


def auc(scores: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """ROC AUC of every column of `scores` (n, d) against binary labels, by ranks."""
    ranks = stats.rankdata(scores, axis=0)
    pos = labels == 1
    n_pos, n_neg = int(pos.sum()), int((~pos).sum())
    return (ranks[pos].sum(axis=0) - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def column_leaks(columns: dict[str, np.ndarray], labels: np.ndarray, teacher_p: np.ndarray) -> list[str]:
    """Columns that rank the items by label better than the teacher's own probabilities."""
    base = float(auc(teacher_p[:, None], labels)[0])
    out = []
    for name, x in columns.items():
        a = auc(np.asarray(x, dtype=np.float64).reshape(len(labels), -1), labels)
        a = np.maximum(a, 1 - a)  # a column can rank either way round
        j = int(np.argmax(a))
        if a[j] > base + AUC_MARGIN:
            out.append(f"{name}[{j}] AUC {a[j]:.3f} > teacher {base:.3f}")
    return out


def order_leaks(name: str, labels: np.ndarray) -> list[str]:
    """Bundle order must carry nothing: no trend of the label with position, no runs."""
    n = len(labels)
    out = []
    r, p = stats.pointbiserialr(labels, np.arange(n))
    if p < P_MIN:
        out.append(f"{name}: label trends with position (r {r:.3f}, p {p:.1e})")
    same = float(np.mean(labels[1:] == labels[:-1]))
    q = float(np.mean(labels))
    expect = q * q + (1 - q) * (1 - q)
    z = (same - expect) / math.sqrt(expect * (1 - expect) / (n - 1))
    if 2 * stats.norm.sf(abs(z)) < P_MIN:
        out.append(f"{name}: neighbours share labels {same:.3f} vs {expect:.3f} by chance")
    return out


def _longest_list(value: object) -> int:
    if isinstance(value, dict):
        return max((_longest_list(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return max([len(value), *(_longest_list(v) for v in value)])
    return 0


def leaks(bundle: Bundle, labels: dict[str, np.ndarray], public: np.ndarray, columns: bool = True) -> list[str]:
    found = []
    for f in sorted(p for p in bundle.path.rglob("*") if p.is_file()):
        rel = f.relative_to(bundle.path).as_posix()
        if not ALLOWED_FILES.match(rel):
            found.append(f"unexpected file {rel}")
    meta = json.loads((bundle.path / "meta.json").read_text())
    if set(meta) - set(BundleMeta.model_fields):
        found.append(f"unexpected meta keys {sorted(set(meta) - set(BundleMeta.model_fields))}")
    if _longest_list(meta) >= 16:
        found.append("meta holds per-item values")
    for split in SPLITS:
        y = labels[split]
        assert len(y) == bundle.n(split)
        found += order_leaks(split, y)
        cols = {f"{split}/features/{b}": np.asarray(bundle.features(split, b)) for b in bundle.backends}
        cols[f"{split}/weak"] = np.asarray(bundle.weak_soft(split))
        cols[f"{split}/text_length"] = np.array([len(t) for t in bundle.texts(split)], dtype=np.float64)
        if columns:
            found += column_leaks(cols, y, np.asarray(bundle.weak_soft(split)))
    found += order_leaks("test public/private", public.astype(np.int64))
    return found


@pytest.fixture(scope="module")
def tweets() -> Task:
    s = get_settings()
    return prepare(PrepareConfig(dataset="tweets", split=SplitConfig(max_items=1600)), s.tasks_dir,
                   s.cache_dir, progress=False, log=lambda _: None)


def labels_of(task: Task) -> tuple[dict[str, np.ndarray], np.ndarray]:
    key = task.key()
    return {"test": key.labels_test, "strong_train": key.labels_strong_train}, key.public_test


def test_real_bundle_leaks_nothing(tweets: Task) -> None:
    labels, public = labels_of(tweets)
    bundle = tweets.bundle()
    assert bundle.n("test") >= 300 and set(bundle.backends) >= {"glove", "minilm"}
    assert leaks(bundle, labels, public) == []


def test_synthetic_bundle_leaks_nothing(synthetic_task: Task) -> None:
    """Files, meta and order only: the synthetic strong features are built so that a few
    dimensions carry the label (they stand in for a strong model), so columns are not checked."""
    labels, public = labels_of(synthetic_task)
    assert leaks(synthetic_task.bundle(), labels, public, columns=False) == []


def test_checker_finds_a_label_column(tweets: Task) -> None:
    labels, _ = labels_of(tweets)
    bundle = tweets.bundle()
    y = labels["test"]
    rng = np.random.default_rng(0)
    x = np.asarray(bundle.features("test", "strong"))
    # a label hidden in one extra dimension, under noise that still leaves it readable
    doctored = np.hstack([x, (y + rng.normal(0, 0.8, len(y)))[:, None]])
    found = column_leaks({"features": doctored}, y, np.asarray(bundle.weak_soft("test")))
    assert found and f"features[{x.shape[1]}]" in found[0]
    # and the teacher's probabilities nudged toward the label
    nudged = np.asarray(bundle.weak_soft("test")) + 0.3 * (y - 0.5)
    assert column_leaks({"weak": nudged}, y, np.asarray(bundle.weak_soft("test")))


def test_checker_finds_an_ordered_bundle(tweets: Task) -> None:
    labels, public = labels_of(tweets)
    y = labels["test"]
    assert order_leaks("sorted", np.sort(y))
    half = np.concatenate([np.sort(y[: len(y) // 2]), y[len(y) // 2:]])  # half the items sorted
    assert order_leaks("half sorted", half)
    blocks = np.repeat(y[::4], 4)[: len(y)]  # runs of equal labels, no trend
    assert order_leaks("runs", blocks)
    assert order_leaks("public first", np.sort(public.astype(np.int64))[::-1])


def test_checker_finds_extra_files_and_meta(tweets: Task, tmp_path: Path) -> None:
    import shutil

    labels, public = labels_of(tweets)
    copy = tmp_path / "bundle"
    shutil.copytree(tweets.bundle_dir, copy)
    (copy / "labels.npy").write_bytes(b"x")
    meta = json.loads((copy / "meta.json").read_text())
    meta["answers"] = [int(i) for i in np.flatnonzero(public)]
    (copy / "meta.json").write_text(json.dumps(meta))
    found = leaks(Bundle(copy), labels, public)
    assert "unexpected file labels.npy" in found
    assert "meta holds per-item values" in found
    assert any("unexpected meta keys ['answers']" in f for f in found)
