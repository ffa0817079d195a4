"""/征求意见 新建: a secretary opens a call for written opinions, due by a deadline."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel

from bot.args import Args, parse_args
from bot.context import Context
from bot.conversation import Ask, Choose, Confirm, Flow, Invalid
from bot.deadline import deadline, read_deadline
from bot.messages import Choice, Outgoing
from bot.nudges import nudge_before
from bot.quiet import hold, morning
from bot.roles import Role
from handlers.feedback import feature, feedback_close, feedback_cmd, feedback_nudge, steps
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


# The one-line form: `/征求意见 新建 标题 截止 12月5日17:00 匿名 https://…`, the body
# on the lines after it.
DEFAULT_OPEN = timedelta(hours=24)
ONE_LINE = {"截止": "until", "截至": "until", "匿名": "anon", "实名": "named"}


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
    # Given in one line: the body and the link are not asked for.
    quick: bool = False

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
    if ctx.in_group:
        notice = t.call_notice(call.id, call.title, call.body, call.link, shown, anon)
        ctx.send_group(ctx.chat_id, notice, key=f"feedback:{call.id}:notice")
    # Each member hears of it in direct chat, where one reply answers it.
    personal = t.call_direct(call.id, call.title, call.body, call.link, shown, anon)
    notices = [
        Outgoing.direct(
            person.platform,
            person.platform_user_id,
            personal,
            key=f"feedback:{call.id}:notice:{person.id}",
        )
        for person in await people_by_id(ctx.session, people)
    ]
    for direct in notices:
        direct.choices = [
            Choice(label=t.NO_OPINION_BUTTON, reply=steps.NO_OPINION),
            Choice(label=t.WRITE_BUTTON, reply=f"/反馈 #{call.id}"),
        ]
    hold(notices, ctx.now, ctx.settings)
    ctx.out.extend(notices)
    held = morning(ctx.now, ctx.settings)
    ctx.reply(
        t.published(
            call.id, len(set(people)), shown, show_time(held, ctx.now, ctx.tz) if held else ""
        )
    )


new_call = feature.flow(
    Flow(
        "feedback.new",
        t.NEW_FLOW,
        NewCall,
        steps=[
            Choose("unit", t.ASK_UNIT, lambda d: d.units, when=lambda d: len(d.units) > 1),
            Ask("title", t.ASK_TITLE, parse=_title),
            Ask("body", t.ASK_BODY, parse=_body, when=lambda d: not d.quick),
            Ask("link", t.ASK_LINK, parse=_link, when=lambda d: not d.quick),
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


def read_line(ctx: Context, data: NewCall, text: str) -> list[str]:
    """Fill `data` from the one-line form; the problems to tell the secretary."""
    first, _, body = text.partition("\n")
    args = parse_args(first, ONE_LINE)
    problems = []
    words = [w for w in args.positional if not w.startswith(("http://", "https://"))]
    links = [w for w in args.positional if w.startswith(("http://", "https://"))]
    if words:
        title = ctx.typed(" ".join(words))
        if len(title) > MAX_TITLE:
            problems.append(t.too_long(MAX_TITLE, 0, len(title)))
        else:
            data.title = title
    if not data.title:
        return problems
    data.quick = True
    data.body = ctx.typed(body)[:MAX_CHARS] if body.strip() else ""
    data.link = links[0][:500] if links else ""
    for word in ("anon", "named"):
        if args.get(word):
            data.way = word
            # "匿名 https://…": a flag's words are the line's words.
            data.link = data.link or next(
                (w for w in args.get(word).split() if w.startswith("http")), ""
            )
    until = args.get("until")
    if until:
        try:
            data.deadline = read_deadline(
                ctx, until, min_lead=MIN_LEAD, too_soon=t.DEADLINE_TOO_SOON
            )
        except Invalid as bad:
            problems.append(bad.hint)
            return problems
    data.deadline = data.deadline or ctx.now + DEFAULT_OPEN
    data.way = data.way or "named"
    if data.audiences:
        data.audience = data.audience or data.audiences[0]
    return problems


@feedback_cmd.sub("new", "新建", role=Role.SECRETARY, help=t.NEW_HELP, examples=t.EXAMPLES_NEW)
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
    for problem in read_line(ctx, data, args.text):
        ctx.reply(problem)
    await ctx.start(new_call, data)
