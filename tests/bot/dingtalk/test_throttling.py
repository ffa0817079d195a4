"""DingTalk's refusals: throttling waits, a spent quota or bad credentials keep the messages
and tell the admins once, and the client paces itself."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.delivery import Delivery, NeedsAdmin, TransientError
from bot.platforms import texts
from bot.platforms.dingtalk import DingTalkAdapter
from bot.platforms.pacer import Pacer
from tests.conftest import START
from tests.fakes.dingtalk_api import GROUP_SEND, OTO_SEND, SESSION, TOKEN, FakeDingTalkApi
from tests.fakes.dingtalk_gateway import FakeGateway
from tests.harness import ChatHarness

from .conftest import settings_for
from .helpers import direct, group, healthz_problems, now_ms, post_callback, robot_message, rows

pytestmark = pytest.mark.chat(admins=["local:boss"])

QPS = "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi"
QPM = "Forbidden.AccessDenied.QpmLimitForAppkeyAndApi"
GLOBAL_QPS = "Forbidden.AccessDenied.QpsLimitForApi"
QUOTA = "Forbidden.AccessDenied.ApiCountLimitForOrg"


def adapter(chat: ChatHarness) -> DingTalkAdapter:
    [found] = [a for a in chat.app.adapters if isinstance(a, DingTalkAdapter)]
    return found


@pytest.mark.parametrize(("code", "wait"), [(QPS, 1), (QPM, 60), (GLOBAL_QPS, 5)])
async def test_a_403_throttle_is_waited_out_not_failed(
    ding: ChatHarness, api: FakeDingTalkApi, code: str, wait: int
) -> None:
    api.refuse(GROUP_SEND, code)
    start = ding.clock.now()
    await ding.send_out(group("开会通知"))
    [row] = await rows(ding)
    assert row.state == "pending" and code in row.last_error
    assert row.next_attempt_at == start + timedelta(seconds=wait)
    await ding.advance(seconds=wait)
    assert [r.state for r in await rows(ding)] == ["sent"]
    assert await healthz_problems(ding) == []


async def test_a_spent_monthly_quota_keeps_messages_until_the_month_turns_and_tells_admins_once(
    ding: ChatHarness, api: FakeDingTalkApi
) -> None:
    api.refuse(GROUP_SEND, QUOTA, times=2)
    api.refuse(OTO_SEND, QUOTA)
    await ding.send_out(group("节前廉政提醒"), direct("请投票"))
    await ding.send_out(group("会议提醒", chat_id="cidOther=="))
    month_turns = datetime(2026, 12, 1, tzinfo=ZoneInfo("Asia/Shanghai"))
    kept = await rows(ding)
    assert [r.state for r in kept] == ["pending"] * 3
    assert {r.next_attempt_at for r in kept} == {month_turns}
    alerts = [m["text"] for m in await ding.delivered("boss")]
    assert alerts == [texts.alert(texts.DINGTALK_QUOTA_SPENT)]
    assert await healthz_problems(ding) == [texts.DINGTALK_QUOTA_SPENT]
    # A reply in the conversation costs no quota: it still goes out.
    body = robot_message(api, now_ms(ding), "/帮助", session="s1")
    assert await post_callback(ding, body) == 200
    await ding.settle()
    assert len(api.to(SESSION)) == 1
    ding.clock.set(month_turns)
    await ding.tick()
    assert {r.state for r in await rows(ding)} == {"sent"}
    assert await healthz_problems(ding) == []
    assert len(await ding.delivered("boss")) == 1


@pytest.mark.chat(admins=["local:boss"], dingtalk_app_secret="a-wrong-secret")
async def test_bad_credentials_keep_messages_and_tell_admins_once(
    ding: ChatHarness, api: FakeDingTalkApi
) -> None:
    await ding.send_out(*(direct(f"提醒{i}", f"staff{i}") for i in range(5)))
    assert {r.state for r in await rows(ding)} == {"pending"}
    assert len(api.to(TOKEN)) == 1  # the refusal is remembered, not asked five times
    assert [m["text"] for m in await ding.delivered("boss")] == [
        texts.alert(texts.DINGTALK_BAD_CREDENTIALS)
    ]
    await ding.advance(minutes=16)
    assert {r.state for r in await rows(ding)} == {"pending"}
    assert len(await ding.delivered("boss")) == 1
    assert await healthz_problems(ding) == [texts.DINGTALK_BAD_CREDENTIALS]
    api.app_secret = "a-wrong-secret"  # the admin fixed the app's side
    await ding.advance(minutes=16)
    assert {r.state for r in await rows(ding)} == {"sent"}
    assert await healthz_problems(ding) == []


async def test_a_server_outside_the_ip_white_list_is_a_set_up_problem(
    ding: ChatHarness, api: FakeDingTalkApi
) -> None:
    api.refuse(GROUP_SEND, "Forbidden.AccessDenied.IpNotInWhiteList")
    await ding.send_out(group("通知"))
    [row] = await rows(ding)
    assert row.state == "pending"
    assert await healthz_problems(ding) == [texts.DINGTALK_IP_NOT_ALLOWED]


async def test_stream_mode_with_bad_credentials_tells_admins(
    db_url: str, tmp_path: Path, gateway_api: tuple[FakeDingTalkApi, FakeGateway]
) -> None:
    api, gateway = gateway_api
    settings = settings_for(
        api, admins=["local:boss"], dingtalk_mode="stream", dingtalk_app_secret="wrong"
    )
    chat = ChatHarness(db_url, START, tmp_path, **settings)
    await chat.start()
    try:
        # The client told the adapter about the first refusal before it
        # backed off and asked again.
        await gateway.wait_opens(2)
        await chat.settle()
        assert [m["text"] for m in await chat.delivered("boss")] == [
            texts.alert(texts.DINGTALK_BAD_CREDENTIALS)
        ]
        assert await healthz_problems(chat) == [texts.DINGTALK_BAD_CREDENTIALS]
    finally:
        await chat.stop()


async def test_system_busy_is_tried_again_soon(ding: ChatHarness, api: FakeDingTalkApi) -> None:
    dt = adapter(ding)
    handle = {"session_webhook": api.session_url("s"), "expires_ms": now_ms(ding) + 600_000}
    d = Delivery(1, "k", "dingtalk", "group", "cidG==", {"text": "x", "reply_handle": handle}, 0)
    api.inject(SESSION, 200, {"errcode": -1, "errmsg": "系统繁忙"})
    with pytest.raises(TransientError, match="busy") as busy:
        await dt.deliver(d)
    assert busy.value.retry_after is None and not isinstance(busy.value, NeedsAdmin)


async def test_people_batch_send_will_not_reach_are_reported(
    ding: ChatHarness, api: FakeDingTalkApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, "tongxin.dingtalk")
    api.filtered.add("staff07")
    api.invalid.add("staff08")
    api.flow_controlled.add("staff09")
    await ding.send_out(direct("一", "staff07"), direct("二", "staff08"), direct("三", "staff09"))
    filtered, invalid, flow = await rows(ding)
    assert filtered.state == "failed" and "filteredStaffIdList" in filtered.last_error
    assert invalid.state == "failed" and "not a member" in invalid.last_error
    assert flow.state == "pending" and "flow controlled" in flow.last_error
    logged = [r.getMessage() for r in caplog.records if "did not reach" in r.getMessage()]
    assert len(logged) == 3 and any("staff07" in line for line in logged)


async def test_the_client_keeps_to_the_per_app_pace(
    ding: ChatHarness, api: FakeDingTalkApi
) -> None:
    moment = [0.0]
    granted: list[float] = []

    async def sleep(seconds: float) -> None:
        moment[0] += seconds
        await asyncio.sleep(0)

    pacer = Pacer(18, 1.0, now=lambda: moment[0], sleep=sleep)
    turn = pacer.turn

    async def recording_turn(key: str) -> None:
        await turn(key)
        granted.append(moment[0])

    pacer.turn = recording_turn  # type: ignore[method-assign]
    adapter(ding).api.pacer = pacer
    await ding.send_out(*(group(f"通知{i}", f"cid{i}==") for i in range(40)))
    assert len(api.to(GROUP_SEND)) == 40
    assert len(granted) == 40
    # Any 19 calls in a row span at least a second.
    pairs = zip(granted[:-18], granted[18:], strict=True)
    assert all(later - earlier >= 1.0 for earlier, later in pairs)
