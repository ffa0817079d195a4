"""A client-side pace: at most so many calls a second per key, callers waiting their turn.

DingTalk refuses an app that calls one API more than about 20 times a second
(HTTP 403 Forbidden.AccessDenied.QpsLimitForAppkeyAndApi; its "调用频次与限流"
page advises limiting on the client). Waiting a fraction of a second here
costs less than a refusal and a retry. The count is per process: several
replicas should each get their share.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable


class Pacer:
    def __init__(
        self,
        count: int,
        seconds: float,
        *,
        now: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.count = count
        self.seconds = seconds
        self.now = now
        self.sleep = sleep
        self._calls: dict[str, deque[float]] = {}

    async def turn(self, key: str) -> None:
        """Return once a call on `key` is within the pace, and count it."""
        window = self._calls.setdefault(key, deque())
        while True:
            now = self.now()
            while window and window[0] <= now - self.seconds:
                window.popleft()
            if len(window) < self.count:
                window.append(now)
                return
            await self.sleep(window[0] + self.seconds - now)
