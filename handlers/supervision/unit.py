"""/console/supervision/<unit>: one unit's cadences and meetings, and recording one by hand.

Its secretary (or an admin) records a meeting the bot did not see (date,
kind, 地点, 主持人, 应到/实到/请假); it counts like a check-in from then on.
"""

from __future__ import annotations

from datetime import date

from aiohttp import web

from bot.console.view import ConsoleView, Forbidden, NotFound, managed, parse_id
from bot.numbers import whole
from handlers.supervision import texts as t
from handlers.supervision.figures import figures, this_period, year_of
from storage.models import Unit
from storage.supervision import Cadence, MeetingRecord, held_meetings

MAX_PEOPLE = 10_000


def _count(text: str) -> int | None:
    return whole(text.strip(), 0, MAX_PEOPLE)


def _record_from(view: ConsoleView, unit: Unit, kinds: dict[int, Cadence]) -> MeetingRecord | str:
    """The record the form describes, or what is wrong with it."""
    form = view.form
    today = view.now.astimezone(view.tz).date()
    try:
        day = date.fromisoformat(form.get("day", "").strip())
    except ValueError:
        return t.BAD_DATE
    if day > today:
        return t.BAD_DATE
    kind = kinds.get(parse_id(form.get("kind", "")))
    if kind is None:
        raise NotFound(form.get("kind"))
    expected, attended = _count(form.get("expected", "")), _count(form.get("attended", ""))
    leave = _count(form.get("leave", "") or "0")
    if expected is None or attended is None or leave is None:
        return t.BAD_COUNTS
    if expected < 1 or attended + leave > expected:
        return t.BAD_COUNTS
    return MeetingRecord(
        unit_id=unit.id,
        cadence_id=kind.id,
        held_on=day,
        place=form.get("place", "").strip()[:128],
        host=form.get("host", "").strip()[:64],
        expected=expected,
        attended=attended,
        leave=leave,
        creator_id=view.actor.person_id,
        created_at=view.now,
    )


async def unit_page(view: ConsoleView, unit_id: int) -> web.StreamResponse:
    session = view.session
    unit = await session.get(Unit, unit_id)
    if unit is None:
        raise NotFound(unit_id)
    if not view.actor.can_manage(unit.id):
        raise Forbidden(unit_id)
    now = view.now.astimezone(view.tz)
    year = year_of(view.query.get("year", ""), now.date())
    f = await figures(session, view.actor, [(unit.id, unit.name)], year, now)
    kinds = {k.id: k for k in f.kinds}
    error = ""
    if view.is_post and view.form.get("action") == "delete":
        record = await managed(session, MeetingRecord, view.form.get("record", ""), view.actor)
        if record.unit_id != unit.id:
            raise Forbidden(record.id)
        name = kinds[record.cadence_id].name if record.cadence_id in kinds else ""
        await view.audit(
            "meeting.record.delete",
            t.audit_record_deleted(unit.name, name, record.held_on.isoformat()),
        )
        await session.delete(record)
        return view.redirect(f"/console/supervision/{unit.id}?year={year}&done=deleted")
    if view.is_post:
        made = _record_from(view, unit, kinds)
        if isinstance(made, str):
            error = made
        else:
            session.add(made)
            await view.audit(
                "meeting.record",
                t.audit_record(unit.name, kinds[made.cadence_id].name, made.held_on.isoformat()),
            )
            year = made.held_on.year
            return view.redirect(f"/console/supervision/{unit.id}?year={year}&done=recorded")
    [standing] = f.rows
    found = await held_meetings(
        session, {unit.id}, date(year, 1, 1), date(year, 12, 31), f.kinds, view.tz
    )
    meetings = sorted(found, key=lambda m: (m.day, m.ref), reverse=True)
    done = {"recorded": t.RECORDED, "deleted": t.DELETED}.get(view.query.get("done", ""), "")
    return view.render(
        "supervision_unit.html",
        title=t.unit_title(unit.name, year),
        t=t,
        f=f,
        unit=unit,
        standing=standing,
        meetings=meetings,
        kinds=kinds,
        this_period=this_period,
        today=now.date().isoformat(),
        form=view.form if error else {},
        error=error,
        notice=done,
    )
