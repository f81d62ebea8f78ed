"""A real hub database (the hub's own migrations and tables), filled the way the hub fills it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session

from aarlab.hub import models as m
from aarlab.hub.db import make_engine, migrate
from aarlab.snapshot import snapshot_id


class HubDb:
    def __init__(self, run_dir: Path) -> None:
        run_dir.mkdir(parents=True, exist_ok=True)
        self.engine = make_engine(f"sqlite:///{(run_dir / 'hub.db').resolve()}")
        migrate(self.engine)
        self.ids: dict[str, str] = {}
        self.t0 = datetime(2026, 1, 1, tzinfo=UTC)
        self.tick = 0

    def _now(self) -> datetime:
        self.tick += 1
        return self.t0 + timedelta(minutes=self.tick)

    def researcher(self, name: str) -> str:
        if name not in self.ids:
            with Session(self.engine) as s, s.begin():
                r = m.Researcher(name=name)
                s.add(r)
                s.flush()
                self.ids[name] = r.id
        return self.ids[name]

    def submit(self, name: str, preds: np.ndarray, dataset: str = "synthetic", reported_pgr: float | None = None,
               accepted: bool = True, reason: str | None = None) -> str | None:
        rid, now = self.researcher(name), self._now()
        raw = np.asarray(preds, dtype="<f4").tobytes()
        with Session(self.engine) as s, s.begin():
            q = m.Query(researcher_id=rid, dataset=dataset, created_at=now, status_code=200 if accepted else 429,
                        accepted=accepted, reason=reason, n_predictions=len(preds), predictions=raw)
            s.add(q)
            s.flush()
            if not accepted:
                return None
            sub = m.Submission(researcher_id=rid, dataset=dataset, created_at=now, query_id=q.id,
                               reported_accuracy=0.0, reported_pgr=reported_pgr, improved=True,
                               public_accuracy=0.0)
            s.add(sub)
            s.flush()
            q.submission_id = sub.id
            return sub.id

    def snapshot(self, data: bytes) -> str:
        sid = snapshot_id(data)
        with Session(self.engine) as s, s.begin():
            if s.get(m.Snapshot, sid) is None:
                s.add(m.Snapshot(id=sid, size=len(data), data=data, files=json.dumps([])))
        return sid

    def post(self, name: str, title: str, snapshot_id: str, submission_id: str | None,
             dataset: str = "synthetic") -> str:
        with Session(self.engine) as s, s.begin():
            p = m.Post(author_id=self.researcher(name), kind="result", title=title, dataset=dataset,
                       snapshot_id=snapshot_id, submission_id=submission_id, created_at=self._now())
            s.add(p)
            s.flush()
            return p.id
