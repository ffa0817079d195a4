"""Data access for people, units, role grants and groups."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, delete, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    ChatGroup,
    ChatParticipant,
    GroupCredential,
    Membership,
    Person,
    RoleGrant,
    Unit,
)
from storage.upsert import insert_for, on_conflict


@dataclass
class Grants:
    is_admin: bool = False
    secretary_units: set[int] = field(default_factory=set)


async def touch_people(
    session: AsyncSession, people: Iterable[tuple[str, str, str]], now: datetime
) -> dict[tuple[str, str], int]:
    """Ids of (platform, user id, name) people, created on first contact.

    A non-empty name replaces the stored one: people rename themselves. A
    person's row is written only when it is new or renamed, never merely
    because they spoke: on PostgreSQL a row carries the id of the
    transaction that last wrote it (xmin), and a row rewritten by every
    message would tell which transaction was each person's latest, the one
    that handled their anonymous ballot included.
    """
    names: dict[tuple[str, str], str] = {}
    for platform, user_id, name in people:
        if name or (platform, user_id) not in names:
            names[(platform, user_id)] = name
    if not names:
        return {}
    found = await _people_by_key(session, list(names))
    new = sorted(k for k in names if k not in found)
    if new:
        table = Person.__table__
        stmt = insert_for(session, table)  # type: ignore[arg-type]
        # Rows passed to one cached statement (executemany, "insertmanyvalues").
        await session.execute(
            on_conflict(stmt, ["platform", "platform_user_id"]),
            [
                {
                    "platform": platform,
                    "platform_user_id": user_id,
                    "display_name": names[(platform, user_id)],
                    "created_at": now,
                }
                for platform, user_id in new
            ],
        )
        # Those another transaction created meanwhile are read like the rest.
        found.update(await _people_by_key(session, new))
    renamed = sorted(
        (found[k][0], name) for k, name in names.items() if name and name != found[k][1]
    )
    if renamed:
        await session.execute(
            update(Person).execution_options(synchronize_session=False),
            [{"id": pid, "display_name": name} for pid, name in renamed],
        )
    return {k: pid for k, (pid, _) in found.items()}


async def _people_by_key(
    session: AsyncSession, keys: list[tuple[str, str]]
) -> dict[tuple[str, str], tuple[int, str]]:
    rows = await session.execute(
        select(Person.id, Person.platform, Person.platform_user_id, Person.display_name).where(
            tuple_(Person.platform, Person.platform_user_id).in_(keys)
        )
    )
    return {(p, u): (int(pid), name) for pid, p, u, name in rows}


async def touch_person(
    session: AsyncSession, platform: str, user_id: str, name: str, now: datetime
) -> int:
    """The person's id, creating them on first contact; a new non-empty name wins."""
    ids = await touch_people(session, [(platform, user_id, name)], now)
    return ids[(platform, user_id)]


async def touch_groups(
    session: AsyncSession, groups: Iterable[tuple[str, str, str]], now: datetime
) -> dict[tuple[str, str], tuple[int, int | None]]:
    """(group id, unit id) of (platform, chat id, title) groups, created when first seen."""
    rows: dict[tuple[str, str], dict[str, object]] = {}
    for platform, chat_id, title in groups:
        row = rows.setdefault(
            (platform, chat_id),
            {"platform": platform, "chat_id": chat_id, "title": title, "first_seen_at": now},
        )
        if title:
            row["title"] = title
    if not rows:
        return {}
    table = ChatGroup.__table__
    stmt = insert_for(session, table)  # type: ignore[arg-type]
    keep_title = case((stmt.excluded.title != "", stmt.excluded.title), else_=table.c.title)
    result = await session.execute(
        on_conflict(stmt, ["platform", "chat_id"], {"title": keep_title}).returning(
            table.c.id, table.c.unit_id, table.c.platform, table.c.chat_id
        ),
        # Key order: concurrent batches then lock rows in the same order and
        # wait for each other instead of deadlocking (PostgreSQL).
        [rows[k] for k in sorted(rows)],
    )
    return {(p, c): (int(gid), unit_id) for gid, unit_id, p, c in result}


async def touch_group(
    session: AsyncSession, platform: str, chat_id: str, title: str, now: datetime
) -> int:
    groups = await touch_groups(session, [(platform, chat_id, title)], now)
    return groups[(platform, chat_id)][0]


async def touch_participants(
    session: AsyncSession, pairs: Iterable[tuple[int, int]], now: datetime
) -> None:
    """Record that (group id, person id) spoke in that group now."""
    rows = [{"group_id": g, "person_id": p, "last_seen_at": now} for g, p in sorted(set(pairs))]
    if not rows:
        return
    stmt = insert_for(session, ChatParticipant.__table__)  # type: ignore[arg-type]
    await session.execute(
        on_conflict(stmt, ["group_id", "person_id"], {"last_seen_at": stmt.excluded.last_seen_at}),
        rows,
    )


