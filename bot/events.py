"""Typed events one feature announces and others may answer, through the core.

A feature never imports another; what they tell each other is declared here,
as data. The sender calls `await job.runtime.emit(job, MeetingStarted(...))`;
a listener declares `@feature.on(MeetingStarted)` and gets `(job, event)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class MeetingStarted:
    """A scheduled meeting begins in a group: the check-in feature opens its check-in."""

    platform: str
    chat_id: str
    title: str
    unit_id: int | None
    ends_at: datetime | None
    # Names this meeting's occurrence in this group, once.
    key: str
    # The meeting's row and place, for what the check-in records of it
    # (its 地点, the leave asked ahead for it).
    meeting_id: int | None = None
    place: str = ""


@dataclass(frozen=True)
class MeetingHeld:
    """A meeting of a unit took place (its start fired): quotas count it."""

    unit_id: int | None
    title: str


Event = MeetingStarted | MeetingHeld
