"""What broadcasts hold about a person (bot.person_data): the broadcasts they sent.
Erasure keeps each broadcast and its delivery report, with 「已注销人员」 as sender."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.person_data import ERASED_NAME, Erased, Section, Subject, changed, cleared
from handlers.broadcast import feature
from handlers.broadcast import texts as t
from storage.broadcast import Broadcast


async def export(session: AsyncSession, who: Subject) -> list[Section]:
    sent = await session.scalars(
        select(Broadcast).where(Broadcast.created_by == who.key).order_by(Broadcast.id)
    )
    return [
        Section(
            t.SENT,
            [
                {
                    t.K_NUMBER: b.id,
                    t.K_AT: b.created_at,
                    t.K_SCOPE: b.scope,
                    t.K_GROUPS: b.group_count,
                    t.K_TEXT: b.text,
                }
                for b in sent
            ],
        )
    ]


async def erase(session: AsyncSession, who: Subject) -> list[Erased]:
    senders = await changed(
        session,
        update(Broadcast)
        .where(Broadcast.created_by == who.key)
        .values(created_by="", created_by_name=ERASED_NAME),
    )
    return [cleared(t.SENDERS, senders)]


feature.person_data(
    export=export, erase=erase, covers=(Broadcast.created_by, Broadcast.created_by_name)
)
