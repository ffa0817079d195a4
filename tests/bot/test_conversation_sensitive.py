"""Engine behaviour anonymous ballots rely on: sensitive flows; a flow finishing once.

A sensitive flow's state is sealed while it is open and gone at every end
(done, declined, cancelled, dropped by a command, timed out), and all it
said waits in the outbox sealed while the platform is down.
"""

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
from storage.messaging import ConversationState, OutboxMessage
from tests.conftest import MakeChat
from tests.handlers.anonymity_helpers import Failing, database_file, pages
from tests.harness import ChatHarness, User

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


@pytest.fixture
async def down(make_chat: MakeChat) -> ChatHarness:
    """The secret flow with the platform down: every message waits in the outbox."""
    return await make_chat(features=[*FEATURES, feature], deliverers=[Failing()])


async def _ends(chat: ChatHarness, u: User, how: str) -> None:
    if how == "done":
        await u.says("确认")
        u.hears("完成：蓝")
    elif how == "cancel":
        await u.says("取消")
        u.hears("已取消")
    elif how == "declined":
        await u.says("不要")
    elif how == "command":
        await u.says("/帮助")
        u.hears("之前未完成的「密投」已放弃")
    else:
        await chat.advance(minutes=chat.settings.conversation_timeout_minutes + 1)


@pytest.mark.parametrize("how", ["done", "cancel", "declined", "command", "timeout"])
async def test_a_sensitive_flow_is_sealed_while_open_and_gone_at_every_end(
    down: ChatHarness, how: str
) -> None:
    u = down.user("u1", "王晓明")
    await u.says("/密投")
    await u.says("蓝")
    u.hears("蓝", "回复「确认」提交")
    async with down.db.reading() as s:
        [(data,)] = list(await s.execute(select(ConversationState.data)))
    assert set(data) == {"sealed"} and "blue" not in str(data)

    await _ends(down, u, how)
    async with down.db.reading() as s:
        assert list(await s.scalars(select(ConversationState))) == []
        rows = list(await s.scalars(select(OutboxMessage)))
    # Every prompt, hint, notice and the end's own word waits, sealed; only the
    # answer to the command that dropped the flow (the help) is in clear.
    sealed = [r for r in rows if set(r.body) == {"sealed"}]
    assert len(sealed) == len(rows) - (how == "command")
    assert all(r.state == "pending" and r.chat_id == "" for r in sealed)
    assert all(r.idempotency_key.startswith("s:") for r in sealed)
    assert not any(
        "蓝" in r.body["text"] or "放弃" in r.body["text"] for r in rows if r not in sealed
    )
    if down.db.is_sqlite:
        for file, n, raw in pages(database_file(down)):
            assert "蓝".encode() not in raw and b'"blue"' not in raw, f"{file} #{n}"
