"""Walk every readable file and report what could carry a task's test labels.

Runs INSIDE a sandbox (`test_label_walk.py` copies it into the workspace): standard library and
numpy, pyarrow for parquet when it imports. It never receives a label. On stdin it gets, per
task, hashes of the normalised test texts and one anchor word per text (the texts themselves
are in the bundle anyway), plus the test set sizes; it writes a JSON report to `out`:

- ``texts``: files holding test texts (a string field, line or tab-separated cell whose
  normalised form hashes to a test text), with their item indices;
- ``pairs``: for records (JSON objects, CSV/parquet/SQLite rows) that hold a test text, the
  record's other short scalar fields, paired with the item index: a raw label file;
- ``arrays``: every numeric vector of a test-set length (a 1-D array, a column of a 2-D array,
  a JSON list, a table column): a label array in bundle order.

The host compares these with the answer keys. Containers are opened one level deep: gzip,
bz2, xz, zip (npz, wheels, jars), tar, npy, parquet, SQLite; other binaries are skipped.
"""

from __future__ import annotations

import bz2
import contextlib
import csv
import hashlib
import io
import json
import lzma
import os
import re
import sqlite3
import stat
import sys
import tarfile
import warnings
import zipfile
import zlib
from collections import defaultdict
from typing import Any

ANCHOR = re.compile(r"\w{4,}")
SNIFF = 8192
PROBES = 12  # anchor words checked per task and file
MAX_MEMBERS = 400  # per archive
MAX_COLUMNS = 512  # per 2-D array
MAX_VALUE_CHARS = 40  # longer strings are not label-like fields
SKIP_SUFFIXES = (".class", ".pyc", ".so", ".o", ".png", ".jpg", ".gif", ".ttf", ".woff", ".woff2")


def normalise(text: str) -> str:
    """Case and runs of whitespace do not count (code keeps its operators: mutants differ)."""
    return " ".join(text.lower().split())


def text_hash(text: str) -> str:
    return hashlib.sha1(normalise(text).encode()).hexdigest()[:16]


def anchor(text: str) -> str | None:
    """The text's longest word: in a file that holds the texts, most anchors occur."""
    words = ANCHOR.findall(text.lower())
    return max(words, key=len) if words else None


