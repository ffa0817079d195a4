"""The secretary's commands on a poll: results, reminders, closing early, export."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bot.args import Args
from bot.console.view import is_id
from bot.context import Context
from bot.deadline import label
from bot.exports import send_export
from bot.numbers import whole
from bot.quiet import hold, morning
from bot.roles import Role
from bot.runtime import Runtime
from handlers.polls import feature, poll_cmd
from handlers.polls import results as polls_results
from handlers.polls import texts as t
from storage.polls import Poll, latest_for_person, latest_in_chat, lock_poll
from storage.polls_results import poll_results


async def _target(ctx: Context, args: Args, *, lock: bool = False) -> Poll | None:
    """The poll named by number, else this group's newest (open first), else the sender's."""
    ref = args.first.lstrip("#")
    if ref.isdigit():  # a number, even one no poll has, is never the newest poll
        n = whole(ref)
        poll = await ctx.session.get(Poll, n) if n is not None else None
    elif ctx.in_group:
        poll = await latest_in_chat(
            ctx.session, ctx.platform, ctx.chat_id, open_only=True
        ) or await latest_in_chat(ctx.session, ctx.platform, ctx.chat_id, open_only=False)
    else:
        poll = await latest_for_person(ctx.session, ctx.actor.person_id)
    if poll is None or not await polls_results.may_view(ctx.session, ctx.actor, poll, ctx.chat_id):
        ctx.reply(t.NO_POLL)
        return None
    return await lock_poll(ctx.session, poll.id, lock=True) if lock else poll


async def _own_open_poll(ctx: Context, args: Args, *, lock: bool = False) -> Poll | None:
    """The poll the secretary means, if it is theirs and still open (else say why)."""
    poll = await _target(ctx, args, lock=lock)
    if poll is None:
        return None
    if not ctx.actor.may_manage(poll):
        ctx.reply(t.NOT_YOURS)
        return None
    if not poll.is_open:
        ctx.reply(t.ALREADY_CLOSED)
        return None
    return poll


@poll_cmd.sub("results", "结果", help=t.HELP_RESULTS)
async def show_results(ctx: Context, args: Args) -> None:
    poll = await _target(ctx, args)
    if poll is None:
        return
    res = await poll_results(ctx.session, poll.id)
    assert res is not None
    owner = ctx.actor.may_manage(poll)
    shown = polls_results.counts_visible(poll, owner)
    if ctx.in_group and shown and not polls_results.counts_visible(poll, owner=False):
        # Promised "after the close" (or to the creator alone): the group sees
        # who took part, the owner gets the counts in direct chat.
        ctx.reply(polls_results.render(poll, res, False), markdown=True)
        ctx.send_direct(ctx.actor.user_id, polls_results.render(poll, res, True), markdown=True)
        ctx.reply(t.RESULTS_DIRECT)
        return
    ctx.reply(polls_results.render(poll, res, shown), markdown=True)


@poll_cmd.sub("remind", "提醒", role=Role.SECRETARY, help=t.HELP_REMIND)
async def remind(ctx: Context, args: Args) -> None:
    poll = await _own_open_poll(ctx, args)
    if poll is None:
        return
    tag = f"remind:{ctx.incoming.msg_id}"
    outs, missing = await polls_results.reminders(ctx.session, poll, ctx.now, ctx.tz, tag)
    if not missing:
        ctx.reply(t.NOBODY_TO_REMIND)
        return
    hold(outs, ctx.now, ctx.settings)
    ctx.out.extend(outs)
    held = morning(ctx.now, ctx.settings)
    ctx.reply(t.reminded(missing, label(held, ctx.now, ctx.tz) if held else ""))


@poll_cmd.sub("close", "结束", role=Role.SECRETARY, help=t.HELP_CLOSE)
async def close(ctx: Context, args: Args) -> None:
    poll = await _own_open_poll(ctx, args, lock=True)
    if poll is None:
        return
    ctx.out.extend(await polls_results.close(ctx.session, poll, ctx.now))
    ctx.reply(t.closed_by(poll.title))


@poll_cmd.sub("export", "导出", role=Role.SECRETARY, help=t.HELP_EXPORT)
async def export_link(ctx: Context, args: Args) -> None:
    poll = await _target(ctx, args)
    if poll is None:
        return
    if not ctx.actor.may_manage(poll):
        ctx.reply(t.NOT_YOURS)
        return
    if not polls_results.counts_visible(poll, owner=True):
        ctx.reply(t.hidden(poll.visibility, poll.anonymous))
        return
    # The link works once for whoever opens it first: never post it to a group.
    await send_export(ctx, "poll", {"id": str(poll.id)}, t.export_label(poll.title))
    if ctx.in_group:
        ctx.reply(t.LINK_SENT_DIRECT)


@feature.cli_command("export poll")
async def export(rt: Runtime, argv: list[str]) -> int:
    """`tongxin export poll ID [--out FILE.xlsx]`."""
    usage_ok = len(argv) == 1 or (len(argv) == 3 and argv[1] == "--out")
    if not usage_ok or not is_id(argv[0]):
        print(t.EXPORT_USAGE, file=sys.stderr)
        return 2
    path = Path(argv[2] if len(argv) == 3 else f"poll-{argv[0]}.xlsx")
    async with rt.db.reading() as session:
        content = await polls_results.build_poll_export(session, int(argv[0]))
    if content is None:
        print(t.export_no_poll(int(argv[0])), file=sys.stderr)
        return 2
    await asyncio.to_thread(path.write_bytes, content)
    print(t.export_done(str(path)))
    return 0
