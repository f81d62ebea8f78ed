"""The code snapshot format: one module packs, checks, unpacks and names it (STYLE 13).

A snapshot is a tar.gz of regular files (and directories). Its id is a hash of its *content*,
not of its bytes: sha256 over the sorted (path, mode, sha256 of the file) of its regular
files, where mode is 0o755 for an executable file and 0o644 for any other. Times, owners,
compression, member order, directory entries and the machine that packed it do not change
the id; one changed byte, a renamed file or a flipped executable bit does. So the same code
packed twice, by two researchers or on two machines, is one snapshot.

    data = pack(method_dir)                    # deterministic bytes, too
    manifest = read_manifest(data)             # checks everything, extracts nothing
    manifest.id                                # == snapshot_id(data)
    unpack(data, dest)                         # checks, then extracts files and directories

A snapshot is refused (`SnapshotError`) unless every member is a regular file or a
directory: no absolute path, no `..` component, no link of any kind, no device, FIFO or other
special file, no path given twice, and within the file-count and unpacked-size limits.
`pack` leaves out symlinks, special files and `__pycache__`, and opens every file with
O_NOFOLLOW, so a link planted in a workspace is never followed.

This is a bottom layer: it imports the standard library and `aarlab.errors` only.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import posixpath
import stat
import tarfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from aarlab.errors import UserError

ID_VERSION = "aarlab-snapshot-v1"
MAX_PACK_BYTES = 50 * 2**20  # what `pack` will put in one snapshot (code, not data)
MAX_UNPACKED_BYTES = 100 * 2**20  # the hub's defaults (HubConfig.snapshot_max_*)
MAX_FILES = 5000
SKIP_DIRS = frozenset({"__pycache__"})


class SnapshotError(UserError, ValueError):
    """An archive its uploader must fix (the hub answers 422; a tool returns the message)."""


@dataclass(frozen=True)
class Member:
    path: str  # normalised, relative, '/'-separated
    type: Literal["file", "dir"]
    size: int = 0
    mode: int = 0o755  # normalised: 0o755 or 0o644
    sha256: str = ""  # of the file's bytes; "" for a directory


@dataclass(frozen=True)
class Manifest:
    id: str
    members: tuple[Member, ...]

    @property
    def files(self) -> list[Member]:
        return [m for m in self.members if m.type == "file"]


def normal_mode(mode: int) -> int:
    """0o755 if any execute bit is set, else 0o644: all of a mode the id (and unpack) keeps."""
    return 0o755 if mode & 0o111 else 0o644


def content_id(files: Iterable[tuple[str, int, str]]) -> str:
    """The id of a tree from its regular files' (path, mode, sha256 hex), in any order."""
    rows = sorted((posixpath.normpath(p), normal_mode(m), h) for p, m, h in files)
    blob = json.dumps([ID_VERSION, rows], separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


# ---------------------------------------------------------------------------- pack
def _tree(root: Path) -> list[str]:
    """Relative posix paths of the regular files under root, sorted; links never followed."""
    out: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):  # followlinks=False
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS and not (here / d).is_symlink()]
        out += [(here / f).relative_to(root).as_posix() for f in filenames]
    return sorted(out)


