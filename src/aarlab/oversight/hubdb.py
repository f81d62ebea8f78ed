"""The hub's database as a `RunSource`: the verifier reads the records themselves.

The hub's tables (`aarlab.hub.models`) are the durable truth of a run: result posts, the
append-only query log with full predictions, submissions with the Ladder value each was told,
snapshots. Reading them directly needs no running hub, and a run's SQLite file (or its
PostgreSQL URL from `hub.json` / `AARLAB_DATABASE_URL`) is enough. Verified rows are written
into the `verified` table, which the hub's leaderboard reads for its verified column.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from aarlab.hub import models as m
from aarlab.hub.db import make_engine
from aarlab.oversight.errors import RunDataMissing
from aarlab.oversight.records import AuditQuery, ResultPost, Submission
from aarlab.oversight.source import VerifiedRow
from aarlab.rundir import database_url


def _preds(raw: bytes | None) -> list[float] | None:
    return None if raw is None else np.frombuffer(raw, dtype="<f4").astype(float).tolist()


class HubDbSource:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def for_run(cls, run_dir: Path) -> HubDbSource:
        url = database_url(run_dir)
        if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
            raise RunDataMissing(f"no hub database in {run_dir} (looked for {url}); pass the "
                                 "directory `aarlab run` wrote")
        return cls(make_engine(url))

    def _names(self, s: Session) -> dict[str, str]:
        return {r.id: r.name for r in s.scalars(select(m.Researcher))}

    def result_posts(self) -> list[ResultPost]:
        with Session(self.engine) as s:
            names = self._names(s)
            rows = s.scalars(select(m.Post).where(m.Post.kind == "result", m.Post.deleted_at.is_(None))
                             .order_by(m.Post.created_at))
            return [ResultPost(id=p.id, author=names.get(p.author_id, p.author_id), title=p.title,
                               dataset=p.dataset, snapshot_id=p.snapshot_id, submission_id=p.submission_id,
                               created_at=p.created_at)
                    for p in rows if p.snapshot_id]

    def submissions(self) -> list[Submission]:
        with Session(self.engine) as s:
            names = self._names(s)
            rows = s.execute(select(m.Submission, m.Query.predictions)
                             .join(m.Query, m.Query.id == m.Submission.query_id)
                             .order_by(m.Submission.created_at))
            return [Submission(id=sub.id, researcher=names.get(sub.researcher_id, sub.researcher_id),
                               dataset=sub.dataset, created_at=sub.created_at, predictions=_preds(raw),
                               public_pgr=sub.reported_pgr, public_accuracy=sub.public_accuracy,
                               snapshot_id=sub.snapshot_id)
                    for sub, raw in rows]

    def audit(self) -> list[AuditQuery]:
        with Session(self.engine) as s:
            names = self._names(s)
            rows = s.scalars(select(m.Query).order_by(m.Query.id))
            return [AuditQuery(id=str(q.id), researcher=names.get(q.researcher_id or "", "unknown"),
                               created_at=q.created_at, accepted=q.accepted, reason=q.reason,
                               predictions=_preds(q.predictions), submission_id=q.submission_id)
                    for q in rows]

    def snapshot(self, snapshot_id: str) -> bytes:
        with Session(self.engine) as s:
            snap = s.get(m.Snapshot, snapshot_id)
            if snap is None:
                raise KeyError(f"no snapshot {snapshot_id} in the hub")
            return snap.data

    def push_verified(self, rows: list[VerifiedRow]) -> None:
        with Session(self.engine) as s, s.begin():
            for r in rows:
                s.merge(m.Verified(
                    post_id=r.post_id, pgr=r.pgr, se=r.se, ci_low=r.ci95[0], ci_high=r.ci95[1],
                    n_seeds=r.n_seeds, flags=json.dumps(r.flags), disqualified=r.disqualified,
                    detail=json.dumps({"status": r.status, "researcher": r.researcher}),
                    updated_at=datetime.now(UTC)))


def open_source(run_dir: Path) -> HubDbSource:
    """The run's hub database as the verifier's source."""
    return HubDbSource.for_run(Path(run_dir))
