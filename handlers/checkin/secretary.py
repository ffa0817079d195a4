"""A secretary's corrections: 补签 / 请假 / 撤销 for someone, and deleting a mistaken check-in.

People are named by @-mention (bot.mentions). A correction applies to the
group's open check-in, else its latest one (a 补签 after the close).
Deleting takes the whole check-in out of the ledger, after a confirmation.
"""

from __future__ import annotations

from pydantic import BaseModel

from bot.args import Args
from bot.context import Context
from bot.conversation import Confirm, Flow
from bot.mentions import Named, mentioned
from bot.roles import Role
from handlers.checkin import checkin_close, checkin_nudge, checkin_progress, cmd, feature, ops
from handlers.checkin import texts as t
from handlers.checkin.answer import ask_leave
from storage import checkin as store
from storage.checkin import LEAVE, PRESENT, Checkin


async def _target(ctx: Context) -> Checkin | None:
    """The group's open check-in, else its latest; None (said why) when none or not theirs."""
    if not ctx.in_group:
        ctx.reply(t.STATUS_IN_GROUP)
        return None
    ck = await store.open_in_chat(ctx.session, ctx.platform, ctx.chat_id)
    ck = ck or await store.latest_in_chat(ctx.session, ctx.platform, ctx.chat_id)
    if ck is None:
        ctx.reply(t.NO_CHECKIN_EVER)
        return None
    if not ctx.actor.may_manage(ck):
        ctx.reply(t.NOT_YOURS)
        return None
    return ck


async def _named(ctx: Context, ck: Checkin, args: Args) -> Named | None:
    roster = [p.person_id for p in await store.people(ctx.session, ck.id)]
    named = await mentioned(ctx, args.text, among=roster)
    if named.unknown:
        ctx.reply(t.unknown_people(named.unknown))
        return None
    if not named.people:
        ctx.reply(t.WHO_NEEDED)
        return None
    return named


def _names(named: Named) -> list[str]:
    return [p.display_name or p.platform_user_id for p in named.people]


async def _counts(ctx: Context, ck: Checkin) -> str:
    c = await store.counts(ctx.session, ck.id)
    return t.summary(ck.title, c.expected, c.attended, c.late, c.leave, c.missing)


@cmd.sub(
    "mark",
    "补签",
    role=Role.SECRETARY,
    help=t.HELP_MARK,
    examples=t.EXAMPLES_SECRETARY,
)
async def mark_for(ctx: Context, args: Args) -> None:
    ck = await _target(ctx)
    named = await _named(ctx, ck, args) if ck is not None else None
    if ck is None or named is None:
        return
    for person in named.people:
        await store.set_status(ctx.session, ck.id, person.id, PRESENT, ctx.now)
    ctx.reply(f"{t.marked(_names(named), ck.title)}\n{await _counts(ctx, ck)}")


async def leave_for(ctx: Context, args: Args) -> None:
    """`/签到 请假 @张丽 病假`: a secretary records someone's leave."""
    ck = await _target(ctx)
    named = await _named(ctx, ck, args) if ck is not None else None
    if ck is None or named is None:
        return
    if not named.rest:
        ctx.reply(t.LEAVE_FOR_NEEDS_REASON)
        return
    reason = ctx.typed(named.rest)
    for person in named.people:
        await store.set_status(ctx.session, ck.id, person.id, LEAVE, ctx.now, reason)
    ctx.reply(f"{t.left_for(_names(named), ck.title, reason)}\n{await _counts(ctx, ck)}")


@cmd.sub("leave", "请假", help=t.HELP_LEAVE)
async def leave_command(ctx: Context, args: Args) -> None:
    """`/签到 请假 原因` for oneself; with an @-mention, a secretary's for someone else."""
    if "@" in args.text or ctx.incoming.mentions:
        if ctx.actor.role < Role.SECRETARY:
            ctx.reply(t.LEAVE_FOR_OTHERS)
            return
        await leave_for(ctx, args)
        return
    await ask_leave(ctx, args.text)


class DeleteCheckin(BaseModel):
    checkin_id: int
    title: str
    opened: str
    attended: int
    confirm: bool | None = None


def _preview(ctx: Context, data: DeleteCheckin) -> str:
    return t.delete_preview(data.title, data.opened, data.attended)


async def _delete(ctx: Context, data: DeleteCheckin) -> None:
    ck = await ctx.session.get(Checkin, data.checkin_id)
    if ck is not None:
        for timer in (checkin_close, checkin_nudge, checkin_progress):
            await timer.cancel(ctx.session, ck.id)
        await store.remove(ctx.session, ck.id)
    ctx.reply(t.deleted(data.title))


delete_flow = feature.flow(
    Flow(
        "checkin.delete",
        t.FLOW_DELETE,
        DeleteCheckin,
        steps=[Confirm("confirm", _preview)],
        on_done=_delete,
    )
)


@cmd.sub("delete", "删除", role=Role.SECRETARY, help=t.HELP_DELETE)
async def delete(ctx: Context, args: Args) -> None:
    ck = await _target(ctx)
    if ck is None:
        return
    c = await store.counts(ctx.session, ck.id)
    data = DeleteCheckin(
        checkin_id=ck.id,
        title=ck.title,
        opened=ops.clock(ck.opened_at, ctx.now, ctx.tz),
        attended=c.attended + c.outsiders,
    )
    await ctx.start(delete_flow, data)


@cmd.sub("undo", "撤销", role=Role.SECRETARY, help=t.HELP_UNDO)
async def undo(ctx: Context, args: Args) -> None:
    """`/签到 撤销 @孙悦` takes back one check-in; `/签到 撤销` alone, the whole check-in."""
    if "@" not in args.text and not ctx.incoming.mentions:
        await delete(ctx, args)
        return
    ck = await _target(ctx)
    named = await _named(ctx, ck, args) if ck is not None else None
    if ck is None or named is None:
        return
    for person in named.people:
        await store.set_status(ctx.session, ck.id, person.id, "", None)
    ctx.reply(f"{t.undone(_names(named), ck.title)}\n{await _counts(ctx, ck)}")
