"""The secretary's commands on a check-in, and what its timers do."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.args import Args
from bot.context import Context
from bot.events import MeetingHeld
from bot.messages import Outgoing
from bot.names import by_pinyin
from bot.quiet import hold
from bot.roles import Role
from bot.runtime import Runtime
from bot.timers import JobContext
from handlers.checkin import (
    checkin_close,
    checkin_held,
    checkin_nudge,
    checkin_progress,
    cmd,
    feature,
    ledger,
    ops,
)
from handlers.checkin import texts as t
from handlers.checkin.answer import open_here
from storage import checkin as store
from storage.checkin import Checkin
from storage.models import Person


@cmd.sub("status", "统计", help=t.HELP_STATUS)
async def status(ctx: Context, args: Args) -> None:
    if not ctx.in_group:
        ctx.reply(t.STATUS_IN_GROUP)
        return
    ck = await store.latest_in_chat(ctx.session, ctx.platform, ctx.chat_id)
    if ck is None:
        ctx.reply(t.NO_CHECKIN_EVER)
        return
    ctx.reply(await ops.report(ctx.session, ck))
    if ctx.actor.may_manage(ck) and (await store.counts(ctx.session, ck.id)).leave:
        # Why someone is away is for the secretary, not for the group.
        ctx.send_direct(ctx.actor.user_id, await ops.report(ctx.session, ck, reasons=True))
        ctx.reply(t.REASONS_DIRECT)


@cmd.sub("remind", "提醒", role=Role.SECRETARY, help=t.HELP_REMIND)
async def remind(ctx: Context, args: Args) -> None:
    ck = await open_here(ctx)
    if ck is None:
        ctx.reply(t.NO_CHECKIN)
        return
    if ck.last_remind_at is not None and ctx.now - ck.last_remind_at < ops.REMIND_GAP:
        ctx.reply(t.remind_too_soon(ops.clock(ck.last_remind_at, ctx.now, ctx.tz)))
        return
    missing = await ops.missing(ctx.session, ck)
    if not missing:
        ctx.reply(t.NOBODY_MISSING)
        return
    ck.last_remind_at = ctx.now
    deadline = ops.clock(ck.deadline, ctx.now, ctx.tz)
    ctx.reply(
        t.remind(ck.title, by_pinyin(p.name for p in missing), deadline),
        mentions=[p.user_id for p in missing],
    )


@cmd.sub("close", "结束", role=Role.SECRETARY, help=t.HELP_CLOSE)
async def close_command(ctx: Context, args: Args) -> None:
    ck = await open_here(ctx)
    if ck is None:
        ctx.reply(t.NO_CHECKIN)
        return
    ctx.reply(await ops.close(ctx.session, ck, ctx.now))
    await _reasons_to_creator(ctx.session, ck, ctx.out)


@cmd.sub("ledger", "台账", role=Role.SECRETARY, help=t.HELP_LEDGER)
async def ledger_command(ctx: Context, args: Args) -> None:
    await ledger.answer_in_chat(ctx, args)


@feature.cli_command("export checkins")
async def export_checkins(rt: Runtime, argv: list[str]) -> int:
    """`tongxin export checkins --unit 第一党支部 --year 2026`: a unit's ledger as XLSX."""
    return await ledger.export_cli(rt, argv)


async def _open_checkin(job: JobContext, checkin_id: int) -> Checkin | None:
    ck = await job.session.get(Checkin, checkin_id)
    return ck if ck is not None and ck.state == "open" else None


@checkin_close.handler
async def close_due(job: JobContext, checkin_id: int) -> None:
    ck = await _open_checkin(job, checkin_id)
    if ck is None:
        return
    text = await ops.close(job.session, ck, job.now)
    job.to_group(ck.platform, ck.chat_id, text, key=f"checkin:{ck.id}:closed")
    await _reasons_to_creator(job.session, ck, job.out)
    hold(job.out, job.now, job.runtime.settings)


@checkin_held.handler
async def held(job: JobContext, checkin_id: int) -> None:
    ck = await job.session.get(Checkin, checkin_id)
    if ck is not None and ck.unit_id is not None:
        await job.runtime.emit(job, MeetingHeld(ck.unit_id, ck.title))


async def _reasons_to_creator(session: AsyncSession, ck: Checkin, out: list[Outgoing]) -> None:
    """The final count with leave reasons, to whoever opened the check-in."""
    opener = await session.get(Person, ck.creator_id) if ck.creator_id else None
    if opener is None or not (await store.counts(session, ck.id)).leave:
        return
    text = t.final(await ops.report(session, ck, reasons=True))
    out.append(
        Outgoing.direct(
            opener.platform, opener.platform_user_id, text, key=f"checkin:{ck.id}:reasons"
        )
    )


@checkin_nudge.handler
async def nudge_due(job: JobContext, checkin_id: int) -> None:
    ck = await _open_checkin(job, checkin_id)
    if ck is None:
        return
    missing = await ops.missing(job.session, ck)
    if not missing:
        return
    ck.last_remind_at = job.now
    tz = job.tz
    job.to_group(
        ck.platform,
        ck.chat_id,
        t.remind(ck.title, by_pinyin(p.name for p in missing), ops.clock(ck.deadline, job.now, tz)),
        key=f"checkin:{ck.id}:nudge",
        mentions=[p.user_id for p in missing],
    )


@checkin_progress.handler
async def progress_due(job: JobContext, checkin_id: int) -> None:
    ck = await job.session.get(Checkin, checkin_id)
    if ck is None:
        return
    ck.progress_pending = False
    ck.last_progress_at = job.now
    if ck.state != "open":
        return
    job.to_group(
        ck.platform,
        ck.chat_id,
        await ops.progress_line(job.session, ck),
        key=f"checkin:{ck.id}:progress:{job.now.isoformat()}",
    )
