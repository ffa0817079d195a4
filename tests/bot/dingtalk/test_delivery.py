"""Delivery: token cache, custom robot 加签, mentions and markdown, rate limits, errors."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.delivery import Delivery, PermanentError, TransientError
from bot.messages import Outgoing
from bot.platforms.dingtalk import DingTalkAdapter
from storage.messaging import OutboxMessage
from storage.people import bind_group
from tests.fakes.dingtalk_api import GROUP_SEND, OTO_SEND, ROBOT, SESSION, TOKEN, FakeDingTalkApi
from tests.harness import ChatHarness

from .helpers import now_ms


def adapter(chat: ChatHarness) -> DingTalkAdapter:
    [found] = [a for a in chat.app.adapters if isinstance(a, DingTalkAdapter)]
    return found


async def rows(chat: ChatHarness) -> list[OutboxMessage]:
    async with chat.db.reading() as s:
        return list(await s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def group(text: str, chat_id: str = "cidG==", **more: Any) -> Outgoing:
    return Outgoing(platform="dingtalk", chat_type="group", chat_id=chat_id, text=text, **more)


def direct(text: str, user: str = "staff01") -> Outgoing:
    return Outgoing(platform="dingtalk", chat_type="direct", chat_id=user, text=text)


async def test_one_token_for_a_burst_and_a_new_one_after_expiry(
    ding: ChatHarness, api: FakeDingTalkApi
) -> None:
    dt = adapter(ding)
    tokens = await asyncio.gather(*(dt.api.token() for _ in range(50)))
    assert set(tokens) == {"tok1"}
    assert len(api.to(TOKEN)) == 1
    ding.clock.advance(seconds=api.token_ttl - 301)
    assert await dt.api.token() == "tok1"
    ding.clock.advance(seconds=2)  # inside the last five minutes: renew early
    assert await dt.api.token() == "tok2"
    assert len(api.to(TOKEN)) == 2


async def test_a_burst_of_proactive_sends_fetches_one_token(
    ding: ChatHarness, api: FakeDingTalkApi
) -> None:
    await ding.send_out(*(direct(f"提醒 {i}", f"staff{i:02}") for i in range(15)))
    assert len(api.to(OTO_SEND)) == 15
    assert len(api.to(TOKEN)) == 1
    assert {tuple(c.body["userIds"]) for c in api.to(OTO_SEND)} == {
        (f"staff{i:02}",) for i in range(15)
    }


async def test_a_refused_token_is_renewed_once(ding: ChatHarness, api: FakeDingTalkApi) -> None:
    await ding.send_out(group("第一条"))
    api.valid_tokens.clear()  # revoked before its time
    await ding.send_out(group("第二条"))
    assert [c.headers["x-acs-dingtalk-access-token"] for c in api.to(GROUP_SEND)] == [
        "tok1",
        "tok1",
        "tok2",
    ]
    assert [r.state for r in await rows(ding)] == ["sent", "sent"]


async def test_markdown_and_mentions(ding: ChatHarness, api: FakeDingTalkApi) -> None:
    handle = {"session_webhook": api.session_url("s1"), "expires_ms": now_ms(ding) + 3_600_000}
    await ding.send_out(
        group("### 签到已发起\n请在 15:30 前签到", markdown=True, reply_handle=handle),
        group("请补签", mentions=["staff02", "staff03"], reply_handle=handle, key="k2"),
        group("## 会议通知\n周五下午", markdown=True, chat_id="cidOther=="),
    )
    md, mention = api.to(SESSION)
    assert md.body == {
        "msgtype": "markdown",
        "markdown": {"title": "签到已发起", "text": "### 签到已发起\n请在 15:30 前签到"},
    }
    assert mention.body["at"] == {"atUserIds": ["staff02", "staff03"]}
    assert mention.body["text"]["content"] == "请补签\n@staff02 @staff03"
    [api_md] = api.to(GROUP_SEND)
    assert api_md.body["msgKey"] == "sampleMarkdown"
    assert json.loads(api_md.body["msgParam"]) == {
        "title": "会议通知",
        "text": "## 会议通知\n周五下午",
    }


async def test_a_group_bound_to_a_custom_robot_gets_signed_webhook_posts(
    ding: ChatHarness, api: FakeDingTalkApi
) -> None:
    api.robots["robot-access-token"] = "SECabc123"
    async with ding.db.transaction() as s:
        await bind_group(
            s,
            "dingtalk",
            "cidRobot==",
            None,
            ("dingtalk_robot", "robot-access-token", "SECabc123"),
            ding.clock.now(),
        )
    await ding.send_out(group("节前廉政提醒", chat_id="cidRobot=="))
    [call] = api.to(ROBOT)
    assert call.query["access_token"] == "robot-access-token"
    assert call.query["timestamp"] == str(now_ms(ding))
    assert call.body == {"msgtype": "text", "text": {"content": "节前廉政提醒"}}
    assert api.to(GROUP_SEND) == [] and api.to(TOKEN) == []
    assert [r.state for r in await rows(ding)] == ["sent"]
    limits = adapter(ding).limits(
        Delivery(1, "k", "dingtalk", "group", "cidRobot==", {"text": "x"}, 0)
    )
    assert any(limit.count == 20 and limit.seconds == 60 for limit in limits)


async def test_send_too_fast_waits_ten_minutes_for_the_whole_robot(
    ding: ChatHarness, api: FakeDingTalkApi
) -> None:
    api.robots["rt"] = "SECx"
    async with ding.db.transaction() as s:
        await bind_group(
            s, "dingtalk", "cidR==", None, ("dingtalk_robot", "rt", "SECx"), ding.clock.now()
        )
    api.inject(ROBOT, 200, {"errcode": 130101, "errmsg": "send too fast"})
    start = ding.clock.now()
    await ding.send_out(group("一", chat_id="cidR=="))
    await ding.send_out(group("二", chat_id="cidR=="))
    first, second = await rows(ding)
    assert first.state == "pending" and "130101" in first.last_error
    assert first.next_attempt_at.replace(tzinfo=start.tzinfo) == start + timedelta(seconds=600)
    # The second waits for the block too, without a call that would prolong it.
    assert second.state == "pending" and second.attempts == 0
    assert len(api.to(ROBOT)) == 1
    # Other groups are not held up by this robot's penalty.
    await ding.send_out(group("三", chat_id="cidOther=="))
    assert [c.text for c in api.to(GROUP_SEND)] == ["三"]
    await ding.advance(seconds=601)
    assert [r.state for r in await rows(ding)] == ["sent", "sent", "sent"]
    assert [c.text for c in api.to(ROBOT)] == ["一", "一", "二"]


async def test_flow_controlled_person_is_tried_again_later(
    ding: ChatHarness, api: FakeDingTalkApi
) -> None:
    api.flow_controlled.add("staff09")
    await ding.send_out(direct("请投票", "staff09"))
    [row] = await rows(ding)
    assert row.state == "pending" and "flow controlled" in row.last_error
    api.flow_controlled.clear()
    await ding.advance(seconds=30)
    assert (await rows(ding))[0].state == "pending"
    await ding.advance(seconds=31)
    assert (await rows(ding))[0].state == "sent"
    assert len(api.to(OTO_SEND)) == 2


@pytest.mark.parametrize(
    ("header", "wait"),
    [
        ("nan", 60.0),  # unreadable: the flow-control default
        ("-5", 60.0),
        ("120", 120.0),
        ("Wed, 25 Nov 2026 12:03:00 GMT", 180.0),  # three minutes after START
        ("1e40", 3600.0),
    ],
)
async def test_a_throttled_send_honours_any_retry_after_it_can_read(
    ding: ChatHarness, api: FakeDingTalkApi, header: str, wait: float
) -> None:
    """`Retry-After: nan` used to raise in the retry path and lose the batch's results."""
    api.inject(GROUP_SEND, 429, {"code": "Throttling.Api"}, headers={"Retry-After": header})
    await ding.send_out(group("开会了"), direct("请投票"))
    first, second = await rows(ding)
    assert second.state == "sent"
    assert first.state == "pending" and "429" in first.last_error
    assert first.next_attempt_at == ding.clock.now() + timedelta(seconds=wait)


