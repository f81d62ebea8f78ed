"""The append-only audit log of scorer queries: compact storage and the auditor's view.

Predictions are stored as little-endian float32 bytes (4 bytes per item), exactly the values
the hub scored. Rows are only ever inserted; no code path updates or deletes one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from aarlab.hub.models import Query, Researcher
from aarlab.hub.schemas import AuditEntry

_RAW_LIMIT = 64_000  # characters of an unparseable body kept in the log


def encode_predictions(p: np.ndarray) -> bytes:
    return np.ascontiguousarray(p, dtype="<f4").tobytes()


def decode_predictions(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<f4").astype(np.float32)


def lenient_array(values: object) -> np.ndarray | None:
    """Best-effort float array of whatever list a rejected request carried (for the log)."""
    if not isinstance(values, list):
        return None
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # huge values become inf: kept as is
            return np.asarray(values, dtype=np.float64).astype(np.float32).ravel()
    except (TypeError, ValueError, OverflowError):
        return None


@dataclass
class QueryRecord:
    researcher_id: str | None
    dataset: str | None
    created_at: datetime
    status_code: int
    accepted: bool
    reason: str | None
    predictions: np.ndarray | None
    raw_body: str | None = None
    submission_id: str | None = None

    def row(self) -> dict[str, object]:
        return {
            "researcher_id": self.researcher_id,
            "dataset": _text(self.dataset, 100),
            "created_at": self.created_at,
            "status_code": self.status_code,
            "accepted": self.accepted,
            "reason": _text(self.reason, _RAW_LIMIT),
            "n_predictions": None if self.predictions is None else int(self.predictions.size),
            "predictions": None if self.predictions is None else encode_predictions(self.predictions),
            "raw_body": _text(self.raw_body, _RAW_LIMIT),
            "submission_id": self.submission_id,
        }


_INSERT = insert(Query)  # run on the Connection: Core, compiled once, no ORM work per row


def _text(value: str | None, limit: int) -> str | None:
    """Any string can be logged: NUL (refused by PostgreSQL text) is written as an escape."""
    return None if value is None else value[:limit].replace("\x00", "\\x00")


def insert_query(session: Session, rec: QueryRecord) -> int:
    """Append one audit row; returns its id."""
    result = session.connection().execute(_INSERT, rec.row())
    pk = result.inserted_primary_key
    if pk is None or pk[0] is None:
        raise RuntimeError("the database returned no id for an audit row")
    return int(pk[0])


def read_audit(session: Session, researcher: str | None, dataset: str | None,
               since: datetime | None, accepted: bool | None, after: int | None,
               limit: int) -> list[AuditEntry]:
    stmt = select(Query, Researcher.name).outerjoin(Researcher, Query.researcher_id == Researcher.id)
    if researcher is not None:
        stmt = stmt.where((Researcher.name == researcher) | (Researcher.id == researcher))
    if dataset is not None:
        stmt = stmt.where(Query.dataset == dataset)
    if since is not None:
        stmt = stmt.where(Query.created_at >= since)
    if accepted is not None:
        stmt = stmt.where(Query.accepted == accepted)
    if after is not None:
        stmt = stmt.where(Query.id > after)
    rows = session.execute(stmt.order_by(Query.id).limit(limit)).all()
    return [
        AuditEntry(
            id=str(q.id), researcher=name, researcher_id=q.researcher_id, dataset=q.dataset,
            created_at=q.created_at, accepted=q.accepted, status_code=q.status_code,
            reason=q.reason, n_predictions=q.n_predictions,
            predictions=None if q.predictions is None else _finite_list(q.predictions),
            raw_body=q.raw_body, submission_id=q.submission_id,
        )
        for q, name in rows
    ]


def _finite_list(data: bytes) -> list[float | None]:
    """JSON cannot carry NaN/inf; a rejected query may hold them: they come back as null."""
    p = decode_predictions(data).astype(np.float64)
    finite = np.isfinite(p)
    if finite.all():
        return p.tolist()  # type: ignore[no-any-return]
    return [float(x) if ok else None for x, ok in zip(p.tolist(), finite.tolist(), strict=True)]
