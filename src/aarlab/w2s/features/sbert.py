"""A sentence-transformers model in a local directory (shared by `minilm` and `mpnet`)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from aarlab.w2s.features.base import BackendError
from aarlab.w2s.features.identity import dir_digest, fingerprint_of

# Sorting by length inside sentence-transformers keeps padding low; 64 is where MiniLM's
# throughput on 2 CPU cores stops improving (see bench/features.py).
ENCODE_BATCH = 64


def force_offline() -> None:
    """Model loads must never reach a hub (no network here, and results must not drift)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@contextmanager
def quiet_load() -> Iterator[None]:
    """Silence transformers' weight-loading bar and info logs while a model loads (a caller
    that asked for `progress=False` gets no output; errors still raise)."""
    from transformers.utils import logging as hf_logging

    bar, level = hf_logging.is_progress_bar_enabled(), hf_logging.get_verbosity()
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    try:
        yield
    finally:
        hf_logging.set_verbosity(level)
        if bar:
            hf_logging.enable_progress_bar()


class SentenceTransformerBackend:
    def __init__(self, name: str, path: Path, batch_size: int = ENCODE_BATCH) -> None:
        self.name = name
        self.path = path
        self.batch_size = batch_size
        self._model: Any = None

    @property
    def dim(self) -> int:
        pooling = self.path / "1_Pooling" / "config.json"
        try:
            return int(json.loads(pooling.read_text())["word_embedding_dimension"])
        except (OSError, ValueError, KeyError) as e:
            raise BackendError(f"{self.name}: cannot read the embedding width from {pooling} "
                               f"({e}); the model directory {self.path} is incomplete") from e

    def fingerprint(self) -> str:
        return fingerprint_of("sentence-transformers", dir_digest(self.path), {})

    def model(self) -> Any:
        if self._model is None:
            force_offline()
            from sentence_transformers import SentenceTransformer

            with quiet_load():
                self._model = SentenceTransformer(str(self.path), device="cpu")
        return self._model

    def encode(self, texts: list[str]) -> np.ndarray:
        out = self.model().encode(texts, batch_size=self.batch_size, convert_to_numpy=True,
                                  show_progress_bar=False)
        return np.asarray(out, dtype=np.float32).reshape(len(texts), self.dim)
