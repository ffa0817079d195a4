"""What meetings hold about a person (bot.person_data): the meetings they created,
the monthly duties that remind them, and the months they recorded as done.

Erasure keeps meetings and every month's record; the creator link and the
recorder's account are cleared. A monthly duty that reminded them stays with
its records but reminds no one (its reminders are dropped at enqueue): a
secretary of the unit sets a new one up.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.person_data import ERASED_NAME, ERASED_PLATFORM, Erased, Section, Subject, changed, cleared
from handlers.meetings import feature
from handlers.meetings import texts as t
from storage.reminders import Meeting, MonthlyDone, MonthlyItem


async def export(session: AsyncSession, who: Subject) -> list[Section]:
    meetings = await session.scalars(
        select(Meeting).where(Meeting.creator_id == who.id).order_by(Meeting.created_at)
    )
    duties = await session.scalars(
        select(MonthlyItem)
        .where(MonthlyItem.platform == who.platform, MonthlyItem.user_id == who.user_id)
        .order_by(MonthlyItem.created_at)
    )
    done = await session.execute(
        select(MonthlyItem.title, MonthlyDone.month, MonthlyDone.recorded_at)
        .join(MonthlyItem, MonthlyItem.id == MonthlyDone.item_id)
        .where(MonthlyDone.recorded_by == who.key)
        .order_by(MonthlyDone.recorded_at)
    )
    return [
        Section(t.CREATED, [{t.K_TITLE: m.title, t.K_CREATED_AT: m.created_at} for m in meetings]),
        Section(t.DUTIES, [{t.K_DUTY: d.title, t.K_CREATED_AT: d.created_at} for d in duties]),
        Section(
            t.RECORDED,
            [{t.K_DUTY: title, t.K_MONTH: month, t.K_AT: at} for title, month, at in done],
        ),
    ]


async def erase(session: AsyncSession, who: Subject) -> list[Erased]:
    creators = await changed(
        session, update(Meeting).where(Meeting.creator_id == who.id).values(creator_id=None)
    )
    reminded = await changed(
        session,
        update(MonthlyItem)
        .where(MonthlyItem.platform == who.platform, MonthlyItem.user_id == who.user_id)
        .values(platform=ERASED_PLATFORM, user_id=""),
    )
    recorders = await changed(
        session,
        update(MonthlyDone)
        .where(MonthlyDone.recorded_by == who.key)
        .values(recorded_by=ERASED_NAME),
    )
    return [
        cleared(t.CREATORS, creators),
        cleared(t.REMINDED, reminded),
        cleared(t.RECORDERS, recorders),
    ]


feature.person_data(
    export=export,
    erase=erase,
    covers=(Meeting.creator_id, MonthlyItem.user_id, MonthlyDone.recorded_by),
)
