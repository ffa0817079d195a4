"""Migration 0850 on both databases: quotas made when every quota was monthly take the
cadence their title names, the months they recorded become those periods, once each, and
meetings keep not counting 调休 weekends."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import make_url, text

from bot.schema import locations
from handlers import FEATURES
from storage.db import Database
from storage.migrate import upgrade


@pytest.fixture
async def empty_db(db_url: str, tmp_path: Path) -> AsyncIterator[Database]:
    """A database with no tables at all, of the same kind as `db_url`."""
    if db_url.startswith("sqlite"):
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
        yield db
        await db.dispose()
        return
    server = Database(db_url)
    name = f"mig_{uuid.uuid4().hex[:12]}"
    async with server.engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    db = Database(make_url(db_url).set(database=name).render_as_string(hide_password=False))
    try:
        yield db
    finally:
        await db.dispose()
        async with server.engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(f'DROP DATABASE "{name}"'))
        await server.dispose()


async def test_monthly_quotas_take_their_cadence(empty_db: Database) -> None:
    db = empty_db
    await upgrade(db, "0610")
    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC).replace(tzinfo=None)
    async with db.engine.begin() as conn:
        await conn.execute(text("INSERT INTO units (id, name, kind) VALUES (1, '一支部', 'x')"))
        for item_id, title in ((1, "党员大会"), (2, "政治学习"), (3, "读书会"), (4, "组织生活会")):
            await conn.execute(
                text(
                    "INSERT INTO monthly_items (id, unit_id, title, platform, user_id, created_at)"
                    " VALUES (:i, 1, :t, 'local', 'sec1', :n)"
                ),
                {"i": item_id, "t": title, "n": now},
            )
        await conn.execute(
            text(
                "INSERT INTO meetings (unit_id, title, rrule, place, duration_minutes, offsets,"
                " holiday_policy, targets, created_at) VALUES (1, '支委会', :r, '', 90, '[60]',"
                " 'next', '[]', :n)"
            ),
            {"r": "DTSTART;TZID=Asia/Shanghai:20261204T150000\nRRULE:FREQ=WEEKLY", "n": now},
        )
        done = [(1, "2026-10"), (1, "2026-11"), (1, "2026-07"), (2, "2026-11"), (3, "2026-11")]
        done += [(4, "2026-12"), (4, "2027-01"), (4, "2026-05")]
        for item_id, month in done:
            await conn.execute(
                text(
                    "INSERT INTO monthly_done (item_id, month, recorded_by, recorded_at)"
                    " VALUES (:i, :m, 'local:sec1', :n)"
                ),
                {"i": item_id, "m": month, "n": now},
            )
    await upgrade(db, locations=locations(FEATURES))
    async with db.engine.connect() as conn:
        cadences = dict((await conn.execute(text("SELECT id, cadence FROM monthly_items"))).all())
        periods = {
            (i, m) for i, m in await conn.execute(text("SELECT item_id, month FROM monthly_done"))
        }
        swapped = await conn.scalar(text("SELECT swapped_workdays FROM meetings"))
    assert cadences == {1: "dangyuan_dahui", 2: "zhengzhi_xuexi", 3: "", 4: "zuzhi_shenghuohui"}
    assert periods == {
        (1, "2026-Q4"),
        (1, "2026-Q3"),
        (2, "2026-11"),
        (3, "2026-11"),
        (4, "2026"),
        # May is in no 组织生活会 season: kept as it was, counting for nothing.
        (4, "2026-05"),
    }
    # Meetings made before the choice existed keep the default: 调休 weekends do not count.
    assert swapped is False or swapped == 0
