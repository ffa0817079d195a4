"""The migrations build exactly what the models declare, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bot.schema import metadata as gather
from handlers import FEATURES
from storage.db import Database

metadata = gather(FEATURES)


async def test_migrations_match_models(db_url: str) -> None:
    db = Database(db_url)
    try:
        async with db.engine.connect() as conn:

            def diff(sync_conn: object) -> list[object]:
                ctx = MigrationContext.configure(sync_conn)  # type: ignore[arg-type]
                return list(compare_metadata(ctx, metadata))

            changes = await conn.run_sync(diff)
    finally:
        await db.dispose()
    assert changes == [], f"models and migrations differ: {changes}"
