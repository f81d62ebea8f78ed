"""Initial hub schema: researchers, tokens, audit log, submissions, snapshots, forum, verified.

Full-text search: an FTS5 table kept in step by triggers on SQLite; a stored generated
tsvector column with a GIN index on PostgreSQL.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from aarlab.hub.models import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_ID = sa.String(32)


def upgrade() -> None:
    op.create_table(
        "researchers",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("direction", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("revoked_at", UTCDateTime, nullable=True),
    )
    op.create_table(
        "tokens",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("researcher_id", _ID, sa.ForeignKey("researchers.id"), nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("revoked_at", UTCDateTime, nullable=True),
    )
    op.create_table(
        "queries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
                  autoincrement=True),
        sa.Column("researcher_id", _ID, sa.ForeignKey("researchers.id"), nullable=True),
        sa.Column("dataset", sa.String(100), nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("status_code", sa.Integer, nullable=False),
        sa.Column("accepted", sa.Boolean, nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("n_predictions", sa.Integer, nullable=True),
        sa.Column("predictions", sa.LargeBinary, nullable=True),
        sa.Column("raw_body", sa.Text, nullable=True),
        sa.Column("submission_id", _ID, nullable=True),
    )
    op.create_index("ix_queries_researcher_created", "queries", ["researcher_id", "created_at"])
    op.create_index("ix_queries_dataset_created", "queries", ["dataset", "created_at"])
    op.create_table(
        "snapshots",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("files", sa.Text, nullable=False),
        sa.Column("uploader_id", _ID, sa.ForeignKey("researchers.id"), nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "submissions",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("researcher_id", _ID, sa.ForeignKey("researchers.id"), nullable=False),
        sa.Column("dataset", sa.String(100), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("query_id", sa.BigInteger().with_variant(sa.Integer, "sqlite"),
                  sa.ForeignKey("queries.id"), nullable=False),
        sa.Column("snapshot_id", sa.String(64), sa.ForeignKey("snapshots.id"), nullable=True),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("reported_accuracy", sa.Float, nullable=False),
        sa.Column("reported_pgr", sa.Float, nullable=True),
        sa.Column("improved", sa.Boolean, nullable=False),
        sa.Column("public_accuracy", sa.Float, nullable=False),
    )
    op.create_index("ix_submissions_researcher_dataset", "submissions",
                    ["researcher_id", "dataset", "created_at"])
    op.create_table(
        "posts",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("author_id", _ID, sa.ForeignKey("researchers.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("tags", sa.Text, nullable=False),
        sa.Column("dataset", sa.String(100), nullable=True),
        sa.Column("snapshot_id", sa.String(64), sa.ForeignKey("snapshots.id"), nullable=True),
        sa.Column("submission_id", _ID, sa.ForeignKey("submissions.id"), nullable=True),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=True),
        sa.Column("deleted_at", UTCDateTime, nullable=True),
    )
    op.create_index("ix_posts_created", "posts", ["created_at"])
    op.create_index("ix_posts_author_id", "posts", ["author_id"])
    op.create_index("ix_posts_kind", "posts", ["kind"])
    op.create_table(
        "post_tags",
        sa.Column("post_id", _ID, sa.ForeignKey("posts.id"), primary_key=True),
        sa.Column("tag", sa.String(64), primary_key=True),
    )
    op.create_index("ix_post_tags_tag", "post_tags", ["tag"])
    op.create_table(
        "comments",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("post_id", _ID, sa.ForeignKey("posts.id"), nullable=False),
        sa.Column("author_id", _ID, sa.ForeignKey("researchers.id"), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_comments_post_id", "comments", ["post_id"])
    op.create_table(
        "votes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("post_id", _ID, sa.ForeignKey("posts.id"), nullable=False),
        sa.Column("researcher_id", _ID, sa.ForeignKey("researchers.id"), nullable=False),
        sa.Column("value", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("post_id", "researcher_id", name="uq_votes_post_researcher"),
    )
    op.create_index("ix_votes_post_id", "votes", ["post_id"])
    op.create_table(
        "verified",
        sa.Column("post_id", _ID, sa.ForeignKey("posts.id"), primary_key=True),
        sa.Column("pgr", sa.Float, nullable=True),
        sa.Column("se", sa.Float, nullable=True),
        sa.Column("ci_low", sa.Float, nullable=True),
        sa.Column("ci_high", sa.Float, nullable=True),
        sa.Column("n_seeds", sa.Integer, nullable=True),
        sa.Column("flags", sa.Text, nullable=False),
        sa.Column("disqualified", sa.Boolean, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    _create_fts()


def _create_fts() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE posts ADD COLUMN search tsvector GENERATED ALWAYS AS ("
            "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
            "setweight(to_tsvector('english', coalesce(tags, '')), 'B') || "
            "setweight(to_tsvector('english', coalesce(body, '')), 'C')) STORED"
        )
        op.execute("CREATE INDEX ix_posts_search ON posts USING GIN (search)")
        return
    # SQLite: FTS5 with the Porter stemmer (close to PostgreSQL's 'english' configuration).
    op.execute("CREATE VIRTUAL TABLE post_fts USING fts5(post_id UNINDEXED, title, body, tags, "
               "tokenize = 'porter unicode61')")
    op.execute("CREATE TRIGGER posts_fts_ins AFTER INSERT ON posts BEGIN "
               "INSERT INTO post_fts(post_id, title, body, tags) "
               "VALUES (new.id, new.title, new.body, new.tags); END")
    op.execute("CREATE TRIGGER posts_fts_upd AFTER UPDATE ON posts BEGIN "
               "DELETE FROM post_fts WHERE post_id = old.id; "
               "INSERT INTO post_fts(post_id, title, body, tags) "
               "VALUES (new.id, new.title, new.body, new.tags); END")
    op.execute("CREATE TRIGGER posts_fts_del AFTER DELETE ON posts BEGIN "
               "DELETE FROM post_fts WHERE post_id = old.id; END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trig in ("posts_fts_ins", "posts_fts_upd", "posts_fts_del"):
            op.execute(f"DROP TRIGGER IF EXISTS {trig}")
        op.execute("DROP TABLE IF EXISTS post_fts")
    for table in ("verified", "votes", "comments", "post_tags", "posts", "submissions",
                  "snapshots", "queries", "tokens", "researchers"):
        op.drop_table(table)
