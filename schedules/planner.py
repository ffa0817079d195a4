"""From wanted firings to rows: quiet hours, jitter, and the idempotent write.

- Quiet hours (TONGXIN_QUIET_HOURS, default 22:00-07:00): a push due inside them
  waits for the morning; if the morning is too late (a "one hour before" of a
  07:30 meeting) it goes out the evening before, just before the quiet begins.
- Jitter: WeCom asks pushes to avoid :00 and :30, so a push due on either moves
  by one or two minutes — later, or earlier where later is quiet. The amount is
  a hash of the row's key, so planning again yields the same minute. An advance
  reminder asked for to the minute ("提前1小时" of a 15:00 meeting: 14:00) is
  `exact`: it keeps its minute and is spread over its seconds instead, so it
  still leaves the top of the minute; only the quiet hours move it.
- Writing: INSERT … ON CONFLICT (source, occurrence, offset) DO UPDATE of rows
  still pending, so a re-plan moves what has not fired (a holiday notice loaded
  late shifts the meeting) and never revives what has; pending rows of a planned
  source that the new plan no longer holds (skipped, edited away) are deleted,
  except a row the dispatcher held over the quiet hours (its time has passed,
  so no plan holds it any more).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from schedules.holidays import HolidayCalendar, HolidayDay
from storage.reminders import holiday_rows
from storage.schedule import Firing, Planned

# How far ahead occurrences are materialised, re-planned nightly.
HORIZON = timedelta(days=60)
_SPAN = re.compile(r"\s*(\d{1,2}):(\d{2})\s*[-~至]\s*(\d{1,2}):(\d{2})\s*")
_CHUNK = 2000


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> QuietHours | None:
        """ "22:00-07:00"; an empty text means no quiet hours."""
        if not text.strip():
            return None
        match = _SPAN.fullmatch(text)
        if match is None:
            raise ValueError(f"quiet hours are HH:MM-HH:MM, not {text!r}")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        return cls(time(h1 % 24, m1), time(h2 % 24, m2))

    def contains(self, local: datetime) -> bool:
        t = local.timetz().replace(tzinfo=None)
        if self.start <= self.end:
            return self.start <= t < self.end
        return t >= self.start or t < self.end

    def ends(self, local: datetime) -> datetime:
        """The end of the quiet period holding `local`."""
        end = local.replace(hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0)
        return end if end > local else end + timedelta(days=1)

    def begins(self, local: datetime) -> datetime:
        """The start of the quiet period holding `local`."""
        start = local.replace(
            hour=self.start.hour, minute=self.start.minute, second=0, microsecond=0
        )
        return start if start <= local else start - timedelta(days=1)


def _jitter(at: datetime, seed: str, quiet: QuietHours | None) -> datetime:
    if at.minute % 30 or at.second:
        return at
    step = timedelta(minutes=1 + zlib.crc32(seed.encode()) % 2)
    later = at + step
    return at - step if quiet and quiet.contains(later) else later


# Seconds an exact push may be spread over: off the minute's top, and early
# enough that a dispatcher tick late in the minute still sends it within it.
_EXACT_SECONDS = range(3, 48)


def _jitter_seconds(at: datetime, seed: str) -> datetime:
    if at.second or at.microsecond:
        return at
    spread = _EXACT_SECONDS[zlib.crc32(seed.encode()) % len(_EXACT_SECONDS)]
    return at + timedelta(seconds=spread)


def push_time(
    due: datetime,
    event_at: datetime,
    seed: str,
    quiet: QuietHours | None,
    tz: ZoneInfo,
    *,
    exact: bool = False,
) -> datetime:
    """When a push wanted at `due` (before an event at `event_at`) really goes out."""
    local = due.astimezone(tz)
    if quiet is not None and quiet.contains(local):
        morning = quiet.ends(local)
        if morning < event_at or event_at <= due:
            local = morning
        else:
            local = quiet.begins(local) - timedelta(minutes=1)
    elif exact:
        return _jitter_seconds(local, seed)
    return _jitter(local, seed, quiet)


def seed_of(source: str, occurrence: datetime, offset: int) -> str:
    return f"{source}|{occurrence.isoformat()}|{offset}"


async def load_calendar(session: AsyncSession) -> HolidayCalendar:
    rows = await holiday_rows(session)
    return HolidayCalendar(
        HolidayDay(r.day, "holiday" if r.kind == "holiday" else "workday", r.name) for r in rows
    )


def _row(p: Planned, quiet: QuietHours | None, tz: ZoneInfo) -> dict[str, Any]:
    due = p.due_at
    if p.push:
        seed = seed_of(p.source, p.occurrence, p.offset_minutes)
        due = push_time(due, p.event_at, seed, quiet, tz, exact=p.exact)
    return {
        "source": p.source,
        "occurrence": p.occurrence,
        "offset_minutes": p.offset_minutes,
        "event_at": p.event_at,
        "due_at": due,
        "push": p.push,
        "state": "pending",
        "data": p.data,
    }


def _upsert(session: AsyncSession) -> Any:
    table = Firing.__table__
    bind = session.bind
    pg = bind is not None and bind.dialect.name == "postgresql"
    stmt = (postgresql.insert if pg else sqlite.insert)(table)  # type: ignore[arg-type]
    return stmt.on_conflict_do_update(
        index_elements=["source", "occurrence", "offset_minutes"],
        set_={
            "event_at": stmt.excluded.event_at,
            "due_at": stmt.excluded.due_at,
            "push": stmt.excluded.push,
            "data": stmt.excluded.data,
        },
        where=table.c.state == "pending",
    )


async def write_plan(
    session: AsyncSession,
    plans: Mapping[str, Sequence[Planned]],
    *,
    since: datetime,
    quiet: QuietHours | None,
    tz: ZoneInfo,
) -> int:
    """Make the pending rows of each source in `plans` what it says; the rows written."""
    rows = [_row(p, quiet, tz) for planned in plans.values() for p in planned]
    wanted = {(r["source"], r["occurrence"], r["offset_minutes"]) for r in rows}
    stmt = _upsert(session)
    for i in range(0, len(rows), _CHUNK):
        await session.execute(stmt, rows[i : i + _CHUNK])
    stale: list[int] = []
    for chunk in _chunks(plans, _CHUNK):
        found = await session.execute(
            select(
                Firing.id,
                Firing.source,
                Firing.occurrence,
                Firing.offset_minutes,
                Firing.data,
            ).where(
                Firing.state == "pending",
                Firing.due_at >= since,
                Firing.source.in_(chunk),
            )
        )
        stale += [
            i for i, s, o, off, data in found if (s, o, off) not in wanted and not data.get("held")
        ]
    for i in range(0, len(stale), _CHUNK):
        ids = stale[i : i + _CHUNK]
        await session.execute(delete(Firing).where(Firing.id.in_(ids)))
    return len(rows)


def _chunks(items: Iterable[str], size: int) -> Iterable[list[str]]:
    batch: list[str] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
