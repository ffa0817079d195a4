"""The notes feature's one table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Text, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base


class Note(Base):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime]


async def notes_of(session: AsyncSession, person_id: int) -> list[Note]:
    return list(
        await session.scalars(select(Note).where(Note.person_id == person_id).order_by(Note.id))
    )
