"""民意测验 and 民主测评: /投票 新建 · 结果 · 提醒 · 结束, `投票 1,3`, the private ballot.

The parts: `polls_create` (the creation flow and publishing), `polls_vote`
(casting ballots), `polls_results` (results, reminders, closing, export);
`storage.polls` explains how anonymous ballots stay unlinkable.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bot.args import Args
from bot.context import Context
from bot.exports import send_export
from bot.feature import Feature
from bot.roles import Role
from bot.runtime import Runtime
from bot.timers import JobContext
from handlers.polls import console_texts as ct
from handlers.polls import create as polls_create
from handlers.polls import results as polls_results
from handlers.polls import texts as t
from handlers.polls import vote as polls_vote
from storage.polls import Poll, latest_for_person, latest_in_chat, lock_poll
from storage.polls_results import poll_results

feature = Feature("polls", __name__)
poll_cmd = feature.command("poll", "投票", help="民意测验与民主测评")
feature.flow(polls_create.new_poll)
feature.flow(polls_vote.ballot)
feature.keyword("投票")(polls_vote.vote_keyword)


async def _target(ctx: Context, args: Args, *, lock: bool = False) -> Poll | None:
    """The poll named by number, else this group's newest (open first), else the sender's."""
    ref = args.first.lstrip("#")
    if ref.isdigit():
        poll = await ctx.session.get(Poll, int(ref))
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


@poll_cmd.sub("new", "新建", role=Role.SECRETARY, help="新建投票或民主测评")
async def new(ctx: Context, args: Args) -> None:
    await polls_create.start(ctx)


@poll_cmd.sub("results", "结果", help="查看投票结果（可加编号）")
async def show_results(ctx: Context, args: Args) -> None:
    poll = await _target(ctx, args)
    if poll is None:
        return
    res = await poll_results(ctx.session, poll.id)
    assert res is not None
    shown = polls_results.counts_visible(poll, polls_results.is_owner(ctx.actor, poll))
    ctx.reply(polls_results.render(poll, res, shown), markdown=True)


async def _own_open_poll(ctx: Context, args: Args, *, lock: bool = False) -> Poll | None:
    """The poll the secretary means, if it is theirs and still open (else say why)."""
    poll = await _target(ctx, args, lock=lock)
    if poll is None:
        return None
    if not polls_results.is_owner(ctx.actor, poll):
        ctx.reply(t.NOT_YOURS)
        return None
    if not poll.is_open:
        ctx.reply(t.ALREADY_CLOSED)
        return None
    return poll


@poll_cmd.sub("remind", "提醒", role=Role.SECRETARY, help="提醒未投票的成员")
async def remind(ctx: Context, args: Args) -> None:
    poll = await _own_open_poll(ctx, args)
    if poll is None:
        return
    tag = f"remind:{ctx.incoming.msg_id}"
    outs, missing = await polls_results.reminders(ctx.session, poll, ctx.now, ctx.tz, tag)
    if not missing:
        ctx.reply(t.NOBODY_TO_REMIND)
        return
    ctx.out.extend(outs)
    ctx.reply(t.reminded(missing))


@poll_cmd.sub("close", "结束", role=Role.SECRETARY, help="提前结束投票")
async def close(ctx: Context, args: Args) -> None:
    poll = await _own_open_poll(ctx, args, lock=True)
    if poll is None:
        return
    ctx.out.extend(await polls_results.close(ctx.session, poll, ctx.now))
    ctx.reply(t.closed_by(poll.title))


@poll_cmd.sub("export", "导出", role=Role.SECRETARY, help="导出投票结果（Excel 下载链接）")
async def export_link(ctx: Context, args: Args) -> None:
    poll = await _target(ctx, args)
    if poll is None:
        return
    if not polls_results.is_owner(ctx.actor, poll):
        ctx.reply(t.NOT_YOURS)
        return
    if not polls_results.counts_visible(poll, owner=True):
        ctx.reply(t.hidden(poll.visibility, poll.anonymous))
        return
    # The link works once for whoever opens it first: never post it to a group.
    await send_export(ctx, "poll", {"id": str(poll.id)}, ct.export_label(poll.title))
    if ctx.in_group:
        ctx.reply(t.LINK_SENT_DIRECT)


@feature.on("poll.close")
async def on_deadline(job: JobContext, ref: str) -> None:
    poll = await lock_poll(job.session, int(ref), lock=True)
    if poll is not None and poll.is_open:
        job.out.extend(await polls_results.close(job.session, poll, job.now))


@feature.on("poll.nudge")
async def on_nudge(job: JobContext, ref: str) -> None:
    poll = await lock_poll(job.session, int(ref), lock=False)
    if poll is not None and poll.is_open:
        tz = job.runtime.settings.tz
        outs, _ = await polls_results.reminders(job.session, poll, job.now, tz, "nudge")
        job.out.extend(outs)


@feature.cli_command("export poll")
async def export(rt: Runtime, argv: list[str]) -> int:
    """`tongxin export poll ID [--out FILE.xlsx]`."""
    usage_ok = len(argv) == 1 or (len(argv) == 3 and argv[1] == "--out")
    if not usage_ok or not argv[0].isdigit():
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


from handlers.polls import console  # noqa: E402  (registers on `feature`)

__all__ = ["console", "feature"]
