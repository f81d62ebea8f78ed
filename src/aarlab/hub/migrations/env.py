"""Alembic environment: run programmatically by `aarlab.hub.db.migrate` with a live connection."""

from __future__ import annotations

from alembic import context

from aarlab.hub.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run the hub's migrations through aarlab.hub.db.migrate(engine)")

context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
