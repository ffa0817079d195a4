"""What the 廉政 calendar holds about a person (bot.person_data): the groups they
subscribed, the reminder texts and settings they changed, the occasions they
added, and the term dates they set. Erasure keeps them all and names
「已注销人员」 as who did it."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.person_data import ERASED_NAME, Erased, Section, Subject, changed, cleared
from handlers.reminders import feature
from handlers.reminders import texts as t
from handlers.reminders.occasions import when_label
from handlers.reminders.options import read_stored
from storage.models import Unit
from storage.reminders import CalendarSubscription, CalendarTemplate
from storage.school import LianzhengOccasion, LianzhengOption, SchoolTerm


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
        *await _school(session, who),
    ]


async def _school(session: AsyncSession, who: Subject) -> list[Section]:
    terms = await session.execute(
        select(SchoolTerm, Unit.name)
        .outerjoin(Unit, Unit.id == SchoolTerm.unit_id)
        .where(SchoolTerm.set_by == who.key)
        .order_by(SchoolTerm.set_at, SchoolTerm.start)
    )
    options = await session.scalars(
        select(LianzhengOption)
        .where(LianzhengOption.updated_by == who.key)
        .order_by(LianzhengOption.updated_at)
    )
    occasions = await session.scalars(
        select(LianzhengOccasion)
        .where(LianzhengOccasion.created_by == who.key)
        .order_by(LianzhengOccasion.created_at, LianzhengOccasion.id)
    )
    return [
        Section(
            t.PD_TERMS,
            [
                {
                    t.PD_SCOPE: t.pd_scope(unit or ""),
                    t.PD_START: term.start,
                    t.PD_END: term.end,
                    t.PD_AT: term.set_at,
                }
                for term, unit in terms
            ],
        ),
        Section(
            t.PD_OPTIONS,
            [
                {
                    t.PD_SETTING: t.PD_OPTION_NAMES.get(o.key, o.key),
                    t.PD_VALUE: t.pd_option(o.key, read_stored(o.value), o.value),
                    t.PD_AT: o.updated_at,
                }
                for o in options
            ],
        ),
        Section(
            t.PD_OCCASIONS,
            [
                {
                    t.PD_NAME: o.name,
                    t.PD_WHEN: when_label(o),
                    t.PD_AHEAD: o.ahead,
                    t.PD_TEXT: o.text,
                    t.PD_AT: o.created_at,
                }
                for o in occasions
            ],
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
    terms = await changed(
        session,
        update(SchoolTerm).where(SchoolTerm.set_by == who.key).values(set_by=ERASED_NAME),
    )
    options = await changed(
        session,
        update(LianzhengOption)
        .where(LianzhengOption.updated_by == who.key)
        .values(updated_by=ERASED_NAME),
    )
    occasions = await changed(
        session,
        update(LianzhengOccasion)
        .where(LianzhengOccasion.created_by == who.key)
        .values(created_by=ERASED_NAME),
    )
    return [
        cleared(t.SUBSCRIBERS, subscribers),
        cleared(t.EDITORS, editors),
        cleared(t.PD_TERM_SETTERS, terms),
        cleared(t.PD_OPTION_SETTERS, options),
        cleared(t.PD_OCCASION_ADDERS, occasions),
    ]


feature.person_data(
    export=export,
    erase=erase,
    covers=(
        CalendarSubscription.subscribed_by,
        CalendarTemplate.updated_by,
        SchoolTerm.set_by,
        LianzhengOption.updated_by,
        LianzhengOccasion.created_by,
    ),
)
