"""What a grant, a revoke, a bind or a new unit does, from chat or from the console alike.

Every change goes to the console's audit log with who made it, so the 人员
page shows one history whichever way a role was given. A line about a
person starts with "[person id]" so their page can find it.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.auth import audit
from bot.roles import Actor, Role
from handlers.roster import texts as t
from storage.console import AuditEntry
from storage.models import ChatGroup, Person, Unit
from storage.people import create_unit, grant_role, revoke_role, set_group_unit

_TAG = re.compile(r"^\[(\d+)\] ")
ROLE_ACTIONS = ("role.grant", "role.revoke")


def name_of(person: Person) -> str:
    return person.display_name or person.platform_user_id


def group_label(group: ChatGroup) -> str:
    return group.title or group.chat_id


async def _log(
    session: AsyncSession,
    actor: Actor,
    action: str,
    detail: str,
    now: datetime,
    *,
    about: int | None = None,
    chat: bool,
) -> None:
    text = detail + (t.VIA_CHAT if chat else "")
    await audit(session, actor.person_id, action, f"[{about}] {text}" if about else text, now)


async def grant(
    session: AsyncSession,
    actor: Actor,
    person: Person,
    role: Role,
    unit: Unit | None,
    now: datetime,
    *,
    chat: bool,
) -> bool:
    """Give `person` the role (of `unit` for a secretary); False when they had it."""
    unit_id = unit.id if unit is not None and role == Role.SECRETARY else None
    done = await grant_role(session, person.id, role.name.lower(), unit_id, actor.key, now)
    if done:
        where = unit.name if unit_id is not None and unit is not None else None
        detail = t.audit_grant(name_of(person), role.zh, where)
        await _log(session, actor, "role.grant", detail, now, about=person.id, chat=chat)
    return done


async def revoke(
    session: AsyncSession,
    actor: Actor,
    person: Person,
    role: Role,
    unit: Unit | None,
    now: datetime,
    *,
    chat: bool,
) -> int:
    unit_id = unit.id if unit is not None and role == Role.SECRETARY else None
    n = await revoke_role(session, person.id, role.name.lower(), unit_id)
    if n:
        where = unit.name if unit_id is not None and unit is not None else None
        detail = t.audit_revoke(name_of(person), role.zh, where)
        await _log(session, actor, "role.revoke", detail, now, about=person.id, chat=chat)
    return n


async def new_unit(
    session: AsyncSession,
    actor: Actor,
    name: str,
    now: datetime,
    *,
    parent: Unit | None = None,
    chat: bool,
) -> tuple[Unit, bool]:
    unit, created = await create_unit(
        session, name, parent_id=parent.id if parent is not None else None
    )
    if created:
        await _log(session, actor, "unit.create", t.audit_unit(name), now, chat=chat)
    return unit, created


async def bind(
    session: AsyncSession,
    actor: Actor,
    group: ChatGroup,
    unit: Unit,
    now: datetime,
    *,
    chat: bool,
) -> int:
    """Bind the group to the unit; how many of its speakers joined the unit's roster."""
    skip = [actor.person_id] if actor.is_admin else []
    joined = await set_group_unit(session, group.id, unit.id, skip)
    await _log(
        session, actor, "group.bind", t.audit_bind(group_label(group), unit.name), now, chat=chat
    )
    return joined


async def unbind(
    session: AsyncSession, actor: Actor, group: ChatGroup, now: datetime, *, chat: bool
) -> str:
    """Unbind the group; the name of the unit it was bound to."""
    unit = await session.get(Unit, group.unit_id) if group.unit_id is not None else None
    name = unit.name if unit is not None else ""
    await set_group_unit(session, group.id, None)
    await _log(
        session, actor, "group.unbind", t.audit_unbind(group_label(group), name), now, chat=chat
    )
    return name


async def role_history(
    session: AsyncSession, person_id: int | None, limit: int = 50
) -> list[tuple[AuditEntry, str, str]]:
    """Role changes, newest first, as (entry, who made it, the line without its tag).

    With `person_id`, only the changes about that person.
    """
    stmt = (
        select(AuditEntry, Person.display_name)
        .join(Person, Person.id == AuditEntry.person_id)
        .where(AuditEntry.action.in_(ROLE_ACTIONS))
        .order_by(AuditEntry.id.desc())
        .limit(limit)
    )
    if person_id is not None:
        stmt = stmt.where(AuditEntry.detail.startswith(f"[{person_id}] "))
    return [(e, by or "", _TAG.sub("", e.detail)) for e, by in await session.execute(stmt)]
