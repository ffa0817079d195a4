"""What teachers send, the way they say it: `签到`, `我到了`, `请个假 孩子生病`, `请假` ….

A check-in is open in the group: any of the check-in phrases checks in (with
the code when one is set); leave is recorded with its reason, taken from
before or after the word (`今天有事请个假`, `请假：出差`); a bare `请假` asks
for the reason. Leave can be asked ahead for a scheduled meeting
(`请假 周五的支委会 出差`, ahead.py). With nothing open, the answer says so
and when the group's next meeting is, never the generic greeting.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from pydantic import BaseModel

from bot.args import Args
from bot.context import Context
from bot.conversation import Ask, Flow
from handlers.checkin import ahead, checkin_progress, cmd, feature, ops
from handlers.checkin import texts as t
from storage import checkin as store
from storage.checkin import LEAVE, Checkin

# A 签到 sent this long after the last check-in closed is told it is over.
CLOSED_NOTICE = timedelta(hours=12)
# "签道" is a slip of the keyboard for 签到; "报到" the older word; "我来了" everyday
# speech, taken only where a check-in is open.
CHECK_IN = (
    r"(?:我)?(?:已经?)?(?:签个?[到道]|报到|到|(?P<came>来)(?=了|啦))(?:了|啦)?"
    r"[\s:,]*(?P<code>\d{4})?[.!~。]*"
)
# "请假", "请个假", "请一下假", "请半天假" with what was said before and after it.
LEAVE_WORD = re.compile(r"请(?:个|一下|一天|半天|个半天)?假(?:一下|了)?")
LEAVE_PHRASE = r"(?P<before>[^?]{0,20}?)请(?:个|一下|一天|半天|个半天)?假(?:一下|了)?(?P<after>.*)"
# Words around 请假 that are not a reason.
_FILLER = re.compile(r"^(?:我|想|要|需要|得|今天想|我想|我要|我需要|我得|麻烦|帮我)+|(?:想|要)+$")
_SEPARATORS = " :,;.~"


def reason_of(before: str, after: str) -> str:
    """The reason in "今天有事请个假" / "请假:出差" (normalised text)."""
    parts = [_FILLER.sub("", before.strip(_SEPARATORS)), after.strip(_SEPARATORS)]
    return ",".join(p for p in parts if p)


async def next_meeting_line(ctx: Context) -> str:
    """When this group's next meeting is (its check-in opens then), or that none is set."""
    nxt = await ahead.next_meetings(ctx, limit=1)
    if not nxt:
        return t.NO_MEETING_PLANNED
    return t.next_meeting(nxt[0].meeting.title, ops.clock(nxt[0].starts_at, ctx.now, ctx.tz))


async def nothing_open(ctx: Context) -> None:
    """The answer to a check-in word where no check-in is open."""
    if not ctx.in_group:
        ctx.reply(t.CHECKIN_IN_GROUP)
        return
    last = await store.latest_in_chat(ctx.session, ctx.platform, ctx.chat_id)
    if (
        last is not None
        and last.closed_at is not None
        and ctx.now - last.closed_at <= CLOSED_NOTICE
    ):
        ctx.reply(t.closed_already(last.title, ops.clock(last.closed_at, ctx.now, ctx.tz)))
        return
    ctx.reply(f"{t.NO_CHECKIN}{await next_meeting_line(ctx)}")


async def open_here(ctx: Context) -> Checkin | None:
    if not ctx.in_group:
        return None
    return await store.open_in_chat(ctx.session, ctx.platform, ctx.chat_id)


async def check_in(ctx: Context, ck: Checkin, code: str) -> None:
    if ck.code:
        if not code:
            ctx.reply(t.CODE_NEEDED)
            return
        if code != ck.code:
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


async def leave(ctx: Context, ck: Checkin, reason: str) -> None:
    """Record the sender's leave; `reason` as typed."""
    ans = await store.mark(ctx.session, ck.id, ctx.actor.person_id, LEAVE, ctx.now, reason)
    if not ans.new:
        if ans.status == LEAVE:
            ctx.reply(t.already_answered(LEAVE, ops.clock(ans.at or ctx.now, ctx.now, ctx.tz)))
        else:
            ctx.reply(t.LEAVE_AFTER_ATTEND)
        return
    # The reason goes to the secretaries (统计, 台账), not back into the group.
    # Asked in direct chat, the answer names the check-in it went to.
    noted = t.LEAVE_NOTED if ctx.in_group else t.leave_noted_for(ck.title)
    ctx.reply(noted if ans.expected else f"{t.NOT_ON_ROSTER}\n{noted}")


