"""The method contract and registry.

A method is `fit_predict(bundle, seed) -> p_test`: the probability of label 1 for every test
item, in bundle order. Baselines register by name; a researcher's method is a directory with a
`method.py` defining the same function, loaded with `load_method_file`.
"""

from __future__ import annotations

import importlib.util
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import numpy as np

from aarlab.errors import UserError
from aarlab.w2s.bundle import Bundle


class MethodFn(Protocol):
    def __call__(self, bundle: Bundle, seed: int) -> np.ndarray: ...


class MethodError(UserError):
    """A method's code is missing, broken or returned something unusable (researcher-caused)."""


METHODS: dict[str, MethodFn] = {}


def register(name: str) -> Callable[[MethodFn], MethodFn]:
    def deco(fn: MethodFn) -> MethodFn:
        METHODS[name] = fn
        return fn

    return deco


def get_method(name: str) -> MethodFn:
    if name not in METHODS:
        raise MethodError(f"unknown method {name!r}; choose one of: {', '.join(sorted(METHODS))}")
    return METHODS[name]


def load_method_file(method_dir: str | Path) -> MethodFn:
    """Import `method.py` from a directory and return its fit_predict."""
    path = Path(method_dir)
    file = path / "method.py" if path.is_dir() else path
    if not file.exists():
        raise MethodError(f"{file} not found: a method is a directory with method.py")
    name = f"aarlab_method_{uuid.uuid4().hex[:8]}"
    spec = importlib.util.spec_from_file_location(name, file)
    if spec is None or spec.loader is None:
        raise MethodError(f"cannot import {file}")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(file.parent))
    try:
        spec.loader.exec_module(module)
    except Exception as e:  # the researcher's code failed to import
        raise MethodError(f"importing {file} failed: {type(e).__name__}: {e}") from e
    finally:
        sys.path.remove(str(file.parent))
    fn = getattr(module, "fit_predict", None)
    if not callable(fn):
        raise MethodError(f"{file} defines no fit_predict(bundle, seed)")
    return fn  # type: ignore[no-any-return]


def check_predictions(p: object, n_test: int) -> np.ndarray:
    """Validate a method's output: n_test finite probabilities in [0, 1]."""
    try:
        arr = np.asarray(p, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError) as e:
        raise MethodError(f"fit_predict returned {type(p).__name__}, not numbers: {e}") from e
    if arr.shape[0] != n_test:
        raise MethodError(f"fit_predict returned {arr.shape[0]} predictions; the test set has {n_test}")
    if not np.all(np.isfinite(arr)):
        raise MethodError("fit_predict returned NaN or infinite values")
    if arr.min() < 0 or arr.max() > 1:
        raise MethodError("fit_predict must return probabilities in [0, 1]")
    return arr
