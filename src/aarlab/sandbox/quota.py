"""Workspace usage, measured from the host (the sandbox cannot influence the count)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Usage:
    bytes: int
    files: int


def workspace_usage(root: Path) -> Usage:
    """Allocated bytes (st_blocks, so sparse files count what they use) and inode count,
    without following symlinks."""
    total, files = 0, 0
    stack = [str(root)]
    while stack:
        top = stack.pop()
        try:
            entries = list(os.scandir(top))
        except OSError:
            continue
        for entry in entries:
            files += 1
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            total += st.st_blocks * 512
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
    return Usage(total, files)
