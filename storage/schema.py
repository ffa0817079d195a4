"""Imports every model module so the metadata (and Alembic) sees all tables.

A feature that adds tables adds its module here.
"""

from storage import messaging, models, reminders, timers
from storage.base import Base

metadata = Base.metadata

__all__ = ["messaging", "metadata", "models", "reminders", "timers"]
