"""Host-side access to a researcher's workspace: paths that cannot escape it, and snapshots.

The loop runs on the host, outside the sandbox, so `read_file`/`write_file`/`snapshot_*` must
not let a researcher reach beyond its workspace: a path is refused if it is absolute, climbs
out with `..`, or resolves (following symlinks the researcher may have planted from inside
the sandbox) to a place outside the workspace; the final component is opened with O_NOFOLLOW.
Snapshots are packed and unpacked by `aarlab.snapshot` (no links either way).
"""

from __future__ import annotations

import os
from pathlib import Path

from aarlab import snapshot
from aarlab.researchers.errors import ToolError

MAX_READ_BYTES = 200_000


def resolve_in(root: Path, rel: str) -> Path:
    """The host path of `rel` inside `root`, or ToolError if it would leave it."""
    if not rel or rel.startswith("/") or "\x00" in rel:
        raise ToolError(f"path {rel!r} must be relative to your workspace (e.g. 'm1/method.py')")
    root = root.resolve()
    p = (root / rel).resolve()
    if p != root and root not in p.parents:
        raise ToolError(f"path {rel!r} is outside your workspace; use a path inside it")
    return p


def read_text(root: Path, rel: str, limit: int = MAX_READ_BYTES) -> str:
    p = resolve_in(root, rel)
    if not p.is_file():
        raise ToolError(f"no file {rel!r} in your workspace")
    fd = os.open(p, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as f:
        data = f.read(limit + 1)
    text = data[:limit].decode("utf-8", errors="replace")
    return text + (f"\n[... truncated at {limit} bytes]" if len(data) > limit else "")


def write_text(root: Path, rel: str, content: str) -> Path:
    p = resolve_in(root, rel)
    if p == root.resolve() or p.is_dir():
        raise ToolError(f"{rel!r} is a directory")
    p.parent.mkdir(parents=True, exist_ok=True)
    resolve_in(root, rel)  # re-check: mkdir may have met a planted symlink
    fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(content)
    return p


def pack_dir(root: Path, rel: str, limit: int = snapshot.MAX_PACK_BYTES) -> bytes:
    """The snapshot (`aarlab.snapshot.pack`) of a workspace directory."""
    src = resolve_in(root, rel)
    if not src.is_dir():
        raise ToolError(f"no directory {rel!r} in your workspace")
    try:
        return snapshot.pack(src, max_bytes=limit)
    except snapshot.SnapshotError as e:
        raise ToolError(f"{rel!r}: {e}") from None


def unpack_into(root: Path, rel: str, data: bytes) -> list[str]:
    """Check and extract a snapshot into a workspace directory; the files it holds."""
    dest = resolve_in(root, rel)
    try:
        manifest = snapshot.unpack(data, dest)
    except snapshot.SnapshotError as e:
        raise ToolError(f"could not unpack the snapshot: {e}") from None
    return [m.path for m in manifest.files]
