"""/投票 新建: the guided creation of a poll, its preview, and publishing it."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from bot.context import Context
from bot.conversation import Ask, Choose, Collect, Confirm, Data, Flow, Invalid
from bot.timers import set_timer
from handlers.polls import texts as t
from schedules.timeparse import TimeParseError, When, format_when, parse_when
from storage.models import Person, Unit
from storage.polls import RATING_SCALE, Poll, create_poll, group_audience, unit_audience

FLOW = "poll.new"
KIND_CODES = {
    t.KIND_SINGLE: "single",
    t.KIND_MULTI: "multi",
    t.KIND_GRADE: "grade",
    t.KIND_RATING: "rating",
}
SHOW_CODES = {t.SHOW_LIVE: "live", t.SHOW_CLOSED: "closed", t.SHOW_CREATOR: "creator"}
MIN_LEAD = timedelta(minutes=10)


async def start(ctx: Context) -> None:
    if not ctx.in_group or ctx.group_id is None:
        ctx.reply(t.IN_GROUP_ONLY)
        return
    # A group bound to a branch votes on that branch's roster; in any other
    # group a secretary may also pick the roster of a branch of theirs.
    unit_ids = (
        [ctx.group_unit_id] if ctx.group_unit_id is not None else sorted(ctx.actor.secretary_units)
    )
    units = await ctx.session.scalars(select(Unit).where(Unit.id.in_(unit_ids)).order_by(Unit.id))
    audiences = [
        [t.unit_roster(u.name, len(await unit_audience(ctx.session, u.id))), u.id] for u in units
    ]
    audiences.append([t.group_members(len(await group_audience(ctx.session, ctx.group_id))), None])
    data: Data = {"group_id": ctx.group_id, "audiences": audiences}
    await ctx.runtime.router.conversations.start(ctx, FLOW, data)


def _title(ctx: Context, text: str, data: Data) -> str:
    if len(text) > 60:
        raise Invalid(t.TITLE_TOO_LONG)
    return text


def _option(ctx: Context, text: str, data: Data) -> str:
    if len(text) > 40:
        raise Invalid(t.OPTION_TOO_LONG)
    return text


def _options_prompt(ctx: Context, data: Data) -> str:
    return t.ASK_CANDIDATES if data["kind"] == t.KIND_GRADE else t.ASK_OPTIONS


def _max(ctx: Context, text: str, data: Data) -> int:
    n = len(data["options"])
    if not text.isdigit() or not 1 <= int(text) <= n:
        raise Invalid(t.max_hint(n))
    return int(text)


def _scale_prompt(ctx: Context, data: Data) -> str:
    return "\n".join([t.ASK_SCALE, *(f"{i}. {s}" for i, s in enumerate(t.SCALES, 1))])


def _scale(ctx: Context, text: str, data: Data) -> list[str]:
    if text.isdigit() and 1 <= int(text) <= len(t.SCALES):
        text = t.SCALES[int(text) - 1]
    levels = [s.strip() for s in text.replace("／", "/").split("/") if s.strip()]
    if not 2 <= len(levels) <= 6 or len(set(levels)) != len(levels):
        raise Invalid(t.SCALE_HINT)
    return levels


def _show_prompt(ctx: Context, data: Data) -> str:
    return t.ASK_SHOW_ANON if data["anon"] == t.ANON else t.ASK_SHOW


def _show_options(data: Data) -> list[str]:
    # Live counts of an anonymous poll would let anyone who watches them move
    # tell what a colleague chose.
    shown = [t.SHOW_CLOSED, t.SHOW_CREATOR]
    return shown if data["anon"] == t.ANON else [t.SHOW_LIVE, *shown]


def _deadline(ctx: Context, text: str, data: Data) -> dict[str, str]:
    try:
        when = parse_when(text, ctx.now, tz=ctx.tz)
    except TimeParseError as err:
        raise Invalid(err.reason) from None
    if not when.has_time:
        # A day alone means by the end of that day.
        when = When(when.at + timedelta(days=1, minutes=-1), has_time=True)
    if when.at < ctx.now + MIN_LEAD:
        raise Invalid(t.DEADLINE_TOO_SOON)
    return {"at": when.at.isoformat(), "label": format_when(when, ctx.local_now)}


def _audience(data: Data) -> tuple[str, int | None]:
    """(label, unit id) of the chosen audience; None: the people seen in the group."""
    options: list[list[object]] = data["audiences"]
    label = data.get("audience", options[0][0])
    unit_id = next(unit for name, unit in options if name == label)
    return str(label), unit_id if isinstance(unit_id, int) else None


def _preview(ctx: Context, data: Data) -> str:
    kind = data["kind"]
    lines: list[str] = []
    if kind == t.KIND_RATING:
        lines.append(t.scale_line(RATING_SCALE))
    else:
        label = "候选人" if kind == t.KIND_GRADE else "选项"
        lines.append(f"{label}：" + "、".join(data["options"]))
    if kind == t.KIND_MULTI:
        lines.append(t.max_line(data["max"]))
    if kind == t.KIND_GRADE:
        lines.append(t.scale_line(data["scale"]))
    return t.preview(
        data["title"],
        t.KIND_NAMES[KIND_CODES[kind]],
        lines,
        data["anon"] == t.ANON,
        data["show"],
        data["deadline"]["label"],
        _audience(data)[0],
    )


def nudge_time(now: datetime, deadline: datetime) -> datetime | None:
    """When to remind non-voters: a day ahead, or halfway for a short poll."""
    lead = deadline - now
    if lead < timedelta(hours=1):
        return None
    return deadline - min(timedelta(days=1), lead / 2)


async def publish(ctx: Context, data: Data) -> None:
    kind = KIND_CODES[data["kind"]]
    deadline = datetime.fromisoformat(data["deadline"]["at"])
    if deadline <= ctx.now:
        ctx.reply(t.DEADLINE_TOO_SOON)
        return
    _, unit_id = _audience(data)
    if unit_id is not None:
        audience = await unit_audience(ctx.session, unit_id)
    else:
        audience = await group_audience(ctx.session, data["group_id"])
    if not audience:
        ctx.reply(t.NO_AUDIENCE)
        return
    poll = await create_poll(
        ctx.session,
        Poll(
            title=data["title"],
            kind=kind,
            options=data.get("options") or [],
            scale=data.get("scale") or (RATING_SCALE if kind == "rating" else []),
            max_choices=data.get("max") or 1,
            anonymous=data["anon"] == t.ANON,
            visibility=SHOW_CODES[data["show"]],
            platform=ctx.platform,
            chat_id=ctx.chat_id,
            unit_id=unit_id if unit_id is not None else ctx.group_unit_id,
            creator_id=ctx.actor.person_id,
            state="open",
            deadline=deadline,
            created_at=ctx.now,
        ),
        audience,
    )
    label = data["deadline"]["label"]
    name = t.KIND_NAMES[kind]
    ctx.reply(
        t.announcement(poll.id, poll.title, name, _body(poll), poll.anonymous, label, _how(poll))
    )
    people = await ctx.session.scalars(select(Person).where(Person.id.in_(audience)))
    for person in people:
        ctx.send_direct(
            person.platform_user_id,
            t.ballot_invite(poll.title, label, poll.anonymous),
            platform=person.platform,
            key=f"poll:{poll.id}:ballot:{person.id}",
        )
    ctx.reply(t.published(poll.id, len(audience)))
    await set_timer(ctx.session, "poll.close", str(poll.id), deadline)
    nudge = nudge_time(ctx.now, deadline)
    if nudge is not None:
        await set_timer(ctx.session, "poll.nudge", str(poll.id), nudge)


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


new_poll = Flow(
    FLOW,
    t.FLOW_NEW,
    steps=[
        Ask("title", t.ASK_TITLE, parse=_title),
        Choose("kind", t.ASK_KIND, list(KIND_CODES)),
        Collect(
            "options",
            _options_prompt,
            item=_option,
            min_items=2,
            max_items=30,
            when=lambda d: d.get("kind") != t.KIND_RATING,
        ),
        Ask("max", t.ASK_MAX, parse=_max, when=lambda d: d.get("kind") == t.KIND_MULTI),
        Ask("scale", _scale_prompt, parse=_scale, when=lambda d: d.get("kind") == t.KIND_GRADE),
        Choose("anon", t.ASK_ANON, [t.ANON, t.NAMED]),
        Choose("show", _show_prompt, _show_options),
        Ask("deadline", t.ASK_DEADLINE, parse=_deadline),
        Choose(
            "audience",
            t.ASK_AUDIENCE,
            lambda d: [str(a[0]) for a in d["audiences"]],
            when=lambda d: len(d["audiences"]) > 1,
        ),
        Confirm("confirm", _preview),
    ],
    on_done=publish,
)
