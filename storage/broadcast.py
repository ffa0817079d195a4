"""Admin broadcasts: who sent what, when, to which groups; progress lives in the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import String, Text, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base
from storage.messaging import OutboxMessage
from storage.models import ChatGroup, GroupCredential

SCOPE_CHARS = 200
NAME_CHARS = 64


class Broadcast(Base):
    """One confirmed broadcast. Its messages are outbox rows of batch `broadcast:<id>`."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    # How the admin chose the groups, as shown back to them ("全部群", "一支部").
    scope: Mapped[str] = mapped_column(String(SCOPE_CHARS), default="")
    group_count: Mapped[int] = mapped_column(default=0)
    created_by: Mapped[str] = mapped_column(String(160))
    created_by_name: Mapped[str] = mapped_column(String(NAME_CHARS), default="")
    created_at: Mapped[datetime]


@dataclass(frozen=True)
class Target:
    """Which groups a broadcast goes to; empty fields do not narrow."""

    unit_ids: tuple[int, ...] = ()
    platform: str = ""
    # Chat ids or group titles, as the admin wrote them.
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class GroupRef:
    platform: str
    chat_id: str
    title: str


def batch_name(broadcast_id: int) -> str:
    return f"broadcast:{broadcast_id}"


def message_key(broadcast_id: int, platform: str, chat_id: str) -> str:
    return f"broadcast:{broadcast_id}:{platform}:{chat_id}"


async def target_groups(session: AsyncSession, target: Target) -> list[GroupRef]:
    stmt = select(ChatGroup.platform, ChatGroup.chat_id, ChatGroup.title)
    if target.unit_ids:
        stmt = stmt.where(ChatGroup.unit_id.in_(target.unit_ids))
    if target.platform:
        stmt = stmt.where(ChatGroup.platform == target.platform)
    if target.groups:
        stmt = stmt.where(
            or_(ChatGroup.chat_id.in_(target.groups), ChatGroup.title.in_(target.groups))
        )
    rows = await session.execute(stmt.order_by(ChatGroup.platform, ChatGroup.id))
    return [GroupRef(p, c, t) for p, c, t in rows]


async def known_platforms(session: AsyncSession) -> list[str]:
    rows = await session.scalars(select(ChatGroup.platform).distinct())
    return sorted(rows)


async def record(
    session: AsyncSession,
    *,
    text: str,
    scope: str,
    group_count: int,
    by: str,
    by_name: str,
    now: datetime,
) -> Broadcast:
    row = Broadcast(
        text=text,
        scope=scope,
        group_count=group_count,
        created_by=by,
        created_by_name=by_name,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    return row


async def get(session: AsyncSession, broadcast_id: int | None) -> Broadcast | None:
    """A broadcast by id, or the latest one."""
    if broadcast_id is not None:
        return await session.get(Broadcast, broadcast_id)
    return await session.scalar(select(Broadcast).order_by(Broadcast.id.desc()).limit(1))


async def recent(session: AsyncSession, limit: int = 10) -> list[Broadcast]:
    rows = await session.scalars(select(Broadcast).order_by(Broadcast.id.desc()).limit(limit))
    return list(rows)


@dataclass
class Undelivered:
    platform: str
    chat_id: str
    title: str
    state: str
    attempts: int
    error: str


@dataclass
class Progress:
    sent: int = 0
    pending: int = 0
    retrying: int = 0
    failed: int = 0
    # The first few groups not yet reached, with the outbox's last error.
    failed_groups: list[Undelivered] = field(default_factory=list)
    pending_groups: list[Undelivered] = field(default_factory=list)


async def progress(session: AsyncSession, broadcast_id: int, show: int = 10) -> Progress:
    batch = batch_name(broadcast_id)
    tried = OutboxMessage.attempts > 0
    counts = await session.execute(
        select(OutboxMessage.state, tried, func.count())
        .where(OutboxMessage.batch == batch)
        .group_by(OutboxMessage.state, tried)
    )
    result = Progress()
    for state, was_tried, n in counts:
        if state == "sent":
            result.sent += n
        elif state == "failed":
            result.failed += n
        else:
            result.pending += n
            if was_tried:
                result.retrying += n
    if result.failed:
        result.failed_groups = await _undelivered(session, batch, ["failed"], show)
    if result.pending:
        result.pending_groups = await _undelivered(session, batch, ["pending", "sending"], show)
    return result


async def _undelivered(
    session: AsyncSession, batch: str, states: list[str], limit: int
) -> list[Undelivered]:
    rows = await session.execute(
        select(
            OutboxMessage.platform,
            OutboxMessage.chat_id,
            ChatGroup.title,
            OutboxMessage.state,
            OutboxMessage.attempts,
            OutboxMessage.last_error,
        )
        .outerjoin(
            ChatGroup,
            (ChatGroup.platform == OutboxMessage.platform)
            & (ChatGroup.chat_id == OutboxMessage.chat_id),
        )
        .where(OutboxMessage.batch == batch, OutboxMessage.state.in_(states))
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return [Undelivered(p, c, t or "", s, a, e) for p, c, t, s, a, e in rows]


async def secrets_of(session: AsyncSession, groups: Sequence[tuple[str, str]]) -> list[str]:
    """The delivery credentials of these groups, so no error text can show them."""
    if not groups:
        return []
    chat_ids = {c for _, c in groups}
    rows = await session.execute(
        select(ChatGroup.platform, ChatGroup.chat_id, GroupCredential.secret, GroupCredential.extra)
        .join(GroupCredential, GroupCredential.group_id == ChatGroup.id)
        .where(ChatGroup.chat_id.in_(chat_ids))
    )
    wanted = set(groups)
    found: list[str] = []
    for platform, chat_id, secret, extra in rows:
        if (platform, chat_id) in wanted:
            # Short values (a flag, a kind) would blank out harmless words.
            found += [s for s in (secret, extra) if len(s) >= 8]
    return found
