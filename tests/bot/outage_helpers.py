"""A platform that can go down, and what outage tests send to it and read back.

A test marked `@pytest.mark.chat(unreachable=True)` gets a `chat` that delivers to
the `unreachable` fixture (tests/conftest.py) as platform "fake".
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select

from bot.delivery import Delivery, Limit, TransientError
from bot.messages import Outgoing
from storage.messaging import OutboxMessage
from tests.harness import ChatHarness


class Unreachable:
    """A platform that refuses connections while `down`, and counts what it shows."""

    name = "fake"
    inline_replies = False

    def __init__(self) -> None:
        self.down = False
        self.shown: Counter[str] = Counter()

    def limits(self, delivery: Delivery) -> list[Limit]:
        return []

    async def deliver(self, delivery: Delivery) -> None:
        if self.down:
            raise TransientError("send: ClientConnectorError Cannot connect to host")
        self.shown[delivery.text] += 1


def group(n: int, **more: Any) -> Outgoing:
    return Outgoing(
        platform="fake",
        chat_type="group",
        chat_id=f"g{n % 5}",
        text=f"通知{n}",
        key=f"m{n}",
        **more,
    )


async def healthz(chat: ChatHarness) -> tuple[int, dict[str, Any]]:
    assert chat.client is not None
    resp = await chat.client.get("/healthz")
    return resp.status, await resp.json()


async def rows(chat: ChatHarness) -> dict[str, OutboxMessage]:
    async with chat.db.reading() as s:
        return {
            r.idempotency_key: r
            for r in await s.scalars(select(OutboxMessage).where(OutboxMessage.platform == "fake"))
        }
