"""Roles from chat: /授权, /撤销, /我是谁. Admins grant; nobody grants themselves."""

from __future__ import annotations

from sqlalchemy import select

from bot.args import Args
from bot.context import Context
from bot.feature import Feature
from bot.roles import Role
from handlers.roster import texts as t
from storage.models import Person, Unit
from storage.people import find_person, grant_role, revoke_role, unit_by_name, units_of

feature = Feature("roster", __name__)
grant_cmd = feature.command("grant", "授权", help=t.HELP_GRANT, role=Role.ADMIN)
revoke_cmd = feature.command("revoke", "撤销", help=t.HELP_REVOKE, role=Role.ADMIN)
whoami_cmd = feature.command("whoami", "我是谁", help=t.HELP_WHOAMI)


async def _target(ctx: Context, ref: str) -> Person | None:
    ref = ref.lstrip("@")
    mentioned = [m for m in ctx.incoming.mentions if m == ref]
    people = await find_person(ctx.session, ctx.platform, mentioned[0] if mentioned else ref)
    if not people:
        ctx.reply(t.unknown_person(ref))
        return None
    if len(people) > 1:
        ctx.reply(t.AMBIGUOUS)
        return None
    return people[0]


async def _role_and_unit(
    ctx: Context, args: Args, usage: str
) -> tuple[Person, Role, int | None, str | None] | None:
    if len(args.positional) < 2:
        ctx.reply(usage)
        return None
    role = Role.parse(args.positional[1])
    if role not in (Role.SECRETARY, Role.ADMIN):
        ctx.reply(t.UNKNOWN_ROLE)
        return None
    person = await _target(ctx, args.positional[0])
    if person is None:
        return None
    unit_id: int | None = None
    unit_name: str | None = None
    if role == Role.SECRETARY:
        if len(args.positional) >= 3:
            unit_name = " ".join(args.positional[2:])
            unit = await unit_by_name(ctx.session, unit_name)
            if unit is None:
                ctx.reply(t.unknown_unit(unit_name))
                return None
            unit_id = unit.id
        elif ctx.group_unit_id is not None:
            unit_id = ctx.group_unit_id
            unit = await ctx.session.get(Unit, unit_id)
            unit_name = unit.name if unit else None
        elif usage is t.GRANT_USAGE:
            ctx.reply(t.UNIT_NEEDED)
            return None
    return person, role, unit_id, unit_name


@grant_cmd.bare()
async def grant(ctx: Context, args: Args) -> None:
    found = await _role_and_unit(ctx, args, t.GRANT_USAGE)
    if found is None:
        return
    person, role, unit_id, unit_name = found
    name = person.display_name or person.platform_user_id
    if await grant_role(ctx.session, person.id, role.name.lower(), unit_id, ctx.actor.key, ctx.now):
        ctx.reply(t.granted(name, role.zh, unit_name))
    else:
        ctx.reply(t.already(name, role.zh))


@revoke_cmd.bare()
async def revoke(ctx: Context, args: Args) -> None:
    found = await _role_and_unit(ctx, args, t.REVOKE_USAGE)
    if found is None:
        return
    person, role, unit_id, _ = found
    n = await revoke_role(ctx.session, person.id, role.name.lower(), unit_id)
    ctx.reply(t.revoked(person.display_name or person.platform_user_id, role.zh, n))


@whoami_cmd.bare()
async def whoami(ctx: Context, args: Args) -> None:
    actor = ctx.actor
    units: list[str] = []
    if actor.secretary_units:
        units = list(
            await ctx.session.scalars(
                select(Unit.name).where(Unit.id.in_(actor.secretary_units)).order_by(Unit.name)
            )
        )
    member_of = [u.name for u in await units_of(ctx.session, actor.person_id)]
    ctx.reply(t.whoami(actor.name, actor.user_id, actor.role.zh, units, member_of))
