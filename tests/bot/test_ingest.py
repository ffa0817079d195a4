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
from bot.messages import Incoming, Outgoing
from storage.messaging import InboundMessage
from storage.models import Person
from tests.conftest import START
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
    # Each message's handling waits for its own go: the batch is held exactly where the
    # test wants it, whatever the machine's speed.
    go = {f"crash-{n}": asyncio.Event() for n in range(6)}

    async def gated_dispatch(ctx: Context) -> None:
        order.append(ctx.incoming.msg_id)
        first_started.set()
        await go[ctx.incoming.msg_id].wait()
        await dispatch(ctx)

    monkeypatch.setattr(router, "dispatch", gated_dispatch)
    ingest = chat.app.ingest
    for n in range(5):
        await ingest.submit(incoming(chat, n))
    await first_started.wait()
    calling = asyncio.Event()

    async def callback() -> tuple[bool, list[Outgoing]]:
        calling.set()  # submit counts itself as recording before it first yields
        return await ingest.submit(incoming(chat, 5))

    arrived = asyncio.create_task(callback())
    await calling.wait()
    go["crash-0"].set()  # only the first message may finish: the rest stay held
    try:
        # A batch that kept the write lock for its other four would never let it in;
        # the timeout only turns that hang into a failure.
        async with asyncio.timeout(10):
            is_new, _ = await arrived
    finally:
        for event in go.values():
            event.set()
    assert is_new
    assert len(order) < 5
    await ingest.idle()
    assert order == [f"crash-{n}" for n in range(6)]
    async with chat.db.reading() as s:
        states = set(await s.scalars(select(InboundMessage.state)))
    assert states == {"done"}


def said(chat: ChatHarness, sender: str, n: int) -> Incoming:
    return Incoming(
        platform="local",
        chat_id=sender,
        chat_type="direct",
        sender_id=sender,
        sender_name=sender,
        text=f"/我是谁 {n}",
        msg_id=f"{sender}-{n}",
        at=chat.clock.now(),
    )


async def test_after_an_overload_the_backlog_drains_at_once_in_each_senders_order(
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Messages past a full queue used to wait for the recovery pass (500 every 10 s,
    after their lease), out of order, with a warning per message."""
    monkeypatch.setattr(ingest_module, "QUEUE_MAX", 8)
    chat = ChatHarness(db_url, START, tmp_path)
    await chat.start()
    try:
        router = chat.app.runtime.router
        dispatch = router.dispatch
        gate = asyncio.Event()
        order: dict[str, list[int]] = {}

        async def held_dispatch(ctx: Context) -> None:
            await gate.wait()  # handling stalls: the queue fills
            sender, n = ctx.incoming.msg_id.split("-")
            order.setdefault(sender, []).append(int(n))
            await dispatch(ctx)

        monkeypatch.setattr(router, "dispatch", held_dispatch)
        ingest = chat.app.ingest
        for n in range(40):
            for sender in ("a", "b", "c", "d", "e"):
                is_new, _ = await ingest.submit(said(chat, sender, n))
                assert is_new
        gate.set()
        async with asyncio.timeout(20):  # no clock moves, no recovery pass
            await ingest.idle()
        async with chat.db.reading() as s:
            states = dict(
                (
                    await s.execute(
                        select(InboundMessage.state, func.count()).group_by(InboundMessage.state)
                    )
                ).all()
            )
        assert states == {"done": 200}
        assert order == {sender: list(range(40)) for sender in "abcde"}
        full = [r for r in caplog.records if "queues full" in r.getMessage()]
        assert len(full) == 1
    finally:
        await chat.stop()


async def test_a_dead_process_backlog_is_recovered_in_one_pass_in_order(chat: ChatHarness) -> None:
    """1,200 messages a crashed process acknowledged: all handled after one recovery
    pass (it took 500 a pass, every 10 s), each sender's in the order they came."""
    async with chat.db.transaction() as s:
        s.add_all(
            InboundMessage(
                platform="local",
                msg_id=f"{sender}-{n}",
                state="pending",
                payload=said(chat, sender, n).model_dump(mode="json"),
                received_at=chat.clock.now(),
                lease_until=chat.clock.now() + timedelta(seconds=30),
                error="",
            )
            for n in range(300)
            for sender in ("a", "b", "c", "d")
        )
    await chat.restart()
    router = chat.app.runtime.router
    dispatch = router.dispatch
    order: dict[str, list[int]] = {}

    async def recording_dispatch(ctx: Context) -> None:
        sender, n = ctx.incoming.msg_id.split("-")
        order.setdefault(sender, []).append(int(n))
        await dispatch(ctx)

    router.dispatch = recording_dispatch  # type: ignore[method-assign]
    chat.clock.advance(seconds=31)
    assert await chat.app.ingest.recover() == 1200
    await chat.app.ingest.idle()
    assert order == {sender: list(range(300)) for sender in "abcd"}
    assert len(await chat.delivered("a")) == 300


async def test_a_new_name_or_role_counts_at_once_though_the_person_was_just_seen(
    chat: ChatHarness,
) -> None:
    """Handling skips rewriting a person's row it wrote a moment ago, never a change."""
    t = chat.user("t1", "王老师")
    await t.says("/我是谁")
    t.hears("王老师")
    chat.users["t1"].name = "王晓明"
    await t.says("/我是谁")
    t.hears("王晓明")
    boss = chat.user("boss", role="admin", unit="一支部")
    await boss.says("/授权 @t1 书记 一支部")
    boss.hears("王晓明")
    await t.says("/我是谁")
    t.hears("支部书记")
    async with chat.db.reading() as s:
        names = list(
            await s.scalars(select(Person.display_name).where(Person.platform_user_id == "t1"))
        )
    assert names == ["王晓明"]
