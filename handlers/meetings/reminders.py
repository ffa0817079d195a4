"""A meeting's firings: each advance reminder and its start, planned and fired by the core."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from bot.events import MeetingHeld, MeetingStarted
from bot.scheduler import late_note
from bot.timers import JobContext, PlanRequest
from handlers.meetings import meeting_timer
from handlers.meetings import texts as t
from schedules.holidays import HolidayCalendar
from schedules.recurrence import Workdays, apply_policy, starts_between
from storage.reminders import Meeting
from storage.schedule import Planned


def plan_meeting(
    m: Meeting, calendar: HolidayCalendar | Workdays, start: datetime, end: datetime
) -> list[Planned]:
    """The firings of `m` due in [start, end]: each advance reminder and the start."""
    # A start shortly after `end` can have a reminder due before it, and a
    # start moved by the holiday policy can come from before `start`.
    ahead = timedelta(minutes=max(m.offsets, default=0))
    planned = []
    for nominal in starts_between(m.rrule, start - timedelta(days=15), end + ahead):
        actual = apply_policy(nominal, m.holiday_policy, calendar)
        if actual is None:
            continue
        for offset in [*m.offsets, 0]:
            due = actual - timedelta(minutes=offset)
            if start <= due <= end:
                planned.append(
                    meeting_timer.planned(
                        m.id,
                        nominal,
                        due,
                        offset_minutes=offset,
                        event_at=actual,
                        push=offset > 0,
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
        moved = occ.occurrence.astimezone(job.tz) if occ.occurrence != occ.event_at else None
        text = t.reminder(m.title, occ.event_at.astimezone(job.tz), m.place, moved)
        job.to_group(platform, chat_id, text + late_note(job), key=key)
    if occ.offset_minutes == 0:
        await job.runtime.emit(job, MeetingHeld(m.unit_id, m.title))
