"""/绑定 · /解绑 · /单位: setting a school up from chat, with no shell on the server.

`/绑定 第一党支部` in a group binds it to the unit; a unit that does not exist
yet is created after a 确认 (admins only), and a group bound elsewhere is
moved only after a 确认. The people the bot has heard in the group join the
unit's roster, so a check-in there expects them.
"""

from __future__ import annotations

from pydantic import BaseModel

from bot.args import Args
from bot.context import Context
from bot.conversation import Ask, Confirm, Flow, Invalid
from bot.roles import Role
from handlers.roster import bind_cmd, feature, ops, unbind_cmd, unit_cmd
from handlers.roster import texts as t
from storage.models import ChatGroup, Unit
from storage.people import unit_by_name, unit_summaries

# Unit.name's column width.
UNIT_MAX = 64


async def this_group(ctx: Context) -> ChatGroup | None:
    return await ctx.session.get(ChatGroup, ctx.group_id) if ctx.group_id is not None else None


class BindGroup(BaseModel):
    unit: str = ""
    new_unit: bool = False
    # The unit the group is bound to now, when it moves.
    current: str = ""
    group: str = ""
    confirm: bool | None = None


async def _check_unit(ctx: Context, name: str) -> Unit | None:
    """The unit of that name, or None for a new one; Invalid when the sender may not use it."""
    if len(name) > UNIT_MAX:
        raise Invalid(t.UNIT_NAME_TOO_LONG)
    unit = await unit_by_name(ctx.session, name)
    if unit is None and not ctx.actor.is_admin:
        raise Invalid(t.ONLY_ADMIN_CREATES)
    if unit is not None and not ctx.actor.can_manage(unit.id):
        raise Invalid(t.not_managed(unit.name))
    return unit


async def _unit_answer(ctx: Context, text: str, data: BindGroup) -> str:
    name = text.strip()
    # Noted for the preview, which cannot look it up itself.
    data.new_unit = await _check_unit(ctx, name) is None
    return name


def _bind_preview(ctx: Context, data: BindGroup) -> str:
    return t.bind_preview(data.unit, data.new_unit, data.current, data.group)


async def _bind_done(ctx: Context, data: BindGroup) -> None:
    group = await this_group(ctx)
    if group is None:
        ctx.reply(t.GROUP_ONLY)
        return
    try:
        unit = await _check_unit(ctx, data.unit)
    except Invalid as refused:
        ctx.reply(refused.hint)
        return
    if unit is None:
        unit, _ = await ops.new_unit(ctx.session, ctx.actor, data.unit, ctx.now, chat=True)
    joined = await ops.bind(ctx.session, ctx.actor, group, unit, ctx.now, chat=True)
    ctx.reply(t.bound(unit.name, t.group_name(group.title), joined))


bind_flow = feature.flow(
    Flow(
        "roster.bind",
        t.FLOW_BIND,
        BindGroup,
        steps=[
            Ask("unit", t.ASK_BIND_UNIT, parse=_unit_answer),
            Confirm("confirm", _bind_preview),
        ],
        on_done=_bind_done,
    )
)


@bind_cmd.bare()
async def bind(ctx: Context, args: Args) -> None:
    group = await this_group(ctx)
    if group is None:
        ctx.reply(t.GROUP_ONLY)
        return
    here = t.group_name(group.title)
    current = await ctx.session.get(Unit, group.unit_id) if group.unit_id is not None else None
    data = BindGroup(group=here, current=current.name if current is not None else "")
    name = args.text.strip()
    if not name:
        await ctx.start(bind_flow, data)
        return
    try:
        unit = await _check_unit(ctx, name)
    except Invalid as refused:
        ctx.reply(refused.hint)
        return
    if unit is not None and current is not None and unit.id == current.id:
        ctx.reply(t.already_bound(unit.name, here))
        return
    if unit is not None and current is None:
        joined = await ops.bind(ctx.session, ctx.actor, group, unit, ctx.now, chat=True)
        ctx.reply(t.bound(unit.name, here, joined))
        return
    # A new unit, or a group moving from one unit to another: confirm first.
    data.unit, data.new_unit = name, unit is None
    await ctx.start(bind_flow, data)


@unbind_cmd.bare()
async def unbind(ctx: Context, args: Args) -> None:
    group = await this_group(ctx)
    if group is None:
        ctx.reply(t.GROUP_ONLY)
        return
    if group.unit_id is None:
        ctx.reply(t.NOT_BOUND)
        return
    name = await ops.unbind(ctx.session, ctx.actor, group, ctx.now, chat=True)
    ctx.reply(t.unbound(name, t.group_name(group.title)))


@unit_cmd.sub("new", "新建", role=Role.ADMIN, help=t.HELP_UNIT_NEW, keywords=t.UNIT_KEYWORDS)
async def new_unit(ctx: Context, args: Args) -> None:
    name = " ".join(args.positional)
    parent_name = args.get("parent")
    if not name or parent_name == "true":
        ctx.reply(t.UNIT_USAGE)
        return
    if max(len(name), len(parent_name)) > UNIT_MAX:
        ctx.reply(t.UNIT_NAME_TOO_LONG)
        return
    if await unit_by_name(ctx.session, name) is not None:
        ctx.reply(t.unit_exists(name))
        return
    parent = None
    if parent_name:
        parent, made = await ops.new_unit(ctx.session, ctx.actor, parent_name, ctx.now, chat=True)
        if made:
            parent.kind = "school"
    await ops.new_unit(ctx.session, ctx.actor, name, ctx.now, parent=parent, chat=True)
    ctx.reply(t.unit_created(name, parent_name))


@unit_cmd.sub("list", "列表", help=t.HELP_UNIT_LIST)
async def list_units(ctx: Context, args: Args) -> None:
    found = await unit_summaries(ctx.session, ctx.actor.scope)
    if not found:
        ctx.reply(t.NO_UNITS)
        return
    lines = [t.units_header(len(found))]
    lines += [t.unit_line(u.unit.name, u.parent, u.members, u.groups, u.secretaries) for u in found]
    ctx.reply("\n".join(lines))
