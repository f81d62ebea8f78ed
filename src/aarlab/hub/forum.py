"""Forum queries: full-text search on both backends, and posts as API models.

Search takes plain words (no query syntax) and matches posts that contain all of them, stemmed:
SQLite uses FTS5 (`porter unicode61`, ranked by bm25); PostgreSQL a stored tsvector
(`english`, title > tags > body weights) with `plainto_tsquery`, ranked by `ts_rank`.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Float, Select, String, func, literal_column, select, text
from sqlalchemy.orm import Session

from aarlab.hub.models import Comment, Post, PostTag, Researcher, Vote
from aarlab.hub.schemas import CommentOut, PostDetail, PostOut

_WORD = re.compile(r"\w+", re.UNICODE)


def search_words(q: str) -> list[str]:
    return _WORD.findall(q)[:32]


def _fts_sqlite(stmt: Select[Any], words: list[str]) -> Select[Any]:
    # Each word double-quoted: a phrase of one token, so no FTS5 operator can be injected.
    match = " ".join('"' + w.replace('"', "") + '"' for w in words)
    fts = (text("SELECT post_id, bm25(post_fts) AS rank FROM post_fts WHERE post_fts MATCH :m")
           .bindparams(m=match).columns(post_id=String, rank=Float).subquery("fts"))
    return stmt.join(fts, fts.c.post_id == Post.id).order_by(fts.c.rank, Post.created_at.desc())


def _fts_postgres(stmt: Select[Any], words: list[str]) -> Select[Any]:
    tsq = func.plainto_tsquery("english", " ".join(words))
    vec: ColumnElement[Any] = literal_column("posts.search")
    return stmt.where(vec.op("@@")(tsq)).order_by(func.ts_rank(vec, tsq).desc(),
                                                 Post.created_at.desc())


def find_posts(s: Session, q: str | None, kind: str | None, tag: str | None, author: str | None,
               since: datetime | None, dataset: str | None, limit: int, offset: int) -> list[PostOut]:
    stmt = select(Post).where(Post.deleted_at.is_(None))
    if kind is not None:
        stmt = stmt.where(Post.kind == kind)
    if tag is not None:
        stmt = stmt.where(Post.id.in_(select(PostTag.post_id).where(PostTag.tag == tag)))
    if author is not None:
        stmt = stmt.where(Post.author_id.in_(select(Researcher.id).where(
            (Researcher.name == author) | (Researcher.id == author))))
    if since is not None:
        stmt = stmt.where(Post.created_at >= since)
    if dataset is not None:
        stmt = stmt.where(Post.dataset == dataset)
    if q is not None and q.strip():
        words = search_words(q)
        if not words:
            return []
        dialect = s.get_bind().dialect.name
        stmt = _fts_postgres(stmt, words) if dialect == "postgresql" else _fts_sqlite(stmt, words)
    else:
        stmt = stmt.order_by(Post.created_at.desc())
    posts = list(s.scalars(stmt.limit(limit).offset(offset)))
    return posts_out(s, posts)


def posts_out(s: Session, posts: list[Post]) -> list[PostOut]:
    if not posts:
        return []
    ids = [p.id for p in posts]
    names = dict(s.execute(select(Researcher.id, Researcher.name).where(
        Researcher.id.in_({p.author_id for p in posts}))).tuples().all())
    scores = dict(s.execute(select(Vote.post_id, func.sum(Vote.value)).where(
        Vote.post_id.in_(ids)).group_by(Vote.post_id)).tuples().all())
    comments = dict(s.execute(select(Comment.post_id, func.count()).where(
        Comment.post_id.in_(ids)).group_by(Comment.post_id)).tuples().all())
    return [
        PostOut(id=p.id, author=names.get(p.author_id, p.author_id), author_id=p.author_id,
                kind=p.kind,  # type: ignore[arg-type]
                title=p.title, body=p.body, tags=p.tags.split() if p.tags else [],
                dataset=p.dataset, snapshot_id=p.snapshot_id, submission_id=p.submission_id,
                created_at=p.created_at, updated_at=p.updated_at,
                score=int(scores.get(p.id) or 0), n_comments=int(comments.get(p.id) or 0))
        for p in posts
    ]


def post_detail(s: Session, post: Post) -> PostDetail:
    out = posts_out(s, [post])[0]
    rows = s.execute(select(Comment, Researcher.name).join(Researcher, Comment.author_id == Researcher.id)
                     .where(Comment.post_id == post.id).order_by(Comment.created_at)).tuples().all()
    return PostDetail(**out.model_dump(), comments=[
        CommentOut(id=c.id, post_id=c.post_id, author=name, body=c.body, created_at=c.created_at)
        for c, name in rows])


def vote_score(s: Session, post_id: str) -> int:
    return int(s.scalar(select(func.coalesce(func.sum(Vote.value), 0)).where(
        Vote.post_id == post_id)) or 0)


def results_naming(s: Session, snapshot_id: str) -> list[tuple[str, str, str]]:
    """(post id, author id, author name) of the live result posts naming a snapshot, oldest first."""
    rows = s.execute(select(Post.id, Post.author_id, Researcher.name)
                     .join(Researcher, Researcher.id == Post.author_id)
                     .where(Post.snapshot_id == snapshot_id, Post.kind == "result",
                            Post.deleted_at.is_(None))
                     .order_by(Post.created_at, Post.id)).tuples().all()
    return list(rows)
