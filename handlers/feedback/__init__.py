"""征求意见 and the 意见箱: a secretary opens a call, teachers answer by a deadline.

"逾期未反馈视为无意见": at the deadline the call closes and whoever stayed
silent is counted as having no objection. A day before, those who have not
answered are reminded. Answering lives in feedback_answer.py, the summary and
the XLSX in feedback_report.py, the 意见箱 in suggestions.py.
"""

from __future__ import annotations

import sys
from datetime import datetime, time, timedelta
from pathlib import Path

from bot.args import Args
from bot.context import Context
from bot.conversation import Ask, Choose, Confirm, Data, Flow, Invalid
from bot.exports import send_export
from bot.feature import Feature
from bot.roles import Actor, Role
from bot.runtime import Runtime
from bot.timers import JobContext, set_timer
from handlers.feedback import suggestions
from handlers.feedback import texts as t
from handlers.feedback.answer import answer_flow, start_answer
from handlers.feedback.report import (
    build_feedback_export,
    render_summary,
    show_time,
    summarize,
)
from handlers.feedback.steps import MAX_CHARS, chosen_unit
from schedules.timeparse import TimeParseError, parse_when
from storage.feedback import (
    NO_OPINION,
    OPINION,
    FeedbackCall,
    group_people,
    latest_call,
    open_call,
    pending_people,
    people_by_id,
    restamp_anonymous,
    unit_names,
    unit_roster,
)
from storage.models import Person

feature = Feature("feedback", __name__)
feedback_cmd = feature.command("feedback", "征求意见", help=t.CMD_HELP, aliases=("反馈",))
suggest_cmd = feature.command("suggest", "意见箱", help=t.SUGGEST_HELP)
reply_cmd = feature.command("reply", "回复", help=t.REPLY_HELP)

NEW_FLOW = "feedback.new"
CLOSE, NUDGE = "feedback.close", "feedback.nudge"
NUDGE_BEFORE = timedelta(days=1)
MIN_LEAD = timedelta(hours=1)
MAX_TITLE = 200


# --- opening a call -----------------------------------------------------------------


def _title(ctx: Context, text: str, data: Data) -> str:
    if len(text) > MAX_TITLE:
        raise Invalid(t.too_long(MAX_TITLE, 0, len(text)))
    return text


def _body(ctx: Context, text: str, data: Data) -> str:
    if len(text) > MAX_CHARS:
        raise Invalid(t.too_long(MAX_CHARS, 0, len(text)))
    return text


def _link(ctx: Context, text: str, data: Data) -> str:
    if text.lower() in t.NO_LINK_WORDS:
        return ""
    if not text.startswith(("http://", "https://")) or len(text) > 500:
        raise Invalid(t.BAD_LINK)
    return text


def _deadline(ctx: Context, text: str, data: Data) -> str:
    try:
        when = parse_when(text, ctx.local_now, tz=ctx.tz)
    except TimeParseError as err:
        raise Invalid(err.reason) from None
    # A day with no hour ("下周五") means the end of that day.
    at = when.at if when.has_time else datetime.combine(when.at.date(), time(23, 59), ctx.tz)
    if at - ctx.now < MIN_LEAD:
        raise Invalid(t.DEADLINE_TOO_SOON)
    return at.isoformat()


def _audience_label(data: Data) -> str:
    return str(data.get("audience") or data["audiences"][0])


def _preview(ctx: Context, data: Data) -> str:
    deadline = show_time(datetime.fromisoformat(data["deadline"]), ctx.now, ctx.tz)
    return t.call_preview(
        data["title"], data["body"], data["link"], deadline, _audience_label(data), data["anon"]
    )


async def _publish(ctx: Context, data: Data) -> None:
    deadline = datetime.fromisoformat(data["deadline"])
    unit_id = chosen_unit(data)[0] if data["units"] else ctx.group_unit_id
    if _audience_label(data) == t.AUDIENCE_GROUP and ctx.group_id is not None:
        audience, people = "group", await group_people(ctx.session, ctx.group_id)
    else:
        assert unit_id is not None
        audience, people = "unit", await unit_roster(ctx.session, unit_id)
    anon = data["anon"] == t.ALLOW_ANONYMOUS
    call = await open_call(
        ctx.session,
        FeedbackCall(
            unit_id=unit_id,
            platform=ctx.platform,
            chat_id=ctx.chat_id if ctx.in_group else "",
            title=data["title"],
            body=data["body"],
            link=data["link"],
            deadline=deadline,
            allow_anonymous=anon,
            audience=audience,
            state="open",
            created_by=ctx.actor.person_id,
            created_at=ctx.now,
        ),
        people,
    )
    await set_timer(ctx.session, CLOSE, str(call.id), deadline)
    if deadline - NUDGE_BEFORE > ctx.now:
        await set_timer(ctx.session, NUDGE, str(call.id), deadline - NUDGE_BEFORE)
    shown = show_time(deadline, ctx.now, ctx.tz)
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


