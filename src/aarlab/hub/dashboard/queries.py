"""Database reads for the dashboard. Only public (Ladder) values leave here: no labels, no
predictions, no exact accuracy (`Submission.public_accuracy` is never selected)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aarlab.hub.dashboard.report_view import ReportView
from aarlab.hub.forum import post_detail
from aarlab.hub.leaderboard import verified_out
from aarlab.hub.models import Comment, Post, Researcher, Snapshot, Submission, Verified, Vote
from aarlab.hub.schemas import PostDetail, SnapshotFile, VerifiedOut


@dataclass
class PublicSubmission:
    """A submission as the dashboard shows it: what its author was told, nothing more."""

    id: str
    researcher: str
    dataset: str
    created_at: datetime
    accuracy: float
    pgr: float | None
    improved: bool
    snapshot_id: str | None


@dataclass
class PostView:
    post: PostDetail
    submission: PublicSubmission | None
    verified: VerifiedOut | None


@dataclass
class VerifiedPoint:
    researcher: str
    post_id: str
    title: str
    t: float
    pgr: float
    ci95: tuple[float, float] | None


@dataclass
class PgrSeries:
    """One chart: every researcher's best public PGR over time, and verified points."""

    dataset: str
    researchers: list[str]
    x: list[float] = field(default_factory=list)  # unix seconds, sorted
    best: dict[str, list[float | None]] = field(default_factory=dict)  # aligned with x
    verified: list[VerifiedPoint] = field(default_factory=list)
    submissions: list[PublicSubmission] = field(default_factory=list)


def fingerprints(s: Session) -> dict[str, str]:
    posts = s.execute(select(func.count(), func.max(Post.created_at), func.max(Post.updated_at),
                             func.max(Post.deleted_at))).one()
    extra = (s.scalar(select(func.count()).select_from(Comment)),
             s.scalar(select(func.count()).select_from(Vote)),
             s.scalar(select(func.coalesce(func.sum(Vote.value), 0))))
    subs = s.execute(select(func.count(), func.max(Submission.created_at))).one()
    ver = s.execute(select(func.count(), func.max(Verified.updated_at))).one()
    return {"posts": repr((tuple(posts), extra)), "submissions": repr(tuple(subs)),
            "verified": repr(tuple(ver))}


def _public(sub: Submission, name: str) -> PublicSubmission:
    return PublicSubmission(id=sub.id, researcher=name, dataset=sub.dataset,
                            created_at=sub.created_at, accuracy=sub.reported_accuracy,
                            pgr=sub.reported_pgr, improved=sub.improved,
                            snapshot_id=sub.snapshot_id)


def post_view(s: Session, post_id: str) -> PostView | None:
    post = s.get(Post, post_id)
    if post is None or post.deleted_at is not None:
        return None
    sub = None
    if post.submission_id is not None:
        row = s.execute(select(Submission, Researcher.name)
                        .join(Researcher, Submission.researcher_id == Researcher.id)
                        .where(Submission.id == post.submission_id)).tuples().first()
        sub = None if row is None else _public(*row)
    v = s.get(Verified, post_id)
    return PostView(post_detail(s, post), sub, None if v is None else verified_out(v))


def snapshot_listing(s: Session, snapshot_id: str) -> list[SnapshotFile] | None:
    raw = s.scalar(select(Snapshot.files).where(Snapshot.id == snapshot_id))
    if raw is None:
        return None
    return sorted((SnapshotFile(**f) for f in json.loads(raw)), key=lambda f: f.path)


def snapshot_bytes(s: Session, snapshot_id: str) -> bytes | None:
    return s.scalar(select(Snapshot.data).where(Snapshot.id == snapshot_id))


def datasets_seen(s: Session) -> list[str]:
    return sorted(s.scalars(select(Submission.dataset).distinct()))


def pgr_series(s: Session, dataset: str, report: ReportView | None) -> PgrSeries:
    rows = s.execute(select(Submission, Researcher.name)
                     .join(Researcher, Submission.researcher_id == Researcher.id)
                     .where(Submission.dataset == dataset)
                     .order_by(Submission.created_at, Submission.query_id)).tuples().all()
    subs = [_public(sub, name) for sub, name in rows]
    names = sorted({p.researcher for p in subs})
    out = PgrSeries(dataset=dataset, researchers=names, submissions=subs)
    out.x = sorted({p.created_at.timestamp() for p in subs})
    index = {t: i for i, t in enumerate(out.x)}
    for name in names:
        best: float | None = None
        ys: list[float | None] = [None] * len(out.x)
        mine = {index[p.created_at.timestamp()]: p.pgr for p in subs if p.researcher == name}
        for i in range(len(out.x)):  # step function of the best public PGR so far
            value = mine.get(i)
            if value is not None and (best is None or value > best):
                best = value
            ys[i] = best
        out.best[name] = ys
    out.verified = _verified_points(s, dataset, report)
    return out


def _verified_points(s: Session, dataset: str, report: ReportView | None) -> list[VerifiedPoint]:
    sub_time = (select(Submission.created_at).where(Submission.id == Post.submission_id)
                .scalar_subquery())
    rows = s.execute(select(Verified, Post.title, Post.created_at, sub_time, Researcher.name)
                     .join(Post, Verified.post_id == Post.id)
                     .join(Researcher, Post.author_id == Researcher.id)
                     .where(Post.dataset == dataset, Post.deleted_at.is_(None))).tuples().all()
    points = []
    for v, title, posted, submitted, name in rows:
        if v.pgr is None:
            continue
        ci = None if v.ci_low is None or v.ci_high is None else (v.ci_low, v.ci_high)
        points.append(VerifiedPoint(name, v.post_id, title, (submitted or posted).timestamp(),
                                    v.pgr, ci))
    known = {p.post_id for p in points}
    for r in report.results if report is not None and report.dataset == dataset else []:
        if r.post.id in known or r.pgr.mean != r.pgr.mean or r.post.created_at is None:
            continue  # already in the table, NaN, or no time to place it at
        points.append(VerifiedPoint(r.post.author, r.post.id, r.post.title or r.method,
                                    r.post.created_at.timestamp(), r.pgr.mean, r.ci95))
    return sorted(points, key=lambda p: p.t)
