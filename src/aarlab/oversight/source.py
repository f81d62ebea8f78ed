"""Where the verifier reads a run's claims and query log, and where it writes verified rows.

`RunSource` is the verifier's whole view of the hub. Two implementations:
  FileSource  a directory with `hub_export.json` and `snapshots/<id>.tar.gz` (tests, offline
              audits, a run copied off its machine); verified rows go to `verified.json`.
  HubDbSource the hub's own tables (`aarlab.oversight.hubdb`), SQLite file or PostgreSQL URL.
`open_source(run_dir)` picks one. The verifier never reads a researcher's own numbers from
anywhere else.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel

from aarlab import snapshot
from aarlab.oversight.records import AuditQuery, ResultPost, Submission

EXPORT = "hub_export.json"


class VerifiedRow(BaseModel):
    """What the hub's leaderboard shows in its verified column for one result post."""

    post_id: str
    researcher: str
    pgr: float | None  # None: the method crashed, timed out or its snapshot is missing
    se: float | None
    ci95: tuple[float | None, float | None]
    n_seeds: int
    status: str
    flags: list[str]
    disqualified: bool


class RunSource(Protocol):
    def result_posts(self) -> list[ResultPost]: ...
    def submissions(self) -> list[Submission]: ...
    def audit(self) -> list[AuditQuery]: ...
    def snapshot(self, snapshot_id: str) -> bytes: ...
    def push_verified(self, rows: list[VerifiedRow]) -> None: ...


class FileSource:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._data: dict[str, Any] = json.loads((self.root / EXPORT).read_text())

    def result_posts(self) -> list[ResultPost]:
        return [ResultPost.model_validate(x) for x in self._data.get("results", [])]

    def submissions(self) -> list[Submission]:
        return [Submission.model_validate(x) for x in self._data.get("submissions", [])]

    def audit(self) -> list[AuditQuery]:
        return [AuditQuery.model_validate(x) for x in self._data.get("audit", [])]

    def snapshot(self, snapshot_id: str) -> bytes:
        return (self.root / "snapshots" / f"{snapshot_id}.tar.gz").read_bytes()

    def push_verified(self, rows: list[VerifiedRow]) -> None:
        (self.root / "verified.json").write_text(json.dumps([r.model_dump() for r in rows], indent=2))


def write_export(root: Path, results: list[ResultPost], submissions: list[Submission],
                 audit: list[AuditQuery], snapshots: dict[str, bytes]) -> FileSource:
    """Write a FileSource directory (tests; or an export of a hub for an offline audit)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "snapshots").mkdir(exist_ok=True)
    for sid, data in snapshots.items():
        (root / "snapshots" / f"{sid}.tar.gz").write_bytes(data)
    (root / EXPORT).write_text(json.dumps({
        "results": [r.model_dump(mode="json") for r in results],
        "submissions": [s.model_dump(mode="json") for s in submissions],
        "audit": [a.model_dump(mode="json") for a in audit],
    }))
    return FileSource(root)


def unpack_method(data: bytes, dest: Path) -> Path:
    """Check and unpack a snapshot (`aarlab.snapshot.unpack`) into dest; the directory that
    holds its method.py (a snapshot may hold the method at its root or in one folder)."""
    snapshot.unpack(data, dest)
    if not (dest / "method.py").exists():
        found = sorted(dest.rglob("method.py"), key=lambda p: len(p.parts))
        if found:
            return found[0].parent
    return dest


def open_source(run_dir: Path) -> RunSource:
    """A FileSource when the run holds an export, else the hub's database."""
    run_dir = Path(run_dir)
    if (run_dir / EXPORT).exists():
        return FileSource(run_dir)
    from aarlab.oversight.hubdb import HubDbSource

    return HubDbSource.for_run(run_dir)