async def test_errors_are_sorted_into_retry_and_give_up(
    ding: ChatHarness, api: FakeDingTalkApi
) -> None:
    dt = adapter(ding)
    d = Delivery(1, "k", "dingtalk", "group", "cidG==", {"text": "通知"}, 0)
    api.inject(GROUP_SEND, 503, {"code": "ServiceUnavailable"})
    with pytest.raises(TransientError) as transient:
        await dt.deliver(d)
    assert "503" in transient.value.reason and transient.value.retry_after is None
    api.inject(GROUP_SEND, 429, {"code": "Throttling.Api"})
    with pytest.raises(TransientError) as throttled:
        await dt.deliver(d)
    assert throttled.value.retry_after is not None
    api.inject(GROUP_SEND, 400, {"code": "robot.notInGroup", "message": "机器人不在群内"})
    with pytest.raises(PermanentError, match=r"robot\.notInGroup"):
        await dt.deliver(d)
    with pytest.raises(PermanentError, match="empty"):
        await dt.deliver(Delivery(2, "k2", "dingtalk", "group", "cidG==", {"text": " "}, 0))
    dt.api.forget_token("tok1")
    api.inject(TOKEN, 400, {"code": "invalidClientIdOrSecret"})
    with pytest.raises(TransientError, match="invalidClientIdOrSecret"):
        await dt.deliver(d)
    await api.close()  # the platform is unreachable
    with pytest.raises(TransientError):
        await dt.deliver(d)


async def test_limits_hold_proactive_sends_not_session_replies(
    ding: ChatHarness, api: FakeDingTalkApi
) -> None:
    dt = adapter(ding)
    handle = {"session_webhook": api.session_url("s"), "expires_ms": now_ms(ding) + 600_000}
    reply = Delivery(
        1, "k", "dingtalk", "group", "cidG==", {"text": "x", "reply_handle": handle}, 0
    )
    assert dt.limits(reply) == []
    ding.clock.advance(minutes=10)  # the session has expired: the API and its limits
    assert [limit.key for limit in dt.limits(reply)] == ["dingtalk:group:cidG=="]
    nudge = Delivery(2, "k2", "dingtalk", "direct", "staff01", {"text": "x"}, 0)
    assert [limit.key for limit in dt.limits(nudge)] == ["dingtalk:user:staff01"]
