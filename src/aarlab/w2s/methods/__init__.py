"""Methods registry: importing this package registers every baseline."""

from aarlab.w2s.methods import (  # noqa: F401  (registration side effects)
    bootstrap,
    confident,
    em_posterior,
    knn_relabel,
    logconf,
    soft,
    vanilla,
)
from aarlab.w2s.methods.base import (
    METHODS,
    MethodError,
    MethodFn,
    check_predictions,
    get_method,
    load_method_file,
    register,
)

BASELINES = ("vanilla", "soft", "confident", "logconf", "bootstrap", "knn_relabel", "em_posterior")

__all__ = [
    "BASELINES",
    "METHODS",
    "MethodError",
    "MethodFn",
    "check_predictions",
    "get_method",
    "load_method_file",
    "register",
]
