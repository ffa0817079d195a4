"""`tongxin person export ID [--out FILE]` and `tongxin person erase ID [--yes]`.

ID is the person's number or `platform:userid`. Every failure is one Chinese
line on stderr and a non-zero exit.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from bot.clock import SystemClock
from bot.config import Settings
from bot.person_data import How, walk
from bot.person_data import texts as t
from bot.person_data.files import as_json, as_xlsx
from storage.db import Database

if TYPE_CHECKING:
    from bot.feature import Feature

CONFIRM_WORDS = ("确认", "yes")
# The file holds personal data: readable by its owner only.
PRIVATE = 0o600


def _fail(message: str, code: int = 1) -> int:
    print(f"tongxin: {message}", file=sys.stderr)
    return code


async def export_command(
    settings: Settings, features: Sequence[Feature], ref: str, out: Path | None
) -> int:
    suffix = out.suffix.lower() if out else ".json"
    if suffix not in (".json", ".xlsx"):
        return _fail(t.BAD_OUT, 2)
    db = Database(settings.database_url)
    try:
        found = await walk.export(db, features, ref, SystemClock().now())
    except walk.PersonError as err:
        return _fail(str(err), 2)
    except (OSError, SQLAlchemyError) as err:
        return _fail(t.database_error(_reason(err)))
    finally:
        await db.dispose()
    # Named by number: a user id in a file name would show in every listing.
    path = out or Path(f"person-{found.subject.id}.json")
    render = as_xlsx if suffix == ".xlsx" else as_json
    try:
        await asyncio.to_thread(_write_private, path, render(found, settings.tz))
    except OSError as err:
        return _fail(t.cannot_write(str(path), err.strerror or str(err)))
    who = found.subject
    counts = [(s.title, len(s.rows)) for s in found.sections]
    print(t.exported(t.who(who.name, who.key, who.id), str(path), counts))
    return 0


async def erase_command(
    settings: Settings, features: Sequence[Feature], ref: str, yes: bool
) -> int:
    db = Database(settings.database_url)
    try:
        who = await walk.lookup(db, features, ref)
        person = t.who(who.name, who.key, who.id)
        if not yes:
            print(t.erase_prompt(person))
            try:
                answer = await asyncio.to_thread(input, t.CONFIRM)
            except EOFError:
                answer = ""
            if answer.strip().lower() not in CONFIRM_WORDS:
                print(t.CANCELLED)
                return 1
        erasure = await walk.erase(db, features, who)
    except walk.PersonError as err:
        return _fail(str(err), 2)
    except (OSError, SQLAlchemyError) as err:
        return _fail(t.database_error(_reason(err)))
    finally:
        await db.dispose()
    parts = [
        (how.value, [(d.what, d.n) for d in erasure.done if d.how is how])
        for how in (How.DELETED, How.KEPT, How.CLEARED)
    ]
    print(t.erased(person, parts))
    if erasure.not_compacted:
        return _fail(t.not_compacted(erasure.not_compacted))
    return 0


def _reason(err: Exception) -> str:
    """The first line only: a statement's text never reaches the terminal."""
    inner = getattr(err, "orig", None) or err
    return (str(inner).strip().splitlines() or [type(inner).__name__])[0]


def _write_private(path: Path, content: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE)
    with os.fdopen(fd, "wb") as f:
        f.write(content)
