"""Anonymous polls: private ballots, the 测评 walk-through, rating, reminders, closing."""

from __future__ import annotations

from tests.handlers.polls_helpers import ANON_GRADE, ANON_RATING, ANON_SINGLE, branch, create
from tests.harness import ChatHarness


async def test_anonymous_single_choice_is_answered_privately_and_final(chat: ChatHarness) -> None:
    b = branch(chat)
    t1, t2, t3 = b.teachers
    preview = await create(b, *ANON_SINGLE)
    assert "匿名（私聊作答，提交后不能修改）" in preview
    await b.sec.says("确认", b.g)
    b.sec.hears("【匿名单选】食堂服务评议", "请在与我的私聊中回复「投票」作答")
    assert "不记您选了什么，截止后只公布票数" in (await t1.inbox())[-1]

    await t1.says("投票 1", b.g)
    t1.hears("是匿名投票，请在与我的私聊中回复「投票」作答")
    await t1.says("投票")
    t1.hears("请回复一个选项的序号", "1. 非常好")
    await t1.says("9")
    t1.hears("请回复选项前的序号（1–3）")
    await t1.says("1")
    t1.hears("您的选择：", "非常好", "提交后不能修改")
    await t1.says("确认")
    t1.hears("已收到您的匿名投票")
    await t1.says("投票")
    t1.hears("您已经投过「食堂服务评议」了")
    await t1.says("投票 2")
    t1.hears("您已经投过")

    await t2.says("投票 3")  # a choice given at once goes straight to the confirmation
    t2.hears("需改进", "提交后不能修改")
    await t2.says("确认")

    # No counts before the close, not even for the creator.
    await b.sec.says("/投票 结果", b.g)
    b.sec.hears("参与：2/4 人（50%）", "匿名投票的结果截止后公布")
    assert "非常好 `" not in "\n".join(b.sec.last)

    await b.sec.says("/投票 提醒", b.g)
    b.sec.hears("已提醒 2 位未投票的成员")
    assert "您还没有参加「食堂服务评议」投票" in (await t3.inbox())[-1]
    assert not any("您还没有参加" in m for m in await t1.inbox())

    await chat.advance(hours=21)
    closed = "\n".join(await b.g.messages())
    assert "「食堂服务评议」投票已截止" in closed
    assert "1. 非常好 `██████████` 1票 50%" not in closed
    assert "1. 非常好 `█████░░░░░` 1票 50%" in closed
    assert "3. 需改进 `█████░░░░░` 1票 50%" in closed
    # Two ballots: the counts may give a voter away, and the closing says so.
    assert "（仅 2 人投票，不足 3 人：票数可能让人推断出个人的选择。）" in closed
    await t3.says("投票")
    t3.hears("「食堂服务评议」投票已截止")


async def test_anonymous_evaluation_walks_through_candidates(chat: ChatHarness) -> None:
    b = branch(chat)
    t1, t2, _ = b.teachers
    preview = await create(b, *ANON_GRADE)
    assert "候选人：赵主任、钱主任" in preview
    assert "等次：1. 优秀、2. 称职、3. 基本称职、4. 不称职" in preview
    await b.sec.says("确认", b.g)
    b.sec.hears("【匿名民主测评】中层干部民主测评")

    await t1.says("投票")
    t1.hears("（1/2）请评定：赵主任", "1. 优秀", "4. 不称职")
    await t1.says("优秀")
    t1.hears("（2/2）请评定：钱主任")
    await t1.says("5")
    t1.hears("请回复选项前的序号（1–4）", "钱主任")
    await t1.says("2")
    t1.hears("赵主任：优秀", "钱主任：称职", "提交后不能修改")
    await t1.says("确认")
    t1.hears("已收到您的匿名投票")

    await t2.says("投票")
    await t2.says("1")
    await t2.says("1")
    await t2.says("取消")
    t2.hears("已取消「投票」")
    await t2.says("投票")  # cancelling kept nothing: the ballot starts again
    t2.hears("（1/2）请评定：赵主任")
    await t2.says("1")
    await t2.says("3")
    await t2.says("确认")

    await b.sec.says("/投票 结束", b.g)
    assert await b.g.received("**赵主任**\n1. 优秀 `██████████` 2票 100%")
    assert await b.g.received(
        "**钱主任**\n1. 优秀 `░░░░░░░░░░` 0票 0%\n2. 称职 `█████░░░░░` 1票 50%"
    )


async def test_rating_results_only_to_the_creator(chat: ChatHarness) -> None:
    b = branch(chat)
    t1, t2, _ = b.teachers
    preview = await create(b, *ANON_RATING)
    assert "评分：1分、2分、3分、4分、5分" in preview and "1.1分" not in preview
    assert "结果：仅发起人可见" in preview
    await b.sec.says("确认", b.g)
    await t1.says("投票")
    t1.hears("请打分", "5. 5分")
    await t1.says("5")
    await t1.says("确认")
    await t2.says("投票 4")
    await t2.says("确认")
    await chat.advance(hours=21)
    group = "\n".join(await b.g.messages())
    assert "投票已截止" in group and "结果仅发起人可见" in group and "平均分" not in group
    mine = "\n".join(await b.sec.inbox())
    assert "平均分：4.50" in mine and "5. 5分 `█████░░░░░` 1票 50%" in mine
    await t1.says("/投票 结果", b.g)
    t1.hears("结果仅发起人可见")
    await b.sec.says("/投票 结果", b.g)
    b.sec.hears("结果仅发起人可见", "已私聊发给您")
    assert "平均分：4.50" not in "\n".join(b.sec.last)
    assert "平均分：4.50" in (await b.sec.inbox())[-1]


async def test_choosing_among_pending_polls_and_the_nudge(chat: ChatHarness) -> None:
    b = branch(chat)
    t1 = b.teachers[0]
    await create(b, *ANON_SINGLE, "确认")
    await create(b, *ANON_RATING, "确认")
    await t1.says("投票")
    t1.hears("您要投哪一项", "#1 食堂服务评议", "#2 党课质量评分")
    await t1.says("3")
    t1.hears("请回复投票的编号（如 #2）或主题")
    await t1.says("2")
    t1.hears("请打分")
    await t1.says("3")
    await t1.says("确认")
    t1.hears("已收到您的匿名投票")
    # The nudge is due halfway to a deadline less than a day away (06:30),
    # which is in the quiet hours: it waits for the morning.
    await chat.advance(hours=10, minutes=31)
    assert not any("您还没有参加" in m for m in await t1.inbox())
    await chat.advance(minutes=34)
    inbox = await t1.inbox()
    assert any("您还没有参加「食堂服务评议」" in m for m in inbox)
    assert not any("您还没有参加「党课质量评分」" in m for m in inbox)
    await t1.says("投票")
    t1.hears("请回复一个选项的序号")
