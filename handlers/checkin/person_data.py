"""What check-ins hold about a person: their entries in each check-in, and the
check-ins they opened (bot.person_data; `tongxin person export/erase`).

Erasure keeps every entry, so 应到/实到/请假 stay as they were: the entry points
at the anonymised person. A leave reason is their own words and is cleared. In a
check-in still open, a seat they never answered is removed: no one can fill it.
"""

from __future__ import annotations

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.person_data import Erased, Section, Subject, changed, cleared, deleted, kept
from handlers.checkin import feature
from handlers.checkin import texts as t
from storage.checkin import Checkin, CheckinEntry


async def export(session: AsyncSession, who: Subject) -> list[Section]:
    rows = await session.execute(
        select(Checkin, CheckinEntry)
        .join(CheckinEntry, CheckinEntry.checkin_id == Checkin.id)
        .where(CheckinEntry.person_id == who.id)
        .order_by(Checkin.opened_at, Checkin.id)
    )
    entries = [
        {
            t.K_TITLE: ck.title,
            t.K_OPENED_AT: ck.opened_at,
            t.K_EXPECTED: entry.expected,
            t.K_RESULT: t.NOT_YET
            if ck.state == "open" and not entry.status
            else t.STATUS_ZH.get(entry.status, entry.status),
            t.K_REASON: entry.reason,
            t.K_AT: entry.at,
        }
        for ck, entry in rows
    ]
    opened = await session.scalars(
        select(Checkin).where(Checkin.creator_id == who.id).order_by(Checkin.opened_at)
    )
    return [
        Section(t.ENTRIES, entries),
        Section(t.OPENED, [{t.K_TITLE: ck.title, t.K_OPENED_AT: ck.opened_at} for ck in opened]),
    ]


async def erase(session: AsyncSession, who: Subject) -> list[Erased]:
    mine = CheckinEntry.person_id == who.id
    still_open = select(Checkin.id).where(Checkin.state == "open")
    seats = await changed(
        session,
        delete(CheckinEntry).where(
            mine, CheckinEntry.status == "", CheckinEntry.checkin_id.in_(still_open)
        ),
    )
    reasons = await changed(
        session,
        update(CheckinEntry).where(and_(mine, CheckinEntry.reason != "")).values(reason=""),
    )
    entries = await session.scalar(select(func.count()).where(mine))
    openers = await changed(
        session, update(Checkin).where(Checkin.creator_id == who.id).values(creator_id=None)
    )
    return [
        deleted(t.OPEN_SEATS, seats),
        kept(t.ENTRIES, int(entries or 0)),
        cleared(t.REASONS, reasons),
        cleared(t.OPENERS, openers),
    ]


feature.person_data(export=export, erase=erase)
