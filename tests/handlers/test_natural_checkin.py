"""Check-ins the way teachers and secretaries type them (issue 16)."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.ingest import build_contexts
from bot.messages import Incoming
from tests.conftest import START
from tests.handlers.natural_helpers import branch, schedule_committee
from tests.harness import ChatHarness

CHECK_IN = ["我签到", "已签到", "签到了", "到", "签到 ", "我到了", "@同心 到了", "签到！", "签个到"]
CHECK_IN += ["报到", "我来了", "签道", "我报到"]


@pytest.mark.parametrize("said", CHECK_IN)
async def test_check_in_phrases(chat: ChatHarness, said: str) -> None:
    sec, (wang, *_), g = branch(chat)
    await sec.says("/签到 发起 主题党日 截止 21:00", g)
    await wang.says(said, g)
    wang.hears("「主题党日」已签到 2/5（新到：王老师）")


LEAVE = [
    ("今天有事请个假", "今天有事"),
    ("请假：出差", "出差"),
    ("请个假 孩子生病", "孩子生病"),
    ("我想请假，家里来客人了", "家里来客人了"),
    ("请假 外出培训，周五回", "外出培训，周五回"),
]


@pytest.mark.parametrize(("said", "reason"), LEAVE)
async def test_leave_phrases_keep_the_reason_as_typed(
    chat: ChatHarness, said: str, reason: str
) -> None:
    sec, (wang, *_), g = branch(chat)
    await sec.says("/签到 发起 主题党日 截止 21:00", g)
    await wang.says(said, g)
    wang.hears("已记下您的请假")
    await sec.says("/签到 统计", g)
    sec.hears("请假 1", "请假：王老师\n")
    assert f"王老师（{reason}）" in (await sec.inbox())[-1]


async def test_bare_leave_asks_for_the_reason(chat: ChatHarness) -> None:
    sec, (wang, *_), g = branch(chat)
    await sec.says("/签到 发起 主题党日 截止 21:00", g)
    await wang.says("请假", g)
    wang.hears("请假原因是什么？")
    await wang.says("孩子发烧，要去医院", g)
    wang.hears("已记下您的请假")
    await sec.says("/签到 统计", g)
    assert "王老师（孩子发烧，要去医院）" in (await sec.inbox())[-1]


@pytest.mark.parametrize("answer", ["签到", "我到了", "到了"])
async def test_a_check_in_instead_of_a_reason_checks_in(chat: ChatHarness, answer: str) -> None:
    sec, (wang, *_), g = branch(chat)
    await sec.says("/签到 发起 主题党日 截止 21:00", g)
    await wang.says("请假", g)
    wang.hears("请假原因是什么？")
    await wang.says(answer, g)
    wang.hears("「主题党日」已签到 2/5（新到：王老师）")
    await sec.says("/签到 统计", g)
    sec.hears("实到 2，请假 0")
    await wang.says("好的", g)
    wang.hears("发送「/帮助」")


async def test_i_am_here_is_chat_where_nothing_is_open(chat: ChatHarness) -> None:
    _sec, (wang, *_), g = branch(chat)
    await wang.says("我来了", g)
    wang.hears("发送「/帮助」")
    await wang.says("报到", g)
    wang.hears("本群现在没有进行中的签到")


@pytest.mark.parametrize("said", ["请假：出差", "请假"])
async def test_leave_in_direct_chat_goes_to_the_one_open_check_in(
    chat: ChatHarness, said: str
) -> None:
    sec, (wang, *_), g = branch(chat)
    await sec.says("/签到 发起 主题党日 截止 21:00", g)
    await wang.says(said)
    if said == "请假":
        wang.hears("请假原因是什么？")
        await wang.says("出差")
    wang.hears("已记下您「主题党日」的请假")
    await sec.says("/签到 统计", g)
    sec.hears("请假 1")
    assert "王老师（出差）" in (await sec.inbox())[-1]


async def test_leave_in_direct_chat_with_two_check_ins_open_asks_for_the_meeting(
    chat: ChatHarness,
) -> None:
    sec, (wang, *_), g = branch(chat)
    g2 = chat.group("g2", unit="一支部")
    await wang.says("请假：出差")
    wang.hears("要为之后的会议请假")
    await sec.says("/签到 发起 主题党日 截止 21:00", g)
    await sec.says("/签到 发起 党课 截止 21:00", g2)
    await wang.says("请假：出差")
    wang.hears("要为之后的会议请假")
    await sec.says("/签到 统计", g)
    sec.hears("请假 0")


async def test_a_question_about_leave_is_not_leave(chat: ChatHarness) -> None:
    sec, (wang, *_), g = branch(chat)
    await sec.says("/签到 发起 主题党日 截止 21:00", g)
    await wang.says("请假要写假条吗？", g)
    wang.hears("发送「/帮助」")


async def test_no_check_in_open_names_the_next_meeting(chat: ChatHarness) -> None:
    sec, (wang, *_), g = branch(chat)
    await schedule_committee(sec, g)
    for said in ("签到", "我到了", "/签到"):
        await wang.says(said, g)
        wang.hears("本群现在没有进行中的签到", "下次会议：「支委会」12月4日（周五）15:00")
        assert "您好，我是同心助手" not in "\n".join(wang.last)


UNKNOWN = ["/签到 帮助", "/签到 补签 @孙悦", "/签到 删除", "/签到 撤销", "/签到 随便写写"]


@pytest.mark.parametrize("said", UNKNOWN)
async def test_unknown_checkin_words_never_check_in_the_sender(
    chat: ChatHarness, said: str
) -> None:
    sec, (wang, *_), g = branch(chat)
    await sec.says("/签到 发起 主题党日 截止 21:00", g)
    await wang.says(said, g)
    assert "已签到" not in "\n".join(wang.last)
    await sec.says("/签到 统计", g)
    sec.hears("实到 1，", "未到：")
    assert "王老师" in sec.last[0].split("未到：")[1]


async def test_help_word_shows_the_commands(chat: ChatHarness) -> None:
    sec, (wang, *_), g = branch(chat)
    await wang.says("/签到 帮助", g)
    wang.hears("/签到（/checkin）", "/签到 请假")
    await sec.says("/签到 帮助", g)
    sec.hears("/签到 补签", "/签到 补签 @孙悦", "/签到 请假 @张丽 病假")


async def test_secretary_marks_excuses_and_undoes_for_others(chat: ChatHarness) -> None:
    sec, (wang, *_), g = branch(chat)
    await sec.says("/签到 发起 主题党日 截止 21:00", g)
    await sec.says("/签到 补签 @孙悦", g)
    sec.hears("已为 孙悦 补签「主题党日」", "应到 5，实到 2")
    await sec.says("/签到 请假 @张丽 病假，住院", g)
    sec.hears("已为 张丽 记下「主题党日」的请假：病假，住院", "请假 1")
    await wang.says("到", g)
    await sec.says("/签到 撤销 @王老师", g)
    sec.hears("已撤销 王老师 在「主题党日」的签到记录", "实到 2")
    await sec.says("/签到 补签 @钱老师", g)
    sec.hears("没找到 @钱老师")
    await wang.says("/签到 请假 @张丽 其实没病", g)
    wang.hears("只有书记可以替别人请假")
    await sec.says("/签到 统计", g)
    assert "张丽（病假，住院）" in (await sec.inbox())[-1]


async def test_mentions_by_platform_id_are_read(chat: ChatHarness) -> None:
    """DingTalk lists the mentioned staff ids beside a text that shows a nickname."""
    sec, _, g = branch(chat)
    await sec.says("/签到 发起 主题党日 截止 21:00", g)
    rt = chat.app.runtime
    now = chat.clock.now()
    incoming = Incoming(
        platform="local",
        chat_id="g1",
        chat_type="group",
        sender_id="sec1",
        sender_name="李书记",
        text="/签到 补签 @悦悦",
        msg_id="mention-1",
        at=now,
        mentions=["t3"],
    )
    async with chat.db.transaction() as s:
        [ctx] = await build_contexts(rt, s, [incoming], now)
        await rt.router.dispatch(ctx)
        said = "\n".join(o.text for o in ctx.out)
    assert "已为 孙悦 补签「主题党日」" in said


@pytest.mark.parametrize("command", ["/签到 删除", "/签到 撤销"])
async def test_a_mistaken_check_in_is_deleted_after_a_confirm(
    chat: ChatHarness, command: str
) -> None:
    sec, (wang, *_), g = branch(chat)
    await sec.says("/签到 发起 主题党日 截止 21:00", g)
    await wang.says("签到", g)
    await sec.says(command, g)
    sec.hears("删除「主题党日」（20:00 发起，已签到 2 人）？", "回复「确认」提交")
    await sec.says("不", g)
    sec.hears("已取消「删除签到」")
    await sec.says(command, g)
    await sec.says("确认", g)
    sec.hears("已删除「主题党日」，台账中不再有这次签到")
    await sec.says("/签到 台账 2026")
    sec.hears("一支部 2026 年还没有签到记录")
    await wang.says("签到", g)
    wang.hears("本群现在没有进行中的签到")


async def test_leave_asked_ahead_counts_when_the_meeting_opens(chat: ChatHarness) -> None:
    sec, (wang, zhang, *_), g = branch(chat)
    await schedule_committee(sec, g)
    await wang.says("请假 下周五的支委会 出差", g)
    wang.hears("已登记您「支委会」（12月4日（周五）15:00）的请假")
    await zhang.says("请假")
    zhang.hears("请假 周五的支委会")
    await zhang.says("下次支委会请个假，要监考")
    zhang.hears("已登记您「支委会」")
    await chat.run_until(datetime(2026, 12, 4, 15, 1, tzinfo=START.tzinfo))
    opened = [m for m in await g.messages() if "开始签到" in m]
    assert opened and "会前请假 2 人" in opened[-1], opened
    await wang.says("到", g)
    wang.hears("已签到")
    await sec.says("/签到 统计", g)
    sec.hears("请假 1", "请假：张丽")
    assert "张丽（要监考）" in (await sec.inbox())[-1]


async def test_checkin_one_liner_opens_at_once(chat: ChatHarness) -> None:
    sec, (wang, *_), g = branch(chat)
    await sec.says("/签到 发起 支部党员大会 地点 三楼会议室 主持人 李书记 议题 学习党章", g)
    sec.hears("「支部党员大会」开始签到，截止 20:30（默认 30 分钟）", "发起人已签到")
    await wang.says("到", g)
    wang.hears("已签到 2/5")


async def test_bare_leave_after_checking_in_says_so_at_once(chat: ChatHarness) -> None:
    sec, (wang, *_), g = branch(chat)
    await sec.says("/签到 发起 主题党日 截止 21:00", g)
    await wang.says("到", g)
    await wang.says("请假", g)
    wang.hears("您已签到，无需请假")


@pytest.mark.parametrize("said", ["签到 帮助", "投票 帮助", "签到 help"])
async def test_a_keyword_with_a_help_word_shows_the_help(chat: ChatHarness, said: str) -> None:
    _, (wang, *_), g = branch(chat)
    await wang.says(said, g)
    wang.hears("（/")
    assert "您好，我是同心助手" not in "\n".join(wang.last)
