"""/签到: open a check-in for a meeting, check in, ask leave, count, nudge, close.

Opening: `/签到 发起 主题党日 截止 15:30 [签到码] [允许迟到]`, or `/签到 发起`
alone and a short conversation asks for the title and the deadline. Teachers
answer with a bare `签到` / `到` (plus the code when one is set) or
`请假 原因`. Check-ins are acknowledged by one grouped progress line per 30 s,
so a room of fifty does not make fifty replies.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.args import Args
from bot.context import Context
from bot.conversation import Ask, Data, Flow, Invalid
from bot.feature import Feature
from bot.roles import Role
from bot.timers import JobContext, set_timer
from handlers.checkin import ledger, ops
from handlers.checkin import texts as t
from schedules.timeparse import TimeParseError, parse_when
from storage import checkin as store
from storage.checkin import LEAVE, Checkin
from storage.models import ChatGroup
from storage.people import touch_group

if TYPE_CHECKING:
    from bot.runtime import Runtime

feature = Feature("checkin", __name__)
cmd = feature.command("checkin", "签到", help="会议签到、请假与台账")

START_OPTIONS = {
    "截止": "until",
    "签到码": "code",
    "允许迟到": "late",
    "可迟到": "late",
}
TITLE_MAX = 30
CODE = re.compile(r"\d{4}")
# A 签到 sent this long after the last check-in closed is told it is over;
# later, the word is left to other features.
CLOSED_NOTICE = timedelta(hours=12)
MEETING_GRACE = timedelta(minutes=15)


# --- opening ---------------------------------------------------------------------


def _title(ctx: Context, text: str, data: Data) -> str:
    if len(text) > TITLE_MAX:
        raise Invalid(t.TITLE_TOO_LONG)
    return text


def _deadline(ctx: Context, text: str, data: Data) -> str:
    try:
        when = parse_when(text, ctx.now, tz=ctx.tz)
    except TimeParseError as err:
        raise Invalid(err.reason) from None
    if not when.has_time:
        raise Invalid(t.DEADLINE_NEEDS_TIME)
    return when.at.isoformat()


async def _open_from_flow(ctx: Context, data: Data) -> None:
    existing = await store.open_in_chat(ctx.session, ctx.platform, ctx.chat_id)
    if existing is not None:
        ctx.reply(t.already_open(existing.title))
        return
    ck, text = await ops.open_checkin(
        ctx.session,
        platform=ctx.platform,
        chat_id=ctx.chat_id,
        group_id=ctx.group_id,
        unit_id=ctx.group_unit_id,
        title=data["title"],
        code=data.get("code", ""),
        late=bool(data.get("late")),
        opened_by=ctx.actor.person_id,
        now=ctx.now,
        deadline=datetime.fromisoformat(data["deadline"]),
        closes_at=None,
        tz=ctx.tz,
    )
    ctx.reply(text)
    if ck.code:
        ctx.send_direct(
            ctx.actor.user_id, t.code_for_secretary(ck.title, ck.code), key=f"checkin:{ck.id}:code"
        )


feature.flow(
    Flow(
        "checkin.start",
        "发起签到",
        steps=[
            Ask("title", t.ASK_TITLE, parse=_title, when=lambda d: "title" in d["ask"]),
            Ask("deadline", t.ASK_DEADLINE, parse=_deadline, when=lambda d: "deadline" in d["ask"]),
        ],
        on_done=_open_from_flow,
    )
)


@cmd.sub("start", "发起", role=Role.SECRETARY, help="发起签到", keywords=START_OPTIONS)
async def start(ctx: Context, args: Args) -> None:
    if not ctx.in_group:
        ctx.reply(t.GROUP_ONLY)
        return
    existing = await store.open_in_chat(ctx.session, ctx.platform, ctx.chat_id)
    if existing is not None:
        ctx.reply(t.already_open(existing.title))
        return
    data: dict[str, Any] = {"ask": [], "late": args.get("late") == "true"}
    code = args.get("code")
    if code == "true":
        data["code"] = ops.new_code()
    elif code:
        if not CODE.fullmatch(code):
            ctx.reply(t.CODE_FORMAT)
            return
        data["code"] = code
    title = " ".join(args.positional)
    if title and len(title) <= TITLE_MAX:
        data["title"] = title
    else:
        if title:
            ctx.reply(t.TITLE_TOO_LONG)
        data["ask"].append("title")
    until = args.get("until")
    try:
        if until:
            data["deadline"] = _deadline(ctx, until, data)
    except Invalid as bad:
        ctx.reply(bad.hint)
    if "deadline" not in data:
        data["ask"].append("deadline")
    await ctx.runtime.router.conversations.start(ctx, "checkin.start", data)


# --- answering -------------------------------------------------------------------


async def _closed_notice(ctx: Context) -> bool:
    """Tell a late-comer the check-in is over; False when there was none lately."""
    last = await store.latest_in_chat(ctx.session, ctx.platform, ctx.chat_id)
    if last is None or last.closed_at is None or ctx.now - last.closed_at > CLOSED_NOTICE:
        return False
    ctx.reply(t.closed_already(last.title, ops.clock(last.closed_at, ctx.now, ctx.tz)))
    return True


async def _open_here(ctx: Context) -> Checkin | None:
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
        await set_timer(ctx.session, "checkin.progress", str(ck.id), max(due, ctx.now))


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
    ck = await _open_here(ctx)
    if ck is None:
        return ctx.in_group and await _closed_notice(ctx)
    await _check_in(ctx, ck, rest)
    return True


@feature.keyword("请假")
async def leave_word(ctx: Context, rest: str) -> bool:
    ck = await _open_here(ctx)
    if ck is None:
        return ctx.in_group and await _closed_notice(ctx)
    await _leave(ctx, ck, rest)
    return True


@cmd.bare()
async def checkin_command(ctx: Context, args: Args) -> None:
    ck = await _open_here(ctx)
    if ck is None:
        if not await _closed_notice(ctx):
            ctx.reply(t.NO_CHECKIN)
        return
    await _check_in(ctx, ck, args.text)


@cmd.sub("leave", "请假", help="请假（写明原因）")
async def leave_command(ctx: Context, args: Args) -> None:
    ck = await _open_here(ctx)
    if ck is None:
        if not await _closed_notice(ctx):
            ctx.reply(t.NO_CHECKIN)
        return
    await _leave(ctx, ck, args.text)


# --- for the secretary -----------------------------------------------------------


@cmd.sub("status", "统计", help="查看应到、实到、请假与未到")
async def status(ctx: Context, args: Args) -> None:
    if not ctx.in_group:
        ctx.reply(t.STATUS_IN_GROUP)
        return
    ck = await store.latest_in_chat(ctx.session, ctx.platform, ctx.chat_id)
    if ck is None:
        ctx.reply(t.NO_CHECKIN_EVER)
        return
    ctx.reply(await ops.report(ctx.session, ck))


@cmd.sub("remind", "提醒", role=Role.SECRETARY, help="提醒未签到的人")
async def remind(ctx: Context, args: Args) -> None:
    ck = await _open_here(ctx)
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
        t.remind(ck.title, [p.name for p in missing], deadline),
        mentions=[p.user_id for p in missing],
    )


@cmd.sub("close", "结束", role=Role.SECRETARY, help="结束签到并公布结果")
async def close_command(ctx: Context, args: Args) -> None:
    ck = await _open_here(ctx)
    if ck is None:
        ctx.reply(t.NO_CHECKIN)
        return
    ctx.reply(await ops.close(ctx.session, ck, ctx.now))


@cmd.sub("ledger", "台账", role=Role.SECRETARY, help="查看全年签到台账并生成表格")
async def ledger_command(ctx: Context, args: Args) -> None:
    await ledger.answer_in_chat(ctx, args)


@feature.cli_command("export checkins")
async def export_checkins(rt: Runtime, argv: list[str]) -> int:
    return await ledger.export_cli(rt, argv)


# --- timers and other features' events -------------------------------------------


async def _open_checkin(job: JobContext, ref: str) -> Checkin | None:
    ck = await job.session.get(Checkin, int(ref))
    return ck if ck is not None and ck.state == "open" else None


@feature.on("checkin.close")
async def close_due(job: JobContext, ref: str) -> None:
    ck = await _open_checkin(job, ref)
    if ck is None:
        return
    text = await ops.close(job.session, ck, job.now)
    job.to_group(ck.platform, ck.chat_id, text, key=f"checkin:{ck.id}:closed")


@feature.on("checkin.nudge")
async def nudge_due(job: JobContext, ref: str) -> None:
    ck = await _open_checkin(job, ref)
    if ck is None:
        return
    missing = await ops.missing(job.session, ck)
    if not missing:
        return
    ck.last_remind_at = job.now
    tz = job.runtime.settings.tz
    job.to_group(
        ck.platform,
        ck.chat_id,
        t.remind(ck.title, [p.name for p in missing], ops.clock(ck.deadline, job.now, tz)),
        key=f"checkin:{ck.id}:nudge",
        mentions=[p.user_id for p in missing],
    )


@feature.on("checkin.progress")
async def progress_due(job: JobContext, ref: str) -> None:
    ck = await job.session.get(Checkin, int(ref))
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


@feature.on("meeting.started")
async def on_meeting(
    job: JobContext,
    *,
    platform: str,
    chat_id: str,
    title: str,
    unit_id: int | None,
    ends_at: datetime | None,
    key: str,
) -> None:
    """A scheduled meeting began: open its check-in, once per meeting."""
    session = job.session
    if await store.by_meeting_key(session, key) is not None:
        return
    if await store.open_in_chat(session, platform, chat_id) is not None:
        return
    group_id = await touch_group(session, platform, chat_id, "", job.now)
    if unit_id is None:
        group = await session.get(ChatGroup, group_id)
        unit_id = group.unit_id if group is not None else None
    ck, text = await ops.open_checkin(
        session,
        platform=platform,
        chat_id=chat_id,
        group_id=group_id,
        unit_id=unit_id,
        title=title[:TITLE_MAX],
        code="",
        late=True,
        opened_by=None,
        now=job.now,
        deadline=job.now + MEETING_GRACE,
        closes_at=ends_at,
        tz=job.runtime.settings.tz,
        meeting_key=key,
    )
    job.to_group(platform, chat_id, text, key=f"checkin:{ck.id}:opened")


from handlers.checkin import console  # noqa: E402  (registers on `feature`)

__all__ = ["console", "feature"]
