"""The on-disk feature cache: `featurize(spec, texts, cache_dir) -> read-only (n, dim) memmap`.

Layout under `<cache_dir>/features/`, all named by `key` = sha256(backend fingerprint, texts):

    KEY.npy            the result, rows in input order (what callers get, memory-mapped)
    KEY.json           what it is: backend spec, fingerprint, sizes
    KEY.partial.npy    work in progress: one row per distinct text, in work order
    KEY.progress.json  rows of KEY.partial.npy that are written and flushed
    KEY.lock           held (flock) by the one process computing KEY

Work order = distinct texts sorted by length, so every batch pads little. A batch is flushed
before the progress record moves past it, so a run killed at any point resumes at its last
completed batch. The result appears with one rename: it is either absent or complete. A hit
only computes the backend's fingerprint, which never loads the model.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from aarlab.w2s.features.base import Backend, BackendError, get_backend

CACHE_SCHEMA_VERSION = 1
BATCH_SIZE = 512  # texts per flushed batch: the unit of progress and of resumption
ASSEMBLE_ROWS = 1 << 16  # rows copied at a time into the final array


def cache_key(fingerprint: str, texts: Sequence[str]) -> str:
    h = hashlib.sha256(f"{CACHE_SCHEMA_VERSION}\0{fingerprint}\0{len(texts)}\0".encode())
    for t in texts:
        b = t.encode("utf-8", "surrogatepass")
        h.update(len(b).to_bytes(8, "little") + b)  # length-prefixed: no two lists collide
    return h.hexdigest()


def work_plan(texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """Distinct texts in work order (by length) and, per input text, its work row (n,)."""
    work = sorted(dict.fromkeys(texts), key=len)
    row_of = {t: i for i, t in enumerate(work)}
    return work, np.fromiter((row_of[t] for t in texts), dtype=np.int64, count=len(texts))


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    with path.open("a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)  # released by the OS if this process dies
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def write_json(path: Path, record: dict[str, object]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(record, sort_keys=True))
    os.replace(tmp, path)


def rows_done(progress: Path, partial: Path, shape: tuple[int, int]) -> int:
    """Completed rows of a previous attempt, or 0 when there is none or it does not match."""
    if not (progress.is_file() and partial.is_file()):
        return 0
    try:
        rec = json.loads(progress.read_text())
        return int(rec["rows_done"]) if tuple(rec["shape"]) == shape else 0
    except (ValueError, KeyError, TypeError):
        return 0


def progress_bar(enabled: bool) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeRemainingColumn(), console=Console(stderr=True), disable=not enabled,
                    transient=False)


def compute(backend: Backend, work: list[str], base: Path, batch_size: int, show: bool) -> Path:
    """Encode `work` into `base.partial.npy`, resuming from its progress record."""
    shape = (len(work), backend.dim)
    partial, progress = base.with_suffix(".partial.npy"), base.with_suffix(".progress.json")
    start = rows_done(progress, partial, shape)
    buf = np.lib.format.open_memmap(partial, mode="r+") if start else None
    if buf is None or buf.shape != shape or buf.dtype != np.float32:  # nothing (usable) to resume
        start = 0
        buf = np.lib.format.open_memmap(partial, mode="w+", dtype=np.float32, shape=shape)
    with progress_bar(show) as bar:
        task = bar.add_task(f"features {backend.name}", total=len(work), completed=start)
        for lo in range(start, len(work), batch_size):
            hi = min(lo + batch_size, len(work))
            vecs = backend.encode(work[lo:hi])
            if vecs.shape != (hi - lo, shape[1]):
                raise BackendError(f"{backend.name}: encode returned shape {vecs.shape} for "
                                   f"{hi - lo} texts; expected {(hi - lo, shape[1])}")
            buf[lo:hi] = vecs
            buf.flush()  # the rows are on disk before the record says so
            write_json(progress, {"rows_done": hi, "shape": list(shape)})
            bar.update(task, completed=hi)
    del buf
    return partial


def assemble(partial: Path, rows: np.ndarray, final: Path) -> None:
    """Write the input-order result next to `final`, then rename it into place."""
    src = np.load(partial, mmap_mode="r")  # (u, dim)
    if np.array_equal(rows, np.arange(src.shape[0])):
        del src
        os.replace(partial, final)  # distinct texts already in length order: nothing to copy
        return
    tmp = final.with_suffix(".assemble.npy")
    out = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.float32,
                                    shape=(len(rows), src.shape[1]))
    for lo in range(0, len(rows), ASSEMBLE_ROWS):
        out[lo:lo + ASSEMBLE_ROWS] = src[rows[lo:lo + ASSEMBLE_ROWS]]
    out.flush()
    del out, src
    os.replace(tmp, final)
    partial.unlink()


def featurize(spec: str | Backend, texts: Sequence[str], cache_dir: Path,
              batch_size: int = BATCH_SIZE, progress: bool = True) -> np.ndarray:
    """Features of `texts` (n, dim) float32, read-only and memory-mapped from the cache.

    Computed on a miss (each distinct text once, in batches of `batch_size`, resumable), loaded
    without touching the model on a hit. `spec` is a backend spec or a built backend.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    backend = get_backend(spec) if isinstance(spec, str) else spec
    if not texts:
        empty = np.zeros((0, backend.dim), dtype=np.float32)
        empty.flags.writeable = False
        return empty
    key = cache_key(backend.fingerprint(), texts)
    root = Path(cache_dir) / "features"
    root.mkdir(parents=True, exist_ok=True)
    base, final = root / key, root / f"{key}.npy"
    if not final.is_file():
        with file_lock(root / f"{key}.lock"):
            if not final.is_file():  # another process may have finished it while we waited
                work, rows = work_plan(texts)
                partial = compute(backend, work, base, batch_size, progress)
                write_json(base.with_suffix(".json"), {
                    "schema_version": CACHE_SCHEMA_VERSION, "backend": backend.name,
                    "fingerprint": backend.fingerprint(), "n_texts": len(texts),
                    "n_distinct": len(work), "dim": backend.dim})
                assemble(partial, rows, final)
                base.with_suffix(".progress.json").unlink(missing_ok=True)
    return np.load(final, mmap_mode="r")
