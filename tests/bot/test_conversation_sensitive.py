"""Engine behaviour anonymous ballots rely on: sensitive flows; a flow finishing once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import Tongxin
from bot.args import Args
from bot.context import Context
from bot.conversation import Choose, Confirm, Data, Flow
from bot.feature import Feature
from handlers import FEATURES
from storage.messaging import OutboxMessage
from tests.harness import ChatHarness

feature = Feature("secret")
cmd = feature.command("secret", "密投", help="试用密投")


async def _done(ctx: Context, data: Data) -> None:
    ctx.reply(f"完成：{data['pick']}", sensitive=True)


feature.flow(
    Flow(
        "secret.pick",
        "密投",
        steps=[Choose("pick", "选哪个？", ["红", "蓝"]), Confirm("ok", lambda c, d: d["pick"])],
        on_done=_done,
        sensitive=True,
    )
)


@cmd.bare()
async def start(ctx: Context, args: Args) -> None:
    await ctx.runtime.router.conversations.start(ctx, "secret.pick")


class SecretHarness(ChatHarness):
    def make_app(self) -> Tongxin:
        app = Tongxin(self.settings, clock=self.clock, features=[*FEATURES, feature])
        app.background = False
        return app


@pytest.fixture
async def secret(db_url: str, tmp_path: Path) -> AsyncIterator[ChatHarness]:
    from tests.conftest import START

    h = SecretHarness(db_url, START, tmp_path)
    await h.start()
    yield h
    await h.stop()


async def test_sensitive_flow_leaves_no_trace_in_the_outbox(secret: ChatHarness) -> None:
    u = secret.user("u1")
    await u.says("/密投")
    u.hears("选哪个？")
    await u.says("3")
    u.hears("请回复选项前的序号（1–2）")
    await u.says("蓝")
    u.hears("蓝", "回复「确认」提交")
    await u.says("确认")
    u.hears("完成：蓝")
    async with secret.db.reading() as s:
        rows = list(await s.execute(select(OutboxMessage.chat_id, OutboxMessage.body)))
    assert rows and all(chat_id == "" and body["purged"] for chat_id, body in rows)


async def test_a_flow_answered_twice_at_once_finishes_once(secret: ChatHarness) -> None:
    u = secret.user("u1")
    await u.says("/密投")
    await u.says("红")
    msgs = [
        {"chat_id": "u1", "chat_type": "direct", "sender_id": "u1", "text": "确认", "msg_id": m}
        for m in ("a", "b")
    ]
    results = await asyncio.gather(*(secret.post(m) for m in msgs))
    replies = [r["text"] for _, data in results for r in data["replies"]]
    assert sum("完成：红" in r for r in replies) == 1
    assert not any("出了点问题" in r for r in replies)