new_flow = Flow(
    NEW_FLOW,
    t.NEW_FLOW,
    steps=[
        Choose(
            "unit",
            t.ASK_UNIT,
            options=lambda d: [str(name) for _, name in d["units"]],
            when=lambda d: len(d["units"]) > 1,
        ),
        Ask("title", t.ASK_TITLE, parse=_title),
        Ask("body", t.ASK_BODY, parse=_body),
        Ask("link", t.ASK_LINK, parse=_link),
        Ask("deadline", t.ASK_DEADLINE, parse=_deadline),
        Choose(
            "audience",
            t.ASK_AUDIENCE,
            options=lambda d: list(d["audiences"]),
            when=lambda d: len(d["audiences"]) > 1,
        ),
        Choose("anon", t.ASK_ANONYMOUS, [t.ALLOW_ANONYMOUS, t.NAMED_ONLY]),
        Confirm("confirm", _preview),
    ],
    on_done=_publish,
)


@feedback_cmd.sub("new", "新建", role=Role.SECRETARY, help=t.NEW_HELP)
async def new(ctx: Context, args: Args) -> None:
    audiences: list[str] = []
    units: list[list[object]] = []
    if ctx.in_group:
        if ctx.group_unit_id is not None and await unit_roster(ctx.session, ctx.group_unit_id):
            audiences.append(t.AUDIENCE_ROSTER)
        # The sender has just been seen here, so the group is never empty.
        audiences.append(t.AUDIENCE_GROUP)
    else:
        names = await unit_names(ctx.session, ctx.actor.secretary_units)
        if not names:
            ctx.reply(t.NO_UNIT_HERE)
            return
        units = [
            [uid, n] for uid, n in sorted(names.items()) if await unit_roster(ctx.session, uid)
        ]
        if not units:
            ctx.reply(t.ROSTER_EMPTY)
            return
        audiences.append(t.AUDIENCE_ROSTER)
    data: Data = {"audiences": audiences, "units": units}
    await ctx.runtime.router.conversations.start(ctx, NEW_FLOW, data)


# --- managing a call ----------------------------------------------------------------


def may_manage(actor: Actor, call: FeedbackCall) -> bool:
    if actor.is_admin or call.created_by == actor.person_id:
        return True
    return call.unit_id is not None and call.unit_id in actor.secretary_units


async def _find_call(ctx: Context, args: Args, *, open_only: bool) -> FeedbackCall | None:
    ref = args.first.lstrip("#")
    actor = ctx.actor
    if ref:
        call = await ctx.session.get(FeedbackCall, int(ref)) if ref.isdigit() else None
        if call is None or not may_manage(actor, call):
            ctx.reply(t.unknown_call(ref))
            return None
        return call
    units = None if actor.is_admin else actor.secretary_units
    call = await latest_call(ctx.session, units, actor.person_id, open_only=open_only)
    if call is None:
        ctx.reply(t.NO_OPEN_CALL)
    return call


@feedback_cmd.sub("remind", "提醒", role=Role.SECRETARY, help=t.REMIND_HELP)
async def remind(ctx: Context, args: Args) -> None:
    call = await _find_call(ctx, args, open_only=True)
    if call is None:
        return
    if call.state != "open":
        ctx.reply(t.too_late(call.title))
        return
    pending = await pending_people(ctx.session, call.id)
    if not pending:
        ctx.reply(t.ALL_ANSWERED)
        return
    text = t.remind_person(call.title, show_time(call.deadline, ctx.now, ctx.tz))
    for person in pending:
        ctx.send_direct(person.platform_user_id, text, platform=person.platform)
    ctx.reply(t.reminded(len(pending)))


