"""/授权 · /撤销 · /我是谁: admins grant roles in chat; nobody changes their own.

In a group bound to a unit, `/授权 @李书记 书记` needs no unit name. In a
group not bound yet, or for a unit that does not exist, the bot offers to
create the unit and bind the group, and does all of it after one 确认: a
fresh install is set up from chat alone.
"""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import select

from bot.args import Args
from bot.context import Context
from bot.conversation import Ask, Confirm, Flow, Invalid
from bot.roles import Role
from handlers.roster import feature, grant_cmd, ops, revoke_cmd, whoami_cmd
from handlers.roster import texts as t
from handlers.roster.setup import UNIT_MAX, this_group
from storage.models import Person, Unit
from storage.people import find_person, unit_by_name, units_of


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
    if people[0].id == ctx.actor.person_id:
        ctx.reply(t.NOT_YOURSELF)
        return None
    return people[0]


async def _person_and_role(ctx: Context, args: Args, usage: str) -> tuple[Person, Role] | None:
    if len(args.positional) < 2:
        ctx.reply(usage)
        return None
    role = Role.parse(args.positional[1])
    if role not in (Role.SECRETARY, Role.ADMIN):
        ctx.reply(t.UNKNOWN_ROLE)
        return None
    person = await _target(ctx, args.positional[0])
    return None if person is None else (person, role)


class GrantUnit(BaseModel):
    """A secretary's grant waiting for its unit (and maybe a new unit and a binding)."""

    person_id: int
    person: str
    # "本群「…」" when this group gets bound to the unit too.
    group: str = ""
    unit: str = ""
    new_unit: bool = False
    confirm: bool | None = None


async def _unit_name(ctx: Context, text: str, data: GrantUnit) -> str:
    name = text.strip()
    if len(name) > UNIT_MAX:
        raise Invalid(t.UNIT_NAME_TOO_LONG)
    # Noted for the preview, which cannot look it up itself.
    data.new_unit = await unit_by_name(ctx.session, name) is None
    return name


def _grant_preview(ctx: Context, data: GrantUnit) -> str:
    return t.grant_preview(
        data.person, Role.SECRETARY.zh, data.unit, data.new_unit, bool(data.group), data.group
    )


async def _grant_done(ctx: Context, data: GrantUnit) -> None:
    person = await ctx.session.get(Person, data.person_id)
    if person is None:
        ctx.reply(t.unknown_person(data.person))
        return
    unit, _ = await ops.new_unit(ctx.session, ctx.actor, data.unit, ctx.now, chat=True)
    lines = []
    group = await this_group(ctx)
    if data.group and group is not None and group.unit_id is None:
        joined = await ops.bind(ctx.session, ctx.actor, group, unit, ctx.now, chat=True)
        lines.append(t.bound(unit.name, data.group, joined))
    if await ops.grant(ctx.session, ctx.actor, person, Role.SECRETARY, unit, ctx.now, chat=True):
        lines.append(t.granted(data.person, Role.SECRETARY.zh, unit.name))
    else:
        lines.append(t.already(data.person, Role.SECRETARY.zh))
    ctx.reply("\n".join(lines))


grant_unit_flow = feature.flow(
    Flow(
        "roster.grant",
        t.FLOW_GRANT,
        GrantUnit,
        steps=[
            Ask("unit", lambda ctx, d: t.ask_grant_unit(d.person), parse=_unit_name),
            Confirm("confirm", _grant_preview),
        ],
        on_done=_grant_done,
    )
)


async def _offer_unit(ctx: Context, person: Person, unit_name: str) -> None:
    """Ask for the unit (or confirm creating it), binding this group if it has no unit."""
    group = await this_group(ctx) if ctx.group_unit_id is None else None
    data = GrantUnit(
        person_id=person.id,
        person=ops.name_of(person),
        group=t.group_name(group.title) if group is not None else "",
        unit=unit_name,
        new_unit=bool(unit_name),
    )
    await ctx.start(grant_unit_flow, data)


@grant_cmd.bare()
async def grant(ctx: Context, args: Args) -> None:
    found = await _person_and_role(ctx, args, t.GRANT_USAGE)
    if found is None:
        return
    person, role = found
    name = ops.name_of(person)
    unit: Unit | None = None
    if role == Role.SECRETARY:
        unit_name = " ".join(args.positional[2:])
        if unit_name:
            unit = await unit_by_name(ctx.session, unit_name)
            if unit is None:
                # A unit nobody created yet: offer to create it (and bind this group).
                await _offer_unit(ctx, person, unit_name)
                return
        elif ctx.group_unit_id is not None:
            unit = await ctx.session.get(Unit, ctx.group_unit_id)
        elif ctx.in_group:
            await _offer_unit(ctx, person, "")
            return
        else:
            ctx.reply(t.UNIT_NEEDED)
            return
    done = await ops.grant(ctx.session, ctx.actor, person, role, unit, ctx.now, chat=True)
    if not done:
        ctx.reply(t.already(name, role.zh))
        return
    text = t.granted(name, role.zh, unit.name if unit else None)
    if unit is not None and ctx.in_group and ctx.group_unit_id is None:
        text += "\n" + t.bind_hint(unit.name)
    ctx.reply(text)


@revoke_cmd.bare()
async def revoke(ctx: Context, args: Args) -> None:
    found = await _person_and_role(ctx, args, t.REVOKE_USAGE)
    if found is None:
        return
    person, role = found
    unit: Unit | None = None
    if role == Role.SECRETARY:
        unit_name = " ".join(args.positional[2:])
        if unit_name:
            unit = await unit_by_name(ctx.session, unit_name)
            if unit is None:
                ctx.reply(t.unknown_unit(unit_name))
                return
        elif ctx.group_unit_id is not None:
            unit = await ctx.session.get(Unit, ctx.group_unit_id)
    n = await ops.revoke(ctx.session, ctx.actor, person, role, unit, ctx.now, chat=True)
    ctx.reply(t.revoked(ops.name_of(person), role.zh, n))


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