class LeaveReason(BaseModel):
    checkin_id: int
    title: str
    reason: str = ""
    # The answer was a check-in ("签到", "我到了 1234"): they came after all.
    came: bool = False
    code: str = ""


class Reason(Ask):
    """The reason for leave; a check-in phrase instead is taken as a check-in,
    never stored as the reason 「签到」."""

    async def take(self, ctx: Context, text: str, data: Any) -> tuple[bool, Any]:
        found = re.fullmatch(CHECK_IN, text)
        if found is None:
            return await super().take(ctx, text, data)
        data.came = True
        data.code = found["code"] or ""
        return True, ""


async def _leave_done(ctx: Context, data: LeaveReason) -> None:
    ck = await ctx.session.get(Checkin, data.checkin_id)
    if ck is None or ck.state != "open":
        ctx.reply(t.closed_already(data.title, ops.clock(ctx.now, ctx.now, ctx.tz)))
        return
    if data.came:
        await check_in(ctx, ck, data.code)
        return
    await leave(ctx, ck, data.reason)


leave_reason = feature.flow(
    Flow(
        "checkin.leave",
        t.FLOW_LEAVE,
        LeaveReason,
        steps=[Reason("reason", t.ASK_REASON)],
        on_done=_leave_done,
    )
)


async def ask_leave(ctx: Context, reason: str) -> None:
    """Leave for the open check-in or a scheduled meeting; `reason` normalised, may be empty."""
    if await ahead.leave_ahead(ctx, reason):
        return
    ck = await open_here(ctx) if ctx.in_group else await _only_open_for_me(ctx)
    if ck is None:
        if ctx.in_group:
            await nothing_open(ctx)
        ctx.reply(t.LEAVE_AHEAD_HOW)
        return
    if not reason:
        mine = await store.entry(ctx.session, ck.id, ctx.actor.person_id)
        if mine is not None and mine.status:
            # Answered already: asking for a reason would lead nowhere.
            at = ops.clock(mine.at or ctx.now, ctx.now, ctx.tz)
            ctx.reply(
                t.LEAVE_AFTER_ATTEND if mine.status != LEAVE else t.already_answered(LEAVE, at)
            )
            return
        await ctx.start(leave_reason, LeaveReason(checkin_id=ck.id, title=ck.title))
        return
    await leave(ctx, ck, ctx.typed(reason))


async def _only_open_for_me(ctx: Context) -> Checkin | None:
    """In direct chat: the one check-in open for the sender, if there is exactly one."""
    mine = await store.open_for_person(ctx.session, ctx.actor.person_id)
    return mine[0] if len(mine) == 1 else None


@feature.phrase(CHECK_IN)
async def checkin_phrase(ctx: Context, found: re.Match[str]) -> bool:
    ck = await open_here(ctx)
    if ck is None:
        if found["came"]:
            return False
        await nothing_open(ctx)
        return True
    await check_in(ctx, ck, found["code"] or "")
    return True


@feature.phrase(LEAVE_PHRASE)
async def leave_phrase(ctx: Context, found: re.Match[str]) -> bool:
    text = found[0]
    # A question about leave ("请假要写假条吗") is not a request for it.
    if text.endswith(("吗", "呢", "?")) or "怎么" in text:
        return False
    await ask_leave(ctx, reason_of(found["before"], found["after"]))
    return True


@cmd.bare()
async def checkin_command(ctx: Context, args: Args) -> None:
    """`/签到` and `/签到 1234`; anything else is not a check-in (`/签到 帮助`)."""
    code = args.text
    if code and not re.fullmatch(r"\d{4}", code):
        ctx.reply(t.unknown_word(code))
        return
    ck = await open_here(ctx)
    if ck is None:
        await nothing_open(ctx)
        return
    await check_in(ctx, ck, code)
