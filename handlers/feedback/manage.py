"""The secretary's commands on a call (remind, count, export), and its deadline."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.args import Args
from bot.console.view import is_id
from bot.context import Context
from bot.exports import send_export
from bot.messages import Outgoing
from bot.numbers import whole
from bot.quiet import hold, morning
from bot.roles import Role
from bot.runtime import Runtime
from bot.timers import JobContext
from handlers.feedback import feature, feedback_close, feedback_cmd, feedback_nudge
from handlers.feedback import texts as t
from handlers.feedback.report import (
    LISTED,
    build_feedback_export,
    render_summary,
    show_time,
    summarize,
)
from storage.feedback import (
    NO_OPINION,
    OPINION,
    FeedbackCall,
    latest_call,
    pending_people,
)
from storage.models import Person


async def _find_call(ctx: Context, args: Args, *, open_only: bool) -> FeedbackCall | None:
    ref = args.first.lstrip("#")
    actor = ctx.actor
    if ref:
        n = whole(ref)
        call = await ctx.session.get(FeedbackCall, n) if n is not None else None
        if call is None or not actor.may_manage(call):
            ctx.reply(t.unknown_call(ref))
            return None
        return call
    units = actor.scope
    call = await latest_call(ctx.session, units, actor.person_id, open_only=open_only)
    if call is None:
        ctx.reply(t.NO_OPEN_CALL)
    return call


@feedback_cmd.sub("remind", "提醒", role=Role.SECRETARY, help=t.REMIND_HELP)
async def remind(ctx: Context, args: Args) -> None:
    call = await _find_call(ctx, args, open_only=True)
    if call is None:
        return
    if call.state != "open":
        ctx.reply(t.too_late(call.title))
        return
    pending = await pending_people(ctx.session, call.id)
    if not pending:
        ctx.reply(t.ALL_ANSWERED)
        return
    text = t.remind_person(call.title, show_time(call.deadline, ctx.now, ctx.tz))
    tag = f"feedback:{call.id}:remind:{ctx.incoming.msg_id}"
    outs = [
        Outgoing.direct(person.platform, person.platform_user_id, text, key=f"{tag}:{person.id}")
        for person in pending
    ]
    hold(outs, ctx.now, ctx.settings)
    ctx.out.extend(outs)
    held = morning(ctx.now, ctx.settings)
    ctx.reply(t.reminded(len(pending), show_time(held, ctx.now, ctx.tz) if held else ""))


@feedback_cmd.sub("status", "统计", role=Role.SECRETARY, help=t.STATUS_HELP)
async def status(ctx: Context, args: Args) -> None:
    call = await _find_call(ctx, args, open_only=False)
    if call is None:
        return
    summary = await summarize(ctx.session, call.id)
    assert summary is not None
    ctx.reply(render_summary(summary, ctx.now, ctx.tz))


@feedback_cmd.sub("export", "导出", role=Role.SECRETARY, help=t.EXPORT_HELP)
async def export_link(ctx: Context, args: Args) -> None:
    call = await _find_call(ctx, args, open_only=False)
    if call is None:
        return
    # The link works once for whoever opens it first: never post it to a group.
    await send_export(ctx, "feedback", {"id": str(call.id)}, t.export_label(call.title))
    if ctx.in_group:
        ctx.reply(t.LINK_SENT_DIRECT)


# --- the deadline -------------------------------------------------------------------


@feedback_nudge.handler
async def nudge(job: JobContext, call_id: int) -> None:
    call = await job.session.get(FeedbackCall, call_id)
    if call is None or call.state != "open":
        return
    pending = await pending_people(job.session, call.id)
    shown = show_time(call.deadline, job.now, job.tz)
    for person in pending:
        job.to_person(
            person.platform,
            person.platform_user_id,
            t.remind_person(call.title, shown),
            key=f"feedback:{call.id}:nudge:{person.id}",
        )
    if pending and call.chat_id:
        job.to_group(
            call.platform,
            call.chat_id,
            t.nudge_group(call.title, shown, len(pending)),
            key=f"feedback:{call.id}:nudge",
        )


@feedback_close.handler
async def close(job: JobContext, call_id: int) -> None:
    call = await job.session.get(FeedbackCall, call_id)
    if call is None or call.state != "open":
        return
    # Answers given just before (or before a restart) are counted first.
    await job.runtime.writes.catch_up(job.session)
    call.state, call.closed_at = "closed", job.now
    await job.session.flush()
    summary = await summarize(job.session, call.id)
    assert summary is not None
    outs_before = len(job.out)
    creator = await job.session.get(Person, call.creator_id) if call.creator_id else None
    if creator is not None:
        job.to_person(
            creator.platform,
            creator.platform_user_id,
            render_summary(summary, job.now, job.tz),
            key=f"feedback:{call.id}:summary",
        )
    if call.chat_id:
        split = None
        if summary.anon_shown == LISTED:
            opinions = len(summary.named(OPINION)) + len(summary.anon(OPINION))
            none = len(summary.named(NO_OPINION)) + len(summary.anon(NO_OPINION))
            split = (opinions, none)
        job.to_group(
            call.platform,
            call.chat_id,
            t.closed_group(call.title, len(summary.rows), split, len(summary.silent)),
            key=f"feedback:{call.id}:closed",
        )
    # Closed on time; what it says is a push and waits out the quiet hours.
    hold(job.out[outs_before:], job.now, job.runtime.settings)


# --- export -------------------------------------------------------------------------


@feature.cli_command("export feedback")
async def export(rt: Runtime, argv: list[str]) -> int:
    """`tongxin export feedback ID [--out FILE]`: the call's ledger as XLSX."""
    if not argv or not is_id(argv[0].lstrip("#")):
        print(f"tongxin: {t.CLI_EXPORT_USAGE}", file=sys.stderr)
        return 2
    call_id = int(argv[0].lstrip("#"))
    out = Path(argv[2]) if len(argv) >= 3 and argv[1] in ("--out", "-o") else None
    async with rt.db.reading() as session:
        try:
            data = await build_feedback_export(session, call_id, tz=rt.settings.tz)
        except LookupError:
            print(f"tongxin: {t.cli_no_call(call_id)}", file=sys.stderr)
            return 2
    path = out or Path(f"feedback-{call_id}.xlsx")
    path.write_bytes(data)
    print(t.cli_exported(str(path)))
    return 0
