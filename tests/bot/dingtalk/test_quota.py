"""DingTalk's monthly call quota: no API says what is left, so the bot counts its metered
calls, over restarts and replicas, and tells the admins once a month when it runs low."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.platforms import texts
from storage.api_calls import add_calls
from tests.conftest import START
from tests.fakes.dingtalk_api import OTO_SEND, SESSION, FakeDingTalkApi
from tests.harness import ChatHarness

from .conftest import settings_for
from .helpers import direct, group, healthz_problems, now_ms, post_callback, robot_message, rows

QUOTA = 10
LOW = texts.dingtalk_quota_low(QUOTA)


def harness(db_url: str, tmp_path: Path, api: FakeDingTalkApi) -> ChatHarness:
    settings = settings_for(api, admins=["local:boss"], dingtalk_monthly_quota=QUOTA)
    return ChatHarness(db_url, START, tmp_path, **settings)


@pytest.fixture
async def ding(db_url: str, tmp_path: Path, api: FakeDingTalkApi) -> AsyncIterator[ChatHarness]:
    api.monthly_quota = QUOTA
    chat = harness(db_url, tmp_path, api)
    await chat.start()
    try:
        yield chat
    finally:
        await chat.stop()


async def counted(chat: ChatHarness, month: str = "2026-11") -> int:
    async with chat.db.reading() as s:
        return await add_calls(s, "dingtalk", month, 0)


async def alerts(chat: ChatHarness) -> list[str]:
    return [m["text"] for m in await chat.delivered("boss")]


async def test_admins_hear_once_when_four_fifths_of_the_month_are_used(
    ding: ChatHarness, api: FakeDingTalkApi
) -> None:
    await ding.send_out(*(group(f"通知{i}", f"cid{i}==") for i in range(7)))
    # Counted in memory as the calls are made; written by the minute's job.
    assert await counted(ding) == 0
    await ding.tick()
    assert await counted(ding) == 7
    assert await alerts(ding) == [] and await healthz_problems(ding) == []

    await ding.send_out(direct("请投票"))
    await ding.tick()
    assert await counted(ding) == 8
    assert await alerts(ding) == [texts.alert(LOW)]
    assert await healthz_problems(ding) == [LOW]

    # A reply through the sessionWebhook is not metered, by DingTalk or by the bot.
    body = robot_message(api, now_ms(ding), "/帮助", session="s1")
    assert await post_callback(ding, body) == 200
    await ding.settle()
    await ding.tick()
    assert len(api.to(SESSION)) == 1
    assert api.metered == 8 and await counted(ding) == 8
    assert await alerts(ding) == [texts.alert(LOW)]

    # A restart neither forgets the count nor tells the admins again.
    await ding.send_out(group("会议提醒"))
    await ding.restart()
    assert await counted(ding) == 9
    await ding.tick()
    assert await healthz_problems(ding) == [LOW]
    assert await alerts(ding) == [texts.alert(LOW)]


async def test_the_month_turning_starts_a_new_count_and_clears_the_warning(
    ding: ChatHarness, api: FakeDingTalkApi
) -> None:
    await ding.send_out(*(direct(f"提醒{i}", f"staff{i}") for i in range(8)))
    await ding.tick()
    await ding.send_out(*(direct(f"提醒{i}", f"staff{i}") for i in range(8, 11)))
    await ding.tick()
    # DingTalk refused the eleventh: the quota is spent, which says more than "low".
    assert [r.state for r in await rows(ding)] == ["sent"] * 10 + ["pending"]
    assert await counted(ding) == 10
    assert await alerts(ding) == [texts.alert(LOW), texts.alert(texts.DINGTALK_QUOTA_SPENT)]
    assert await healthz_problems(ding) == [texts.DINGTALK_QUOTA_SPENT]

    api.metered = 0
    ding.clock.set(datetime(2026, 12, 1, tzinfo=ZoneInfo("Asia/Shanghai")))
    await ding.tick()
    await ding.tick()
    assert {r.state for r in await rows(ding)} == {"sent"}
    assert await counted(ding, "2026-12") == 1
    assert await healthz_problems(ding) == []
    assert len(api.to(OTO_SEND)) == 12


async def test_replicas_add_up_and_the_admins_hear_once(
    db_url: str, tmp_path: Path, api: FakeDingTalkApi
) -> None:
    one = harness(db_url, tmp_path, api)
    two = harness(db_url, tmp_path, api)
    await one.start()
    await two.start()
    try:
        await one.send_out(*(group(f"甲{i}", f"cidA{i}==") for i in range(5)))
        await two.send_out(*(group(f"乙{i}", f"cidB{i}==") for i in range(4)))
        await one.tick()
        assert await healthz_problems(one) == []  # 5 of 10 so far
        await two.tick()
        await one.tick()
        assert await counted(one) == 9
        assert await healthz_problems(one) == [LOW]
        assert await healthz_problems(two) == [LOW]
        assert await alerts(one) == [texts.alert(LOW)]
    finally:
        await two.stop()
        await one.stop()


async def test_a_quota_of_zero_watches_nothing(
    db_url: str, tmp_path: Path, api: FakeDingTalkApi
) -> None:
    settings = settings_for(api, admins=["local:boss"], dingtalk_monthly_quota=0)
    chat = ChatHarness(db_url, START, tmp_path, **settings)
    await chat.start()
    try:
        await chat.send_out(*(group(f"通知{i}", f"cid{i}==") for i in range(9)))
        await chat.tick()
        assert await counted(chat) == 0
        assert await alerts(chat) == [] and await healthz_problems(chat) == []
    finally:
        await chat.stop()
