"""The console's 人员 page: search the roster, put people on units, grant and revoke roles.

An admin sees everyone; a secretary sees the people of their units (on the
roster, holding a role there, or heard in one of its groups) and may add
them to or take them off those units, and grant or revoke the secretary
role of those units. Every grant and revoke goes to the audit log, shown
below (and on each person's page), wherever it was made.
"""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.view import ConsoleView, Forbidden, NotFound, parse_id
from bot.numbers import whole
from bot.roles import Actor, Role
from handlers.roster import feature, ops
from handlers.roster import texts as t
from storage.models import Person, RoleGrant, Unit
from storage.people import (
    add_membership,
    people_of_units,
    people_rows,
    remove_membership,
    units_of,
)

LISTED = 200
ROLES = ("secretary", "admin", "teacher")


async def visible_units(session: AsyncSession, actor: Actor) -> list[Unit]:
    """The units the visitor manages, by name (every unit for an admin)."""
    stmt = select(Unit).order_by(Unit.name)
    if actor.scope is not None:
        stmt = stmt.where(Unit.id.in_(actor.scope))
    return list(await session.scalars(stmt))


@feature.page("people", t.PEOPLE_TITLE)
async def people_page(view: ConsoleView) -> web.StreamResponse:
    if view.rest:
        return await _person(view, view.int_param("rest"))
    actor = view.actor
    query = view.query.get("q", "").strip()[:64]
    unit_id = view.int_param("unit") if view.query.get("unit") else None
    role = view.query.get("role", "")
    role = role if role in ROLES else ""
    rows = await people_rows(
        view.session,
        unit_ids=actor.scope,
        query=query,
        unit_id=unit_id,
        role=role,
        limit=LISTED + 1,
    )
    history = await ops.role_history(view.session, None, 30) if actor.is_admin else []
    return view.render(
        "people.html",
        title=t.PEOPLE_TITLE,
        t=t,
        rows=rows[:LISTED],
        more=len(rows) > LISTED,
        listed=LISTED,
        query=query,
        unit_id=unit_id,
        role=role,
        units=await visible_units(view.session, actor),
        history=history,
        notice=t.imported(n) if (n := whole(view.query.get("imported", ""))) is not None else "",
    )


async def _may_see(session: AsyncSession, actor: Actor, person_id: int) -> bool:
    if actor.scope is None:
        return True
    found = await session.scalar(
        select(Person.id).where(Person.id == person_id, Person.id.in_(people_of_units(actor.scope)))
    )
    return found is not None


async def _person(view: ConsoleView, person_id: int) -> web.StreamResponse:
    session, actor = view.session, view.actor
    person = await session.get(Person, person_id)
    if person is None:
        raise NotFound(person_id)
    if not await _may_see(session, actor, person.id):
        raise Forbidden(person_id)
    if view.is_post:
        done = await _change(view, person)
        return view.redirect(f"/console/people/{person.id}?done={done}")
    grants = list(
        await session.execute(
            select(RoleGrant, Unit)
            .outerjoin(Unit, Unit.id == RoleGrant.unit_id)
            .where(RoleGrant.person_id == person.id)
            .order_by(RoleGrant.role, Unit.name)
        )
    )
    done = view.query.get("done", "")
    return view.render(
        "person.html",
        title=ops.name_of(person),
        t=t,
        person=person,
        member_of=await units_of(session, person.id),
        grants=[(g, u) for g, u in grants],
        units=await visible_units(session, actor),
        yourself=person.id == actor.person_id,
        history=await ops.role_history(session, person.id),
        notice=t.DONE.get(done, ""),
    )


async def _unit_from_form(view: ConsoleView) -> Unit:
    """The unit the form names, when the visitor manages it."""
    unit = await view.session.get(Unit, parse_id(view.form.get("unit", "")))
    if unit is None:
        raise NotFound(view.form.get("unit"))
    if not view.actor.can_manage(unit.id):
        raise Forbidden(unit.id)
    return unit


async def _change(view: ConsoleView, person: Person) -> str:
    """Do what the form asks; the key of the notice to show afterwards."""
    session, actor, now = view.session, view.actor, view.now
    action = view.form.get("action", "")
    name = ops.name_of(person)
    if action in ("join", "leave"):
        roster = await _unit_from_form(view)
        if action == "join":
            await add_membership(session, person.id, roster.id)
            detail = t.audit_join(name, roster.name)
        else:
            await remove_membership(session, person.id, roster.id)
            detail = t.audit_leave(name, roster.name)
        await view.audit(f"member.{action}", f"[{person.id}] {detail}")
        return action
    if action not in ("grant", "revoke"):
        raise NotFound(action)
    if person.id == actor.person_id:
        raise Forbidden(person.id)
    role = Role.parse(view.form.get("role", ""))
    unit: Unit | None = None
    if role == Role.SECRETARY:
        unit = await _unit_from_form(view)
    elif role != Role.ADMIN or not actor.is_admin:
        raise Forbidden(role)
    if action == "grant":
        done = await ops.grant(session, actor, person, role, unit, now, chat=False)
        return "grant" if done else "had"
    await ops.revoke(session, actor, person, role, unit, now, chat=False)
    return "revoke"
