"""Data access for people, units, role grants and groups."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import CompoundSelect, case, delete, func, insert, literal, select, tuple_, update
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


async def ensure_units(
    session: AsyncSession, names: Iterable[str], kind: str = "branch"
) -> dict[str, int]:
    """Ids of the units named, those missing created: a few statements for a roster's
    hundreds of units, where `ensure_unit` would be one each (and rewrite every row)."""
    wanted = sorted(set(names))
    found = await _unit_ids(session, wanted)
    missing = [name for name in wanted if name not in found]
    if missing:
        stmt = insert_for(session, Unit.__table__)  # type: ignore[arg-type]
        await session.execute(
            on_conflict(stmt, ["name"]), [{"name": name, "kind": kind} for name in missing]
        )
        found |= await _unit_ids(session, missing)
    return found


async def _unit_ids(session: AsyncSession, names: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(names), 500):
        rows = await session.execute(
            select(Unit.name, Unit.id).where(Unit.name.in_(names[start : start + 500]))
        )
        found.update({name: uid for name, uid in rows})
    return found


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


# The credential a group's platform speaks first with (bot.platforms.wecom / .dingtalk).
CREDENTIAL_KINDS = {"wecom": "wecom_webhook", "dingtalk": "dingtalk_robot"}


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
        await set_credential(session, group_id, *credential, now)
    return group_id


async def set_credential(
    session: AsyncSession, group_id: int, kind: str, secret: str, extra: str, now: datetime
) -> None:
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


async def remove_credentials(session: AsyncSession, group_id: int) -> int:
    result = await session.execute(
        delete(GroupCredential).where(GroupCredential.group_id == group_id)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


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


# --- set-up from chat and from the console -------------------------------------------


@dataclass
class UnitSummary:
    unit: Unit
    parent: str
    members: int
    groups: int
    secretaries: list[str]


async def unit_summaries(session: AsyncSession, unit_ids: set[int] | None) -> list[UnitSummary]:
    """Units (unit_ids None: all) with their roster size, groups and secretaries, by name."""
    stmt = select(Unit).order_by(Unit.name)
    if unit_ids is not None:
        stmt = stmt.where(Unit.id.in_(unit_ids))
    units = list(await session.scalars(stmt))
    ids = [u.id for u in units]
    names = {u.id: u.name for u in await session.scalars(select(Unit))} if units else {}
    members = dict(
        (uid, int(n))
        for uid, n in await session.execute(
            select(Membership.unit_id, func.count())
            .where(Membership.unit_id.in_(ids))
            .group_by(Membership.unit_id)
        )
    )
    groups = dict(
        (uid, int(n))
        for uid, n in await session.execute(
            select(ChatGroup.unit_id, func.count())
            .where(ChatGroup.unit_id.in_(ids))
            .group_by(ChatGroup.unit_id)
        )
    )
    secretaries: dict[int | None, list[str]] = {}
    for uid, name, user in await session.execute(
        select(RoleGrant.unit_id, Person.display_name, Person.platform_user_id)
        .join(Person, Person.id == RoleGrant.person_id)
        .where(RoleGrant.role == "secretary", RoleGrant.unit_id.in_(ids))
        .order_by(Person.display_name)
    ):
        secretaries.setdefault(uid, []).append(name or user)
    return [
        UnitSummary(
            u,
            names.get(u.parent_id, "") if u.parent_id else "",
            members.get(u.id, 0),
            groups.get(u.id, 0),
            secretaries.get(u.id, []),
        )
        for u in units
    ]


async def create_unit(
    session: AsyncSession, name: str, kind: str = "branch", parent_id: int | None = None
) -> tuple[Unit, bool]:
    """(unit, created): a unit of that name already there is returned as it is."""
    found = await unit_by_name(session, name)
    if found is not None:
        return found, False
    unit = Unit(name=name, kind=kind, parent_id=parent_id)
    session.add(unit)
    await session.flush()
    return unit, True


async def set_group_unit(
    session: AsyncSession, group_id: int, unit_id: int | None, skip: Iterable[int] = ()
) -> int:
    """Bind a group to a unit (None: unbind); the people who spoke there join its roster.

    Returns how many joined: a group set up from chat has no imported roster,
    and its members are the people the bot has heard in it. Admins (and the
    people in `skip`) stay off it: the bureau is not a branch's member.
    """
    group = await session.get(ChatGroup, group_id)
    if group is None:
        raise LookupError(group_id)
    group.unit_id = unit_id
    if unit_id is None:
        return 0
    joining = (
        select(ChatParticipant.person_id, literal(unit_id))
        .join(Person, Person.id == ChatParticipant.person_id)
        .where(
            ChatParticipant.group_id == group_id,
            Person.platform == group.platform,
            ChatParticipant.person_id.not_in(
                select(Membership.person_id).where(Membership.unit_id == unit_id)
            ),
            ChatParticipant.person_id.not_in(
                select(RoleGrant.person_id).where(RoleGrant.role == "admin")
            ),
            ChatParticipant.person_id.not_in(list(skip)),
        )
    )
    result = await session.execute(
        insert(Membership).from_select(["person_id", "unit_id"], joining)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def remove_membership(session: AsyncSession, person_id: int, unit_id: int) -> int:
    result = await session.execute(
        delete(Membership).where(Membership.person_id == person_id, Membership.unit_id == unit_id)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def people_of_units(unit_ids: set[int]) -> CompoundSelect[int]:
    """Ids of the people of these units: on the roster, holding a role, or heard in a group."""
    return (
        select(Membership.person_id)
        .where(Membership.unit_id.in_(unit_ids))
        .union(
            select(RoleGrant.person_id).where(RoleGrant.unit_id.in_(unit_ids)),
            select(ChatParticipant.person_id)
            .join(ChatGroup, ChatGroup.id == ChatParticipant.group_id)
            .where(ChatGroup.unit_id.in_(unit_ids)),
        )
    )


@dataclass
class PersonRow:
    person: Person
    units: list[str] = field(default_factory=list)
    secretary_of: list[str] = field(default_factory=list)
    is_admin: bool = False


async def people_rows(
    session: AsyncSession,
    *,
    unit_ids: set[int] | None,
    query: str = "",
    unit_id: int | None = None,
    role: str = "",
    limit: int = 200,
) -> list[PersonRow]:
    """People on these units' rosters or holding roles there (unit_ids None: everyone).

    `query` matches a name or user id; `unit_id` keeps one unit's people; `role`
    ("secretary", "admin", "teacher") keeps those holding it.
    """
    stmt = select(Person).order_by(Person.display_name, Person.id).limit(limit)
    in_units = unit_ids
    if unit_id is not None:
        in_units = {unit_id} if unit_ids is None else {unit_id} & unit_ids
    if in_units is not None:
        stmt = stmt.where(
            Person.id.in_(select(Membership.person_id).where(Membership.unit_id.in_(in_units)))
            | Person.id.in_(select(RoleGrant.person_id).where(RoleGrant.unit_id.in_(in_units)))
        )
    if query:
        like = f"%{query}%"
        stmt = stmt.where(Person.display_name.like(like) | Person.platform_user_id.like(like))
    if role in ("secretary", "admin"):
        stmt = stmt.where(Person.id.in_(select(RoleGrant.person_id).where(RoleGrant.role == role)))
    elif role == "teacher":
        stmt = stmt.where(Person.id.not_in(select(RoleGrant.person_id)))
    people = list(await session.scalars(stmt))
    rows = {p.id: PersonRow(p) for p in people}
    if not rows:
        return []
    for pid, name in await session.execute(
        select(Membership.person_id, Unit.name)
        .join(Unit, Unit.id == Membership.unit_id)
        .where(Membership.person_id.in_(rows))
        .order_by(Unit.name)
    ):
        rows[pid].units.append(name)
    for pid, grant, name in await session.execute(
        select(RoleGrant.person_id, RoleGrant.role, Unit.name)
        .outerjoin(Unit, Unit.id == RoleGrant.unit_id)
        .where(RoleGrant.person_id.in_(rows))
        .order_by(Unit.name)
    ):
        if grant == "admin":
            rows[pid].is_admin = True
        elif name:
            rows[pid].secretary_of.append(name)
    return [rows[p.id] for p in people]


async def groups_of(
    session: AsyncSession, unit_ids: set[int] | None, person_id: int, only: int | None = None
) -> list[tuple[ChatGroup, str, list[tuple[str, str]]]]:
    """Groups with their unit's name and credentials as (kind, masked secret).

    unit_ids None: every group; else the groups of these units and the unbound
    groups this person has spoken in (a secretary binds those to a unit).
    `only`: just the group of that id.
    """
    stmt = (
        select(ChatGroup, Unit.name)
        .outerjoin(Unit, Unit.id == ChatGroup.unit_id)
        .order_by(Unit.name, ChatGroup.title, ChatGroup.id)
    )
    if only is not None:
        stmt = stmt.where(ChatGroup.id == only)
    if unit_ids is not None:
        spoken = select(ChatParticipant.group_id).where(ChatParticipant.person_id == person_id)
        stmt = stmt.where(
            ChatGroup.unit_id.in_(unit_ids)
            | (ChatGroup.unit_id.is_(None) & ChatGroup.id.in_(spoken))
        )
    found = [(g, unit or "") for g, unit in await session.execute(stmt)]
    creds: dict[int, list[tuple[str, str]]] = {}
    for gid, kind, secret in await session.execute(
        select(GroupCredential.group_id, GroupCredential.kind, GroupCredential.secret)
        .where(GroupCredential.group_id.in_([g.id for g, _ in found]))
        .order_by(GroupCredential.kind)
    ):
        creds.setdefault(gid, []).append((kind, mask_secret(secret)))
    return [(g, unit, creds.get(g.id, [])) for g, unit in found]