@feedback_cmd.sub("status", "统计", role=Role.SECRETARY, help=t.STATUS_HELP)
async def status(ctx: Context, args: Args) -> None:
    call = await _find_call(ctx, args, open_only=False)
    if call is None:
        return
    summary = await summarize(ctx.session, call.id)
    assert summary is not None
    ctx.reply(render_summary(summary, ctx.now, ctx.tz))


@feedback_cmd.sub("export", "导出", role=Role.SECRETARY, help=t.EXPORT_HELP)
async def export_link(ctx: Context, args: Args) -> None:
    call = await _find_call(ctx, args, open_only=False)
    if call is None:
        return
    # The link works once for whoever opens it first: never post it to a group.
    await send_export(ctx, "feedback", {"id": str(call.id)}, t.export_label(call.title))
    if ctx.in_group:
        ctx.reply(t.LINK_SENT_DIRECT)


# --- the deadline -------------------------------------------------------------------


@feature.on(NUDGE)
async def nudge(job: JobContext, ref: str) -> None:
    call = await job.session.get(FeedbackCall, int(ref))
    if call is None or call.state != "open":
        return
    pending = await pending_people(job.session, call.id)
    shown = show_time(call.deadline, job.now, job.runtime.settings.tz)
    for person in pending:
        job.to_person(
            person.platform,
            person.platform_user_id,
            t.remind_person(call.title, shown),
            key=f"feedback:{call.id}:nudge:{person.id}",
        )
    if pending and call.chat_id:
        job.to_group(
            call.platform,
            call.chat_id,
            t.nudge_group(call.title, shown, len(pending)),
            key=f"feedback:{call.id}:nudge",
        )


@feature.on(CLOSE)
async def close(job: JobContext, ref: str) -> None:
    call = await job.session.get(FeedbackCall, int(ref))
    if call is None or call.state != "open":
        return
    call.state, call.closed_at = "closed", job.now
    await job.session.flush()
    summary = await summarize(job.session, call.id)
    assert summary is not None
    creator = await job.session.get(Person, call.created_by)
    if creator is not None:
        job.to_person(
            creator.platform,
            creator.platform_user_id,
            render_summary(summary, job.now, job.runtime.settings.tz),
            key=f"feedback:{call.id}:summary",
        )
    if call.chat_id:
        opinions = len(summary.named(OPINION)) + len(summary.anon(OPINION))
        none = len(summary.named(NO_OPINION)) + len(summary.anon(NO_OPINION))
        job.to_group(
            call.platform,
            call.chat_id,
            t.closed_group(call.title, len(summary.rows), opinions, none, len(summary.silent)),
            key=f"feedback:{call.id}:closed",
        )


@feature.every(timedelta(minutes=1))
async def restamp(rt: Runtime) -> None:
    """Give new anonymous rows a transaction id of their own (PostgreSQL's xmin).

    Their writer's transaction also touched the author's rows (the person,
    the audience seat); until this pass, xmin would pair them up.
    """
    if rt.db.is_sqlite:
        return
    async with rt.db.transaction() as session:
        await restamp_anonymous(session)


# --- export -------------------------------------------------------------------------


@feature.cli_command("export feedback")
async def export(rt: Runtime, argv: list[str]) -> int:
    """`tongxin export feedback ID [--out FILE]`: the call's ledger as XLSX."""
    if not argv or not argv[0].lstrip("#").isdigit():
        print("usage: tongxin export feedback ID [--out FILE]", file=sys.stderr)
        return 2
    call_id = int(argv[0].lstrip("#"))
    out = Path(argv[2]) if len(argv) >= 3 and argv[1] in ("--out", "-o") else None
    async with rt.db.reading() as session:
        try:
            data = await build_feedback_export(session, call_id, tz=rt.settings.tz)
        except LookupError:
            print(f"tongxin: no feedback call {call_id}", file=sys.stderr)
            return 2
    path = out or Path(f"feedback-{call_id}.xlsx")
    path.write_bytes(data)
    print(f"wrote {path}")
    return 0


feedback_cmd.bare()(start_answer)
suggest_cmd.bare()(suggestions.start)
suggest_cmd.sub("list", "列表", role=Role.SECRETARY, help=t.LIST_HELP)(suggestions.list_box)
reply_cmd.bare()(suggestions.reply)
feature.flow(new_flow)
feature.flow(answer_flow)
feature.flow(suggestions.suggest_flow)


from handlers.feedback import console  # noqa: E402  (registers on `feature`)

__all__ = ["console", "feature"]
