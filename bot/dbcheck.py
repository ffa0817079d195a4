"""Before a command touches the database: is it there, reachable, and migrated?

A command run in a fresh folder must say in one line what to do, not print
a traceback, and must not leave an empty SQLite file behind: connecting to
SQLite creates the file, so a missing file is noticed before connecting.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot import cli_texts as t
from bot.feature import Feature
from bot.schema import locations
from storage.db import Database
from storage.migrate import alembic_config


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL; None for other databases and in-memory ones."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


@contextmanager
def _quiet_alembic() -> Iterator[None]:
    """Alembic logs its plug-ins at INFO: a check that passes prints nothing."""
    logger = logging.getLogger("alembic")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


async def problem(url: str, features: Sequence[Feature]) -> str | None:
    """Why commands cannot use the database yet, in one line; None when it is ready."""
    path = sqlite_file(url)
    if path is not None and not path.exists():
        return t.no_database(str(path))
    with _quiet_alembic():
        return await _migrated(url, features)


async def _migrated(url: str, features: Sequence[Feature]) -> str | None:
    heads = set(ScriptDirectory.from_config(alembic_config(url, locations(features))).get_heads())
    db = Database(url)
    try:
        async with db.engine.connect() as conn:
            current = await conn.run_sync(
                lambda sync: set(MigrationContext.configure(sync).get_current_heads())
            )
    except Exception as err:  # any driver's refusal is one line to the user
        return t.unreachable(type(err).__name__)
    finally:
        await db.dispose()
    if not current:
        return t.NOT_MIGRATED
    if current != heads:
        return t.BEHIND
    return None
