"""Who a message names: the platform's mentions (user ids) and `@名字` in its text.

A secretary writes `/签到 补签 @孙悦`. DingTalk lists the mentioned staff ids
beside the text (Incoming.mentions); WeCom and the local channel carry only
the text "@孙悦". Both are read: ids first, then each `@名字` not already
matched is looked up by display name, among `among` (a check-in's roster)
when given, else among everyone of the platform. A name two people share is
reported as unknown rather than guessed.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import select

from bot.context import Context
from storage.models import Person

_AT = re.compile(r"@([^\s@,:;]+)")


@dataclass
class Named:
    people: list[Person] = field(default_factory=list)
    # @names that match nobody, or more than one person.
    unknown: list[str] = field(default_factory=list)
    # The text without the @names (normalised), e.g. a leave reason.
    rest: str = ""


def split_mentions(text: str) -> tuple[list[str], str]:
    """The @names in `text`, and the text without them."""
    names = _AT.findall(text)
    rest = " ".join(_AT.sub(" ", text).split())
    return names, rest


async def mentioned(ctx: Context, text: str, *, among: Collection[int] | None = None) -> Named:
    names, rest = split_mentions(text)
    found = Named(rest=rest)
    ids = [m for m in ctx.incoming.mentions if m]
    if ids:
        found.people = list(
            await ctx.session.scalars(
                select(Person)
                .where(Person.platform == ctx.platform, Person.platform_user_id.in_(ids))
                .order_by(Person.id)
            )
        )
    known = {p.display_name for p in found.people}
    # A mentioned id whose name the text does not show: the platform wrote the
    # mention with another name (a nickname); one such @name is that person.
    unnamed = sum(1 for p in found.people if p.display_name not in names)
    for name in dict.fromkeys(names):
        if name in known:
            continue
        person = await _by_name(ctx, name, among)
        if person is not None:
            if all(p.id != person.id for p in found.people):
                found.people.append(person)
        elif unnamed:
            unnamed -= 1
        else:
            found.unknown.append(name)
    return found


async def _by_name(ctx: Context, name: str, among: Collection[int] | None) -> Person | None:
    query = select(Person).where(Person.platform == ctx.platform, Person.display_name == name)
    if among is not None:
        close = list(await ctx.session.scalars(query.where(Person.id.in_(list(among))).limit(2)))
        if close:
            return close[0] if len(close) == 1 else None
    anyone = list(await ctx.session.scalars(query.limit(2)))
    return anyone[0] if len(anyone) == 1 else None
