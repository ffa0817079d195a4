"""/投票 新建: the guided creation of a poll, its preview, and publishing it."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import select

from bot.args import Args
from bot.context import Context
from bot.conversation import Ask, Choose, Collect, Confirm, Flow, Invalid
from bot.deadline import deadline, label
from bot.nudges import nudge_before
from bot.roles import Role
from handlers.polls import feature, poll_close, poll_cmd, poll_nudge
from handlers.polls import texts as t
from storage.models import Person, Unit
from storage.polls import RATING_SCALE, Poll, create_poll, group_audience, unit_audience

KINDS = {
    "single": t.KIND_SINGLE,
    "multi": t.KIND_MULTI,
    "grade": t.KIND_GRADE,
    "rating": t.KIND_RATING,
}
WAYS = {"anon": t.ANON, "named": t.NAMED}
SHOW = {"live": t.SHOW_LIVE, "closed": t.SHOW_CLOSED, "creator": t.SHOW_CREATOR}
MIN_LEAD = timedelta(minutes=10)
# A group's people as the audience: the members the bot has seen speak there.
GROUP = "group"


class NewPoll(BaseModel):
    group_id: int
    # The audiences to choose from: code ("unit:3" or "group") → label.
    audiences: dict[str, str]
    title: str = ""
    kind: str = ""
    options: list[str] = []
    max: int | None = None
    scale: list[str] = []
    way: str = ""
    show: str = ""
    deadline: datetime | None = None
    audience: str = ""
    confirm: bool | None = None


@poll_cmd.sub("new", "新建", role=Role.SECRETARY, help=t.HELP_NEW)
async def new(ctx: Context, args: Args) -> None:
    if not ctx.in_group or ctx.group_id is None:
        ctx.reply(t.IN_GROUP_ONLY)
        return
    # A group bound to a branch votes on that branch's roster; in any other
    # group a secretary may also pick the roster of a branch of theirs.
    unit_ids = (
        [ctx.group_unit_id] if ctx.group_unit_id is not None else sorted(ctx.actor.secretary_units)
    )
    units = await ctx.session.scalars(select(Unit).where(Unit.id.in_(unit_ids)).order_by(Unit.id))
    audiences = {
        f"unit:{u.id}": t.unit_roster(u.name, len(await unit_audience(ctx.session, u.id)))
        for u in units
    }
    audiences[GROUP] = t.group_members(len(await group_audience(ctx.session, ctx.group_id)))
    await ctx.start(new_poll, NewPoll(group_id=ctx.group_id, audiences=audiences))


def _title(ctx: Context, text: str, data: NewPoll) -> str:
    if len(text) > 60:
        raise Invalid(t.TITLE_TOO_LONG)
    return ctx.typed(text)


def _option(ctx: Context, text: str, data: NewPoll) -> str:
    if len(text) > 40:
        raise Invalid(t.OPTION_TOO_LONG)
    return ctx.typed(text)


def _options_prompt(ctx: Context, data: NewPoll) -> str:
    return t.ASK_CANDIDATES if data.kind == "grade" else t.ASK_OPTIONS


def _max(ctx: Context, text: str, data: NewPoll) -> int:
    n = len(data.options)
    if not text.isdigit() or not 1 <= int(text) <= n:
        raise Invalid(t.max_hint(n))
    return int(text)


def _scale_prompt(ctx: Context, data: NewPoll) -> str:
    return "\n".join([t.ASK_SCALE, *(f"{i}. {s}" for i, s in enumerate(t.SCALES, 1))])


def _scale(ctx: Context, text: str, data: NewPoll) -> list[str]:
    if text.isdigit() and 1 <= int(text) <= len(t.SCALES):
        text = t.SCALES[int(text) - 1]
    levels = [s.strip() for s in text.replace("／", "/").split("/") if s.strip()]
    if not 2 <= len(levels) <= 6 or len(set(levels)) != len(levels):
        raise Invalid(t.SCALE_HINT)
    return levels


def _show_prompt(ctx: Context, data: NewPoll) -> str:
    return t.ASK_SHOW_ANON if data.way == "anon" else t.ASK_SHOW


def _show_options(data: NewPoll) -> dict[str, str]:
    # Live counts of an anonymous poll would let anyone who watches them move
    # tell what a colleague chose.
    if data.way == "anon":
        return {code: SHOW[code] for code in ("closed", "creator")}
    return SHOW


def _audience(data: NewPoll) -> str:
    """The chosen audience's code (the first one offered when there was no choice)."""
    return data.audience or next(iter(data.audiences))


