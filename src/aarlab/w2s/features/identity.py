"""Cheap, content-based identities of model files, for feature cache keys.

Hashing a whole 400 MB weights file on every call would cost more than a cache hit saves, so
a large file is identified by its size and three sampled 1 MiB windows (start, middle, end):
a retrained or fine-tuned checkpoint differs everywhere, and a copied one keeps its identity
(mtime would not). Small files (configs, tokenizers) are hashed whole.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

WINDOW = 1 << 20  # 1 MiB
SMALL = 4 * WINDOW  # files up to this size are hashed whole
# Bump when a backend's encoding changes in a way its files do not show (a tokenizer fix, ...).
CODE_VERSION = "1"


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    size = path.stat().st_size
    h.update(str(size).encode())
    with path.open("rb") as f:
        if size <= SMALL:
            h.update(f.read())
        else:
            for start in (0, size // 2, size - WINDOW):
                f.seek(start)
                h.update(f.read(WINDOW))
    return h.hexdigest()


def dir_digest(root: Path, skip: tuple[str, ...] = ("README.md", "desktop.ini")) -> str:
    """Digest of every file under `root` (relative names + file digests), in sorted order."""
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.name not in skip):
        h.update(str(path.relative_to(root)).encode() + b"\0" + file_digest(path).encode())
    return h.hexdigest()


def fingerprint_of(kind: str, files_digest: str, options: dict[str, object]) -> str:
    payload = {"kind": kind, "code": CODE_VERSION, "files": files_digest, "options": options}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
