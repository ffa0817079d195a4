"""Forgetting the message path's personal data once it is old (TONGXIN_RETENTION_DAYS).

What goes, once older than the cutoff: inbound message keys (their payloads
were wiped when handled; a platform retries for minutes, not months),
conversation states, and delivered outbox rows. Console uploads nobody
confirmed (a roster's rows, kept for its preview) go once expired. Delivered rows of a batch (a
broadcast's messages, whose counts are its delivery report) stay as counts:
their body and, for a person, the recipient are wiped. Ledgers and results
live in the features' own tables and are not touched.

Rows go in slices, each its own transaction, so the SQLite writer lock is
never held long. On SQLite the freed pages are overwritten (secure_delete) and
the WAL is truncated afterwards: what is forgotten is gone from the files too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Text, cast, delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from storage.console import ConsoleLink
from storage.db import Database
from storage.messaging import ConversationState, InboundMessage, OutboxMessage

SLICE = 2000
DELIVERED = ("sent", "failed")


@dataclass
class Purged:
    inbound: int = 0
    conversations: int = 0
    outbox: int = 0
    outbox_wiped: int = 0
    uploads: int = 0

    def __bool__(self) -> bool:
        return bool(
            self.inbound or self.conversations or self.outbox or self.outbox_wiped or self.uploads
        )


async def purge(
    db: Database, cutoff: datetime, wiped_body: dict[str, Any], now: datetime
) -> Purged:
    """Forget what is older than `cutoff`, and uploads expired at `now`; kept batch
    rows get `wiped_body`."""
    done = Purged()
    old_inbound = select(InboundMessage.id).where(
        InboundMessage.received_at < cutoff, InboundMessage.state != "pending"
    )
    done.inbound = await _delete_all(db, InboundMessage, old_inbound)
    old_states = select(ConversationState.id).where(ConversationState.updated_at < cutoff)
    done.conversations = await _delete_all(db, ConversationState, old_states)
    delivered_long_ago = (
        OutboxMessage.state.in_(DELIVERED),
        func.coalesce(OutboxMessage.sent_at, OutboxMessage.created_at) < cutoff,
    )
    unbatched = select(OutboxMessage.id).where(*delivered_long_ago, OutboxMessage.batch == "")
    done.outbox = await _delete_all(db, OutboxMessage, unbatched)
    wiped = json.dumps(wiped_body)
    batched = select(OutboxMessage.id).where(
        *delivered_long_ago,
        OutboxMessage.batch != "",
        # The JSON as stored (text on SQLite, `json` keeps it verbatim on
        # PostgreSQL), so a row is wiped once, not at every pass.
        cast(OutboxMessage.body, Text) != wiped,
    )
    done.outbox_wiped = await _in_slices(db, batched, _wipe(wiped_body))
    expired = select(ConsoleLink.id).where(
        ConsoleLink.purpose == "upload", ConsoleLink.expires_at <= now
    )
    done.uploads = await _delete_all(db, ConsoleLink, expired)
    if done and db.is_sqlite:
        await _truncate_wal(db)
    return done


async def _delete_all(db: Database, model: Any, ids: Select[Any]) -> int:
    async def go(session: AsyncSession, found: list[int]) -> None:
        await session.execute(delete(model).where(model.id.in_(found)))

    return await _in_slices(db, ids, go)


def _wipe(body: dict[str, Any]) -> Any:
    async def go(session: AsyncSession, found: list[int]) -> None:
        rows = OutboxMessage.id.in_(found)
        await session.execute(update(OutboxMessage).where(rows).values(body=body))
        await session.execute(
            update(OutboxMessage)
            .where(rows, OutboxMessage.chat_type == "direct")
            .values(chat_id="", last_error="")
        )

    return go


async def _in_slices(db: Database, ids: Select[Any], act: Any) -> int:
    total = 0
    while True:
        # Looked for without the write lock: most passes find nothing.
        async with db.reading() as session:
            found = list(await session.scalars(ids.limit(SLICE)))
        if not found:
            return total
        async with db.transaction() as session:
            if db.is_sqlite:
                await session.execute(text("PRAGMA secure_delete = ON"))
            await act(session, found)
            if db.is_sqlite:
                await session.execute(text("PRAGMA secure_delete = OFF"))
        total += len(found)
        if len(found) < SLICE:
            return total


async def _truncate_wal(db: Database) -> None:
    """Copy the WAL into the database and empty it: the old pages leave the -wal file."""
    async with db.write_turn(), db.engine.connect() as conn:
        raw = await conn.get_raw_connection()
        driver: Any = raw.driver_connection  # aiosqlite's, outside any transaction
        await driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
