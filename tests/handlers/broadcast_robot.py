"""A group-robot platform for broadcast tests: records what it got, when, and fails on cue.

It stands in for WeCom's and DingTalk's group robots (20 messages a minute per
group) until their adapters exist; it is registered under its own platform
name, so nothing else the bot does goes through it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from bot.clock import Clock, SystemClock
from bot.delivery import Delivery, Limit, PermanentError, TransientError

# WeCom's and DingTalk's group robots: 20 messages a minute each.
GROUP_COUNT, GROUP_SECONDS = 20, 60


class FakeRobot:
    inline_replies = False

    def __init__(
        self,
        name: str = "robot",
        *,
        flaky: Iterable[str] = (),
        gone: dict[str, str] | None = None,
        overall: Limit | None = None,
    ) -> None:
        self.name = name
        # The harness's clock, set when the robot joins one.
        self.clock: Clock = SystemClock()
        # These groups' first two attempts fail with a 5xx, then succeed.
        self.flaky = set(flaky)
        # These groups fail for good, with this error text.
        self.gone = dict(gone or {})
        self.overall = overall
        self.received: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
        self.attempts = 0

    def limits(self, delivery: Delivery) -> list[Limit]:
        limits = [Limit(f"{self.name}:group:{delivery.chat_id}", GROUP_COUNT, GROUP_SECONDS)]
        return [*limits, self.overall] if self.overall else limits

    async def deliver(self, delivery: Delivery) -> None:
        self.attempts += 1
        if delivery.chat_id in self.gone:
            raise PermanentError(self.gone[delivery.chat_id])
        if delivery.chat_id in self.flaky and delivery.attempts < 2:
            raise TransientError("HTTP 502 from /cgi-bin/webhook/send?key=0123456789abcdef")
        self.received[delivery.chat_id].append((self.clock.now(), delivery.text))

    def texts(self, chat_id: str) -> list[str]:
        return [text for _, text in self.received[chat_id]]

    def busiest_minute(self) -> int:
        """The most messages any one group got within 60 seconds."""
        busiest = 0
        for sends in self.received.values():
            times = sorted(at for at, _ in sends)
            start = 0
            for end, at in enumerate(times):
                while at - times[start] >= timedelta(seconds=GROUP_SECONDS):
                    start += 1
                busiest = max(busiest, end - start + 1)
        return busiest
