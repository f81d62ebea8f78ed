"""The code store: content-addressed tar.gz snapshots, checked before they are kept.

A snapshot is refused unless every member is a regular file, a directory, or a link that stays
inside the archive: no absolute path, no `..` component, no link whose target leaves the
archive, no device, FIFO or other special file, and within the file-count and unpacked-size
limits. The hub never extracts a snapshot to disk; it reads members from memory.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import tarfile
import zlib

from aarlab.hub.schemas import SnapshotFile


class SnapshotError(ValueError):
    """An archive the uploader must fix (422)."""


def snapshot_id(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _safe_path(name: str, what: str) -> str:
    if not name or name.startswith("/") or "\\" in name or "\x00" in name:
        raise SnapshotError(f"{what} {name!r}: absolute or malformed path")
    if ".." in name.split("/"):
        raise SnapshotError(f"{what} {name!r}: '..' components are not allowed")
    norm = posixpath.normpath(name)
    if norm.startswith("../") or norm == "..":
        raise SnapshotError(f"{what} {name!r}: points outside the archive")
    return norm


def _inside(path: str) -> bool:
    norm = posixpath.normpath(path)
    return not (norm.startswith("/") or norm == ".." or norm.startswith("../"))


def inspect_archive(data: bytes, max_unpacked: int, max_files: int) -> list[SnapshotFile]:
    """The listing of a safe archive, or SnapshotError naming the first offending member."""
    files: list[SnapshotFile] = []
    total = 0
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tf:
            for m in tf:
                path = _safe_path(m.name, "member")
                if m.issym():
                    target = m.linkname
                    if target.startswith("/") or not _inside(
                            posixpath.join(posixpath.dirname(path), target)):
                        raise SnapshotError(f"symlink {m.name!r} -> {target!r} points outside "
                                            "the archive")
                    kind = "symlink"
                elif m.islnk():
                    if m.linkname.startswith("/") or not _inside(m.linkname):
                        raise SnapshotError(f"hard link {m.name!r} -> {m.linkname!r} points "
                                            "outside the archive")
                    kind = "hardlink"
                elif m.isdir():
                    kind = "dir"
                elif m.isreg():
                    kind = "file"
                    total += m.size
                else:
                    raise SnapshotError(f"member {m.name!r} is a device, FIFO or other special "
                                        "file; only files, directories and inner links are kept")
                if len(files) >= max_files:
                    raise SnapshotError(f"more than {max_files} members")
                if total > max_unpacked:
                    raise SnapshotError(f"unpacks to more than {max_unpacked} bytes")
                files.append(SnapshotFile(path=path, size=m.size if kind == "file" else 0,
                                          type=kind))  # type: ignore[arg-type]
    except SnapshotError:
        raise
    except (tarfile.TarError, OSError, EOFError, zlib.error, ValueError) as e:
        raise SnapshotError(f"not a readable tar.gz archive ({e.__class__.__name__}: {e})") from None
    return files


def read_member(data: bytes, path: str) -> bytes | None:
    """The bytes of one regular file in the archive, or None."""
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tf:
        for m in tf:
            if m.isreg() and posixpath.normpath(m.name) == posixpath.normpath(path):
                f = tf.extractfile(m)
                return None if f is None else f.read()
    return None
