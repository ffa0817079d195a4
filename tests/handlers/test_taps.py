"""Tap to answer on the local channel: replies list their buttons, a tap is the reply it sends."""

from __future__ import annotations

from tests.handlers.natural_helpers import branch
from tests.harness import ChatHarness


async def test_check_in_with_a_tap(chat: ChatHarness) -> None:
    sec, (wang, zhang, *_), g = branch(chat)
    await sec.says("/签到 发起 主题党日 截止 21:00", g)
    assert sec.taps == [("签到", "签到"), ("请假", "请假")]
    wang.taps = sec.taps
    await wang.taps_on("签到", g)
    wang.hears("已签到 2/5")
    zhang.taps = sec.taps
    await zhang.taps_on("请假", g)
    zhang.hears("请假原因是什么？")


async def test_a_ballot_and_its_confirmation_by_taps(chat: ChatHarness) -> None:
    sec, (wang, *_), g = branch(chat)
    await sec.says("/投票 新建 年度好党员推荐 张丽 王五 匿名", g)
    assert ("确认", "确认") in sec.taps and ("取消", "取消") in sec.taps
    await sec.taps_on("确认", g)
    sec.hears("投票已发布")
    invite = (await chat.delivered(wang.user_id))[-1]
    assert invite["choices"] == [{"label": "开始投票", "reply": "投票 #1"}]
    await wang.says(invite["choices"][0]["reply"])
    assert wang.taps == [("张丽", "1"), ("王五", "2")]
    await wang.taps_on("王五")
    wang.hears("您的选择：", "王五")
    await wang.taps_on("确认")
    wang.hears("已收到您的匿名投票")


async def test_a_named_poll_is_voted_with_one_tap_in_the_group(chat: ChatHarness) -> None:
    sec, (wang, *_), g = branch(chat)
    await sec.says("/投票 新建 年度好党员推荐 张丽 王五", g)
    await sec.says("确认", g)
    announced = next(m for m in await chat.delivered("g1") if "【实名单选】" in m["text"])
    assert announced["choices"][1] == {"label": "王五", "reply": "投票 #1 2"}
    await wang.says(announced["choices"][1]["reply"], g)
    wang.hears("「年度好党员推荐」已记录：王五")


async def test_a_call_for_feedback_is_answered_with_a_tap(chat: ChatHarness) -> None:
    sec, (wang, *_), g = branch(chat)
    await sec.says("/征求意见 新建 食堂改进方案", g)
    await sec.says("确认", g)
    notice = (await chat.delivered(wang.user_id))[-1]
    assert [c["label"] for c in notice["choices"]] == ["无意见", "写意见"]
    await wang.says(notice["choices"][0]["reply"])
    wang.hears("已收到您对「食堂改进方案」的实名反馈")


async def test_plain_text_still_says_how_to_answer(chat: ChatHarness) -> None:
    sec, _, g = branch(chat)
    await sec.says("/签到 发起 主题党日 截止 21:00", g)
    sec.hears("请 @我 发送「签到」或「到」", "请假 原因")
