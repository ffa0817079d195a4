"""/console/supervision/kinds: the meeting kinds units are held to, and how often; admins edit."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import func, select

from bot.console.view import ConsoleView, Forbidden, NotFound, parse_id
from bot.numbers import whole
from bot.periods import EVERY, KINDS
from handlers.supervision import texts as t
from storage.supervision import Cadence, MeetingRecord, cadences, reclassify

MAX_PER_PERIOD = 31
DONE = {"added": t.KIND_ADDED, "saved": t.KIND_SAVED, "deleted": t.KIND_DELETED}


def _per_period(text: str) -> int | None:
    return whole(text.strip(), 1, MAX_PER_PERIOD)


def _keywords(text: str) -> str:
    return text.strip()[:200]


async def _change(view: ConsoleView) -> str:
    """Apply the form; the notice's key (DONE), or an error starting with "!"."""
    session, form = view.session, view.form
    action = form.get("action", "")
    period = form.get("period", "")
    per_period = _per_period(form.get("per_period", ""))
    if action in ("add", "save") and (period not in KINDS or per_period is None):
        return "!" + t.BAD_PER_PERIOD
    if action == "add":
        name = " ".join(form.get("name", "").split())[:32]
        if not name:
            return "!" + t.KIND_NAME_EMPTY
        if await session.scalar(select(Cadence.id).where(Cadence.name == name)) is not None:
            return "!" + t.KIND_NAME_TAKEN
        last = await session.scalar(select(func.max(Cadence.position)))
        session.add(
            Cadence(
                name=name,
                period=period,
                per_period=per_period,
                keywords=_keywords(form.get("keywords", "")),
                position=(last or 0) + 1,
            )
        )
        await view.audit("cadence.add", t.audit_kind(name))
        return "added"
    kind = await session.get(Cadence, parse_id(form.get("kind", "")))
    if kind is None:
        raise NotFound(form.get("kind"))
    if action == "save":
        assert per_period is not None
        kind.period, kind.per_period = period, per_period
        kind.keywords = _keywords(form.get("keywords", ""))
        await view.audit("cadence.save", t.audit_kind(kind.name))
        return "saved"
    if action == "delete":
        used = await session.scalar(select(func.count()).where(MeetingRecord.cadence_id == kind.id))
        if used:
            return "!" + t.KIND_IN_USE
        await view.audit("cadence.delete", t.audit_kind(kind.name))
        await session.delete(kind)
        return "deleted"
    raise NotFound(action)


async def kinds_page(view: ConsoleView) -> web.StreamResponse:
    error = ""
    if view.is_post:
        if not view.actor.is_admin:
            raise Forbidden("kinds")
        said = await _change(view)
        if said.startswith("!"):
            error = said[1:]
        else:
            # Meetings already counted follow the kinds as they are now.
            await reclassify(view.session, await cadences(view.session))
            return view.redirect(f"/console/supervision/kinds?done={said}")
    notice = DONE.get(view.query.get("done", ""), "")
    return view.render(
        "supervision_kinds.html",
        title=t.KINDS_TITLE,
        t=t,
        kinds=await cadences(view.session),
        every=EVERY,
        notice=notice,
        error=error,
    )
