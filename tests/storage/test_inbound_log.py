"""The acknowledgement's one statement: ids for new keys, none for known ones."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from storage.db import Database
from storage.inbound_log import InboundLog, NewMessage
from storage.messaging import InboundMessage

NOW = datetime(2026, 11, 25, 12, 0, 0, 0, tzinfo=UTC)


@asynccontextmanager
async def opened(url: str) -> AsyncIterator[tuple[Database, InboundLog]]:
    db = Database(url)
    log = InboundLog(db)
    try:
        yield db, log
    finally:
        await log.close()
        await db.dispose()


def rows(*ids: str) -> list[NewMessage]:
    return [
        NewMessage("dingtalk", msg_id, json.dumps({"text": f"你好 {msg_id}"}, ensure_ascii=False))
        for msg_id in ids
    ]


async def test_new_keys_get_ids_and_known_keys_none(db_url: str) -> None:
    async with opened(db_url) as (db, log):
        first = await log.record(rows("a", "b"), NOW, NOW + timedelta(seconds=30))
        assert set(first) == {("dingtalk", "a"), ("dingtalk", "b")}
        again = await log.record(rows("b", "c"), NOW, NOW + timedelta(seconds=30))
        assert set(again) == {("dingtalk", "c")}
        assert len(set(first.values()) | set(again.values())) == 3
        async with db.reading() as s:
            stored = (await s.scalars(select(InboundMessage).order_by(InboundMessage.msg_id))).all()
        assert [m.msg_id for m in stored] == ["a", "b", "c"]
        a = stored[0]
        assert a.id == first[("dingtalk", "a")]
        assert a.state == "pending" and a.error == "" and a.handled_at is None
        assert a.payload == {"text": "你好 a"}
        # Written as the ORM writes them, so the recovery query compares alike.
        assert a.received_at == NOW and a.lease_until == NOW + timedelta(seconds=30)
        async with db.reading() as s:
            due = await s.scalars(
                select(InboundMessage.msg_id).where(
                    InboundMessage.lease_until < NOW + timedelta(seconds=31)
                )
            )
            assert sorted(due) == ["a", "b", "c"]


async def test_microseconds_compare_as_the_orm_writes_them(db_url: str) -> None:
    """SQLite keeps times as text: a time with microseconds and one without must sort right."""
    exact = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)
    async with opened(db_url) as (db, log):
        await log.record(rows("x"), exact, exact)
        async with db.reading() as s:
            later = await s.scalars(
                select(InboundMessage.msg_id).where(
                    InboundMessage.lease_until < exact + timedelta(microseconds=1)
                )
            )
            assert list(later) == ["x"]


async def test_a_lost_connection_costs_one_batch(pg_url: str) -> None:
    async with opened(pg_url) as (db, log):
        await log.record(rows("before"), NOW, NOW)
        async with db.transaction() as s:
            # Every other backend of this database: the log's kept connection.
            await s.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
        with pytest.raises(Exception):  # noqa: B017 - whichever error the driver raises
            await log.record(rows("lost"), NOW, NOW)
        assert set(await log.record(rows("lost", "after"), NOW, NOW)) == {
            ("dingtalk", "lost"),
            ("dingtalk", "after"),
        }
