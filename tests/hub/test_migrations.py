"""The Alembic migrations build exactly the schema the SQLAlchemy models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from aarlab.hub.db import make_engine, migrate
from aarlab.hub.models import Base


def test_migrations_match_models(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        migrate(engine)
        migrate(engine)  # idempotent: a restarted hub migrates again
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        # the full-text index lives outside the models (FTS5 table / tsvector column)
        diff = [d for d in diff if "post_fts" not in str(d) and "search" not in str(d)]
        assert diff == []
    finally:
        engine.dispose()
