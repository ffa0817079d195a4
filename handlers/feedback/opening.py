"""/征求意见 新建: a secretary opens a call for written opinions, due by a deadline."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel

from bot.args import Args
from bot.context import Context
from bot.conversation import Ask, Choose, Confirm, Flow, Invalid
from bot.deadline import deadline
from bot.nudges import nudge_before
from bot.roles import Role
from handlers.feedback import feature, feedback_close, feedback_cmd, feedback_nudge
from handlers.feedback import texts as t
from handlers.feedback.report import show_time
from handlers.feedback.steps import MAX_CHARS
from storage.feedback import (
    FeedbackCall,
    group_people,
    open_call,
    people_by_id,
    unit_names,
    unit_roster,
)

MIN_LEAD = timedelta(hours=1)
MAX_TITLE = 200
AUDIENCES = {"roster": t.AUDIENCE_ROSTER, "group": t.AUDIENCE_GROUP}
WAYS = {"anon": t.ALLOW_ANONYMOUS, "named": t.NAMED_ONLY}


class NewCall(BaseModel):
    # Units to choose from (in direct chat): id → name.
    units: dict[str, str] = {}
    unit: str = ""
    audiences: list[str] = []
    title: str = ""
    body: str = ""
    link: str | None = None
    deadline: datetime | None = None
    audience: str = ""
    way: str = ""
    confirm: bool | None = None

    def chosen_unit(self) -> int | None:
        """The unit picked, or the only one offered."""
        if self.unit:
            return int(self.unit)
        return int(next(iter(self.units))) if self.units else None

    def chosen_audience(self) -> str:
        return self.audience or self.audiences[0]


def _title(ctx: Context, text: str, data: NewCall) -> str:
    if len(text) > MAX_TITLE:
        raise Invalid(t.too_long(MAX_TITLE, 0, len(text)))
    return ctx.typed(text)


def _body(ctx: Context, text: str, data: NewCall) -> str:
    if len(text) > MAX_CHARS:
        raise Invalid(t.too_long(MAX_CHARS, 0, len(text)))
    return ctx.typed(text)


def _link(ctx: Context, text: str, data: NewCall) -> str:
    if text.lower() in t.NO_LINK_WORDS:
        return ""
    if not text.startswith(("http://", "https://")) or len(text) > 500:
        raise Invalid(t.BAD_LINK)
    return text


def _preview(ctx: Context, data: NewCall) -> str:
    assert data.deadline is not None
    return t.call_preview(
        data.title,
        data.body,
        data.link or "",
        show_time(data.deadline, ctx.now, ctx.tz),
        AUDIENCES[data.chosen_audience()],
        WAYS[data.way],
    )


async def _publish(ctx: Context, data: NewCall) -> None:
    assert data.deadline is not None
    deadline_at = data.deadline
    unit_id = data.chosen_unit() if data.units else ctx.group_unit_id
    if data.chosen_audience() == "group" and ctx.group_id is not None:
        audience, people = "group", await group_people(ctx.session, ctx.group_id)
    else:
        assert unit_id is not None
        audience, people = "unit", await unit_roster(ctx.session, unit_id)
    anon = data.way == "anon"
    call = await open_call(
        ctx.session,
        FeedbackCall(
            unit_id=unit_id,
            platform=ctx.platform,
            chat_id=ctx.chat_id if ctx.in_group else "",
            title=data.title,
            body=data.body,
            link=data.link or "",
            deadline=deadline_at,
            allow_anonymous=anon,
            audience=audience,
            state="open",
            creator_id=ctx.actor.person_id,
            created_at=ctx.now,
        ),
        people,
    )
    await feedback_close.set(ctx.session, call.id, deadline_at)
    await nudge_before(
        ctx.session, feedback_nudge, call.id, deadline_at, now=ctx.now, settings=ctx.settings
    )
    shown = show_time(deadline_at, ctx.now, ctx.tz)
    notice = t.call_notice(call.id, call.title, call.body, call.link, shown, anon)
    if ctx.in_group:
        ctx.send_group(ctx.chat_id, notice, key=f"feedback:{call.id}:notice")
    else:
        for person in await people_by_id(ctx.session, people):
            ctx.send_direct(
                person.platform_user_id,
                notice,
                platform=person.platform,
                key=f"feedback:{call.id}:notice:{person.id}",
            )
    ctx.reply(t.published(call.id, len(set(people)), shown))


new_call = feature.flow(
    Flow(
        "feedback.new",
        t.NEW_FLOW,
        NewCall,
        steps=[
            Choose("unit", t.ASK_UNIT, lambda d: d.units, when=lambda d: len(d.units) > 1),
            Ask("title", t.ASK_TITLE, parse=_title),
            Ask("body", t.ASK_BODY, parse=_body),
            Ask("link", t.ASK_LINK, parse=_link),
            Ask(
                "deadline",
                t.ASK_DEADLINE,
                parse=deadline(min_lead=MIN_LEAD, too_soon=t.DEADLINE_TOO_SOON),
            ),
            Choose(
                "audience",
                t.ASK_AUDIENCE,
                lambda d: {code: AUDIENCES[code] for code in d.audiences},
                when=lambda d: len(d.audiences) > 1,
            ),
            Choose("way", t.ASK_ANONYMOUS, WAYS),
            Confirm("confirm", _preview),
        ],
        on_done=_publish,
    )
)


@feedback_cmd.sub("new", "新建", role=Role.SECRETARY, help=t.NEW_HELP)
async def new(ctx: Context, args: Args) -> None:
    data = NewCall()
    if ctx.in_group:
        if ctx.group_unit_id is not None and await unit_roster(ctx.session, ctx.group_unit_id):
            data.audiences.append("roster")
        # The sender has just been seen here, so the group is never empty.
        data.audiences.append("group")
    else:
        names = await unit_names(ctx.session, ctx.actor.secretary_units)
        if not names:
            ctx.reply(t.NO_UNIT_HERE)
            return
        data.units = {
            str(uid): n for uid, n in sorted(names.items()) if await unit_roster(ctx.session, uid)
        }
        if not data.units:
            ctx.reply(t.ROSTER_EMPTY)
            return
        data.audiences.append("roster")
    await ctx.start(new_call, data)
