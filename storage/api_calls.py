"""Calls made to a platform's metered APIs, per calendar month, summed over every process.

DingTalk counts an organisation's calls against a monthly quota and offers
no API that says how much is left, so the bot keeps its own count. Each
process counts in memory and adds its count here now and then: restarts and
replicas add up without a write per call.
"""

from __future__ import annotations

from sqlalchemy import String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base
from storage.upsert import insert_for, on_conflict


class ApiCallCount(Base):
    __tablename__ = "api_call_counts"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    # The calendar month in the bot's time zone, "2026-11".
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    calls: Mapped[int] = mapped_column(default=0)


async def add_calls(session: AsyncSession, platform: str, month: str, calls: int) -> int:
    """Add `calls` to the month's count (0 only reads it); the count after."""
    if calls <= 0:
        found = await session.scalar(
            select(ApiCallCount.calls).where(
                ApiCallCount.platform == platform, ApiCallCount.month == month
            )
        )
        return found or 0
    table = ApiCallCount.__table__
    stmt = insert_for(session, table).values(platform=platform, month=month, calls=calls)  # type: ignore[arg-type]
    added = {"calls": ApiCallCount.calls + stmt.excluded.calls}
    stmt = on_conflict(stmt, ["platform", "month"], added)
    total = await session.scalar(stmt.returning(ApiCallCount.calls))
    return int(total or 0)
