"""Finding a person, and walking the core and every feature to export or erase them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.numbers import whole
from bot.person_data import ERASED_PLATFORM, Erased, Section, Subject, core
from bot.person_data import texts as t
from bot.schema import metadata, missing_tables
from storage.db import Database
from storage.models import Person

if TYPE_CHECKING:
    from bot.feature import Feature


class PersonError(Exception):
    """Why a command stops, in one line the person running it can act on."""


@dataclass
class Export:
    subject: Subject
    made_at: datetime
    sections: list[Section]


async def ready(db: Database, features: Sequence[Feature]) -> None:
    """Refuse a database that lacks any table: the walk would fail half-way."""
    if await missing_tables(db, features):
        raise PersonError(t.NOT_MIGRATED)


async def _find(session: AsyncSession, ref: str) -> Subject:
    """`ref` is a person's number or `platform:userid`."""
    ref = ref.strip()
    if ref.isdigit():  # a number, even one no person has
        n = whole(ref)
        person = await session.get(Person, n) if n is not None else None
    elif ":" in ref:
        platform, _, user_id = ref.partition(":")
        person = await session.scalar(
            select(Person).where(Person.platform == platform, Person.platform_user_id == user_id)
        )
    else:
        raise PersonError(t.BAD_REF)
    if person is None:
        raise PersonError(t.unknown_person(ref))
    if person.platform == ERASED_PLATFORM:
        raise PersonError(t.already_erased(ref))
    return Subject(person.id, person.platform, person.platform_user_id, person.display_name)


async def lookup(db: Database, features: Sequence[Feature], ref: str) -> Subject:
    await ready(db, features)
    async with db.reading() as session:
        return await _find(session, ref)


async def export(db: Database, features: Sequence[Feature], ref: str, now: datetime) -> Export:
    """Everything held about the person, section by section; empty sections left out."""
    await ready(db, features)
    titles = {flow.name: flow.title for f in features for flow in f.flows}
    async with db.reading() as session:
        who = await _find(session, ref)
        sections = await core.export(session, who, titles)
        for feature in features:
            for holding in feature.holdings:
                sections += await holding.export(session, who)
    return Export(who, now, [s for s in sections if s.rows])


@dataclass
class Erasure:
    done: list[Erased]
    # Why the files could not be rewritten afterwards; empty when they were.
    not_compacted: str = ""


async def erase(db: Database, features: Sequence[Feature], who: Subject) -> Erasure:
    """Erase them in one transaction, then rewrite the files; what was done."""
    await ready(db, features)
    async with db.transaction() as session:
        if db.is_sqlite:
            # What is freed is zeroed at once, should the rewrite below fail.
            await session.execute(text("PRAGMA secure_delete = ON"))
        # Looked up again in the transaction: erased since it was shown, or renamed.
        current = await _find(session, str(who.id))
        done: list[Erased] = []
        for feature in features:
            for holding in feature.holdings:
                done += await holding.erase(session, current)
        done += await core.erase(session, current)
        await core.anonymise(session, current)
        if db.is_sqlite:
            await session.execute(text("PRAGMA secure_delete = OFF"))
    erasure = Erasure([d for d in done if d.n])
    try:
        await compact(db, sorted(metadata(features).tables))
    except Exception as err:  # the erasure stands; the caller says what is left to do
        erasure.not_compacted = (str(err).strip().splitlines() or [type(err).__name__])[0]
    return erasure


async def compact(db: Database, tables: Sequence[str]) -> None:
    """Rewrite the tables so no old copy of an erased row stays in their files.

    An UPDATE or DELETE leaves the old bytes in the page's free space (SQLite
    unless built with SECURE_DELETE; PostgreSQL even after a plain VACUUM,
    which compacts a page without clearing what it frees). SQLite: VACUUM
    rebuilds the file and the WAL is emptied. PostgreSQL: VACUUM FULL writes
    each table and its indexes anew, holding each table's lock while it is
    copied; ANALYZE then replaces the planner's statistics, which may quote a
    name, and pg_statistic is rewritten too (a database owner may; anyone
    else gets a warning). The WAL and any backup keep the old bytes until
    they are recycled (docs/privacy.md).
    """
    async with db.write_turn(), db.engine.connect() as conn:
        raw = await conn.get_raw_connection()
        driver: Any = raw.driver_connection  # outside any transaction
        if db.is_sqlite:
            await driver.execute("VACUUM")
            await driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            await driver.execute("VACUUM (FULL, ANALYZE) " + ", ".join(f'"{t}"' for t in tables))
            await driver.execute("VACUUM (FULL) pg_statistic")
