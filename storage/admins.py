"""Who the admins are: for what only admins are told (the bot's own set-up problems)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Person, RoleGrant


async def admin_chats(session: AsyncSession, configured: Iterable[str]) -> list[tuple[str, str]]:
    """(platform, user_id) of every admin: granted in chat or named in TONGXIN_ADMINS."""
    rows = await session.execute(
        select(Person.platform, Person.platform_user_id)
        .join(RoleGrant, RoleGrant.person_id == Person.id)
        .where(RoleGrant.role == "admin")
    )
    found = {(p, u) for p, u in rows}
    for item in configured:
        platform, _, user = item.partition(":")
        found.add((platform, user))
    return sorted(found)
