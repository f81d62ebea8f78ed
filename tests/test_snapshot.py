"""The snapshot format: deterministic packing, a content id, and hostile archives refused."""

from __future__ import annotations

import gzip
import io
import os
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from aarlab.errors import UserError
from aarlab.snapshot import (
    SnapshotError,
    content_id,
    pack,
    read_manifest,
    read_member,
    snapshot_id,
    unpack,
)


def tree(root: Path, files: dict[str, bytes] | None = None, mtime: int = 1_700_000_000) -> Path:
    files = files or {"method.py": b"def fit_predict(bundle, seed):\n    return None\n",
                      "lib/util.py": b"X = 1\n", "run.sh": b"#!/bin/sh\n"}
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
        os.utime(root / rel, (mtime, mtime))
    if "run.sh" in files:
        (root / "run.sh").chmod(0o700)
    return root


def tar(*members: tuple[tarfile.TarInfo, bytes | None], level: int = 9, mtime: float = 0) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=level, mtime=mtime) as gz, \
            tarfile.open(fileobj=gz, mode="w", format=tarfile.GNU_FORMAT) as tf:
        for info, data in members:
            if data is not None:
                info.size = len(data)
            tf.addfile(info, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def member(name: str, data: bytes | None = b"x = 1\n", kind: bytes = tarfile.REGTYPE,
           link: str = "", mode: int = 0o644, mtime: int = 0) -> tuple[tarfile.TarInfo, bytes | None]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.mode, info.mtime = kind, link, mode, mtime
    return info, data


def test_same_tree_packed_twice_with_other_times_is_one_id(tmp_path: Path) -> None:
    a = pack(tree(tmp_path / "a", mtime=1_000))
    b = pack(tree(tmp_path / "b", mtime=2_000_000_000))
    assert a == b  # deterministic bytes, too
    assert snapshot_id(a) == snapshot_id(b) and len(snapshot_id(a)) == 64


def test_the_id_is_of_the_content_not_of_the_archive(tmp_path: Path) -> None:
    packed = pack(tree(tmp_path / "a"))
    files = {m.path: (read_member(packed, m.path), m.mode) for m in read_manifest(packed).files}
    # the same files written by another tool: other order, times, owners, format, compression,
    # explicit directory entries and a './' prefix
    other = tar(member("./lib", None, tarfile.DIRTYPE, mode=0o700),
                *[member(f"./{p}", data, mode=0o775 if mode == 0o755 else 0o600, mtime=12345)
                  for p, (data, mode) in sorted(files.items(), reverse=True)],
                level=1, mtime=99)
    assert other != packed
    assert snapshot_id(other) == snapshot_id(packed)


def test_one_byte_a_name_or_a_mode_changes_the_id(tmp_path: Path) -> None:
    base = snapshot_id(pack(tree(tmp_path / "a")))
    one_byte = tree(tmp_path / "b")
    (one_byte / "lib/util.py").write_bytes(b"X = 2\n")
    renamed = tree(tmp_path / "c")
    (renamed / "lib/util.py").rename(renamed / "lib/utils.py")
    mode = tree(tmp_path / "d")
    (mode / "run.sh").chmod(0o644)
    ids = {base, *(snapshot_id(pack(d)) for d in (one_byte, renamed, mode))}
    assert len(ids) == 4


def test_content_id_is_order_free() -> None:
    rows = [("a.py", 0o644, "0" * 64), ("b/c.py", 0o755, "1" * 64)]
    assert content_id(rows) == content_id(reversed(rows)) == content_id([("./a.py", 0o600, "0" * 64),
                                                                          ("b/c.py", 0o700, "1" * 64)])


def test_pack_keeps_regular_files_only(tmp_path: Path) -> None:
    root = tree(tmp_path / "a")
    outside = tmp_path / "secret"
    outside.write_text("labels")
    (root / "link").symlink_to(outside)
    (root / "linked_dir").symlink_to(tmp_path)
    (root / "__pycache__").mkdir()
    (root / "__pycache__" / "m.cpython-311.pyc").write_bytes(b"\0")
    os.mkfifo(root / "fifo")
    names = {m.path for m in read_manifest(pack(root)).files}
    assert names == {"method.py", "lib/util.py", "run.sh"}
    with pytest.raises(SnapshotError, match="MiB"):
        pack(root, max_bytes=10)


def test_unpack_round_trip_with_normal_modes(tmp_path: Path) -> None:
    data = pack(tree(tmp_path / "a"))
    m = unpack(data, tmp_path / "out")
    assert m.id == snapshot_id(data) and {f.path for f in m.files} == {"method.py", "lib/util.py", "run.sh"}
    assert (tmp_path / "out/lib/util.py").read_bytes() == b"X = 1\n"
    assert (tmp_path / "out/run.sh").stat().st_mode & 0o777 == 0o755
    assert (tmp_path / "out/method.py").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "out/method.py").stat().st_mtime > 1e9  # unpack time, not the archive's 0


HOSTILE: dict[str, Callable[[], bytes]] = {
    "absolute path": lambda: tar(member("/etc/passwd")),
    "dot-dot": lambda: tar(member("../escape.py")),
    "dot-dot inside": lambda: tar(member("a/../../escape.py")),
    "symlink": lambda: tar(member("x", None, tarfile.SYMTYPE, link="/etc/passwd")),
    "inner symlink": lambda: tar(member("a.py"), member("b.py", None, tarfile.SYMTYPE, link="a.py")),
    "hard link": lambda: tar(member("x", None, tarfile.LNKTYPE, link="../outside")),
    "char device": lambda: tar(member("dev", None, tarfile.CHRTYPE)),
    "fifo": lambda: tar(member("fifo", None, tarfile.FIFOTYPE)),
    "twice": lambda: tar(member("a.py"), member("a.py", b"other")),
    "file as a folder": lambda: tar(member("a"), member("a/b.py")),
    "not gzip": lambda: b"plain bytes",
    "gzip but not tar": lambda: gzip.compress(b"hello" * 100),
}


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_archives_are_refused(tmp_path: Path, kind: str) -> None:
    with pytest.raises(SnapshotError) as e:
        unpack(HOSTILE[kind](), tmp_path / "out")
    assert isinstance(e.value, UserError) and isinstance(e.value, ValueError)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_limits() -> None:
    with pytest.raises(SnapshotError, match="unpacks"):
        read_manifest(tar(member("zeros.bin", b"\0" * 5000)), max_unpacked=1000)
    with pytest.raises(SnapshotError, match="members"):
        read_manifest(tar(member("a"), member("b"), member("c")), max_files=2)


def test_unpack_does_not_follow_a_planted_link(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "lib").symlink_to(outside)
    with pytest.raises(SnapshotError):
        unpack(pack(tree(tmp_path / "a")), dest)
    assert not any(outside.iterdir())


def test_a_bottom_layer() -> None:
    """aarlab.snapshot imports the standard library and aarlab.errors, nothing above them."""
    import ast
    import sys

    import aarlab.snapshot as mod

    names = set()
    for node in ast.walk(ast.parse(Path(mod.__file__).read_text())):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    outside = {n for n in names if n.split(".")[0] not in sys.stdlib_module_names} - {"aarlab.errors"}
    assert outside == set()
