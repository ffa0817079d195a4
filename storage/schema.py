"""Imports every model module so the metadata (and Alembic) sees all tables.

A feature that adds tables adds its module here.
"""

from storage import checkin, messaging, models, timers
from storage.base import Base

metadata = Base.metadata

__all__ = ["checkin", "messaging", "metadata", "models", "timers"]
