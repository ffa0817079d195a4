"""Polls the way teachers vote and secretaries create them (issue 16)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.conftest import START, MakeChat
from tests.handlers.natural_helpers import branch
from tests.harness import ChatHarness, Group, User

ONE_LINE = "/投票 新建 年度好党员推荐 张丽 王五 李四 截止 周五17:00"


async def publish(sec: User, g: Group, line: str = ONE_LINE) -> None:
    await sec.says(line, g)
    sec.hears("请核对：", "回复「确认」提交")
    await sec.says("确认", g)
    sec.hears("投票已发布")


VOTES = [
    ("投1", "张丽"),
    ("投票1", "张丽"),
    ("投 1", "张丽"),
    ("选2", "王五"),
    ("选张丽", "张丽"),
    ("投票 ２", "王五"),
    ("投票：李四", "李四"),
    ("@同心 投3", "李四"),
    ("我投1", "张丽"),
    ("投第1个", "张丽"),
    ("投一", "张丽"),
    ("我选第二项", "王五"),
    ("投第三个", "李四"),
]


@pytest.mark.parametrize(("said", "chosen"), VOTES)
async def test_votes_in_a_group(chat: ChatHarness, said: str, chosen: str) -> None:
    sec, (wang, *_), g = branch(chat)
    await publish(sec, g)
    await wang.says(said, g)
    wang.hears(f"「年度好党员推荐」已记录：{chosen}。")


PROMPT_ANSWERS = [
    ("1", "张丽"),
    ("２", "王五"),
    ("投票 1", "张丽"),
    ("李四", "李四"),
    ("第2个", "王五"),
]


@pytest.mark.parametrize(("answer", "chosen"), PROMPT_ANSWERS)
async def test_a_reply_to_the_ballot_prompt(chat: ChatHarness, answer: str, chosen: str) -> None:
    sec, (wang, *_), g = branch(chat)
    await publish(sec, g)
    await wang.says("投票")
    wang.hears("请回复一个选项的序号", "1. 张丽")
    await wang.says(answer)
    wang.hears("您的选择：", chosen)
    await wang.says("确认")
    wang.hears(f"已记录：{chosen}")


@pytest.mark.parametrize("until", ["", " 截止 24小时", " 截止 2小时后"])
async def test_a_span_counts_from_the_late_confirmation(chat: ChatHarness, until: str) -> None:
    sec, _, g = branch(chat)
    await sec.says(f"/投票 新建 活动地点 井冈山 延安{until}", g)
    sec.hears("请核对：")
    await chat.advance(minutes=20)
    await sec.says("确认", g)
    sec.hears("请核对：")
    await sec.says("确认", g)
    sec.hears("投票已发布")
    hours = 2 if "2小时" in until else 24
    closes = START + timedelta(minutes=20, hours=hours)
    sec.hears(f"截止：{closes.month}月{closes.day}日")
    sec.hears(f"{closes.hour}:{closes.minute:02d}")


async def test_a_deadline_passed_before_the_confirmation_is_refused(chat: ChatHarness) -> None:
    sec, (wang, *_), g = branch(chat)
    await sec.says("/投票 新建 活动地点 井冈山 延安 截止 今天20:30", g)
    sec.hears("截止：11月25日（周三）20:30")
    await chat.advance(minutes=25)
    await sec.says("确认", g)
    await sec.says("确认", g)
    sec.hears("截止时间（", "已经过去或不到 10 分钟，投票没有发布")
    await wang.says("投票", g)
    wang.hears("本群当前没有进行中的投票")


async def test_how_to_vote_and_help_without_the_slash(chat: ChatHarness) -> None:
    _sec, (wang, *_), g = branch(chat)
    await wang.says("怎么投票？", g)
    wang.hears("「投票 2」", "「投票 #12 2」")
    await wang.says("帮助", g)
    wang.hears("我能帮您做这些", "/投票")
    await wang.says("帮助 投票")
    wang.hears("/投票（/poll）")


async def test_a_bare_number_in_a_group_is_no_vote(chat: ChatHarness) -> None:
    sec, (wang, *_), g = branch(chat)
    await publish(sec, g)
    await wang.says("一", g)
    wang.hears("发送「/帮助」")
    await wang.says("投第九个", g)
    wang.hears("发送「/帮助」")


async def test_multiple_choice_with_full_width_numbers(chat: ChatHarness) -> None:
    sec, (wang, *_), g = branch(chat)
    await publish(sec, g, "/投票 新建 支委候选人 甲 乙 丙 丁 多选 2")
    await wang.says("投票")
    wang.hears("最多 2 项")
    await wang.says("１，４")
    wang.hears("您的选择：", "甲", "丁")
    await wang.says("好的")
    wang.hears("已记录：甲、丁")


async def test_everyday_words_are_not_votes(chat: ChatHarness) -> None:
    sec, (wang, *_), g = branch(chat)
    await wang.says("选举什么时候开始", g)
    wang.hears("发送「/帮助」")
    await publish(sec, g)
    await wang.says("选举什么时候开始", g)
    wang.hears("发送「/帮助」")


async def test_two_open_polls_ask_which_never_the_newest(chat: ChatHarness) -> None:
    sec, (wang, zhang, *_), g = branch(chat)
    await publish(sec, g)
    await publish(sec, g, "/投票 新建 食堂满意度 满意 一般 不满意")
    await wang.says("投票 2", g)
    wang.hears("您要投哪一项", "#2 食堂满意度", "#1 年度好党员推荐")
    await wang.says("#1", g)
    wang.hears("您的选择：", "王五")
    await wang.says("确认", g)
    wang.hears("「年度好党员推荐」已记录：王五")
    await zhang.says("投票 #2 3", g)
    zhang.hears("「食堂满意度」已记录：不满意")
    await sec.says("/投票 结果 1")
    sec.hears("参与：1/5 人")


WHICH_ANSWERS = [
    ("#2", "满意"),
    ("1", "张丽"),
    ("食堂满意度", "满意"),
    ("投票 #1", "张丽"),
]


@pytest.mark.parametrize(("answer", "chosen"), WHICH_ANSWERS)
async def test_which_poll_by_its_announced_number(
    chat: ChatHarness, answer: str, chosen: str
) -> None:
    sec, (wang, *_), g = branch(chat)
    await publish(sec, g)
    await publish(sec, g, "/投票 新建 食堂满意度 满意 一般 不满意")
    await wang.says("投票 1", g)
    await wang.says(answer, g)
    wang.hears("您的选择：", chosen)


async def test_which_poll_answered_with_the_poll_and_the_choices(chat: ChatHarness) -> None:
    sec, (wang, *_), g = branch(chat)
    await publish(sec, g, "/投票 新建 活动地点 井冈山 延安 西柏坡 嘉兴 多选 2")
    await publish(sec, g)
    await wang.says("投票 1", g)
    wang.hears("#2 年度好党员推荐", "#1 活动地点")
    await wang.says("投票 #1 1，4", g)
    wang.hears("「活动地点」已记录：井冈山、嘉兴")
    await wang.says("1", g)
    wang.hears("发送「/帮助」")


async def test_which_poll_lets_other_messages_through(chat: ChatHarness) -> None:
    sec, (wang, zhang, *_), g = branch(chat)
    await publish(sec, g)
    await publish(sec, g, "/投票 新建 食堂满意度 满意 一般 不满意")
    await sec.says("/签到 发起 主题党日 截止 21:00", g)
    await wang.says("投票 2", g)
    await wang.says("签到", g)
    wang.hears("「主题党日」已签到")
    await wang.says("投票 #9 1", g)
    wang.hears("没有找到这项投票")
    assert "请回复" not in "\n".join(wang.last)
    await wang.says("#2", g)
    wang.hears("您的选择：", "一般")
    await zhang.says("投票 2", g)
    await zhang.says("请假 出差", g)
    zhang.hears("已记下您的请假")


ONE_LINERS = [
    (ONE_LINE, ("类型：单选", "选项：张丽、王五、李四", "实名", "结果：截止后公布")),
    (ONE_LINE, ("截止：11月27日（周五）17:00", "投票人：一支部花名册（5 人）")),
    ("/投票 新建 年度好党员推荐 张丽、王五、李四 匿名", ("匿名", "截止：11月26日（周四）20:00")),
    ("/投票 新建 支委候选人 甲 乙 丙 多选 2", ("类型：多选", "（最多选 2 项）")),
    ("/投票 新建 中层干部民主测评 赵主任 钱主任 测评 匿名", ("民主测评", "等次：1. 优秀")),
    ("/投票 新建 党课质量评分 评分 匿名", ("类型：评分", "评分：1分、2分、3分、4分、5分")),
]


@pytest.mark.parametrize(("line", "shown"), ONE_LINERS)
async def test_one_line_publishes_after_one_confirm(
    chat: ChatHarness, line: str, shown: tuple[str, ...]
) -> None:
    sec, (wang, *_), g = branch(chat)
    await sec.says(line, g)
    sec.hears("请核对：", *shown)
    await sec.says("确认", g)
    sec.hears("投票已发布（编号 1），已私信 5 位成员")
    assert "请参加投票" in (await wang.inbox())[-1]


async def test_guided_flow_stays_and_a_title_is_not_asked_again(chat: ChatHarness) -> None:
    sec, _, g = branch(chat)
    await sec.says("/投票 新建", g)
    sec.hears("投票主题是什么？")
    await sec.says("/投票 新建 一、政治建设；二、作风建设", g)
    sec.hears("投票类型？")
    for answer in ("1", "甲\n乙\n完成", "实名", "截止后公布", "明天17:00", "1"):
        await sec.says(answer, g)
    sec.hears("主题：一、政治建设；二、作风建设")


async def test_help_shows_the_one_liners(chat: ChatHarness) -> None:
    sec, (wang, *_), g = branch(chat)
    await sec.says("/帮助 投票", g)
    sec.hears("一句话就能办", "/投票 新建 年度好党员推荐 张三 李四 王五 截止 周五17:00")
    await wang.says("/帮助 投票", g)
    assert "/投票 新建 年度好党员推荐" not in "\n".join(wang.last)


async def test_invitations_and_results_wait_out_the_quiet_hours(make_chat: MakeChat) -> None:
    chat = await make_chat(start=START.replace(hour=22, minute=30))
    sec, (wang, *_), g = branch(chat)
    await sec.says("/投票 新建 年度好党员推荐 张丽 王五 截止 明天23:00", g)
    await sec.says("确认", g)
    sec.hears("现在是休息时间，11月26日（周四）7:01 再私信 5 位成员")
    await chat.advance(minutes=5)
    assert not any("请参加投票" in m for m in await wang.inbox())
    await chat.run_until(datetime(2026, 11, 26, 7, 1, tzinfo=START.tzinfo))
    await chat.until_quiet()
    assert any("请参加投票" in m for m in await wang.inbox())
    await wang.says("投1", g)
    # Closed at 23:00 on time; the results reach the group in the morning.
    await chat.run_until(datetime(2026, 11, 26, 23, 30, tzinfo=START.tzinfo))
    await wang.says("投1", g)
    wang.hears("已截止")
    assert not await g.received("投票已截止。")
    await chat.run_until(datetime(2026, 11, 27, 7, 2, tzinfo=START.tzinfo))
    assert await g.received("「年度好党员推荐」投票已截止。")


async def test_one_line_in_a_group_of_no_unit_asks_its_own_people(chat: ChatHarness) -> None:
    sec, (wang, *_), _ = branch(chat)
    loose = chat.group("g2")
    await wang.says("/帮助", loose)
    await sec.says("/投票 新建 聚餐地点 食堂 饭店", loose)
    sec.hears("投票人：本群说过话的成员（2 人）")
