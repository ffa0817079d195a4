"""One set of confirmation words in every confirmation, and stale confirmations asked again."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest

from bot.conversation import NO_WORDS, YES_WORDS
from tests.handlers.natural_helpers import branch
from tests.harness import ChatHarness, Group, User


@dataclass
class AtConfirm:
    """Someone in front of a confirmation: what it shows, and what each answer says."""

    who: User
    where: Group | None
    preview: str
    done: str
    cancelled: str


async def poll_new(chat: ChatHarness) -> AtConfirm:
    sec, _, g = branch(chat)
    await sec.says("/投票 新建 年度好党员推荐 张丽 王五", g)
    return AtConfirm(sec, g, "请核对：", "投票已发布", "已取消「新建投票」")


async def ballot(chat: ChatHarness) -> AtConfirm:
    sec, (wang, *_), g = branch(chat)
    await sec.says("/投票 新建 年度好党员推荐 张丽 王五", g)
    await sec.says("确认", g)
    await wang.says("投票")
    await wang.says("1")
    return AtConfirm(wang, None, "您的选择：", "已记录：张丽", "已取消「投票」")


async def checkin_delete(chat: ChatHarness) -> AtConfirm:
    sec, _, g = branch(chat)
    await sec.says("/签到 发起 主题党日 截止 21:00", g)
    await sec.says("/签到 删除", g)
    return AtConfirm(sec, g, "删除「主题党日」", "已删除「主题党日」", "已取消「删除签到」")


async def feedback_new(chat: ChatHarness) -> AtConfirm:
    sec, _, g = branch(chat)
    await sec.says("/征求意见 新建 食堂改进方案", g)
    return AtConfirm(sec, g, "标题：食堂改进方案", "已发布征求意见", "已取消「发起征求意见」")


async def feedback_answer(chat: ChatHarness) -> AtConfirm:
    sec, (wang, *_), g = branch(chat)
    await sec.says("/征求意见 新建 食堂改进方案", g)
    await sec.says("确认", g)
    await wang.says("/反馈 太咸，能否反映一下？")
    return AtConfirm(wang, None, "太咸，能否反映一下？", "已收到", "已取消「反馈意见」")


async def suggestion(chat: ChatHarness) -> AtConfirm:
    _, (wang, *_), _ = branch(chat)
    await wang.says("/意见箱")
    await wang.says("建议食堂少放盐\n完成")
    await wang.says("实名")
    return AtConfirm(wang, None, "建议食堂少放盐", "已投入意见箱", "已取消「意见箱」")


async def meeting_new(chat: ChatHarness) -> AtConfirm:
    sec, _, g = branch(chat)
    await sec.says("/会议 新建 每月第一个周五15:00 支委会", g)
    return AtConfirm(sec, g, "请确认会议安排", "已安排「支委会」", "已取消「安排会议」")


async def broadcast(chat: ChatHarness) -> AtConfirm:
    admin = chat.user("a1", "赵书记", role="admin")
    chat.group("g1", unit="一支部")
    await chat.setup_people()
    await admin.says("/广播 明晚七点开会，请准时参加。")
    return AtConfirm(admin, None, "将向 1 个群发送", "广播 #1 已开始发送", "已取消「群发广播」")


FLOWS: dict[str, Callable[[ChatHarness], Awaitable[AtConfirm]]] = {
    "poll.new": poll_new,
    "poll.ballot": ballot,
    "checkin.delete": checkin_delete,
    "feedback.new": feedback_new,
    "feedback.answer": feedback_answer,
    "feedback.suggest": suggestion,
    "meeting.new": meeting_new,
    "broadcast": broadcast,
}
# Every word of each set is tried in some flow: word i with flow i mod 8.
YES_CASES = [(name, YES_WORDS[i]) for i, name in enumerate(FLOWS)] + [
    (list(FLOWS)[i % len(FLOWS)], word) for i, word in enumerate(YES_WORDS[len(FLOWS) :])
]
NO_CASES = [(list(FLOWS)[i % len(FLOWS)], word) for i, word in enumerate(NO_WORDS)]
NO_CASES += [(name, "算了") for name in list(FLOWS)[len(NO_WORDS) :]]


@pytest.mark.parametrize(("flow", "word"), YES_CASES)
async def test_yes_words_confirm(chat: ChatHarness, flow: str, word: str) -> None:
    at = await FLOWS[flow](chat)
    at.who.hears(at.preview, "回复「确认」提交")
    await at.who.says(word, at.where)
    at.who.hears(at.done)


@pytest.mark.parametrize(("flow", "word"), NO_CASES)
async def test_no_words_decline(chat: ChatHarness, flow: str, word: str) -> None:
    at = await FLOWS[flow](chat)
    await at.who.says(word, at.where)
    at.who.hears(at.cancelled)
    assert at.done not in "\n".join(at.who.last)


@pytest.mark.parametrize("flow", list(FLOWS))
async def test_a_stale_confirmation_is_asked_again(chat: ChatHarness, flow: str) -> None:
    at = await FLOWS[flow](chat)
    await chat.advance(minutes=6)
    await at.who.says("确认", at.where)
    at.who.hears("还没有完成，接着上次的问题", at.preview, "回复「确认」提交")
    assert at.done not in "\n".join(at.who.last)
    await at.who.says("确认", at.where)
    at.who.hears(at.done)


def test_the_sets_hold_what_people_say() -> None:
    for word in ("确认", "是", "好", "好的", "可以", "对", "ok", "1"):
        assert word in YES_WORDS
    for word in ("不", "否", "取消", "算了"):
        assert word in NO_WORDS
