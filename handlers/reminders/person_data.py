"""What the 廉政 calendar holds about a person (bot.person_data): the groups they
subscribed and the reminder texts they changed. Erasure keeps both and names
「已注销人员」 as who did it."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.person_data import ERASED_NAME, Erased, Section, Subject, changed, cleared
from handlers.reminders import feature
from handlers.reminders import texts as t
from storage.reminders import CalendarSubscription, CalendarTemplate


async def export(session: AsyncSession, who: Subject) -> list[Section]:
    subscribed = await session.scalars(
        select(CalendarSubscription)
        .where(CalendarSubscription.subscribed_by == who.key)
        .order_by(CalendarSubscription.created_at)
    )
    edited = await session.scalars(
        select(CalendarTemplate)
        .where(CalendarTemplate.updated_by == who.key)
        .order_by(CalendarTemplate.updated_at)
    )
    return [
        Section(t.SUBSCRIBED, [{t.K_GROUP: s.chat_id, t.K_AT: s.created_at} for s in subscribed]),
        Section(
            t.TEMPLATES,
            [{t.K_TEMPLATE: e.key, t.K_TEXT: e.text, t.K_AT: e.updated_at} for e in edited],
        ),
    ]


async def erase(session: AsyncSession, who: Subject) -> list[Erased]:
    subscribers = await changed(
        session,
        update(CalendarSubscription)
        .where(CalendarSubscription.subscribed_by == who.key)
        .values(subscribed_by=ERASED_NAME),
    )
    editors = await changed(
        session,
        update(CalendarTemplate)
        .where(CalendarTemplate.updated_by == who.key)
        .values(updated_by=ERASED_NAME),
    )
    return [cleared(t.SUBSCRIBERS, subscribers), cleared(t.EDITORS, editors)]


feature.person_data(export=export, erase=erase)
