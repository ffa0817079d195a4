"""Sliding-window limits per key (a group's webhook, a member, a whole platform)."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.delivery import Limit


class RateLimiter:
    """Counts sends per key in this process.

    Several replicas each keep their own count, so a limit shared by all
    replicas should be configured as its share; one process is the default.
    """

    def __init__(self) -> None:
        self._sent: dict[str, deque[datetime]] = {}
        self._blocked_until: dict[str, datetime] = {}

    def wait(self, limits: Sequence[Limit], now: datetime) -> float:
        """Seconds until every limit allows one more send (0: go now)."""
        longest = 0.0
        for limit in limits:
            until = self._blocked_until.get(limit.key)
            if until is not None and until > now:
                longest = max(longest, (until - now).total_seconds())
            window = self._window(limit, now)
            if len(window) >= limit.count:
                ready = window[0] + timedelta(seconds=limit.seconds)
                longest = max(longest, (ready - now).total_seconds())
        return longest

    def record(self, limits: Sequence[Limit], now: datetime) -> None:
        for limit in limits:
            self._window(limit, now).append(now)

    def block(self, key: str, until: datetime) -> None:
        """The platform told us to stop (45009, 130101): honour it for everyone on key."""
        self._blocked_until[key] = max(until, self._blocked_until.get(key, until))

    def _window(self, limit: Limit, now: datetime) -> deque[datetime]:
        window = self._sent.setdefault(limit.key, deque())
        horizon = now - timedelta(seconds=limit.seconds)
        while window and window[0] <= horizon:
            window.popleft()
        return window
