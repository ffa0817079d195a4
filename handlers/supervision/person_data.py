"""What 督导 holds about a person (bot.person_data): the meetings they recorded by
hand (补录) in the console, and those whose 主持人 names them.

A record is the unit's count of a meeting held: erasure keeps it and its
numbers, clears who recorded it (as with every creator) and writes
「已注销人员」 where its 主持人 held their name.
"""

from __future__ import annotations

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.person_data import Erased, Section, Subject, changed, cleared, names_them, unnamed
from handlers.supervision import feature
from handlers.supervision import texts as t
from storage.models import Unit
from storage.supervision import Cadence, MeetingRecord


async def export(session: AsyncSession, who: Subject) -> list[Section]:
    r = MeetingRecord
    found = await session.execute(
        select(r, Unit.name, Cadence.name)
        .join(Unit, Unit.id == r.unit_id)
        .join(Cadence, Cadence.id == r.cadence_id)
        .where(or_(r.creator_id == who.id, names_them(r.host, who)))
        .order_by(r.held_on, r.id)
    )
    rows = []
    for record, unit, kind in found:
        roles = [
            label
            for label, yes in (
                (t.PD_AS_CREATOR, record.creator_id == who.id),
                (t.PD_AS_HOST, bool(who.typed_name) and who.typed_name in record.host),
            )
            if yes
        ]
        rows.append(
            {
                t.UNIT: unit,
                t.DATE: record.held_on,
                t.KIND: kind,
                t.PLACE: record.place,
                t.HOST: record.host,
                t.EXPECTED: record.expected,
                t.ATTENDED: record.attended,
                t.LEAVE: record.leave,
                t.PD_AT: record.created_at,
                t.PD_AS: "、".join(roles),
            }
        )
    return [Section(t.PD_RECORDS, rows, t.PD_RECORDS_NOTE)]


async def erase(session: AsyncSession, who: Subject) -> list[Erased]:
    r = MeetingRecord
    creators = await changed(
        session, update(r).where(r.creator_id == who.id).values(creator_id=None)
    )
    hosts = await changed(
        session, update(r).where(names_them(r.host, who)).values(host=unnamed(r.host, who))
    )
    return [cleared(t.PD_CREATORS, creators), cleared(t.PD_HOSTS, hosts)]


feature.person_data(
    export=export, erase=erase, covers=(MeetingRecord.creator_id, MeetingRecord.host)
)
