"""What check-ins hold about a person: their entries in each check-in, the
check-ins they opened, leave they asked ahead of a meeting, and check-ins whose
主持人 or 记录人 names them (bot.person_data; `tongxin person export/erase`).

Erasure keeps every entry, so 应到/实到/请假 stay as they were: the entry points
at the anonymised person. A leave reason is their own words and is cleared. In a
check-in still open, a seat they never answered is removed: no one can fill it.
Leave asked ahead is deleted: once its meeting's check-in opened it lives on as
their entry there, and before that it can no longer count (they are on no
roster). A 主持人 or 记录人 typed with their name reads 「已注销人员」.
"""

from __future__ import annotations

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from bot.person_data import (
    Erased,
    Section,
    Subject,
    changed,
    cleared,
    deleted,
    kept,
    names_them,
    unnamed,
)
from handlers.checkin import feature
from handlers.checkin import texts as t
from storage.checkin import Checkin, CheckinEntry, LeaveAhead


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
        await _ahead(session, who),
        await _named(session, who),
    ]


async def _ahead(session: AsyncSession, who: Subject) -> Section:
    asked = await session.scalars(
        select(LeaveAhead).where(LeaveAhead.person_id == who.id).order_by(LeaveAhead.asked_at)
    )
    rows = [
        {
            t.AHEAD_MEETING: a.title,
            t.AHEAD_DAY: a.day,
            t.AHEAD_REASON: a.reason,
            t.AHEAD_AT: a.asked_at,
        }
        for a in asked
    ]
    return Section(t.AHEAD, rows, t.AHEAD_NOTE)


def _naming(who: Subject) -> ColumnElement[bool]:
    return or_(names_them(Checkin.host, who), names_them(Checkin.recorder, who))


async def _named(session: AsyncSession, who: Subject) -> Section:
    found = await session.scalars(
        select(Checkin).where(_naming(who)).order_by(Checkin.opened_at, Checkin.id)
    )
    rows = []
    for ck in found:
        named = [(ck.host, t.AS_HOST), (ck.recorder, t.AS_RECORDER)]
        rows.append(
            {
                t.NAMED_CHECKIN: ck.title,
                t.NAMED_OPENED_AT: ck.opened_at,
                t.NAMED_AS: "、".join(label for text, label in named if who.typed_name in text),
            }
        )
    return Section(t.NAMED, rows, t.NAMED_NOTE)


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
    ahead = await changed(session, delete(LeaveAhead).where(LeaveAhead.person_id == who.id))
    named = await changed(
        session,
        update(Checkin)
        .where(_naming(who))
        .values(host=unnamed(Checkin.host, who), recorder=unnamed(Checkin.recorder, who)),
    )
    return [
        deleted(t.OPEN_SEATS, seats),
        kept(t.ENTRIES, int(entries or 0)),
        cleared(t.REASONS, reasons),
        cleared(t.OPENERS, openers),
        deleted(t.AHEAD, ahead),
        cleared(t.NAMED_ERASED, named),
    ]


feature.person_data(
    export=export,
    erase=erase,
    covers=(
        CheckinEntry.person_id,
        Checkin.creator_id,
        Checkin.host,
        Checkin.recorder,
        LeaveAhead.person_id,
    ),
)
