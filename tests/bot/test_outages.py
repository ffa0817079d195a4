"""A platform outage: messages wait as long as they matter, admins hear once, /healthz says so."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import Tongxin
from bot.delivery import Delivery, Limit, TransientError
from bot.messages import Outgoing
from bot.outbox import EXPIRED
from storage.messaging import OutboxMessage
from tests.conftest import START
from tests.harness import ChatHarness

ALERT = "消息发送出现问题"


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


class OutageHarness(ChatHarness):
    def __init__(self, db_url: str, tmp_path: Path, **settings: Any) -> None:
        self.platform = Unreachable()
        super().__init__(db_url, START, tmp_path, **settings)

    def make_app(self) -> Tongxin:
        app = Tongxin(self.settings, clock=self.clock, extra_deliverers=[self.platform])
        app.background = False
        return app

    async def send_out(self, *outs: Outgoing) -> None:
        async with self.db.transaction() as session:
            await self.app.runtime.send(session, outs)
        await self.settle()

    async def healthz(self) -> tuple[int, dict[str, Any]]:
        assert self.client is not None
        resp = await self.client.get("/healthz")
        return resp.status, await resp.json()

    async def rows(self) -> dict[str, OutboxMessage]:
        async with self.db.reading() as s:
            return {
                r.idempotency_key: r
                for r in await s.scalars(
                    select(OutboxMessage).where(OutboxMessage.platform == "fake")
                )
            }


@pytest.fixture
async def outage(db_url: str, tmp_path: Path) -> AsyncIterator[OutageHarness]:
    h = OutageHarness(db_url, tmp_path, admins=["local:boss"])
    await h.start()
    try:
        yield h
    finally:
        await h.stop()


def group(n: int, **more: Any) -> Outgoing:
    return Outgoing(
        platform="fake",
        chat_type="group",
        chat_id=f"g{n % 5}",
        text=f"通知{n}",
        key=f"m{n}",
        **more,
    )


async def test_a_five_minute_outage_loses_nothing_that_still_matters(
    outage: OutageHarness,
) -> None:
    """It marked all 27 queued messages failed for good (8 attempts, ~330 s), no alert."""
    chat = outage
    chat.user("root", role="admin")  # granted in the database, besides TONGXIN_ADMINS
    await chat.setup_people()
    chat.platform.down = True
    soon = chat.clock.now() + timedelta(minutes=3)
    await chat.send_out(*(group(n) for n in range(26)), group(26, expires_at=soon))
    status, health = await chat.healthz()
    assert status == 200 and health["platforms"]["fake"]["state"] == "ok"
    for _ in range(10):  # five minutes of refused connections
        await chat.advance(seconds=30)
    status, health = await chat.healthz()
    assert status == 200 and health["status"] == "degraded"
    assert health["platforms"]["fake"]["state"] == "failing"
    assert health["platforms"]["fake"]["retrying"] == 26
    assert health["platforms"]["fake"]["failed_24h"] == 1
    assert health["platforms"]["local"]["state"] == "ok"
    rows = await chat.rows()
    assert rows["m26"].state == "failed" and rows["m26"].last_error.startswith(EXPIRED)
    assert {rows[f"m{n}"].state for n in range(26)} == {"pending"}

    chat.platform.down = False
    for _ in range(12):  # backoff is capped at five minutes
        await chat.advance(seconds=30)
    rows = await chat.rows()
    assert {rows[f"m{n}"].state for n in range(26)} == {"sent"}
    assert chat.platform.shown == Counter({f"通知{n}": 1 for n in range(26)})
    status, health = await chat.healthz()
    assert status == 200 and health["status"] == "ok"
    assert health["platforms"]["fake"] == {
        "state": "ok",
        "backlog": 0,
        "retrying": 0,
        "failed_24h": 1,
    }
    # Told once, each admin, while it was happening; the expiry later added nothing.
    for admin in ("boss", "root"):
        [alert] = [m["text"] for m in await chat.delivered(admin) if ALERT in m["text"]]
        assert "fake：27 条多次发送失败、仍在重试" in alert and "「发送失败」" in alert


async def test_admins_are_told_again_only_about_new_failures_and_at_most_hourly(
    outage: OutageHarness,
) -> None:
    chat = outage
    chat.platform.down = True
    await chat.send_out(group(1, expires_at=chat.clock.now() + timedelta(minutes=1)))
    for _ in range(6):
        await chat.advance(seconds=30)
    alerts = [m["text"] for m in await chat.delivered("boss") if ALERT in m["text"]]
    assert len(alerts) == 1 and "1 条未能送达" in alerts[0]
    # More failures within the hour wait for the next alert.
    await chat.send_out(group(2, expires_at=chat.clock.now() + timedelta(minutes=1)))
    for _ in range(6):
        await chat.advance(seconds=30)
    assert len([m for m in await chat.delivered("boss") if ALERT in m["text"]]) == 1
    await chat.advance(hours=1)
    alerts = [m["text"] for m in await chat.delivered("boss") if ALERT in m["text"]]
    assert len(alerts) == 2 and "1 条未能送达" in alerts[1]
    # Nothing new: nothing said.
    await chat.advance(hours=2)
    assert len([m for m in await chat.delivered("boss") if ALERT in m["text"]]) == 2
