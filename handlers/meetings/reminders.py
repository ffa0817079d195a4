"""A meeting's firings: each advance reminder and its start, planned and fired by the core.

The meetings come from schedules.recurrence.occurrences: the holiday policy
applied (a rule on a date moves off weekends too; 调休 weekends count only when
the secretary said so) and a moved meeting landing on a regular one merged into
it, so that day has one set of reminders and one start. Advance reminders keep
the minute asked for ("提前1小时" of 15:00 goes out at 14:00 and a few seconds).
A row remembers whether its day rests on an estimate and which slots merged
into it, for the reminder to say so.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from bot.events import MeetingHeld, MeetingStarted
from bot.scheduler import late_note
from bot.timers import JobContext, PlanRequest
from handlers.meetings import meeting_timer
from handlers.meetings import texts as t
from schedules.recurrence import Days, Occurrence, Workdays, occurrences
from storage.reminders import Meeting
from storage.schedule import Firing, Planned


def _data(occ: Occurrence) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if occ.estimated:
        data["estimated"] = True
    if occ.merged:
        data["merged"] = [slot.isoformat() for slot in occ.merged]
    return data


def plan_meeting(m: Meeting, calendar: Days, start: datetime, end: datetime) -> list[Planned]:
    """The firings of `m` due in [start, end]: each advance reminder and the start."""
    # A start shortly after `end` can have a reminder due before it.
    ahead = timedelta(minutes=max(m.offsets, default=0) + 1)
    planned = []
    found = occurrences(
        m.rrule,
        m.holiday_policy,
        calendar,
        start,
        end + ahead,
        swapped_workdays=m.swapped_workdays,
    )
    for occ in found:
        data = _data(occ)
        for offset in [*m.offsets, 0]:
            due = occ.at - timedelta(minutes=offset)
            if start <= due <= end:
                planned.append(
                    meeting_timer.planned(
                        m.id,
                        occ.nominal,
                        due,
                        offset_minutes=offset,
                        event_at=occ.at,
                        push=offset > 0,
                        data=data,
                        exact=offset > 0,
                    )
                )
    return planned


@meeting_timer.planner
async def plan_meetings(p: PlanRequest) -> dict[int, list[Planned]]:
    meetings = await p.session.scalars(select(Meeting))
    workdays = Workdays(p.calendar)
    return {m.id: plan_meeting(m, workdays, p.start, p.end) for m in meetings}


@meeting_timer.handler
async def fire(job: JobContext, meeting_id: int) -> None:
    m = await job.session.get(Meeting, meeting_id)
    occ = job.firing
    if m is None or occ is None:
        return
    for target in m.targets:
        platform, _, chat_id = target.partition(":")
        key = f"rem:{occ.source}:{occ.occurrence.isoformat()}:{occ.offset_minutes}:{target}"
        if occ.offset_minutes == 0:
            ends_at = occ.event_at + timedelta(minutes=m.duration_minutes)
            event = MeetingStarted(
                platform, chat_id, m.title, m.unit_id, ends_at, key, meeting_id=m.id, place=m.place
            )
            await job.runtime.emit(job, event)
            continue
        text = _reminder(job, m, occ)
        job.to_group(platform, chat_id, text + late_note(job), key=key, expires_at=occ.event_at)
    if occ.offset_minutes == 0:
        await job.runtime.emit(job, MeetingHeld(m.unit_id, m.title))


def _reminder(job: JobContext, m: Meeting, occ: Firing) -> str:
    moved = occ.occurrence.astimezone(job.tz) if occ.occurrence != occ.event_at else None
    merged = [
        datetime.fromisoformat(slot).astimezone(job.tz) for slot in occ.data.get("merged", [])
    ]
    return t.reminder(
        m.title,
        occ.event_at.astimezone(job.tz),
        m.place,
        moved,
        merged,
        bool(occ.data.get("estimated")),
    )
