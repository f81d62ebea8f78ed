"""Feature backends (registry by spec) and the on-disk feature cache.

Importing this package registers the built-in backends: `glove`, `minilm`, `mpnet` (optional
install) and `hf:<name-or-path>`. No model is loaded until a backend encodes.
"""

from aarlab.w2s.features import glove, hf, minilm, mpnet  # noqa: F401  (registration)
from aarlab.w2s.features.base import (
    BACKENDS,
    Backend,
    BackendError,
    BackendSpec,
    get_backend,
    parse_spec,
    register,
)
from aarlab.w2s.features.cache import cache_key, featurize
from aarlab.w2s.features.mpnet_install import install_mpnet

__all__ = [
    "BACKENDS",
    "Backend",
    "BackendError",
    "BackendSpec",
    "cache_key",
    "featurize",
    "get_backend",
    "install_mpnet",
    "parse_spec",
    "register",
]
