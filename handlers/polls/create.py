"""/投票 新建: the guided creation of a poll, its preview, and publishing it."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import select

from bot.args import Args, tokenize
from bot.context import Context
from bot.conversation import Ask, Choose, Collect, Confirm, Flow, Invalid
from bot.deadline import label, read_deadline
from bot.messages import Choice, Outgoing
from bot.nudges import nudge_before
from bot.numbers import whole
from bot.quiet import hold, morning
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
# A one-line poll with no deadline is open this long.
DEFAULT_OPEN = timedelta(hours=24)
# Words of the one-line form: (field, value) they set.
FLAGS = {
    "匿名": ("way", "anon"),
    "实名": ("way", "named"),
    "单选": ("kind", "single"),
    "多选": ("kind", "multi"),
    "测评": ("kind", "grade"),
    "民主测评": ("kind", "grade"),
    "评分": ("kind", "rating"),
    "打分": ("kind", "rating"),
    "实时公布": ("show", "live"),
    "截止后公布": ("show", "closed"),
    "仅发起人可见": ("show", "creator"),
}
_MULTI = re.compile(r"(?:多选|最多选?)(\d+)项?")
_DEADLINE = ("截止", "截止到", "截至")
_OPTION_SPLIT = re.compile(r"[,;]")
_SPAN = re.compile(r"\d+\s*个?\s*(?:小时|钟头|分钟)(?:后|以后|之后|内|以内)?")


def _read_deadline(ctx: Context, text: str, data: NewPoll) -> datetime:
    at = read_deadline(ctx, text, min_lead=MIN_LEAD, too_soon=t.DEADLINE_TOO_SOON)
    data.open_for = at - ctx.now if _SPAN.fullmatch(text.strip()) else None
    return at


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
    # A deadline given as a span ("24小时", or the default): counted again from
    # the confirmation, so a preview confirmed late does not lose the time.
    open_for: timedelta | None = None
    audience: str = ""
    confirm: bool | None = None


def read_line(ctx: Context, data: NewPoll, text: str) -> list[str]:
    """Fill `data` from the one-line form; the problems to tell the secretary.

    `年度好党员推荐 张三 李四 王五 截止 周五17:00 匿名 多选 2`: the first word
    is the title, words of FLAGS set the kind and the way, `截止 …` runs to
    the next such word, every other word is an option (、 separates too).
    """
    problems: list[str] = []
    words: list[str] = []
    until: list[str] | None = None
    tokens = tokenize(text)
    i = 0
    while i < len(tokens):
        token = tokens[i]
        i += 1
        if multi := _MULTI.fullmatch(token):
            data.kind, data.max = "multi", int(multi[1])
            continue
        if token in FLAGS:
            name, value = FLAGS[token]
            setattr(data, name, value)
            if token == "多选" and i < len(tokens) and (n := whole(tokens[i])) is not None:
                data.max = n
                i += 1
            elif token in ("测评", "民主测评") and i < len(tokens) and "/" in tokens[i]:
                data.scale = tokens[i].split("/")
                i += 1
            until = None
            continue
        glued = next((w for w in _DEADLINE if token.startswith(w)), None)
        if glued is not None:
            until = [token[len(glued) :]] if token != glued else []
            continue
        if until is not None:
            until.append(token)
        else:
            words.append(token)
    if words:
        title = ctx.typed(words[0])
        if len(title) > 60:
            problems.append(t.TITLE_TOO_LONG)
        else:
            data.title = title
    options = [ctx.typed(o) for w in words[1:] for o in _OPTION_SPLIT.split(w) if o.strip()]
    if any(len(o) > 40 for o in options):
        problems.append(t.OPTION_TOO_LONG)
    elif options:
        data.options = options[:30]
    if data.kind == "grade" and data.options and not data.scale:
        data.scale = t.SCALES[0].split("/")
    if until:
        try:
            data.deadline = _read_deadline(ctx, " ".join(until), data)
        except Invalid as bad:
            problems.append(bad.hint)
    return problems


def _defaults(ctx: Context, data: NewPoll) -> None:
    """What a secretary would pick for what the one-line form left out."""
    data.kind = data.kind or "single"
    if data.kind == "multi" and data.max is None:
        data.max = len(data.options)
    if data.max is not None and data.options:
        data.max = max(1, min(data.max, len(data.options)))
    data.way = data.way or "named"
    if data.way == "anon" and data.show == "live":
        data.show = "closed"
    data.show = data.show or "closed"
    if data.deadline is None:
        data.deadline = ctx.now + DEFAULT_OPEN
        data.open_for = DEFAULT_OPEN
    # The group's own roster: its unit's when it is bound to one, else its people.
    bound = f"unit:{ctx.group_unit_id}"
    data.audience = data.audience or (bound if bound in data.audiences else GROUP)


@poll_cmd.sub("new", "新建", role=Role.SECRETARY, help=t.HELP_NEW, examples=t.EXAMPLES_NEW)
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
    data = NewPoll(group_id=ctx.group_id, audiences=audiences)
    problems = read_line(ctx, data, args.text)
    if len(data.options) >= 2 or (data.title and data.kind == "rating"):
        # The whole poll in one line: one preview, one 确认.
        _defaults(ctx, data)
    for problem in problems:
        ctx.reply(problem)
    await ctx.start(new_poll, data)


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
    most = whole(text, 1, n)
    if most is None:
        raise Invalid(t.max_hint(n))
    return most


def _scale_prompt(ctx: Context, data: NewPoll) -> str:
    return "\n".join([t.ASK_SCALE, *(f"{i}. {s}" for i, s in enumerate(t.SCALES, 1))])


def _scale(ctx: Context, text: str, data: NewPoll) -> list[str]:
    if (k := whole(text, 1, len(t.SCALES))) is not None:
        text = t.SCALES[k - 1]
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
        lines.append(t.rating_line(RATING_SCALE))
    else:
        lines.append(t.options_line(data.options, data.kind == "grade"))
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
    if data.open_for is not None:
        data.deadline = ctx.now + data.open_for
    assert data.deadline is not None
    if data.deadline < ctx.now + MIN_LEAD:
        # Confirmed so late that the deadline typed has passed or nearly.
        ctx.reply(t.deadline_gone(label(data.deadline, ctx.now, ctx.tz)))
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
        t.announcement(poll.id, poll.title, name, _body(poll), poll.anonymous, when, _how(poll)),
        choices=_group_taps(poll),
    )
    people = await ctx.session.scalars(select(Person).where(Person.id.in_(audience)))
    invites = [
        Outgoing.direct(
            person.platform,
            person.platform_user_id,
            t.ballot_invite(poll.title, when, poll.anonymous),
            key=f"poll:{poll.id}:ballot:{person.id}",
        )
        for person in people
    ]
    for invite in invites:
        invite.choices = [Choice(label=t.START_BALLOT, reply=f"投票 #{poll.id}")]
    # Invitations are pushes: at night they wait for the morning.
    hold(invites, ctx.now, ctx.settings)
    ctx.out.extend(invites)
    held = morning(ctx.now, ctx.settings)
    ctx.reply(t.published(poll.id, len(audience), label(held, ctx.now, ctx.tz) if held else ""))
    await poll_close.set(ctx.session, poll.id, data.deadline)
    await nudge_before(
        ctx.session, poll_nudge, poll.id, data.deadline, now=ctx.now, settings=ctx.settings
    )


def _body(poll: Poll) -> list[str]:
    if poll.kind == "rating":
        return [t.rating_line(poll.scale)]
    lines = [f"{i}. {o}" for i, o in enumerate(poll.options, 1)]
    if poll.kind == "multi":
        lines.append(t.max_line(poll.max_choices))
    if poll.kind == "grade":
        lines.append(t.scale_line(poll.scale))
    return lines


def _group_taps(poll: Poll) -> list[tuple[str, str]]:
    """A named single-choice poll with a few options is voted with one tap in the group."""
    if poll.anonymous or poll.kind not in ("single", "rating") or len(poll.choices) > 6:
        return []
    return [(label, f"投票 #{poll.id} {i}") for i, label in enumerate(poll.choices, 1)]


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
                parse=_read_deadline,
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
