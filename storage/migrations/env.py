"""Alembic environment: always given a live connection by storage.migrate."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise SystemExit("run migrations with `tongxin db upgrade`")

context.configure(
    connection=connection,
    # Only autogeneration compares: bot.schema hands it the gathered tables.
    target_metadata=context.config.attributes.get("metadata"),
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
