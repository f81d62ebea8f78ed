"""Code store: content ids, stored once, listing, and every kind of unsafe archive refused."""

from __future__ import annotations

import gzip
import io
import tarfile
from collections.abc import Callable

import pytest

from aarlab.hub import HubClient, HubError
from aarlab.snapshot import snapshot_id
from aarlab.w2s.answer_key import AnswerKey


def _tar(*members: tuple[tarfile.TarInfo, bytes | None]) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as gz, tarfile.open(fileobj=gz, mode="w") as tf:
        for info, data in members:
            if data is not None:
                info.size = len(data)
            tf.addfile(info, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def _file(name: str, data: bytes = b"print('hi')\n") -> tuple[tarfile.TarInfo, bytes]:
    return tarfile.TarInfo(name), data


def _link(name: str, target: str, kind: bytes) -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info, None


def _special(name: str, kind: bytes) -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type = kind
    return info, None


GOOD = _tar(_file("method.py"), _file("lib/util.py", b"X = 1\n"))

BAD: dict[str, Callable[[], bytes]] = {
    "absolute path": lambda: _tar(_file("/etc/passwd")),
    "dot-dot": lambda: _tar(_file("../escape.py")),
    "dot-dot inside": lambda: _tar(_file("a/../../escape.py")),
    "inner symlink": lambda: _tar(_file("a.py"), _link("b.py", "a.py", tarfile.SYMTYPE)),
    "symlink out (absolute)": lambda: _tar(_link("x", "/etc/passwd", tarfile.SYMTYPE)),
    "symlink out (relative)": lambda: _tar(_link("a/x", "../../etc", tarfile.SYMTYPE)),
    "hard link out": lambda: _tar(_link("x", "../outside", tarfile.LNKTYPE)),
    "hard link absolute": lambda: _tar(_link("x", "/etc/shadow", tarfile.LNKTYPE)),
    "char device": lambda: _tar(_special("dev", tarfile.CHRTYPE)),
    "block device": lambda: _tar(_special("blk", tarfile.BLKTYPE)),
    "fifo": lambda: _tar(_special("fifo", tarfile.FIFOTYPE)),
    "not gzip": lambda: b"plain bytes",
    "gzip but not tar": lambda: gzip.compress(b"hello" * 100),
}


def test_upload_is_content_addressed_and_listed(alice: HubClient, bob: HubClient) -> None:
    a = alice.upload_snapshot(GOOD)
    assert len(a.id) == 64 and a.n_files == 2 and not a.already_stored and a.uploaded_by == "alice"
    assert a.id == snapshot_id(GOOD)
    assert bob.download_snapshot(a.id) == GOOD
    files = {f.path: f for f in bob.snapshot_files(a.id).files}
    assert files["lib/util.py"].size == 6 and files["lib/util.py"].type == "file"
    assert bob.snapshot_file(a.id, "lib/util.py") == b"X = 1\n"
    with pytest.raises(HubError) as e:
        bob.snapshot_file(a.id, "missing.py")
    assert e.value.status == 404


def test_the_same_code_is_stored_once_and_the_second_upload_says_so(
        alice: HubClient, bob: HubClient, key: AnswerKey) -> None:
    a = alice.upload_snapshot(GOOD)
    # the same files packed by another tool: other times, order and compression
    repacked = _tar(_file("lib/util.py", b"X = 1\n"), _file("./method.py"))
    assert repacked != GOOD
    b = bob.upload_snapshot(repacked)
    assert b.id == a.id and b.already_stored and b.uploaded_by == "alice" and b.results == []
    assert b.created_at == a.created_at and b.size == len(GOOD)
    assert bob.download_snapshot(a.id) == GOOD  # nothing new was stored
    sub = alice.submit("toy", key.ceiling_p_test[0], snapshot_id=a.id)
    post = alice.create_post("result", "ceiling", snapshot_id=a.id, submission_id=sub.id)
    again = bob.upload_snapshot(repacked)
    assert [(u.post_id, u.author) for u in again.results] == [(post.id, "alice")]
    other = bob.upload_snapshot(_tar(_file("method.py", b"print('hi!')\n"), _file("lib/util.py", b"X = 1\n")))
    assert other.id != a.id and not other.already_stored


@pytest.mark.parametrize("kind", list(BAD))
def test_unsafe_archives_are_refused(alice: HubClient, kind: str) -> None:
    with pytest.raises(HubError) as e:
        alice.upload_snapshot(BAD[kind]())
    assert e.value.status == 422 and "snapshot refused" in e.value.message


def test_size_limits(make_hub, new_researcher) -> None:  # type: ignore[no-untyped-def]
    admin = make_hub(snapshot_max_bytes=200, snapshot_max_unpacked_bytes=1000, snapshot_max_files=2)
    r = new_researcher(admin, "r")
    import os

    with pytest.raises(HubError) as e:
        r.upload_snapshot(_tar(_file("big.bin", os.urandom(4000))))
    assert e.value.status == 413
    with pytest.raises(HubError) as e:
        r.upload_snapshot(_tar(_file("zeros.bin", b"\0" * 5000)))  # small gz, big unpacked
    assert e.value.status == 422 and "unpacks" in e.value.message
    with pytest.raises(HubError) as e:
        r.upload_snapshot(_tar(_file("a", b"1"), _file("b", b"2"), _file("c", b"3")))
    assert e.value.status == 422 and "members" in e.value.message
