"""Engine behaviour anonymous ballots rely on: sensitive flows; a flow finishing once."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import BaseModel
from sqlalchemy import select

from bot.args import Args
from bot.context import Context
from bot.conversation import Choose, Confirm, Flow
from bot.feature import Feature
from handlers import FEATURES
from storage.messaging import OutboxMessage
from tests.conftest import MakeChat
from tests.harness import ChatHarness

feature = Feature("secret")
cmd = feature.command("secret", "密投", help="试用密投")


COLOURS = {"red": "红", "blue": "蓝"}


class Pick(BaseModel):
    pick: str = ""
    ok: bool | None = None


async def _done(ctx: Context, data: Pick) -> None:
    ctx.reply(f"完成：{COLOURS[data.pick]}", sensitive=True)


pick_flow = feature.flow(
    Flow(
        "secret.pick",
        "密投",
        Pick,
        steps=[
            Choose("pick", "选哪个？", COLOURS),
            Confirm("ok", lambda c, d: COLOURS[d.pick]),
        ],
        on_done=_done,
        sensitive=True,
    )
)


@cmd.bare()
async def start(ctx: Context, args: Args) -> None:
    await ctx.start(pick_flow, Pick())


@pytest.fixture
async def secret(make_chat: MakeChat) -> ChatHarness:
    return await make_chat(features=[*FEATURES, feature])


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
