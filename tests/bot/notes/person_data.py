"""What the notes feature holds about a person: their notes. They are nobody's
ledger, so erasure deletes them (bot.person_data)."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.person_data import Erased, Section, Subject, changed, deleted
from tests.bot.notes import feature, models
from tests.bot.notes import texts as t


async def export(session: AsyncSession, who: Subject) -> list[Section]:
    notes = await models.notes_of(session, who.id)
    return [Section(t.NOTES, [{t.K_TEXT: n.text, t.K_AT: n.at} for n in notes])]


async def erase(session: AsyncSession, who: Subject) -> list[Erased]:
    gone = await changed(session, delete(models.Note).where(models.Note.person_id == who.id))
    return [deleted(t.NOTES, gone)]


feature.person_data(export=export, erase=erase, covers=(models.Note.person_id,))
