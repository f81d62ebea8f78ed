"""Reproducible, balanced splits by seed: weak_train, strong_train, test (+ public/private).

Each split has balanced classes and a shuffled order, so position says nothing about a label.
Datasets whose items cluster (`group_split = True`, e.g. HumanEval candidates of one problem)
keep each cluster on one side, so a method cannot learn a problem on one split and read off its
twin on another.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel, model_validator

from aarlab.w2s.datasets import Example

SPLIT_NAMES = ("weak_train", "strong_train", "test")


class SplitConfig(BaseModel):
    seed: int = 0
    weak_train: float = 0.3
    strong_train: float = 0.45
    test: float = 0.25
    public_fraction: float = 0.5
    max_items: int | None = None  # cap on the whole dataset, after balancing

    @model_validator(mode="after")
    def _fractions(self) -> SplitConfig:
        total = self.weak_train + self.strong_train + self.test
        if abs(total - 1.0) > 1e-6 or min(self.weak_train, self.strong_train, self.test) <= 0:
            raise ValueError(f"split fractions must be positive and sum to 1 (got {total})")
        if not 0 < self.public_fraction < 1:
            raise ValueError("public_fraction must be between 0 and 1")
        return self


class Splits(BaseModel):
    indices: dict[str, list[int]]  # split -> indices into the dataset's examples, shuffled
    public_test: list[bool]  # per test item, in test order


def make_splits(examples: Sequence[Example], cfg: SplitConfig, group_split: bool = False) -> Splits:
    rng = np.random.default_rng(cfg.seed)
    labels = np.array([e.label for e in examples], dtype=np.int64)
    if group_split:
        parts = _by_group(examples, cfg, rng)
    else:
        parts = {name: [] for name in SPLIT_NAMES}
        for lab in (0, 1):
            idx = rng.permutation(np.flatnonzero(labels == lab))
            for name, chunk in zip(SPLIT_NAMES, _cut(idx, cfg), strict=True):
                parts[name].extend(chunk.tolist())
    out: dict[str, list[int]] = {}
    for name in SPLIT_NAMES:
        idx = _balance(np.array(parts[name], dtype=np.int64), labels, rng)
        if cfg.max_items is not None:
            share = getattr(cfg, name)
            idx = _balance(idx, labels, rng, cap=int(cfg.max_items * share))
        out[name] = rng.permutation(idx).tolist()
    test_labels = labels[out["test"]]
    public = np.zeros(len(test_labels), dtype=bool)
    for lab in (0, 1):  # stratified public/private assignment
        idx = rng.permutation(np.flatnonzero(test_labels == lab))
        public[idx[: int(round(cfg.public_fraction * len(idx)))]] = True
    return Splits(indices=out, public_test=public.tolist())


def _cut(idx: np.ndarray, cfg: SplitConfig) -> list[np.ndarray]:
    n = len(idx)
    a = int(round(cfg.weak_train * n))
    b = a + int(round(cfg.strong_train * n))
    return [idx[:a], idx[a:b], idx[b:]]


def _by_group(examples: Sequence[Example], cfg: SplitConfig, rng: np.random.Generator) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(examples):
        groups[e.group or f"item-{i}"].append(i)
    names = sorted(groups)
    order = rng.permutation(len(names))
    parts: dict[str, list[int]] = {name: [] for name in SPLIT_NAMES}
    bounds = np.cumsum([cfg.weak_train, cfg.strong_train, cfg.test]) * len(examples)
    seen = 0
    for gi in order:
        members = groups[names[gi]]
        # place the group in the first split whose quota its midpoint falls under
        mid = seen + len(members) / 2
        split = SPLIT_NAMES[int(np.searchsorted(bounds, mid, side="right").clip(0, 2))]
        parts[split].extend(members)
        seen += len(members)
    return parts


def _balance(idx: np.ndarray, labels: np.ndarray, rng: np.random.Generator, cap: int | None = None) -> np.ndarray:
    """Downsample the majority class so both classes have the same count (at most cap / 2)."""
    pos = idx[labels[idx] == 1]
    neg = idx[labels[idx] == 0]
    k = min(len(pos), len(neg))
    if cap is not None:
        k = min(k, cap // 2)
    return np.concatenate([rng.permutation(pos)[:k], rng.permutation(neg)[:k]])