def _read_regular(path: Path) -> tuple[bytes, int] | None:
    """The bytes and mode of a regular file, or None for a link or a special file."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:  # a symlink (ELOOP), or gone
        return None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            return None
        return f.read(), st.st_mode


def pack(root: Path, *, max_bytes: int = MAX_PACK_BYTES) -> bytes:
    """A deterministic tar.gz of the regular files under root (sorted; times, owners and the
    gzip header zeroed; modes normalised): the same tree gives the same bytes and the same id."""
    root = Path(root)
    if root.is_symlink() or not root.is_dir():
        raise SnapshotError(f"{root.name or root!s} is not a directory")
    buf = io.BytesIO()
    total = 0
    with gzip.GzipFile(filename="", fileobj=buf, mode="wb", mtime=0) as gz, \
            tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for rel in _tree(root):
            got = _read_regular(root / rel)
            if got is None:
                continue
            data, mode = got
            total += len(data)
            if total > max_bytes:
                raise SnapshotError(f"{root.name} holds more than {max_bytes // 2**20} MiB; "
                                    "snapshot code, not data")
            info = tarfile.TarInfo(rel)
            info.size, info.mode, info.mtime = len(data), normal_mode(mode), 0
            info.uid = info.gid = 0
            info.uname = info.gname = "aarlab"
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


# ---------------------------------------------------------------------------- check
def _safe_path(name: str) -> str:
    if not name or name.startswith("/") or "\\" in name or "\x00" in name:
        raise SnapshotError(f"member {name!r}: absolute or malformed path")
    if ".." in name.split("/"):
        raise SnapshotError(f"member {name!r}: '..' components are not allowed")
    return posixpath.normpath(name)


def _open(data: bytes) -> tarfile.TarFile:
    return tarfile.open(fileobj=io.BytesIO(data), mode="r:gz")


def read_manifest(data: bytes, *, max_unpacked: int = MAX_UNPACKED_BYTES,
                  max_files: int = MAX_FILES) -> Manifest:
    """The checked listing and content id of a snapshot, read in memory; SnapshotError
    naming the first offending member otherwise."""
    members: list[Member] = []
    seen: set[str] = set()
    total = 0
    try:
        with _open(data) as tf:
            for m in tf:
                path = _safe_path(m.name)
                if m.issym() or m.islnk():
                    raise SnapshotError(f"member {m.name!r} is a link; a snapshot holds files and "
                                        "directories only")
                if not (m.isreg() or m.isdir()):
                    raise SnapshotError(f"member {m.name!r} is a device, FIFO or other special "
                                        "file; a snapshot holds files and directories only")
                if len(members) >= max_files:
                    raise SnapshotError(f"more than {max_files} members")
                if path == ".":
                    continue  # the archive's own root, as `tar -C dir .` writes it
                if path in seen:
                    raise SnapshotError(f"member {path!r} appears twice")
                seen.add(path)
                if m.isdir():
                    members.append(Member(path=path, type="dir"))
                    continue
                total += m.size
                if total > max_unpacked:
                    raise SnapshotError(f"unpacks to more than {max_unpacked} bytes")
                f = tf.extractfile(m)
                digest = hashlib.sha256(f.read() if f is not None else b"").hexdigest()
                members.append(Member(path=path, type="file", size=m.size,
                                      mode=normal_mode(m.mode), sha256=digest))
    except SnapshotError:
        raise
    except (tarfile.TarError, OSError, EOFError, zlib.error, ValueError) as e:
        raise SnapshotError(f"not a readable tar.gz archive ({e.__class__.__name__}: {e})") from None
    files = [m for m in members if m.type == "file"]
    paths = {m.path for m in files}
    for entry in members:
        parent = posixpath.dirname(entry.path)
        while parent:
            if parent in paths:
                raise SnapshotError(f"member {entry.path!r} lies under {parent!r}, which is a file")
            parent = posixpath.dirname(parent)
    return Manifest(id=content_id((f.path, f.mode, f.sha256) for f in files), members=tuple(members))


def snapshot_id(data: bytes) -> str:
    """The content id of a tar.gz snapshot (see the module docstring)."""
    return read_manifest(data).id


# ---------------------------------------------------------------------------- unpack
def _extract_filter(member: tarfile.TarInfo, dest: str) -> tarfile.TarInfo:
    # 'data' also refuses a path that a link already on disk would lead out of dest; the time
    # is left as "now" so that Python never trusts a stale .pyc beside an unpacked file
    m = tarfile.data_filter(member, dest)
    mode = 0o755 if m.isdir() else normal_mode(m.mode or 0)
    return m.replace(mode=mode, mtime=None, deep=False)  # type: ignore[arg-type]


def unpack(data: bytes, dest: Path, *, max_unpacked: int = MAX_UNPACKED_BYTES,
           max_files: int = MAX_FILES) -> Manifest:
    """Check a snapshot (`read_manifest`), then extract it into dest; its manifest."""
    manifest = read_manifest(data, max_unpacked=max_unpacked, max_files=max_files)
    dest = Path(dest)
    try:
        dest.mkdir(parents=True, exist_ok=True)
        with _open(data) as tf:
            keep = [m for m in tf.getmembers() if _safe_path(m.name) != "."]
            tf.extractall(dest, members=keep, filter=_extract_filter)
    except (tarfile.TarError, OSError) as e:
        raise SnapshotError(f"could not unpack the snapshot: {e}") from None
    return manifest


def read_member(data: bytes, path: str) -> bytes | None:
    """The bytes of one regular file in a snapshot, or None."""
    want = posixpath.normpath(path)
    with _open(data) as tf:
        for m in tf:
            if m.isreg() and posixpath.normpath(m.name) == want:
                f = tf.extractfile(m)
                return None if f is None else f.read()
    return None


__all__ = ["MAX_FILES", "MAX_PACK_BYTES", "MAX_UNPACKED_BYTES", "Manifest", "Member",
           "SnapshotError", "content_id", "normal_mode", "pack", "read_manifest", "read_member",
           "snapshot_id", "unpack"]
