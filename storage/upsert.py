"""INSERT … ON CONFLICT for whichever of the two databases is in use."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

UpsertInsert = postgresql.Insert | sqlite.Insert


def insert_for(session: AsyncSession, table: Table) -> UpsertInsert:
    bind = session.bind
    if bind is not None and bind.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def on_conflict(
    stmt: UpsertInsert, keys: Sequence[str], update: dict[str, Any] | None = None
) -> UpsertInsert:
    """Add ON CONFLICT (keys) DO NOTHING, or DO UPDATE SET update."""
    if update:
        return stmt.on_conflict_do_update(index_elements=list(keys), set_=update)
    return stmt.on_conflict_do_nothing(index_elements=list(keys))
