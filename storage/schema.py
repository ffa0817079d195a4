"""Imports every model module so the metadata (and Alembic) sees all tables.

A feature that adds tables adds its module here.
"""

from storage import (
    broadcast,
    checkin,
    console,
    feedback,
    messaging,
    models,
    polls,
    reminders,
    schedule,
)
from storage.base import Base

metadata = Base.metadata

__all__ = [
    "broadcast",
    "checkin",
    "console",
    "feedback",
    "messaging",
    "metadata",
    "models",
    "polls",
    "reminders",
    "schedule",
]