async def grants_of_many(session: AsyncSession, person_ids: Iterable[int]) -> dict[int, Grants]:
    ids = sorted(set(person_ids))
    grants = {pid: Grants() for pid in ids}
    if not ids:
        return grants
    rows = await session.execute(
        select(RoleGrant.person_id, RoleGrant.role, RoleGrant.unit_id).where(
            RoleGrant.person_id.in_(ids)
        )
    )
    for pid, role, unit_id in rows:
        if role == "admin":
            grants[pid].is_admin = True
        elif role == "secretary" and unit_id is not None:
            grants[pid].secretary_units.add(unit_id)
    return grants


async def grants_of(session: AsyncSession, person_id: int) -> Grants:
    return (await grants_of_many(session, [person_id]))[person_id]


async def find_person(session: AsyncSession, platform: str, ref: str) -> list[Person]:
    """People of a platform matching a user id or, failing that, a display name."""
    by_id = await session.scalars(
        select(Person).where(Person.platform == platform, Person.platform_user_id == ref)
    )
    found = list(by_id)
    if found:
        return found
    by_name = await session.scalars(
        select(Person).where(Person.platform == platform, Person.display_name == ref)
    )
    return list(by_name)


async def unit_by_name(session: AsyncSession, name: str) -> Unit | None:
    return await session.scalar(select(Unit).where(Unit.name == name))


async def ensure_unit(session: AsyncSession, name: str, kind: str = "branch") -> int:
    stmt = insert_for(session, Unit.__table__).values(name=name, kind=kind)  # type: ignore[arg-type]
    result = await session.execute(
        on_conflict(stmt, ["name"], {"name": stmt.excluded.name}).returning(Unit.__table__.c.id)
    )
    return int(result.scalar_one())


async def add_membership(session: AsyncSession, person_id: int, unit_id: int) -> None:
    stmt = insert_for(session, Membership.__table__).values(  # type: ignore[arg-type]
        person_id=person_id, unit_id=unit_id
    )
    await session.execute(on_conflict(stmt, ["person_id", "unit_id"]))


async def grant_role(
    session: AsyncSession,
    person_id: int,
    role: str,
    unit_id: int | None,
    by: str,
    now: datetime,
) -> bool:
    """Grant a role; False when the person already had it."""
    stmt = insert_for(session, RoleGrant.__table__).values(  # type: ignore[arg-type]
        person_id=person_id,
        role=role,
        unit_id=unit_id,
        scope=str(unit_id or ""),
        granted_by=by,
        granted_at=now,
    )
    result = await session.execute(
        on_conflict(stmt, ["person_id", "role", "scope"]).returning(RoleGrant.__table__.c.id)
    )
    return result.first() is not None


async def revoke_role(session: AsyncSession, person_id: int, role: str, unit_id: int | None) -> int:
    stmt = delete(RoleGrant).where(RoleGrant.person_id == person_id, RoleGrant.role == role)
    if unit_id is not None:
        stmt = stmt.where(RoleGrant.unit_id == unit_id)
    result = await session.execute(stmt)
    return int(result.rowcount)  # type: ignore[attr-defined]


async def units_of(session: AsyncSession, person_id: int) -> list[Unit]:
    rows = await session.scalars(
        select(Unit)
        .join(Membership, Membership.unit_id == Unit.id)
        .where(Membership.person_id == person_id)
    )
    return list(rows)


async def bind_group(
    session: AsyncSession,
    platform: str,
    chat_id: str,
    unit_id: int | None,
    credential: tuple[str, str, str] | None,
    now: datetime,
) -> int:
    """Attach a group to a unit and, optionally, set its (kind, secret, extra) credential."""
    group_id = await touch_group(session, platform, chat_id, "", now)
    group = await session.get(ChatGroup, group_id)
    assert group is not None
    if unit_id is not None:
        group.unit_id = unit_id
    if credential is not None:
        kind, secret, extra = credential
        stmt = insert_for(session, GroupCredential.__table__).values(  # type: ignore[arg-type]
            group_id=group_id, kind=kind, secret=secret, extra=extra, updated_at=now
        )
        await session.execute(
            on_conflict(
                stmt,
                ["group_id", "kind"],
                {
                    "secret": stmt.excluded.secret,
                    "extra": stmt.excluded.extra,
                    "updated_at": stmt.excluded.updated_at,
                },
            )
        )
    return group_id


async def group_credentials(
    session: AsyncSession, platform: str, chat_id: str
) -> dict[str, tuple[str, str]]:
    rows = await session.execute(
        select(GroupCredential.kind, GroupCredential.secret, GroupCredential.extra)
        .join(ChatGroup, ChatGroup.id == GroupCredential.group_id)
        .where(ChatGroup.platform == platform, ChatGroup.chat_id == chat_id)
    )
    return {kind: (secret, extra) for kind, secret, extra in rows}


def mask_secret(secret: str) -> str:
    """Show a credential as its first and last four characters only."""
    if len(secret) <= 8:
        return "*" * len(secret)
    return f"{secret[:4]}…{secret[-4:]}"


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