class Walker:
    def __init__(self, needles: dict[str, Any]) -> None:
        self.max_bytes: int = needles["max_bytes"]
        self.lengths = set(needles["lengths"])
        tasks = needles["tasks"]
        self.tasks: dict[str, dict[str, int]] = {
            name: {h: i for i, h in enumerate(t["texts"]) if h} for name, t in tasks.items()
        }
        self.probes = {name: _probes(t["anchors"]) for name, t in tasks.items()}
        self.texts: dict[tuple[str, str], set[int]] = defaultdict(set)
        self.pairs: dict[tuple[str, str, str], dict[int, Any]] = defaultdict(dict)
        self.arrays: list[dict[str, Any]] = []
        self.counts: dict[str, int] = defaultdict(int)
        self.errors: list[str] = []

    # -- the walk -------------------------------------------------------------------------
    def walk(self, roots: list[str], skip: list[str]) -> None:
        for root in roots:
            for d, dirs, files in os.walk(root, onerror=lambda e: self._count("unreadable_dir")):
                dirs[:] = sorted(x for x in dirs if os.path.join(d, x) not in skip)
                for f in sorted(files):
                    path = os.path.join(d, f)
                    try:
                        self.file(path)
                    except Exception as e:  # a malformed file is reported, never fatal
                        self._error(path, e)

    def _count(self, what: str) -> None:
        self.counts[what] += 1

    def _error(self, where: str, e: Exception) -> None:
        self._count("error")
        if len(self.errors) < 50:
            self.errors.append(f"{where}: {type(e).__name__}: {str(e)[:120]}")

    def file(self, path: str) -> None:
        try:
            st = os.lstat(path)
            if not stat.S_ISREG(st.st_mode):
                self._count("not_regular")
                return
            with open(path, "rb") as fh:
                head = fh.read(SNIFF)
                self._count("read")
                if head.startswith(b"\x93NUMPY"):
                    self._npy_file(path)
                    return
                if head.startswith(b"PK\x03\x04"):
                    self._zip(path, path)
                    return
                if b"\x00" in head and not _container(head):
                    self._count("binary_skipped")  # executables, bytecode, images...
                    return
                data = head + fh.read(self.max_bytes - len(head))
        except OSError:
            self._count("unreadable")
            return
        self.blob(path, data, depth=0)

    def blob(self, where: str, data: bytes, depth: int) -> None:
        try:
            self._blob(where, data, depth)
        except Exception as e:
            self._error(where, e)

    def _blob(self, where: str, data: bytes, depth: int) -> None:
        if depth < 2:
            limit = self.max_bytes
            if data.startswith(b"\x1f\x8b"):
                plain = _bounded(zlib.decompressobj(wbits=31), data, limit)
                return self.blob(where + "!gunzip", plain, depth + 1)
            if data.startswith(b"BZh"):
                plain = _bounded(bz2.BZ2Decompressor(), data, limit)
                return self.blob(where + "!bunzip2", plain, depth + 1)
            if data.startswith(b"\xfd7zXZ\x00"):
                plain = _bounded(lzma.LZMADecompressor(), data, limit)
                return self.blob(where + "!unxz", plain, depth + 1)
            if data.startswith(b"PK\x03\x04"):
                return self._zip(where, io.BytesIO(data))
            if len(data) > 262 and data[257:262] == b"ustar":
                return self._tar(where, data, depth)
        if data.startswith(b"\x93NUMPY"):
            return self._npy_bytes(where, data)
        if data.startswith(b"PAR1"):
            return self._parquet(where, data)
        if data.startswith(b"SQLite format 3\x00"):
            return self._sqlite(where, data)
        if b"\x00" in data[:SNIFF]:
            self._count("binary_skipped")
            return
        self._text(where, data.decode("utf-8", errors="replace"))

    # -- containers -----------------------------------------------------------------------
    def _zip(self, where: str, src: Any) -> None:
        try:
            with zipfile.ZipFile(src) as z:
                members = [m for m in z.infolist()
                           if not m.is_dir() and not m.filename.endswith(SKIP_SUFFIXES)]
                for m in members[:MAX_MEMBERS]:
                    with z.open(m) as fh:
                        self.blob(f"{where}!{m.filename}", fh.read(self.max_bytes), depth=1)
        except (zipfile.BadZipFile, OSError, RuntimeError, EOFError, NotImplementedError,
                zlib.error):
            self._count("bad_archive")

    def _tar(self, where: str, data: bytes, depth: int) -> None:
        try:
            with tarfile.open(fileobj=io.BytesIO(data)) as t:
                for i, m in enumerate(t):
                    if i >= MAX_MEMBERS:
                        break
                    fh = t.extractfile(m) if m.isfile() else None
                    if fh is not None:
                        self.blob(f"{where}!{m.name}", fh.read(self.max_bytes), depth + 1)
        except (tarfile.TarError, OSError, EOFError):
            self._count("bad_archive")

    def _npy_file(self, path: str) -> None:
        import numpy as np

        self._count("read")
        try:
            self._array(path, np.load(path, mmap_mode="r", allow_pickle=False))
        except (ValueError, OSError, EOFError):
            self._count("bad_npy")

    def _npy_bytes(self, where: str, data: bytes) -> None:
        import numpy as np

        try:
            self._array(where, np.load(io.BytesIO(data), allow_pickle=False))
        except (ValueError, OSError, EOFError):
            self._count("bad_npy")  # e.g. cut at max_bytes

    def _parquet(self, where: str, data: bytes) -> None:
        try:
            import pyarrow.parquet as pq
        except ImportError:
            self._count("parquet_unread")
            return
        table = pq.read_table(io.BytesIO(data))
        self._table(where, {c: table.column(c).to_pylist() for c in table.column_names})

    def _sqlite(self, where: str, data: bytes) -> None:
        db = sqlite3.connect(":memory:")
        try:
            db.deserialize(data)
            names = [r[0] for r in db.execute("select name from sqlite_master where type='table'")]
            for name in names:
                cur = db.execute(f'select * from "{name}" limit 100000')
                cols = [c[0] for c in cur.description]
                rows = cur.fetchall()
                table = {c: [r[i] for r in rows] for i, c in enumerate(cols)}
                self._table(f"{where}!{name}", table)
        finally:
            db.close()

    # -- content --------------------------------------------------------------------------
    def _array(self, where: str, a: Any) -> None:
        import numpy as np

        if a.dtype.kind not in "biuf" or a.ndim == 0 or a.shape[0] not in self.lengths:
            return
        if a.ndim == 1:
            self._vector(where, np.asarray(a).tolist())
        elif a.ndim == 2:
            for j in range(min(a.shape[1], MAX_COLUMNS)):
                self._vector(f"{where}[:, {j}]", np.asarray(a[:, j]).tolist())

    def _vector(self, where: str, values: list[Any]) -> None:
        if len(values) in self.lengths and all(_number(v) for v in values):
            self.arrays.append({"where": where, "values": [float(v) for v in values]})

    def _table(self, where: str, columns: dict[str, list[Any]]) -> None:
        for name, col in columns.items():
            self._vector(f"{where}.{name}", col)
        rows = zip(*columns.values(), strict=True) if columns else iter(())
        self._records(where, (dict(zip(columns, r, strict=True)) for r in rows))

    def _text(self, where: str, text: str) -> None:
        stripped = text[:1000].lstrip()
        parsed: Any = None
        if stripped[:1] in "[{":
            try:
                parsed = json.loads(text)
            except ValueError:
                parsed = _jsonl(text)
        if parsed is not None:
            self._json(where, parsed)
        if where.endswith((".csv", ".tsv")) or where.endswith((".csv!gunzip", ".tsv!gunzip")):
            self._csv(where, text)
        if not self._candidate(text):
            return
        for line in text.splitlines():  # a plain-text file of texts, one per line or cell
            for cell in {line, *line.split("\t")}:
                self._match(where, cell)

    def _candidate(self, text: str) -> bool:
        """Cheap prefilter: does the file hold most of some task's probe words?"""
        low = text.lower()
        return any(p and sum(w in low for w in p) >= max(3, len(p) // 3)
                   for p in self.probes.values())

    def _json(self, where: str, value: Any, depth: int = 0) -> None:
        """Every list (a vector, records' columns, rows' columns) and every record, nested."""
        if depth > 8:
            return
        if isinstance(value, dict):
            self._records(where, [value])
            for k, v in value.items():
                if isinstance(v, list | dict):
                    self._json(f"{where}.{k}", v, depth + 1)
            return
        if not isinstance(value, list):
            return
        self._vector(where, value)
        if value and len(value) in self.lengths:
            if all(isinstance(v, dict) for v in value):
                for k in {k for v in value for k in v}:
                    self._vector(f"{where}[*].{k}", [v.get(k) for v in value])
            if all(isinstance(v, list) for v in value):
                for j in range(min(len(value[0]), MAX_COLUMNS)):
                    self._vector(f"{where}[*][{j}]", [v[j] if len(v) > j else None for v in value])
        for v in value[:200_000]:
            if isinstance(v, str):
                self._match(where, v)
            elif isinstance(v, list | dict):
                self._json(f"{where}[*]", v, depth + 1)  # one name for all items: fields pool

    def _csv(self, where: str, text: str) -> None:
        delimiter = "\t" if ".tsv" in where else ","
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        if len(rows) < 2:
            return
        header, body = rows[0], rows[1:]
        cols = {h or str(j): [r[j] if j < len(r) else None for r in body]
                for j, h in enumerate(header)}
        self._table(where, {k: [_maybe_number(v) for v in col] for k, col in cols.items()})

    def _records(self, where: str, records: Any) -> None:
        """Records holding a test text: pair their other short scalar fields with its index."""
        for rec in records:
            strings = [(k, v) for k, v in rec.items() if isinstance(v, str)]
            joined = [(k, v) for k, v in strings if len(v) > MAX_VALUE_CHARS]
            # two long fields may make one text (HumanEval: prompt + canonical solution)
            glued = [(f"{a}+{b}", x + y) for a, x in joined for b, y in joined if a != b]
            keys = [*strings, *glued]
            for key, s in keys:
                for task, idx in self._lookup(s):
                    self.texts[(where, task)].add(idx)
                    for k, v in rec.items():
                        if k != key and _scalar(v):
                            self.pairs[(where, task, str(k))][idx] = v
            for v in rec.values():
                if isinstance(v, dict):
                    self._records(f"{where}.*", [v])

    def _match(self, where: str, s: str) -> None:
        for task, idx in self._lookup(s):
            self.texts[(where, task)].add(idx)

    def _lookup(self, s: str) -> list[tuple[str, int]]:
        if len(s) < 8:
            return []
        h = text_hash(s)
        return [(task, ids[h]) for task, ids in self.tasks.items() if h in ids]

    def report(self) -> dict[str, Any]:
        return {
            "counts": dict(self.counts),
            "errors": self.errors,
            "texts": [{"where": w, "task": t, "items": sorted(ix)}
                      for (w, t), ix in self.texts.items()],
            "pairs": [{"where": w, "task": t, "field": f, "items": [[i, v] for i, v in ix.items()]}
                      for (w, t, f), ix in self.pairs.items()],
            "arrays": self.arrays,
        }


def _probes(anchors: list[str]) -> list[str]:
    """A few distinctive anchor words: a file holding a task's texts holds most of them."""
    words = sorted(set(anchors) - {""}, key=lambda w: (-len(w), w))
    return words[:PROBES] if len(words) >= 5 else []


def _container(head: bytes) -> bool:
    magics = (b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b"PAR1", b"SQLite format 3\x00")
    return head.startswith(magics) or head[257:262] == b"ustar"


def _jsonl(text: str) -> list[Any] | None:
    """JSON lines, tolerating a last line cut at max_bytes; None unless most lines parse."""
    lines = [line for line in text.splitlines() if line.strip()]
    out = []
    for line in lines:
        with contextlib.suppress(ValueError):
            out.append(json.loads(line))
    return out if out and len(out) >= 0.9 * len(lines) else None


def _bounded(dec: Any, data: bytes, limit: int) -> bytes:
    try:
        return bytes(dec.decompress(data, limit))
    except (EOFError, OSError, lzma.LZMAError, zlib.error):
        return b""


def _number(v: Any) -> bool:
    return isinstance(v, bool | int | float) and v == v


def _maybe_number(v: str | None) -> Any:
    try:
        return float(v) if v is not None else None
    except ValueError:
        return v


def _scalar(v: Any) -> bool:
    return isinstance(v, bool | int | float) or (isinstance(v, str) and len(v) <= MAX_VALUE_CHARS)


def main() -> int:
    warnings.simplefilter("ignore")  # numpy's notes on old .npy headers
    needles = json.load(sys.stdin)
    walker = Walker(needles)
    walker.walk(needles["roots"], needles["skip"])
    with open(needles["out"], "w") as fh:
        json.dump(walker.report(), fh)
    print(json.dumps(walker.counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