def _preview(ctx: Context, data: NewPoll) -> str:
    lines: list[str] = []
    if data.kind == "rating":
        lines.append(t.scale_line(RATING_SCALE))
    else:
        noun = "候选人" if data.kind == "grade" else "选项"
        lines.append(f"{noun}：" + "、".join(data.options))
    if data.kind == "multi" and data.max is not None:
        lines.append(t.max_line(data.max))
    if data.kind == "grade":
        lines.append(t.scale_line(data.scale))
    assert data.deadline is not None
    return t.preview(
        data.title,
        t.KIND_NAMES[data.kind],
        lines,
        data.way == "anon",
        SHOW[data.show],
        label(data.deadline, ctx.now, ctx.tz),
        data.audiences[_audience(data)],
    )


async def publish(ctx: Context, data: NewPoll) -> None:
    assert data.deadline is not None
    if data.deadline <= ctx.now:
        ctx.reply(t.DEADLINE_TOO_SOON)
        return
    code = _audience(data)
    unit_id = int(code.partition(":")[2]) if code != GROUP else None
    if unit_id is not None:
        audience = await unit_audience(ctx.session, unit_id)
    else:
        audience = await group_audience(ctx.session, data.group_id)
    if not audience:
        ctx.reply(t.NO_AUDIENCE)
        return
    kind = data.kind
    poll = await create_poll(
        ctx.session,
        Poll(
            title=data.title,
            kind=kind,
            options=data.options,
            scale=data.scale or (RATING_SCALE if kind == "rating" else []),
            max_choices=data.max or 1,
            anonymous=data.way == "anon",
            visibility=data.show,
            platform=ctx.platform,
            chat_id=ctx.chat_id,
            unit_id=unit_id if unit_id is not None else ctx.group_unit_id,
            creator_id=ctx.actor.person_id,
            state="open",
            deadline=data.deadline,
            created_at=ctx.now,
        ),
        audience,
    )
    when = label(data.deadline, ctx.now, ctx.tz)
    name = t.KIND_NAMES[kind]
    ctx.reply(
        t.announcement(poll.id, poll.title, name, _body(poll), poll.anonymous, when, _how(poll))
    )
    people = await ctx.session.scalars(select(Person).where(Person.id.in_(audience)))
    for person in people:
        ctx.send_direct(
            person.platform_user_id,
            t.ballot_invite(poll.title, when, poll.anonymous),
            platform=person.platform,
            key=f"poll:{poll.id}:ballot:{person.id}",
        )
    ctx.reply(t.published(poll.id, len(audience)))
    await poll_close.set(ctx.session, poll.id, data.deadline)
    await nudge_before(
        ctx.session, poll_nudge, poll.id, data.deadline, now=ctx.now, settings=ctx.settings
    )


def _body(poll: Poll) -> list[str]:
    if poll.kind == "rating":
        return [t.scale_line(poll.scale)]
    lines = [f"{i}. {o}" for i, o in enumerate(poll.options, 1)]
    if poll.kind == "multi":
        lines.append(t.max_line(poll.max_choices))
    if poll.kind == "grade":
        lines.append(t.scale_line(poll.scale))
    return lines


def _how(poll: Poll) -> str:
    if poll.anonymous:
        return t.HOW_ANON
    return {"multi": t.HOW_NAMED_MULTI, "grade": t.HOW_NAMED_GRADE}.get(poll.kind, t.HOW_NAMED)


new_poll = feature.flow(
    Flow(
        "poll.new",
        t.FLOW_NEW,
        NewPoll,
        steps=[
            Ask("title", t.ASK_TITLE, parse=_title),
            Choose("kind", t.ASK_KIND, KINDS),
            Collect(
                "options",
                _options_prompt,
                item=_option,
                min_items=2,
                max_items=30,
                when=lambda d: d.kind != "rating",
            ),
            Ask("max", t.ASK_MAX, parse=_max, when=lambda d: d.kind == "multi"),
            Ask("scale", _scale_prompt, parse=_scale, when=lambda d: d.kind == "grade"),
            Choose("way", t.ASK_ANON, WAYS),
            Choose("show", _show_prompt, _show_options),
            Ask(
                "deadline",
                t.ASK_DEADLINE,
                parse=deadline(min_lead=MIN_LEAD, too_soon=t.DEADLINE_TOO_SOON),
            ),
            Choose(
                "audience",
                t.ASK_AUDIENCE,
                lambda d: d.audiences,
                when=lambda d: len(d.audiences) > 1,
            ),
            Confirm("confirm", _preview),
        ],
        on_done=publish,
    )
)
