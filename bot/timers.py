"""Timers: a feature sets one for (event, ref, due_at); at due time its hook runs once.

    await set_timer(ctx.session, "poll.close", str(poll.id), deadline)

    @feature.on("poll.close")
    async def close(job: JobContext, ref: str) -> None:
        ...
        job.to_group("local", chat_id, "投票已截止", key=f"poll:{ref}:closed")

The hook runs inside the transaction that marks the timer fired, so its
effects, its messages and the firing commit together or not at all.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.messages import Outgoing
from bot.runtime import Runtime
from storage.timers import Timer
from storage.upsert import insert_for, on_conflict

log = logging.getLogger("tongxin.timers")


@dataclass
class JobContext:
    """What a timer hook or a periodic job gets: a transaction and a way to speak."""

    session: AsyncSession
    runtime: Runtime
    now: datetime
    due_at: datetime | None = None
    out: list[Outgoing] = field(default_factory=list)

    def to_group(
        self,
        platform: str,
        chat_id: str,
        text: str,
        *,
        key: str,
        mentions: list[str] | None = None,
        markdown: bool = False,
        batch: str = "",
    ) -> None:
        self.out.append(
            Outgoing(
                platform=platform,
                chat_type="group",
                chat_id=chat_id,
                text=text,
                key=key,
                mentions=mentions or [],
                markdown=markdown,
                batch=batch,
            )
        )

    def to_person(
        self,
        platform: str,
        user_id: str,
        text: str,
        *,
        key: str,
        sensitive: bool = False,
        batch: str = "",
    ) -> None:
        self.out.append(
            Outgoing(
                platform=platform,
                chat_type="direct",
                chat_id=user_id,
                text=text,
                key=key,
                sensitive=sensitive,
                batch=batch,
            )
        )


async def set_timer(session: AsyncSession, event: str, ref: str, due_at: datetime) -> None:
    stmt = insert_for(session, Timer.__table__).values(  # type: ignore[arg-type]
        event=event, ref=ref, due_at=due_at, state="pending"
    )
    await session.execute(on_conflict(stmt, ["event", "ref", "due_at"]))


async def cancel_timers(session: AsyncSession, event: str, ref: str) -> None:
    await session.execute(
        delete(Timer).where(Timer.event == event, Timer.ref == ref, Timer.state == "pending")
    )


async def fire_due(rt: Runtime, limit: int = 100) -> int:
    """Fire timers that are due, one transaction each; the number fired."""
    fired = 0
    while fired < limit:
        async with rt.db.transaction() as session:
            now = rt.clock.now()
            pick = (
                select(Timer)
                .where(Timer.state == "pending", Timer.due_at <= now)
                .order_by(Timer.due_at, Timer.id)
                .limit(1)
            )
            if not rt.db.is_sqlite:
                pick = pick.with_for_update(skip_locked=True)
            timer = await session.scalar(pick)
            if timer is None:
                break
            await session.execute(
                update(Timer).where(Timer.id == timer.id).values(state="fired", fired_at=now)
            )
            job = JobContext(session, rt, now, due_at=timer.due_at)
            results: list[Any] = await rt.emit(timer.event, job, timer.ref)
            if not results:
                log.warning("timer %s for %s has no listener", timer.event, timer.ref)
            await rt.send(session, job.out)
        fired += 1
    return fired
