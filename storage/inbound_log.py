"""Recording inbound message keys: the statement every acknowledgement waits for.

A platform's callback is answered only once its (platform, msg_id) row is
committed, so this runs at the full callback rate. Through the ORM its cost
was mostly per row (two datetime and one JSON bind processor, insertmanyvalues
bookkeeping) plus, on SQLite, several thread hops per statement
(docs/BENCHMARKS.md, DingTalk callbacks). Here a batch is one statement in the
driver's own terms, committed on its own: a multi-row INSERT on SQLite (one
hop to aiosqlite's thread), an INSERT over unnest() arrays on PostgreSQL (one
round trip, one prepared statement for every batch size). Either answers with
the ids of the rows it inserted; a key already present answers nothing.

The connection comes from the engine's pool and is kept between batches; any
error gives it back invalidated, and the next batch takes a fresh one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy.ext.asyncio import AsyncConnection

from storage.db import Database
from storage.messaging import InboundMessage


class NewMessage(NamedTuple):
    platform: str
    msg_id: str
    # The message as JSON text, kept until it is handled (crash recovery).
    payload: str


_COLUMNS = "platform, msg_id, state, payload, received_at, lease_until, error"
_RETURNING = "ON CONFLICT (platform, msg_id) DO NOTHING RETURNING id, platform, msg_id"

_POSTGRES = (
    f"INSERT INTO inbound_messages ({_COLUMNS}) "
    "SELECT t.platform, t.msg_id, 'pending', t.payload::json, $4, $5, '' "
    "FROM unnest($1::varchar[], $2::varchar[], $3::text[]) AS t(platform, msg_id, payload) "
    + _RETURNING
)


@lru_cache(maxsize=512)
def _sqlite_statement(rows: int) -> str:
    # ?1 and ?2 are the batch's times; each row's three values follow. SQLite
    # prepares each batch size once (the driver caches statements by text).
    values = ",".join(
        f"(?{3 * i + 3},?{3 * i + 4},'pending',?{3 * i + 5},?1,?2,'')" for i in range(rows)
    )
    return f"INSERT INTO inbound_messages ({_COLUMNS}) VALUES {values} {_RETURNING}"


class InboundLog:
    """Owned by the ingest's writer task: one batch at a time."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._conn: AsyncConnection | None = None
        self._driver: Any = None
        table = InboundMessage.__table__
        dialect = db.engine.dialect
        # The same text the ORM would store for these columns, so reads through
        # the models compare and parse them alike.
        self._time: Callable[[datetime], Any] = _binder(table.c.received_at.type, dialect)

    async def record(
        self, rows: Sequence[NewMessage], now: datetime, lease_until: datetime
    ) -> dict[tuple[str, str], int]:
        """Insert the rows whose keys are new; their ids by (platform, msg_id).

        The keys in `rows` must be distinct.
        """
        if not rows:
            return {}
        async with self._db.write_turn(urgent=True):
            driver = await self._connect()
            try:
                if self._db.is_sqlite:
                    params: list[Any] = [self._time(now), self._time(lease_until)]
                    for row in rows:
                        params += row
                    found = await driver.execute_fetchall(_sqlite_statement(len(rows)), params)
                else:
                    found = await driver.fetch(
                        _POSTGRES,
                        [r.platform for r in rows],
                        [r.msg_id for r in rows],
                        [r.payload for r in rows],
                        self._time(now),
                        self._time(lease_until),
                    )
            except BaseException:
                await self.close(invalidate=True)
                raise
        return {(platform, msg_id): row_id for row_id, platform, msg_id in found}

    async def _connect(self) -> Any:
        if self._driver is None:
            conn = await self._db.engine.connect()
            try:
                raw = await conn.get_raw_connection()
            except BaseException:
                await conn.close()
                raise
            self._conn, self._driver = conn, raw.driver_connection
        return self._driver

    async def close(self, *, invalidate: bool = False) -> None:
        """Give the connection back; `invalidate` after an error, so the pool drops it."""
        conn, self._conn, self._driver = self._conn, None, None
        if conn is not None:
            if invalidate:
                await conn.invalidate()
            await conn.close()


def _binder(column_type: Any, dialect: Any) -> Callable[[Any], Any]:
    process = column_type.dialect_impl(dialect).bind_processor(dialect)
    return process if process is not None else (lambda value: value)
