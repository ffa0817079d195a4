"""The console's 征求意见 and 意见箱 pages: each call's lists, XLSX, threads and replies.

An anonymous opinion is shown without its author and in content order (as
`anonymous_opinions` returns it), never beside who answered anonymously,
and as the chat summary shows it (report.py: one by one from three on). A
reply from the page goes through `suggestions.answer_author`, the code path
of `/回复`, so the author stays anonymous from the console too.
"""

from __future__ import annotations

from datetime import datetime

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.view import ConsoleView, Forbidden, NotFound, export_url, managed
from bot.console.xlsx import table_xlsx
from bot.roles import Actor
from handlers.feedback import feature, report
from handlers.feedback import texts as t
from handlers.feedback.report import build_feedback_export, summarize
from handlers.feedback.steps import MAX_CHARS
from handlers.feedback.suggestions import answer_author
from storage.feedback import (
    NO_OPINION,
    OPINION,
    FeedbackCall,
    Suggestion,
    answered_of,
    calls_of,
    recent_suggestions,
    thread_of,
    unit_names,
)
from storage.models import Person

LISTED = 100


@feature.page("feedback", t.CALLS_TITLE)
async def calls_page(view: ConsoleView) -> web.StreamResponse:
    if view.rest:
        return await _call(view, view.int_param("rest"))
    actor = view.actor
    calls = await calls_of(view.session, actor.scope, actor.person_id, LISTED)
    answered = await answered_of(view.session, [c.id for c in calls])
    rows = [(call, *answered[call.id]) for call in calls]
    return view.render("feedback_list.html", title=t.CALLS_TITLE, t=t, rows=rows)


async def _call(view: ConsoleView, call_id: int) -> web.StreamResponse:
    call = await managed(view.session, FeedbackCall, call_id, view.actor)
    s = await summarize(view.session, call.id)
    assert s is not None
    named, named_none = s.named(OPINION), s.named(NO_OPINION)
    listed = s.anon_shown == report.LISTED
    anon, anon_none = (s.anon(OPINION), s.anon(NO_OPINION)) if listed else ([], [])
    note = ""
    if s.anon_shown == report.MERGED:
        note = t.anon_merged(len(s.anonymous), report.MIN_ANONYMOUS)
    elif s.anon_shown == report.WITHHELD:
        note = t.anon_withheld(len(s.anonymous), report.MIN_ANONYMOUS)
    return view.render(
        "feedback_call.html",
        title=t.call_title(call.title, call.id),
        t=t,
        s=s,
        named=named,
        anon=anon,
        anon_note=note,
        merged=s.merged_text if s.anon_shown == report.MERGED else "",
        unsplit=0 if listed else len(s.anonymous),
        none_names=[r.name for r in named_none],
        anon_none=len(anon_none),
        opinions=len(named) + len(anon),
        no_opinion=len(named_none) + len(anon_none),
        silent=[r.name for r in (s.silent if s.closed else s.pending)],
        download=export_url("feedback", id=call.id),
    )


@feature.export("feedback")
async def export_call(
    session: AsyncSession, actor: Actor, params: dict[str, str], now: datetime
) -> tuple[str, bytes]:
    call = await managed(session, FeedbackCall, params.get("id", ""), actor)
    return t.export_filename(call.id), await build_feedback_export(session, call.id)


# --- 意见箱 ---------------------------------------------------------------------------


@feature.page("suggestions", t.BOX_TITLE)
async def box_page(view: ConsoleView) -> web.StreamResponse:
    if view.rest:
        return await _thread(view, view.int_param("rest"))
    actor = view.actor
    entries = await recent_suggestions(view.session, actor.scope, LISTED)
    return view.render(
        "suggestions.html",
        title=t.BOX_TITLE,
        t=t,
        entries=entries,
        download=export_url("suggestions"),
    )


@feature.export("suggestions")
async def export_box(
    session: AsyncSession, actor: Actor, params: dict[str, str], now: datetime
) -> tuple[str, bytes]:
    """The 意见箱 list as the page shows it: anonymous authors stay 匿名."""
    entries = await recent_suggestions(session, actor.scope, LISTED)
    rows = [
        (
            e.suggestion.id,
            e.unit,
            e.suggestion.received_on.isoformat(),
            e.author or t.ANONYMOUS,
            e.messages,
            e.suggestion.text,
        )
        for e in entries
    ]
    return t.BOX_FILE, table_xlsx(t.BOX_TITLE, t.PAGE_BOX_HEAD, rows)


async def _thread(view: ConsoleView, sid: int) -> web.StreamResponse:
    box = await view.session.get(Suggestion, sid)
    if box is None:
        raise NotFound(sid)
    if not view.actor.can_manage(box.unit_id):
        raise Forbidden(sid)
    notice = t.reply_sent(box.id) if view.query.get("sent") == "1" else ""
    error, draft = "", ""
    if view.is_post:
        draft = view.form.get("text", "").strip()
        if not draft:
            error = t.EMPTY_REPLY
        elif len(draft) > MAX_CHARS:
            error = t.page_reply_too_long(MAX_CHARS, len(draft))
        else:
            out = await answer_author(
                view.session,
                view.runtime.sealer,
                view.actor.person_id,
                box,
                draft,
                view.now.astimezone(view.tz).date(),
            )
            if out is None:
                error = t.UNREACHABLE
            else:
                await view.runtime.send(view.session, [out])
                await view.audit("suggestion.reply", f"#{box.id}")
                # Post, then redirect: reloading the page must not send the reply twice.
                return view.redirect(f"/console/suggestions/{box.id}?sent=1")
    author = None
    if box.author_person_id is not None:
        person = await view.session.get(Person, box.author_person_id)
        author = person.display_name or person.platform_user_id if person else None
    units = await unit_names(view.session, {box.unit_id})
    return view.render(
        "suggestion.html",
        title=t.suggestion_title(box.id),
        t=t,
        box=box,
        unit=units.get(box.unit_id, ""),
        author=author,
        thread=await thread_of(view.session, box.id),
        notice=notice,
        error=error,
        draft=draft,
        max_chars=MAX_CHARS,
    )
