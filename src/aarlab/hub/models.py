"""Database tables (SQLAlchemy 2 typed mappings). Internal columns; the API's models live in
`schemas.py` and are built field by field, so nothing here reaches a response by accident.

The schema itself is owned by the Alembic migrations in `migrations/versions/`; a test checks
that these mappings and the migrated database agree.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def new_id() -> str:
    return uuid.uuid4().hex


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class Researcher(Base):
    __tablename__ = "researchers"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    direction: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Token(Base):
    """Bearer tokens, stored as sha256 hex of the random token (never the token itself)."""

    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))  # admin | researcher
    researcher_id: Mapped[str | None] = mapped_column(ForeignKey("researchers.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Query(Base):
    """The append-only audit log: every submission attempt, accepted or rejected."""

    __tablename__ = "queries"
    __table_args__ = (
        Index("ix_queries_researcher_created", "researcher_id", "created_at"),
        Index("ix_queries_dataset_created", "dataset", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                    autoincrement=True)
    researcher_id: Mapped[str | None] = mapped_column(ForeignKey("researchers.id"), nullable=True)
    dataset: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_code: Mapped[int] = mapped_column(Integer)
    accepted: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    n_predictions: Mapped[int | None] = mapped_column(Integer, nullable=True)
    predictions: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # float32 LE
    raw_body: Mapped[str | None] = mapped_column(Text, nullable=True)  # when not parseable
    submission_id: Mapped[str | None] = mapped_column(String(32), nullable=True)


class Submission(Base):
    """An accepted, scored submission. Predictions live in its audit row (`query_id`)."""

    __tablename__ = "submissions"
    __table_args__ = (Index("ix_submissions_researcher_dataset", "researcher_id", "dataset",
                            "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    researcher_id: Mapped[str] = mapped_column(ForeignKey("researchers.id"))
    dataset: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    query_id: Mapped[int] = mapped_column(ForeignKey("queries.id"))
    snapshot_id: Mapped[str | None] = mapped_column(ForeignKey("snapshots.id"), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    reported_accuracy: Mapped[float] = mapped_column(Float)  # what the researcher was told
    reported_pgr: Mapped[float | None] = mapped_column(Float, nullable=True)
    improved: Mapped[bool] = mapped_column(Boolean)  # became the researcher's Ladder best
    public_accuracy: Mapped[float] = mapped_column(Float)  # exact; admin only


class Snapshot(Base):
    """A code snapshot (the tar.gz of its first upload), stored once per content id
    (`aarlab.snapshot.content_id`: the same files give the same id however they were packed)."""

    __tablename__ = "snapshots"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    files: Mapped[str] = mapped_column(Text)  # JSON listing [{path, size, type}]
    uploader_id: Mapped[str | None] = mapped_column(ForeignKey("researchers.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Post(Base):
    __tablename__ = "posts"
    __table_args__ = (Index("ix_posts_created", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    author_id: Mapped[str] = mapped_column(ForeignKey("researchers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[str] = mapped_column(Text, default="")  # space-separated; also in post_tags
    dataset: Mapped[str | None] = mapped_column(String(100), nullable=True)
    snapshot_id: Mapped[str | None] = mapped_column(ForeignKey("snapshots.id"), nullable=True)
    submission_id: Mapped[str | None] = mapped_column(ForeignKey("submissions.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class PostTag(Base):
    __tablename__ = "post_tags"

    post_id: Mapped[str] = mapped_column(ForeignKey("posts.id"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class Comment(Base):
    __tablename__ = "comments"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    post_id: Mapped[str] = mapped_column(ForeignKey("posts.id"), index=True)
    author_id: Mapped[str] = mapped_column(ForeignKey("researchers.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Vote(Base):
    __tablename__ = "votes"
    __table_args__ = (UniqueConstraint("post_id", "researcher_id", name="uq_votes_post_researcher"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    post_id: Mapped[str] = mapped_column(ForeignKey("posts.id"), index=True)
    researcher_id: Mapped[str] = mapped_column(ForeignKey("researchers.id"))
    value: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Verified(Base):
    """The oversight layer's verdict on one result post (filled by `POST /v1/admin/verified`)."""

    __tablename__ = "verified"

    post_id: Mapped[str] = mapped_column(ForeignKey("posts.id"), primary_key=True)
    pgr: Mapped[float | None] = mapped_column(Float, nullable=True)
    se: Mapped[float | None] = mapped_column(Float, nullable=True)
    ci_low: Mapped[float | None] = mapped_column(Float, nullable=True)
    ci_high: Mapped[float | None] = mapped_column(Float, nullable=True)
    n_seeds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    flags: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of strings
    disqualified: Mapped[bool] = mapped_column(Boolean, default=False)
    detail: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
