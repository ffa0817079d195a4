"""A new feature is one folder plus one line in the feature list (tests/bot/notes)."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bot.schema import metadata, migrate
from handlers import FEATURES
from storage.db import Database
from tests.bot import notes
from tests.conftest import START
from tests.harness import ChatHarness


async def test_a_feature_brings_its_table_migration_and_command(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'notes.db'}"
    features = [*FEATURES, notes.feature]
    db = Database(url)
    try:
        await migrate(db, features)
        async with db.engine.connect() as conn:

            def diff(sync_conn: object) -> list[object]:
                ctx = MigrationContext.configure(sync_conn)  # type: ignore[arg-type]
                return list(compare_metadata(ctx, metadata(features)))

            assert await conn.run_sync(diff) == []
    finally:
        await db.dispose()
    chat = ChatHarness(url, START, tmp_path, features=features)
    await chat.start()
    try:
        t = chat.user("t1", "王老师")
        await t.says("/便签 记 周五带党员证")
        t.hears("记下了")
        await t.says("/便签")
        t.hears("1. 周五带党员证")
        await t.says("/帮助")
        t.hears("/便签")
    finally:
        await chat.stop()
