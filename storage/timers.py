"""One-shot timers features set: close a poll at its deadline, nudge the day before."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class Timer(Base):
    """Fires once: the unique key makes setting it twice harmless and the
    claim (FOR UPDATE SKIP LOCKED on PostgreSQL) makes firing it exactly once."""

    __tablename__ = "timers"
    __table_args__ = (
        UniqueConstraint("event", "ref", "due_at"),
        Index("ix_timers_due", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event: Mapped[str] = mapped_column(String(64))
    ref: Mapped[str] = mapped_column(String(128))
    due_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(10), default="pending")
    fired_at: Mapped[datetime | None]
