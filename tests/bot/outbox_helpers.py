"""A flaky fake platform and the outbox rows the outbox tests fill and count."""

from __future__ import annotations

import asyncio
import random
from collections import Counter

from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.delivery import Delivery, Limit, PermanentError, TransientError
from bot.messages import Outgoing
from bot.outbox import enqueue
from storage.db import Database
from storage.messaging import OutboxMessage


class FlakyPlatform:
    """A platform that fails a share of calls and remembers what it accepted."""

    name = "fake"
    inline_replies = False

    def __init__(self, fail_rate: float = 0.2, seed: int = 7, per_chat: int = 0) -> None:
        self.rng = random.Random(seed)
        self.fail_rate = fail_rate
        self.per_chat = per_chat
        self.accepted: Counter[str] = Counter()
        self.calls = 0

    def limits(self, delivery: Delivery) -> list[Limit]:
        if self.per_chat:
            return [Limit(f"fake:{delivery.chat_id}", self.per_chat, 60)]
        return []

    async def deliver(self, delivery: Delivery) -> None:
        await asyncio.sleep(0.0005)  # a network round trip, and a point to be cancelled at
        self.calls += 1
        if delivery.chat_id == "nowhere":
            raise PermanentError("no such chat")
        if self.rng.random() < self.fail_rate:
            raise TransientError("HTTP 503")
        self.accepted[delivery.key] += 1


def messages(n: int, chats: int = 50) -> list[Outgoing]:
    return [
        Outgoing(
            platform="fake",
            chat_type="group",
            chat_id=f"g{i % chats}",
            text=f"第{i}条",
            key=f"k{i}",
        )
        for i in range(n)
    ]


async def fill(db: Database, clock: ManualClock, outs: list[Outgoing]) -> None:
    async with db.transaction() as s:
        await enqueue(s, outs, clock.now())


async def states(db: Database) -> dict[str, int]:
    async with db.reading() as s:
        rows = await s.execute(
            select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
        )
        return {state: int(n) for state, n in rows}
