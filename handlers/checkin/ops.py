"""What a check-in does, whoever asks: a handler, a timer, the meetings hook."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.names import by_pinyin
from bot.nudges import nudge_before
from handlers.checkin import checkin_close, checkin_held, checkin_nudge, checkin_progress
from handlers.checkin import texts as t
from schedules.timeparse import When, format_when
from storage import checkin as store
from storage.checkin import LATE, LEAVE, PRESENT, Checkin

# A late check-in (迟到) is taken this long after the deadline when accepted.
LATE_WINDOW = timedelta(hours=1)
# At most one grouped progress line per check-in in this time.
PROGRESS_GAP = timedelta(seconds=30)
REMIND_GAP = timedelta(minutes=5)
# The automatic nudge goes this long before the deadline, if the check-in
# is open long enough for a nudge to make sense.
NUDGE_BEFORE = timedelta(minutes=5)
NUDGE_MIN_OPEN = timedelta(minutes=15)
NUDGE_MIN_NOTICE = timedelta(minutes=2)


def new_code() -> str:
    return f"{secrets.randbelow(10000):04d}"


def clock(at: datetime, now: datetime, tz: ZoneInfo) -> str:
    """ "15:30" on the same day, else "12月4日（周五）15:30"."""
    local = at.astimezone(tz)
    if local.date() == now.astimezone(tz).date():
        return f"{local.hour}:{local.minute:02d}"
    return format_when(When(local, True), now)


@dataclass(frozen=True)
class Details:
    """What the ledger records of the meeting beside attendance, when given."""

    place: str = ""
    host: str = ""
    recorder: str = ""
    topic: str = ""


async def open_checkin(
    session: AsyncSession,
    *,
    platform: str,
    chat_id: str,
    group_id: int | None,
    unit_id: int | None,
    title: str,
    code: str,
    late: bool,
    creator_id: int | None,
    now: datetime,
    deadline: datetime,
    closes_at: datetime | None,
    settings: Settings,
    meeting_key: str | None = None,
    meeting_ids: Sequence[int] = (),
    details: Details = Details(),
    default_deadline: bool = False,
) -> tuple[Checkin, str]:
    """Open it, copy its roster, set its timers; (check-in, announcement).

    Its opener is counted present; leave asked ahead for one of `meeting_ids`
    on this day counts now.
    """
    if closes_at is None:
        closes_at = deadline + LATE_WINDOW if late else deadline
    ck = Checkin(
        platform=platform,
        chat_id=chat_id,
        unit_id=unit_id,
        title=title,
        code=code,
        accept_late=late,
        roster_source="unit" if unit_id is not None else "group",
        creator_id=creator_id,
        opened_at=now,
        deadline=deadline,
        closes_at=max(closes_at, deadline),
        state="open",
        meeting_key=meeting_key,
        progress_pending=False,
        place=details.place,
        host=details.host,
        recorder=details.recorder,
        topic=details.topic,
    )
    expected = await store.create(session, ck, group_id)
    tz = settings.tz
    opener = await store.entry(session, ck.id, creator_id) if creator_id is not None else None
    if opener is not None and opener.expected:
        opener.status, opener.at, opener.announced = PRESENT, now, True
    asked = await store.leave_ahead_for(session, list(meeting_ids), now.astimezone(tz).date())
    on_leave = await store.apply_leave(
        session, ck.id, [(a.person_id, a.reason) for a in asked], now
    )
    await checkin_close.set(session, ck.id, ck.closes_at)
    if deadline - now >= NUDGE_MIN_OPEN:
        await nudge_before(
            session,
            checkin_nudge,
            ck.id,
            deadline,
            now=now,
            settings=settings,
            before=NUDGE_BEFORE,
            min_notice=NUDGE_MIN_NOTICE,
        )
    text = t.opened(
        title,
        clock(deadline, now, tz),
        expected,
        code=bool(code),
        late_until=clock(ck.closes_at, now, tz) if late else None,
        fallback=unit_id is None,
        present=1 if opener is not None and opener.expected else 0,
        on_leave=on_leave,
        default_deadline=default_deadline,
    )
    return ck, text


async def report(session: AsyncSession, ck: Checkin, *, reasons: bool = False) -> str:
    """The count and the names (by pinyin); leave reasons only for a secretary's eyes."""
    c = await store.counts(session, ck.id)
    head = t.summary(ck.title, c.expected, c.attended, c.late, c.leave, c.missing)
    leaves = await store.people(session, ck.id, statuses=(LEAVE,))
    missing = await store.people(session, ck.id, statuses=("",))
    outsiders = await store.people(session, ck.id, expected=False)
    leave_names = by_pinyin(
        [t.with_reason(p.name, p.reason) if reasons else p.name for p in leaves]
    )
    return t.status_report(
        head,
        leave_names,
        by_pinyin([p.name for p in missing]),
        by_pinyin([p.name for p in outsiders]),
        closed=ck.state == "closed",
    )


async def close(session: AsyncSession, ck: Checkin, now: datetime) -> str:
    """Close it and return the final count."""
    ck.state = "closed"
    ck.closed_at = now
    for timer in (checkin_close, checkin_nudge, checkin_progress):
        await timer.cancel(session, ck.id)
    if ck.meeting_key is None:
        # Opened by hand (`/签到 发起 支部党员大会`): the meeting was held all the
        # same; a scheduled one said so when it started.
        await checkin_held.set(session, ck.id, now)
    return t.final(await report(session, ck))


async def progress_line(session: AsyncSession, ck: Checkin) -> str:
    """「主题党日」已签到 23/31 with who is new since the last line, who are then marked."""
    c = await store.counts(session, ck.id)
    recent = await store.people(session, ck.id, statuses=store.ATTENDED, unannounced=True)
    await store.mark_announced(session, ck.id)
    return t.progress(ck.title, c.attended, c.expected, c.leave, [p.name for p in recent])


async def missing(session: AsyncSession, ck: Checkin) -> list[store.PersonRow]:
    return await store.people(session, ck.id, statuses=("",))


def status_for(ck: Checkin, now: datetime) -> str | None:
    """present or late for an answer now; None when it is too late to count."""
    if now <= ck.deadline:
        return store.PRESENT
    if ck.accept_late and now <= ck.closes_at:
        return LATE
    return None
