"""Nothing acknowledged is lost: recovery after a crash, a drain on shutdown, health."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from bot import ingest as ingest_module
from bot.app import Tongxin
from bot.config import Settings
from bot.context import Context
from bot.messages import Incoming
from storage.messaging import InboundMessage
from tests.harness import ChatHarness


def incoming(chat: ChatHarness, n: int) -> Incoming:
    return Incoming(
        platform="local",
        chat_id="t1",
        chat_type="direct",
        sender_id="t1",
        sender_name="王老师",
        text="/我是谁",
        msg_id=f"crash-{n}",
        at=chat.clock.now(),
    )


async def test_a_recorded_but_unhandled_message_is_handled_after_restart(chat: ChatHarness) -> None:
    # The process died after acknowledging: the row is there, nobody handled it.
    async with chat.db.transaction() as s:
        s.add(
            InboundMessage(
                platform="local",
                msg_id="crash-1",
                state="pending",
                payload=incoming(chat, 1).model_dump(mode="json"),
                received_at=chat.clock.now(),
                lease_until=chat.clock.now() + timedelta(seconds=30),
                error="",
            )
        )
    await chat.restart()
    await chat.tick()
    assert await chat.delivered("t1") == []  # still leased to the dead process
    await chat.advance(seconds=31)
    texts = [m["text"] for m in await chat.delivered("t1")]
    assert len(texts) == 1 and "角色：教师" in texts[0]
    await chat.advance(seconds=31)
    assert len(await chat.delivered("t1")) == 1


async def test_shutdown_drains_the_pool(chat: ChatHarness) -> None:
    for n in range(60):
        await chat.app.ingest.submit(incoming(chat, n))
    await chat.stop()
    async with chat.db.reading() as s:
        done = await s.scalar(
            select(func.count()).select_from(InboundMessage).where(InboundMessage.state == "done")
        )
    assert done == 60


async def test_healthz_ok(chat: ChatHarness) -> None:
    assert chat.client is not None
    resp = await chat.client.get("/healthz")
    assert resp.status == 200
    assert (await resp.json())["database"] == "ok"


async def test_healthz_503_when_postgresql_is_unreachable(tmp_path: Path) -> None:
    settings = Settings(database_url="postgresql+asyncpg://postgres@127.0.0.1:9/nowhere")
    app = Tongxin(settings)
    app.background = False
    client = TestClient(TestServer(app.web))
    await client.start_server()
    try:
        resp = await client.get("/healthz")
        assert resp.status == 503
        assert (await resp.json())["database"] == "unreachable"
    finally:
        await client.close()


async def test_a_callback_does_not_wait_for_a_whole_handling_batch(
    chat: ChatHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch in hand gives way to a callback between messages (on SQLite it holds the
    one write lock); what it leaves is handled next, in order."""
    monkeypatch.setattr(ingest_module, "HOLD_MAX", 0.0)
    router = chat.app.runtime.router
    dispatch = router.dispatch
    order: list[str] = []
    first_started = asyncio.Event()

    async def slow_dispatch(ctx: Context) -> None:
        order.append(ctx.incoming.msg_id)
        first_started.set()
        await asyncio.sleep(0.05)
        await dispatch(ctx)

    monkeypatch.setattr(router, "dispatch", slow_dispatch)
    ingest = chat.app.ingest
    for n in range(5):
        await ingest.submit(incoming(chat, n))
    await first_started.wait()
    async with asyncio.timeout(0.2):  # a whole batch would take 0.25 s
        is_new, _ = await ingest.submit(incoming(chat, 5))
    assert is_new
    assert len(order) < 5
    await ingest.idle()
    assert order == [f"crash-{n}" for n in range(6)]
    async with chat.db.reading() as s:
        states = set(await s.scalars(select(InboundMessage.state)))
    assert states == {"done"}
