"""Where the verifier reads a run's claims and query log, and where it writes verified rows.

`RunSource` is the verifier's whole view of the hub; its implementation is the hub's own
tables (`aarlab.oversight.hubdb.HubDbSource`, SQLite file or PostgreSQL URL), opened for a run
by `aarlab.oversight.hubdb.open_source(run_dir)`. The verifier never reads a researcher's own
numbers from anywhere else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from pydantic import BaseModel

from aarlab import snapshot
from aarlab.oversight.records import AuditQuery, ResultPost, Submission


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


def unpack_method(data: bytes, dest: Path) -> Path:
    """Check and unpack a snapshot (`aarlab.snapshot.unpack`) into dest; the directory that
    holds its method.py (a snapshot may hold the method at its root or in one folder)."""
    snapshot.unpack(data, dest)
    if not (dest / "method.py").exists():
        found = sorted(dest.rglob("method.py"), key=lambda p: len(p.parts))
        if found:
            return found[0].parent
    return dest
