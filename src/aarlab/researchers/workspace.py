"""Host-side access to a researcher's workspace: paths that cannot escape it, and snapshots.

The loop runs on the host, outside the sandbox, so `read_file`/`write_file`/`snapshot_*` must
not let a researcher reach beyond its workspace: a path is refused if it is absolute, climbs
out with `..`, or resolves (following symlinks the researcher may have planted from inside
the sandbox) to a place outside the workspace; the final component is opened with O_NOFOLLOW.
Symlinks are never packed into or unpacked from a snapshot.
"""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

from aarlab.researchers.errors import ToolError

MAX_READ_BYTES = 200_000
MAX_SNAPSHOT_BYTES = 50 * 1024 * 1024


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


def pack_dir(root: Path, rel: str, limit: int = MAX_SNAPSHOT_BYTES) -> bytes:
    """tar.gz of a workspace directory: regular files and directories only."""
    src = resolve_in(root, rel)
    if not src.is_dir():
        raise ToolError(f"no directory {rel!r} in your workspace")
    buf = io.BytesIO()
    total = 0
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for dirpath, dirnames, filenames in os.walk(src):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(filenames):
                f = Path(dirpath) / name
                if f.is_symlink() or not f.is_file():
                    continue
                total += f.stat().st_size
                if total > limit:
                    raise ToolError(f"{rel!r} is larger than {limit // 2**20} MiB; snapshot code, not data")
                tar.add(f, arcname=str(f.relative_to(src)), recursive=False)
    return buf.getvalue()


def unpack_into(root: Path, rel: str, data: bytes) -> list[str]:
    """Extract a snapshot into a workspace directory (tarfile's 'data' filter: no links out)."""
    dest = resolve_in(root, rel)
    dest.mkdir(parents=True, exist_ok=True)
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            members = [m for m in tar.getmembers() if m.isfile() or m.isdir()]
            tar.extractall(dest, members=members, filter="data")
    except (tarfile.TarError, OSError) as e:
        raise ToolError(f"could not unpack the snapshot: {e}") from e
    return sorted(m.name for m in members if m.isfile())
