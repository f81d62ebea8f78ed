"""The agent-visible task bundle and the `Bundle` API, the only way methods see data.

Layout of `<task>/bundle/` (read-only inside sandboxes):
  meta.json                          BundleMeta
  texts/{strong_train,test}.json     list of texts, in bundle order
  features/<backend>/{split}.npy     float32 (n, d), memory-mapped on read
  weak/{strong_train,test}.npy       float32 (n,), the weak teacher's P(label = 1)

It holds no label, no original item id and no public/private assignment: items are shuffled
by the split, so even the order carries nothing about the label.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

BUNDLE_SCHEMA_VERSION = 1
SPLITS = ("strong_train", "test")


class BundleMeta(BaseModel):
    schema_version: int = BUNDLE_SCHEMA_VERSION
    dataset: str
    task_id: str
    description: str = ""
    sizes: dict[str, int]
    backends: dict[str, str] = Field(description="role -> backend name: 'weak', 'strong'")
    extra_backends: list[str] = Field(default_factory=list)
    feature_dims: dict[str, int] = Field(default_factory=dict)


class Bundle:
    """Read access to a bundle directory. Arrays are memory-mapped and read-only."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        meta_file = self.path / "meta.json"
        if not meta_file.exists():
            raise FileNotFoundError(f"{self.path} is not a task bundle (no meta.json)")
        self.meta = BundleMeta.model_validate(json.loads(meta_file.read_text()))
        self._texts: dict[str, list[str]] = {}

    # -- shape of the task
    @property
    def dataset(self) -> str:
        return self.meta.dataset

    def n(self, split: str) -> int:
        _check_split(split)
        return self.meta.sizes[split]

    @property
    def n_test(self) -> int:
        return self.n("test")

    @property
    def backends(self) -> list[str]:
        """Every backend with features in this bundle (weak, strong, extras)."""
        names = list(dict.fromkeys([*self.meta.backends.values(), *self.meta.extra_backends]))
        return names

    # -- data
    def texts(self, split: str) -> list[str]:
        _check_split(split)
        if split not in self._texts:
            self._texts[split] = json.loads((self.path / "texts" / f"{split}.json").read_text())
        return self._texts[split]

    def features(self, split: str, backend: str = "strong") -> np.ndarray:
        """Features of a split; backend is a role ('weak', 'strong') or a backend name."""
        _check_split(split)
        name = self.meta.backends.get(backend, backend)
        f = self.path / "features" / _safe(name) / f"{split}.npy"
        if not f.exists():
            raise KeyError(f"no {name!r} features in this bundle; have {self.backends}")
        return np.load(f, mmap_mode="r")

    def weak_soft(self, split: str) -> np.ndarray:
        """The weak teacher's probability of label 1 for each item of a split."""
        _check_split(split)
        return np.load(self.path / "weak" / f"{split}.npy", mmap_mode="r")

    def weak_hard(self, split: str) -> np.ndarray:
        return (np.asarray(self.weak_soft(split)) >= 0.5).astype(np.int64)

    def __repr__(self) -> str:
        sizes = ", ".join(f"{k}={v}" for k, v in self.meta.sizes.items())
        return f"Bundle({self.dataset}, {sizes}, backends={self.backends})"


def _check_split(split: str) -> None:
    if split not in SPLITS:
        raise KeyError(f"unknown split {split!r}; a bundle has {SPLITS} (weak_train is the teacher's)")


def _safe(backend: str) -> str:
    """Directory name for a backend (hf:org/model -> hf__org__model)."""
    return backend.replace(":", "__").replace("/", "__")


def write_bundle(
    out: Path,
    meta: BundleMeta,
    texts: Mapping[str, list[str]],
    features: Mapping[str, Mapping[str, np.ndarray]],
    weak_soft: Mapping[str, np.ndarray],
) -> Bundle:
    """Write a bundle. features: backend -> split -> array."""
    out.mkdir(parents=True, exist_ok=True)
    for split in SPLITS:
        n = meta.sizes[split]
        if len(texts[split]) != n or len(weak_soft[split]) != n:
            raise ValueError(f"split {split}: sizes disagree with meta ({n})")
        (out / "texts").mkdir(exist_ok=True)
        (out / "texts" / f"{split}.json").write_text(json.dumps(texts[split]))
        (out / "weak").mkdir(exist_ok=True)
        np.save(out / "weak" / f"{split}.npy", np.asarray(weak_soft[split], dtype=np.float32))
        for backend, per_split in features.items():
            d = out / "features" / _safe(backend)
            d.mkdir(parents=True, exist_ok=True)
            arr = np.asarray(per_split[split], dtype=np.float32)
            if arr.shape[0] != n:
                raise ValueError(f"{backend} {split}: {arr.shape[0]} rows, expected {n}")
            np.save(d / f"{split}.npy", arr)
            meta.feature_dims[backend] = int(arr.shape[1])
    (out / "meta.json").write_text(meta.model_dump_json(indent=2))
    return Bundle(out)


def subset_bundle(bundle: Bundle, out: Path, train_idx: np.ndarray, test_idx: np.ndarray) -> Bundle:
    """A new bundle whose strong_train and test are subsets of `bundle`'s strong_train.

    Used for label-free diagnostics: hold back a slice of strong_train, train on the rest and
    compare predictions on the slice with the teacher's labels there.
    """
    src = bundle.texts("strong_train")
    texts = {"strong_train": [src[i] for i in train_idx], "test": [src[i] for i in test_idx]}
    soft = np.asarray(bundle.weak_soft("strong_train"))
    weak = {"strong_train": soft[train_idx], "test": soft[test_idx]}
    feats = {}
    for b in bundle.backends:
        x = np.asarray(bundle.features("strong_train", b))
        feats[b] = {"strong_train": x[train_idx], "test": x[test_idx]}
    meta = bundle.meta.model_copy(deep=True)
    meta.sizes = {"strong_train": len(train_idx), "test": len(test_idx)}
    return write_bundle(out, meta, texts, feats, weak)
