"""How delivery is going, read from the database so every replica says the same.

Per platform: the backlog (messages due more than a minute ago and not
sent), what is being retried, what failed lately. /healthz, /metrics and the
console's deliveries page read it; `alert_delivery_trouble` tells the admins once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import texts
from bot.messages import Outgoing
from storage.messaging import InboundMessage, OutboxMessage
from storage.people import admin_chats

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger("tongxin.outbox")

# Waiting longer than this past its due time makes a message part of the backlog.
LATE = timedelta(minutes=1)
# A platform whose messages have failed this many attempts in a row is failing.
FAILING_ATTEMPTS = 3
RECENT = timedelta(days=1)
# Admins hear about delivery trouble at most this often; each failure once.
ALERT_EVERY = timedelta(hours=1)
ALERT_BATCH = "delivery-alert"


@dataclass
class PlatformHealth:
    backlog: int = 0
    retrying: int = 0
    failing: int = 0
    failed_recent: int = 0
    oldest_due: datetime | None = None

    @property
    def state(self) -> str:
        return "failing" if self.failing else "ok"


@dataclass
class Health:
    platforms: dict[str, PlatformHealth]
    inbound_backlog: int
    now: datetime

    @property
    def backlog(self) -> int:
        return sum(p.backlog for p in self.platforms.values())

    @property
    def degraded(self) -> bool:
        failing = any(p.failing for p in self.platforms.values())
        return failing or self.backlog > 0 or self.inbound_backlog > 0

    def as_json(self) -> dict[str, Any]:
        oldest = [p.oldest_due for p in self.platforms.values() if p.oldest_due is not None]
        return {
            "outbox": {
                "backlog": self.backlog,
                "retrying": sum(p.retrying for p in self.platforms.values()),
                "failed_24h": sum(p.failed_recent for p in self.platforms.values()),
                "oldest_due_seconds": round(_age(min(oldest), self.now), 1) if oldest else 0,
            },
            "inbound": {"backlog": self.inbound_backlog},
            "platforms": {
                name: {
                    "state": p.state,
                    "backlog": p.backlog,
                    "retrying": p.retrying,
                    "failed_24h": p.failed_recent,
                }
                for name, p in sorted(self.platforms.items())
            },
        }


def _age(moment: datetime, now: datetime) -> float:
    return max((now - moment).total_seconds(), 0.0)


async def delivery_health(session: AsyncSession, platforms: list[str], now: datetime) -> Health:
    """Backlog, retries and recent failures per platform (every platform named is listed)."""
    late = now - LATE
    overdue = or_(
        and_(OutboxMessage.state == "pending", OutboxMessage.next_attempt_at < late),
        and_(OutboxMessage.state == "sending", OutboxMessage.lease_until < now),
    )
    waiting = await session.execute(
        select(
            OutboxMessage.platform,
            func.sum(case((overdue, 1), else_=0)),
            func.sum(case((OutboxMessage.attempts > 0, 1), else_=0)),
            func.sum(case((OutboxMessage.attempts >= FAILING_ATTEMPTS, 1), else_=0)),
            func.min(case((overdue, OutboxMessage.next_attempt_at), else_=None)),
        )
        .where(OutboxMessage.state.in_(("pending", "sending")))
        .group_by(OutboxMessage.platform)
    )
    health = {name: PlatformHealth() for name in platforms}
    for platform, backlog, retrying, failing, oldest in waiting:
        p = health.setdefault(platform, PlatformHealth())
        p.backlog, p.retrying, p.failing = int(backlog or 0), int(retrying or 0), int(failing or 0)
        p.oldest_due = oldest
    failed = await session.execute(
        select(OutboxMessage.platform, func.count())
        .where(OutboxMessage.state == "failed", OutboxMessage.failed_at >= now - RECENT)
        .group_by(OutboxMessage.platform)
    )
    for platform, n in failed:
        health.setdefault(platform, PlatformHealth()).failed_recent = int(n)
    inbound = await session.scalar(
        select(func.count())
        .select_from(InboundMessage)
        .where(InboundMessage.state == "pending", InboundMessage.received_at < late)
    )
    return Health(health, int(inbound or 0), now)


async def alert_delivery_trouble(rt: Runtime) -> None:
    """Tell the admins, once, about messages given up or being retried for a while.

    Each such message is in one alert only (`alerted_at`), and alerts come at
    most once an hour: what fails meanwhile goes into the next one. The
    alerts themselves are never reported, so a failing platform cannot make
    a loop of them.
    """
    now = rt.clock.now()
    platforms = list(rt.outbox.deliverers)
    unreported = and_(
        OutboxMessage.alerted_at.is_(None),
        OutboxMessage.batch != ALERT_BATCH,
        OutboxMessage.platform.in_(platforms),
        or_(
            OutboxMessage.state == "failed",
            and_(
                OutboxMessage.state == "pending",
                OutboxMessage.attempts >= FAILING_ATTEMPTS,
            ),
        ),
    )
    counting = (
        select(OutboxMessage.platform, OutboxMessage.state, func.count())
        .where(unreported)
        .group_by(OutboxMessage.platform, OutboxMessage.state)
    )
    async with rt.db.reading() as session:
        if not (await session.execute(counting)).first():
            return  # nothing to tell, and no write lock taken to find it out
    async with rt.db.transaction() as session:
        summary: dict[str, dict[str, int]] = {}
        for platform, state, n in await session.execute(counting):
            summary.setdefault(platform, {})[state] = int(n)
        if not summary:
            return
        last = await session.scalar(
            select(func.max(OutboxMessage.created_at)).where(OutboxMessage.batch == ALERT_BATCH)
        )
        if last is not None and now - last < ALERT_EVERY:
            return
        people = [
            (p, u) for p, u in await admin_chats(session, rt.settings.admins) if p in platforms
        ]
        if not people:
            log.warning("messages could not be delivered and no admin can be told: %s", summary)
        link = f"{rt.settings.public_url}/console/deliveries" if rt.settings.public_url else ""
        text = texts.delivery_alert(summary, link)
        stamp = now.strftime("%Y%m%d%H%M")
        await rt.send(
            session,
            [
                Outgoing.direct(
                    platform,
                    user,
                    text,
                    key=f"{ALERT_BATCH}:{stamp}:{platform}:{user}",
                    batch=ALERT_BATCH,
                )
                for platform, user in people
            ],
        )
        await session.execute(update(OutboxMessage).where(unreported).values(alerted_at=now))
