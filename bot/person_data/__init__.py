"""A person's data: what `tongxin person export` gathers and `tongxin person erase` undoes.

The core holds people, rosters, roles, chats, the console's records and the
message path; each feature holds its own ledgers. So each declares what it
holds about a person, with `feature.person_data(export=…, erase=…, covers=…)`:

    async def export(session: AsyncSession, who: Subject) -> list[Section]: ...
    async def erase(session: AsyncSession, who: Subject) -> list[Erased]: ...

and the walk (bot/person_data/walk.py) calls every feature's pair and the
core's own (bot/person_data/core.py), in one transaction for an erasure.
`covers` names the columns holding or naming a person that the pair handles;
bot/person_data/coverage.py finds any such column no pair names.

Erasure keeps ledgers whole: the person's row stays, as 「已注销人员」 on a
platform no one speaks from (ERASED_PLATFORM) with a random user id, so every
check-in entry, named ballot and named opinion that points at it still counts
and no longer says who. What identifies them (roster, roles, chats, sessions,
messages, their own free text beside a ledger) is deleted or cleared. The next
message from their account makes a new person.

Anonymous things (ballots, opinions, suggestions) hold no link to anyone, so
neither an export nor an erasure looks for them: finding them would undo what
anonymity promised.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from sqlalchemy import false, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable
from sqlalchemy.sql.elements import ColumnElement

# What an erased person's row becomes. No deliverer has this platform, so a
# message addressed to them is dropped at enqueue (bot.outbox), and no roster
# copy or audience (which go by platform, unit or group) takes them in again.
ERASED_PLATFORM = "erased"
ERASED_NAME = "已注销人员"
# A shorter name (a lone surname) would match unrelated text.
MIN_NAME = 2

# An export's values: text, numbers, yes/no, moments (shown in the bot's time
# zone), days, or lists of text.
Value = Any


@dataclass(frozen=True)
class Subject:
    """The person an export or an erasure is about, as they were before it."""

    id: int
    platform: str
    user_id: str
    name: str

    @property
    def key(self) -> str:
        """How `…_by` columns name a person (bot.roles.Actor.key)."""
        return f"{self.platform}:{self.user_id}"

    @property
    def typed_name(self) -> str:
        """Their name as others type it into a name field (主持人, 记录人); empty
        when it is too short to tell from anyone else's."""
        return self.name if len(self.name) >= MIN_NAME else ""


@dataclass
class Section:
    """One kind of record in an export: a title, rows of labelled values, and
    what the section leaves out and why."""

    title: str
    rows: list[dict[str, Value]] = field(default_factory=list)
    note: str = ""


class How(Enum):
    DELETED = "deleted"
    # The row stays, pointing at the anonymised person: a ledger's count.
    KEPT = "kept"
    # A value beside a ledger (a reason, a "by" column) was cleared.
    CLEARED = "cleared"


@dataclass(frozen=True)
class Erased:
    """One line of an erasure's summary: how many rows of what, and what became of them."""

    what: str
    n: int
    how: How


def deleted(what: str, n: int) -> Erased:
    return Erased(what, n, How.DELETED)


def kept(what: str, n: int) -> Erased:
    return Erased(what, n, How.KEPT)


def cleared(what: str, n: int) -> Erased:
    return Erased(what, n, How.CLEARED)


def names_them(column: Any, who: Subject) -> ColumnElement[bool]:
    """A name field someone typed (主持人 王小明, 记录人 王小明、张老师) holds their
    name. A namesake's field is found too: the field holds words, not people."""
    if not who.typed_name:
        return false()
    found: ColumnElement[bool] = column.contains(who.typed_name, autoescape=True)
    return found


def unnamed(column: Any, who: Subject) -> ColumnElement[str]:
    """The field with their name written as 「已注销人员」 (where `names_them`)."""
    return func.replace(column, who.typed_name, ERASED_NAME)


async def changed(session: AsyncSession, stmt: Executable) -> int:
    """Run an UPDATE or DELETE; how many rows it touched."""
    result = await session.execute(stmt)
    return int(result.rowcount)  # type: ignore[attr-defined]
