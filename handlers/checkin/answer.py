"""What teachers send: `签到` / `到` (with the code when one is set), `请假 原因`."""

from __future__ import annotations

from datetime import timedelta

from bot.args import Args
from bot.context import Context
from handlers.checkin import checkin_progress, cmd, feature, ops
from handlers.checkin import texts as t
from storage import checkin as store
from storage.checkin import LEAVE, Checkin

# A 签到 sent this long after the last check-in closed is told it is over;
# later, the word is left to other features.
CLOSED_NOTICE = timedelta(hours=12)


async def _closed_notice(ctx: Context) -> bool:
    """Tell a late-comer the check-in is over; False when there was none lately."""
    last = await store.latest_in_chat(ctx.session, ctx.platform, ctx.chat_id)
    if last is None or last.closed_at is None or ctx.now - last.closed_at > CLOSED_NOTICE:
        return False
    ctx.reply(t.closed_already(last.title, ops.clock(last.closed_at, ctx.now, ctx.tz)))
    return True


async def open_here(ctx: Context) -> Checkin | None:
    if not ctx.in_group:
        return None
    return await store.open_in_chat(ctx.session, ctx.platform, ctx.chat_id)


async def _check_in(ctx: Context, ck: Checkin, rest: str) -> None:
    if ck.code:
        given = rest.strip()
        if not given:
            ctx.reply(t.CODE_NEEDED)
            return
        if given != ck.code:
            ctx.reply(t.CODE_WRONG)
            return
    status = ops.status_for(ck, ctx.now)
    if status is None:
        ctx.reply(t.too_late(ck.title, ops.clock(ck.deadline, ctx.now, ctx.tz)))
        return
    ans = await store.mark(ctx.session, ck.id, ctx.actor.person_id, status, ctx.now)
    if not ans.new:
        at = ops.clock(ans.at or ctx.now, ctx.now, ctx.tz)
        ctx.reply(t.already_answered(ans.status, at))
        return
    if not ans.expected:
        ctx.reply(t.NOT_ON_ROSTER)
    elif status == store.LATE:
        ctx.reply(t.checked_in_late(ops.clock(ctx.now, ctx.now, ctx.tz)))
    await _progress(ctx, ck)


async def _progress(ctx: Context, ck: Checkin) -> None:
    """The grouped acknowledgement: now if none went out lately, else by a timer."""
    if ck.progress_pending:
        # A line is already due and will count this answer. On PostgreSQL the
        # flag may have been cleared since it was read; then this answer waits
        # for the next line or the final count, which is cheaper than two
        # more writes per message in a burst.
        return
    last = ck.last_progress_at
    quiet_until = ctx.now - ops.PROGRESS_GAP
    if await store.claim_progress_now(ctx.session, ck.id, ctx.now, quiet_until):
        ctx.reply(await ops.progress_line(ctx.session, ck))
    elif await store.claim_progress_later(ctx.session, ck.id):
        due = (last or ctx.now) + ops.PROGRESS_GAP
        await checkin_progress.set(ctx.session, ck.id, max(due, ctx.now))


async def _leave(ctx: Context, ck: Checkin, reason: str) -> None:
    if not reason:
        ctx.reply(t.LEAVE_NEEDS_REASON)
        return
    ans = await store.mark(ctx.session, ck.id, ctx.actor.person_id, LEAVE, ctx.now, reason)
    if not ans.new:
        if ans.status == LEAVE:
            ctx.reply(t.already_answered(LEAVE, ops.clock(ans.at or ctx.now, ctx.now, ctx.tz)))
        else:
            ctx.reply(t.LEAVE_AFTER_ATTEND)
        return
    ctx.reply(
        t.leave_noted(reason) if ans.expected else f"{t.NOT_ON_ROSTER}\n{t.leave_noted(reason)}"
    )


@feature.keyword("签到", "到")
async def checkin_word(ctx: Context, rest: str) -> bool:
    ck = await open_here(ctx)
    if ck is None:
        return ctx.in_group and await _closed_notice(ctx)
    await _check_in(ctx, ck, rest)
    return True


@feature.keyword("请假")
async def leave_word(ctx: Context, rest: str) -> bool:
    ck = await open_here(ctx)
    if ck is None:
        return ctx.in_group and await _closed_notice(ctx)
    await _leave(ctx, ck, rest)
    return True


@cmd.bare()
async def checkin_command(ctx: Context, args: Args) -> None:
    ck = await open_here(ctx)
    if ck is None:
        if not await _closed_notice(ctx):
            ctx.reply(t.NO_CHECKIN)
        return
    await _check_in(ctx, ck, args.text)


@cmd.sub("leave", "请假", help=t.HELP_LEAVE)
async def leave_command(ctx: Context, args: Args) -> None:
    ck = await open_here(ctx)
    if ck is None:
        if not await _closed_notice(ctx):
            ctx.reply(t.NO_CHECKIN)
        return
    await _leave(ctx, ck, args.text)
