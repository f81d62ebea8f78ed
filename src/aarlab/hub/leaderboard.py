"""The leaderboard: each researcher's Ladder best (public part) and its verified column."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aarlab.hub.models import Post, Researcher, Submission, Verified
from aarlab.hub.schemas import LeaderboardRow, PublicScore, VerifiedOut


def verified_out(v: Verified) -> VerifiedOut:
    ci = None if v.ci_low is None or v.ci_high is None else (v.ci_low, v.ci_high)
    return VerifiedOut(post_id=v.post_id, pgr=v.pgr, se=v.se, ci95=ci, n_seeds=v.n_seeds,
                       flags=list(json.loads(v.flags)), disqualified=v.disqualified,
                       detail=v.detail, updated_at=v.updated_at)


def _best_verified(rows: list[Verified]) -> Verified | None:
    """Prefer results without a disqualifying flag, then the highest verified PGR."""
    if not rows:
        return None
    return max(rows, key=lambda v: (not v.disqualified, v.pgr if v.pgr is not None else -1e9))


def leaderboard_rows(s: Session, dataset: str) -> list[LeaderboardRow]:
    counts = dict(s.execute(select(Submission.researcher_id, func.count())
                            .where(Submission.dataset == dataset)
                            .group_by(Submission.researcher_id)).tuples().all())
    best: dict[str, Submission] = {}
    for sub in s.scalars(select(Submission).where(Submission.dataset == dataset,
                                                  Submission.improved.is_(True))
                         .order_by(Submission.created_at, Submission.query_id)):
        best[sub.researcher_id] = sub  # the latest improvement is the Ladder best
    verified: dict[str, list[Verified]] = {}
    for v, author in s.execute(select(Verified, Post.author_id).join(Post, Verified.post_id == Post.id)
                               .where(Post.dataset == dataset, Post.deleted_at.is_(None))).tuples():
        verified.setdefault(author, []).append(v)
    names = dict(s.execute(select(Researcher.id, Researcher.name)
                           .where(Researcher.id.in_(list(best)))).tuples().all())
    rows = []
    for rid, sub in best.items():
        bv = _best_verified(verified.get(rid, []))
        rows.append(LeaderboardRow(
            researcher=names.get(rid, rid), researcher_id=rid, dataset=dataset,
            public=PublicScore(accuracy=sub.reported_accuracy, pgr=sub.reported_pgr),
            best_submission_id=sub.id, submissions=int(counts.get(rid, 0)),
            verified=None if bv is None else verified_out(bv)))
    rows.sort(key=lambda r: -(r.public.pgr if r.public.pgr is not None else r.public.accuracy))
    return rows
