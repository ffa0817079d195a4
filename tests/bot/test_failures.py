"""A handler that breaks costs only its own message, and nobody sees a traceback."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from bot.args import Args
from bot.context import Context
from bot.errors import Failure
from bot.feature import Feature
from handlers import FEATURES
from storage.messaging import InboundMessage
from tests.conftest import MakeChat
from tests.harness import ChatHarness

broken = Feature("broken")
boom = broken.command("boom", "炸", help="always fails")


@boom.bare()
async def explode(ctx: Context, args: Args) -> None:
    ctx.reply("this reply must never be sent")
    raise RuntimeError("secret internal detail")


@pytest.fixture
async def bchat(make_chat: MakeChat) -> ChatHarness:
    return await make_chat(features=[*FEATURES, broken])


async def test_a_failing_handler_gets_a_polite_answer_and_spares_the_batch(
    bchat: ChatHarness, caplog: pytest.LogCaptureFixture
) -> None:
    a, b, c = bchat.user("a", "甲"), bchat.user("b", "乙"), bchat.user("c", "丙")
    # Sent together, so the engine handles them in one batch.
    replies = await asyncio.gather(a.says("/我是谁"), b.says("/炸"), c.says("/whoami"))
    assert "甲（a）" in replies[0] and "丙（c）" in replies[2]
    assert replies[1] == "抱歉，处理这条消息时出了点问题，已记录，请稍后再试。"
    assert "secret internal detail" not in replies[1] and "Traceback" not in replies[1]
    assert "must never be sent" not in "".join(await b.inbox())
    async with bchat.db.reading() as s:
        rows = await s.execute(select(InboundMessage.msg_id, InboundMessage.state))
        states = {msg_id: state for msg_id, state in rows}
    assert sorted(states.values()) == ["done", "done", "failed"]
    assert any("RuntimeError" in r.getMessage() or r.exc_info for r in caplog.records)


async def test_the_error_hook_hears_of_a_message_whose_handler_raised(bchat: ChatHarness) -> None:
    seen: list[Failure] = []

    @bchat.app.on_error
    async def broken_hook(failure: Failure) -> None:
        raise RuntimeError("the hook's own bug")

    @bchat.app.on_error
    async def hook(failure: Failure) -> None:
        seen.append(failure)

    b = bchat.user("b", "乙")
    await b.says("/我是谁", msg_id="fine-1")
    assert seen == []
    said = await b.says("/炸", msg_id="boom-1")
    # A hook that raises neither stops the next hook nor the polite answer.
    assert said == "抱歉，处理这条消息时出了点问题，已记录，请稍后再试。"
    [failure] = seen
    assert (failure.where, failure.name) == ("message", "local:boom-1")
    assert isinstance(failure.error, RuntimeError)
    assert str(failure.error) == "secret internal detail"
    assert (failure.attempts, failure.final) == (1, False)
