"""Admin-only endpoints: the audit log, submissions with predictions, private scores, verdicts."""

from __future__ import annotations

import json
from datetime import datetime

import numpy as np
from fastapi import APIRouter, Depends, HTTPException, Query, Security
from sqlalchemy import null, select
from sqlalchemy.orm import Session

from aarlab.hub.audit import decode_predictions, read_audit
from aarlab.hub.auth import Principal, require_admin
from aarlab.hub.leaderboard import verified_out
from aarlab.hub.models import Post, Researcher, Submission, Verified, utcnow
from aarlab.hub.models import Query as QueryRow
from aarlab.hub.routes.deps import bearer, errors, get_hub
from aarlab.hub.schemas import (
    AdminSubmission,
    AdminSubmissions,
    AuditPage,
    ExactScore,
    PrivateScoreIn,
    PrivateScoreOut,
    VerifiedIn,
    VerifiedOut,
)
from aarlab.hub.scoring import PredictionError, validate_predictions
from aarlab.hub.state import HubState

router = APIRouter(prefix="/v1/admin", tags=["admin"], dependencies=[Security(bearer)])


@router.get("/audit", response_model=AuditPage, responses=errors(401, 403))
def audit(researcher: str | None = Query(None, max_length=100, description="name or id"),
          dataset: str | None = Query(None, max_length=100), since: datetime | None = None,
          accepted: bool | None = None, after: int | None = Query(None, ge=0, le=2**62),
          limit: int = Query(100, ge=1, le=1000), _: Principal = Depends(require_admin),
          hub: HubState = Depends(get_hub)) -> AuditPage:
    """Every scorer query, accepted or rejected, with its full predictions (oldest first)."""
    with hub.read() as s:
        rows = read_audit(s, researcher, dataset, since, accepted, after, limit)
    return AuditPage(rows=rows, next_after=int(rows[-1].id) if len(rows) == limit else None)


@router.get("/submissions", response_model=AdminSubmissions, responses=errors(401, 403))
def submissions(researcher: str | None = Query(None, max_length=100),
                dataset: str | None = Query(None, max_length=100), since: datetime | None = None,
                predictions: bool = False, limit: int = Query(1000, ge=1, le=10_000),
                _: Principal = Depends(require_admin),
                hub: HubState = Depends(get_hub)) -> AdminSubmissions:
    stmt = (select(Submission, Researcher.name, QueryRow.predictions if predictions else null())
            .join(Researcher, Submission.researcher_id == Researcher.id)
            .join(QueryRow, Submission.query_id == QueryRow.id))
    if researcher is not None:
        stmt = stmt.where((Researcher.name == researcher) | (Researcher.id == researcher))
    if dataset is not None:
        stmt = stmt.where(Submission.dataset == dataset)
    if since is not None:
        stmt = stmt.where(Submission.created_at >= since)
    with hub.read() as s:
        rows = s.execute(stmt.order_by(Submission.created_at).limit(limit)).tuples().all()
    return AdminSubmissions(rows=[AdminSubmission(
        id=sub.id, researcher=name, researcher_id=sub.researcher_id, dataset=sub.dataset,
        created_at=sub.created_at, snapshot_id=sub.snapshot_id, note=sub.note,
        improved=sub.improved, reported_accuracy=sub.reported_accuracy,
        public_pgr=sub.reported_pgr, public_accuracy=sub.public_accuracy,
        predictions=None if blob is None else decode_predictions(blob).astype(float).tolist())
        for sub, name, blob in rows])


def _exact(acc: float, p: float) -> ExactScore:
    return ExactScore(accuracy=acc, pgr=p if np.isfinite(p) else None)


@router.post("/private-score", response_model=PrivateScoreOut, responses=errors(401, 403, 404, 422))
def private_score(body: PrivateScoreIn, _: Principal = Depends(require_admin),
                  hub: HubState = Depends(get_hub)) -> PrivateScoreOut:
    """Exact scores on the private, public and whole test set, of a submission or of given
    predictions (the verifier's tool; never exposed to researchers)."""
    if body.submission_id is not None:
        with hub.read() as s:
            row = s.execute(select(Submission.dataset, QueryRow.predictions)
                            .join(QueryRow, Submission.query_id == QueryRow.id)
                            .where(Submission.id == body.submission_id)).first()
        if row is None or row[1] is None:
            raise HTTPException(404, f"no submission {body.submission_id!r}")
        dataset, preds = row[0], decode_predictions(row[1])
        if dataset not in hub.scorer.tasks:
            raise HTTPException(422, f"dataset {dataset!r} is not loaded in this hub")
    elif body.dataset is not None and body.predictions is not None:
        try:
            dataset = body.dataset
            preds = validate_predictions(body.predictions, hub.scorer.task(dataset).n_test, dataset)
        except PredictionError as e:
            raise HTTPException(422, str(e)) from None
    else:
        raise HTTPException(422, "give submission_id, or dataset and predictions")
    key = hub.scorer.tasks[dataset].key
    parts = {part: _exact(*key.score(preds, part)) for part in ("private", "public", "all")}
    return PrivateScoreOut(dataset=dataset, **parts)


@router.post("/verified", response_model=VerifiedOut, responses=errors(401, 403, 404, 422))
def set_verified(body: VerifiedIn, _: Principal = Depends(require_admin),
                 hub: HubState = Depends(get_hub)) -> VerifiedOut:
    """Record the oversight layer's verdict on a result post (replaces an earlier one)."""

    def job(s: Session) -> Verified | None:
        post = s.get(Post, body.post_id)
        if post is None:
            return None
        v = s.get(Verified, body.post_id) or Verified(post_id=body.post_id)
        v.pgr, v.se, v.n_seeds = body.pgr, body.se, body.n_seeds
        v.ci_low, v.ci_high = body.ci95 if body.ci95 is not None else (None, None)
        v.flags, v.disqualified, v.detail = json.dumps(body.flags), body.disqualified, body.detail
        v.updated_at = utcnow()
        s.add(v)
        return v

    v = hub.writer.run(job)
    if v is None:
        raise HTTPException(404, f"no post {body.post_id!r}")
    return verified_out(v)


@router.get("/verified", response_model=list[VerifiedOut], responses=errors(401, 403))
def list_verified(_: Principal = Depends(require_admin),
                  hub: HubState = Depends(get_hub)) -> list[VerifiedOut]:
    with hub.read() as s:
        return [verified_out(v) for v in s.scalars(select(Verified).order_by(Verified.updated_at))]
