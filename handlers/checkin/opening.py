"""/签到 发起: open a check-in in this group, asking for what the command did not say."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from pydantic import BaseModel

from bot.args import Args
from bot.context import Context
from bot.conversation import Ask, Flow, Invalid
from bot.deadline import deadline
from bot.roles import Role
from handlers.checkin import cmd, feature, ops
from handlers.checkin import texts as t
from storage import checkin as store
from storage.reminders import meetings_for_target

START_OPTIONS = {
    "截止": "until",
    "签到码": "code",
    "允许迟到": "late",
    "可迟到": "late",
    "地点": "place",
    "主持人": "host",
    "主持": "host",
    "记录人": "recorder",
    "记录": "recorder",
    "议题": "topic",
}
TITLE_MAX = 30
CODE = re.compile(r"\d{4}")
# A title with no deadline: the check-in of a meeting that starts now.
DEFAULT_OPEN = timedelta(minutes=30)
DETAIL_MAX = {"place": 128, "host": 64, "recorder": 64, "topic": 200}


class NewCheckin(BaseModel):
    title: str = ""
    deadline: datetime | None = None
    code: str = ""
    late: bool = False
    place: str = ""
    host: str = ""
    recorder: str = ""
    topic: str = ""
    default_deadline: bool = False


def _title(ctx: Context, text: str, data: NewCheckin) -> str:
    if len(text) > TITLE_MAX:
        raise Invalid(t.TITLE_TOO_LONG)
    return ctx.typed(text)


_deadline = deadline(needs_time=True, time_hint=t.DEADLINE_NEEDS_TIME)


async def _open(ctx: Context, data: NewCheckin) -> None:
    existing = await store.open_in_chat(ctx.session, ctx.platform, ctx.chat_id)
    if existing is not None:
        ctx.reply(t.already_open(existing.title))
        return
    assert data.deadline is not None
    meetings = await meetings_for_target(ctx.session, f"{ctx.platform}:{ctx.chat_id}")
    ck, text = await ops.open_checkin(
        ctx.session,
        platform=ctx.platform,
        chat_id=ctx.chat_id,
        group_id=ctx.group_id,
        unit_id=ctx.group_unit_id,
        title=data.title,
        code=data.code,
        late=data.late,
        creator_id=ctx.actor.person_id,
        now=ctx.now,
        deadline=data.deadline,
        closes_at=None,
        settings=ctx.settings,
        meeting_ids=[m.id for m in meetings],
        details=ops.Details(data.place, data.host, data.recorder, data.topic),
        default_deadline=data.default_deadline,
    )
    ctx.reply(text, choices=() if ck.code else t.TAPS)
    if ck.code:
        ctx.send_direct(
            ctx.actor.user_id, t.code_for_secretary(ck.title, ck.code), key=f"checkin:{ck.id}:code"
        )


new_checkin = feature.flow(
    Flow(
        "checkin.start",
        t.FLOW_START,
        NewCheckin,
        steps=[
            Ask("title", t.ASK_TITLE, parse=_title),
            Ask("deadline", t.ASK_DEADLINE, parse=_deadline),
        ],
        on_done=_open,
    )
)


@cmd.sub(
    "start",
    "发起",
    role=Role.SECRETARY,
    help=t.HELP_START,
    keywords=START_OPTIONS,
    examples=t.EXAMPLES_START,
)
async def start(ctx: Context, args: Args) -> None:
    if not ctx.in_group:
        ctx.reply(t.GROUP_ONLY)
        return
    existing = await store.open_in_chat(ctx.session, ctx.platform, ctx.chat_id)
    if existing is not None:
        ctx.reply(t.already_open(existing.title))
        return
    data = NewCheckin(late=args.get("late") == "true")
    code = args.get("code")
    if code == "true":
        data.code = ops.new_code()
    elif code:
        if not CODE.fullmatch(code):
            ctx.reply(t.CODE_FORMAT)
            return
        data.code = code
    for name, most in DETAIL_MAX.items():
        value = args.get(name)
        if value and value != "true":
            setattr(data, name, ctx.typed(value)[:most])
    title = " ".join(args.positional)
    if len(title) > TITLE_MAX:
        ctx.reply(t.TITLE_TOO_LONG)
    elif title:
        data.title = ctx.typed(title)
    until = args.get("until")
    if until:
        try:
            data.deadline = _deadline(ctx, until, data)
        except Invalid as bad:
            ctx.reply(bad.hint)
    elif data.title:
        data.deadline = ctx.now + DEFAULT_OPEN
        data.default_deadline = True
    await ctx.start(new_checkin, data)
