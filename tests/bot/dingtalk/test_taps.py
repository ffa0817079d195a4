"""Tap to answer on DingTalk: dtmd links out, the tapped text back as a message."""

from __future__ import annotations

import re
from urllib.parse import unquote

from storage.people import ensure_unit, grant_role, touch_person
from tests.fakes.dingtalk_api import SESSION, FakeDingTalkApi
from tests.harness import ChatHarness

from .helpers import now_ms, post_callback, robot_message

LINK = re.compile(r"\[([^\]]+)\]\(dtmd://dingtalkclient/sendMessage\?content=([^)]+)\)")


async def test_a_check_in_by_a_tap_on_a_dtmd_link(ding: ChatHarness, api: FakeDingTalkApi) -> None:
    now = ding.clock.now()
    async with ding.db.transaction() as s:
        sec = await touch_person(s, "dingtalk", "sec01", "李书记", now)
        await grant_role(s, sec, "secretary", await ensure_unit(s, "一支部"), "test", now)
    hello = robot_message(api, now_ms(ding), "/帮助", sender="staff01", session="s0")
    assert await post_callback(ding, hello) == 200
    opening = robot_message(
        api,
        now_ms(ding),
        "/签到 发起 主题党日 截止 21:00",
        sender="sec01",
        nick="李书记",
        session="s1",
    )
    assert await post_callback(ding, opening) == 200
    await ding.settle()
    [card] = [c for c in api.to(SESSION) if c.query["session"] == "s1"]
    assert card.body["msgtype"] == "markdown"
    text = card.body["markdown"]["text"]
    assert "「主题党日」开始签到" in text
    links = {label: unquote(content) for label, content in LINK.findall(text)}
    assert links == {"签到": "签到", "请假": "请假"}
    # The tap sends the link's content as 王老师's own message.
    tap = robot_message(api, now_ms(ding), links["签到"], sender="staff01", session="s2")
    assert await post_callback(ding, tap) == 200
    await ding.settle()
    [answer] = [c for c in api.to(SESSION) if c.query["session"] == "s2"]
    assert "「主题党日」已签到 2/2（新到：王老师）" in answer.text


async def test_without_buttons_the_text_goes_as_before(
    ding: ChatHarness, api: FakeDingTalkApi
) -> None:
    body = robot_message(api, now_ms(ding), "/帮助", session="s-plain")
    assert await post_callback(ding, body) == 200
    await ding.settle()
    [reply] = api.to(SESSION)
    assert reply.body["msgtype"] == "text" and "dtmd://" not in reply.text
