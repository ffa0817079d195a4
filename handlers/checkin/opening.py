"""/签到 发起: open a check-in in this group, asking for what the command did not say."""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import BaseModel

from bot.args import Args
from bot.context import Context
from bot.conversation import Ask, Flow, Invalid
from bot.deadline import deadline
from bot.roles import Role
from handlers.checkin import cmd, feature, ops
from handlers.checkin import texts as t
from storage import checkin as store

START_OPTIONS = {
    "截止": "until",
    "签到码": "code",
    "允许迟到": "late",
    "可迟到": "late",
}
TITLE_MAX = 30
CODE = re.compile(r"\d{4}")


class NewCheckin(BaseModel):
    title: str = ""
    deadline: datetime | None = None
    code: str = ""
    late: bool = False


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
    )
    ctx.reply(text)
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


@cmd.sub("start", "发起", role=Role.SECRETARY, help=t.HELP_START, keywords=START_OPTIONS)
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
    title = " ".join(args.positional)
    if len(title) > TITLE_MAX:
        ctx.reply(t.TITLE_TOO_LONG)
    elif title:
        data.title = title
    until = args.get("until")
    if until:
        try:
            data.deadline = _deadline(ctx, until, data)
        except Invalid as bad:
            ctx.reply(bad.hint)
    await ctx.start(new_checkin, data)
