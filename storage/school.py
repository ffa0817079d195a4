"""A school's own calendar: its term dates, and what it adds to the 廉政 calendar.

- `school_terms`: the terms (first day, last day) of the county (`unit_id` NULL,
  set by an admin) or of one unit (set by its secretary); the 寒暑假 between
  them pause the quota nags, and the county's date the 寒暑假 廉政 reminders.
- `lianzheng_options`: the county's 高考 and 中考 dates and 党费 reminders.
- `lianzheng_occasions`: the admins' own dated occasions, one-off or yearly,
  on a solar or a lunar date.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base
from storage.upsert import insert_for, on_conflict


class SchoolTerm(Base):
    __tablename__ = "school_terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    # None: the county's terms, which every unit without its own follows.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    set_by: Mapped[str] = mapped_column(String(160))
    set_at: Mapped[datetime]


class LianzhengOption(Base):
    """One setting of the 廉政 calendar: "gaokao"/"zhongkao" as MM-DD, "dangfei"."""

    __tablename__ = "lianzheng_options"

    key: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(64))
    updated_by: Mapped[str] = mapped_column(String(160))
    updated_at: Mapped[datetime]


class LianzhengOccasion(Base):
    """An admin's own occasion (schedules.lianzheng.Occasion): `month`/`day` are lunar
    when `lunar`; `year` (lunar for a lunar date) makes it a one-off."""

    __tablename__ = "lianzheng_occasions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(32))
    month: Mapped[int]
    day: Mapped[int]
    lunar: Mapped[bool] = mapped_column(default=False)
    year: Mapped[int | None]
    # Days ahead of the date the reminder goes out.
    ahead: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(160))
    created_at: Mapped[datetime]


# --- terms ---------------------------------------------------------------------------


async def term_rows(session: AsyncSession) -> list[SchoolTerm]:
    return list(await session.scalars(select(SchoolTerm).order_by(SchoolTerm.start)))


def terms_of(rows: Iterable[SchoolTerm], unit_id: int | None) -> list[tuple[date, date]]:
    """The terms a unit follows: its own when it set any, else the county's."""
    rows = list(rows)
    own = [(r.start, r.end) for r in rows if unit_id is not None and r.unit_id == unit_id]
    return own or [(r.start, r.end) for r in rows if r.unit_id is None]


async def replace_terms(
    session: AsyncSession,
    unit_id: int | None,
    terms: Iterable[tuple[date, date]],
    by: str,
    now: datetime,
) -> None:
    """Make `terms` the terms of the unit (None: of the county); none clears them."""
    scope = SchoolTerm.unit_id.is_(None) if unit_id is None else SchoolTerm.unit_id == unit_id
    await session.execute(delete(SchoolTerm).where(scope))
    session.add_all(
        SchoolTerm(unit_id=unit_id, start=start, end=end, set_by=by, set_at=now)
        for start, end in terms
    )
    await session.flush()


# --- the 廉政 calendar's options ----------------------------------------------------------


async def lianzheng_options(session: AsyncSession) -> dict[str, str]:
    return {o.key: o.value for o in await session.scalars(select(LianzhengOption))}


async def set_lianzheng_option(
    session: AsyncSession, key: str, value: str, by: str, now: datetime
) -> None:
    stmt = insert_for(session, LianzhengOption.__table__).values(  # type: ignore[arg-type]
        key=key, value=value, updated_by=by, updated_at=now
    )
    excluded = stmt.excluded
    await session.execute(
        on_conflict(
            stmt,
            ["key"],
            {
                "value": excluded.value,
                "updated_by": excluded.updated_by,
                "updated_at": excluded.updated_at,
            },
        )
    )


async def occasion_rows(session: AsyncSession) -> list[LianzhengOccasion]:
    return list(await session.scalars(select(LianzhengOccasion).order_by(LianzhengOccasion.id)))
