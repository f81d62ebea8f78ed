"""The answer key: everything a scorer or verifier needs and no researcher may see.

Layout of `<task>/key/`:
  key.json  AnswerKeyMeta (schema version, dataset, sizes, baselines per seed)
  key.npz   labels_test (int8, n_test), public_test (bool, n_test),
            labels_strong_train (int8), weak_p_test (float32, n_test),
            ceiling_p_test (float32, n_seeds x n_test)

Only the hub process and the verifier open it; sandboxes never bind its directory.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

from aarlab.w2s.pgr import accuracy, pgr

KEY_SCHEMA_VERSION = 1


class SeedBaseline(BaseModel):
    seed: int
    ceiling_acc: float
    ceiling_acc_public: float
    ceiling_acc_private: float


class AnswerKeyMeta(BaseModel):
    schema_version: int = KEY_SCHEMA_VERSION
    dataset: str
    task_id: str
    n_test: int
    n_public: int
    weak_acc: float
    weak_acc_public: float
    weak_acc_private: float
    seeds: list[SeedBaseline] = Field(default_factory=list)


class AnswerKey:
    """Labels and baselines for one prepared task, loaded from `<task>/key/`."""

    def __init__(self, meta: AnswerKeyMeta, arrays: dict[str, np.ndarray]) -> None:
        self.meta = meta
        self.labels_test: np.ndarray = arrays["labels_test"].astype(np.int64)
        self.public_test: np.ndarray = arrays["public_test"].astype(bool)
        self.labels_strong_train: np.ndarray = arrays["labels_strong_train"].astype(np.int64)
        self.weak_p_test: np.ndarray = arrays["weak_p_test"].astype(np.float32)
        self.ceiling_p_test: np.ndarray = arrays["ceiling_p_test"].astype(np.float32)

    @property
    def n_test(self) -> int:
        return int(self.labels_test.shape[0])

    def mask(self, part: str) -> np.ndarray:
        """Boolean mask over test items: part is 'public', 'private' or 'all'."""
        if part == "public":
            return self.public_test
        if part == "private":
            return ~self.public_test
        if part == "all":
            return np.ones_like(self.public_test)
        raise ValueError(f"unknown part {part!r}; expected public, private or all")

    def weak_acc(self, part: str) -> float:
        m = self.mask(part)
        return accuracy(self.weak_p_test[m], self.labels_test[m])

    def ceiling_acc(self, part: str) -> float:
        """Ceiling accuracy on a part, averaged over the key's seeds."""
        m = self.mask(part)
        accs = [accuracy(row[m], self.labels_test[m]) for row in self.ceiling_p_test]
        return float(np.mean(accs))

    def score(self, p_test: np.ndarray, part: str) -> tuple[float, float]:
        """(accuracy, PGR) of predictions for the whole test set, measured on one part."""
        m = self.mask(part)
        acc = accuracy(np.asarray(p_test)[m], self.labels_test[m])
        return acc, pgr(acc, self.weak_acc(part), self.ceiling_acc(part))

    # ---------------------------------------------------------------- storage
    def save(self, key_dir: Path) -> None:
        key_dir.mkdir(parents=True, exist_ok=True)
        np.savez(
            key_dir / "key.npz",
            labels_test=self.labels_test.astype(np.int8),
            public_test=self.public_test,
            labels_strong_train=self.labels_strong_train.astype(np.int8),
            weak_p_test=self.weak_p_test,
            ceiling_p_test=self.ceiling_p_test,
        )
        (key_dir / "key.json").write_text(self.meta.model_dump_json(indent=2))

    @classmethod
    def load(cls, key_dir: Path) -> AnswerKey:
        key_dir = Path(key_dir)
        meta_path, npz_path = key_dir / "key.json", key_dir / "key.npz"
        if not meta_path.exists() or not npz_path.exists():
            raise FileNotFoundError(
                f"no answer key in {key_dir}; run `aarlab prepare --dataset <name>` first"
            )
        meta = AnswerKeyMeta.model_validate(json.loads(meta_path.read_text()))
        with np.load(npz_path) as z:
            arrays = {k: z[k] for k in z.files}
        return cls(meta, arrays)
