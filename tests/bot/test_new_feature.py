"""A new feature is one folder plus one line in the feature list (tests/bot/notes)."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from bot.person_data import walk
from bot.schema import metadata, migrate
from handlers import FEATURES
from storage.db import Database
from tests.bot import notes
from tests.bot.notes.models import Note as notes_table
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

        # What it holds about a person is in their export, and goes with them.
        found = await walk.export(chat.db, features, "local:t1", chat.clock.now())
        held = [s.rows for s in found.sections if s.title == "便签"]
        assert [[r["内容"] for r in rows] for rows in held] == [["周五带党员证"]]
        who = await walk.lookup(chat.db, features, "local:t1")
        done = (await walk.erase(chat.db, features, who)).done
        assert [(d.what, d.n, d.how.value) for d in done if d.what == "便签"] == [
            ("便签", 1, "deleted")
        ]
        async with chat.db.reading() as s:
            assert await s.scalar(select(func.count()).select_from(notes_table)) == 0
    finally:
        await chat.stop()
