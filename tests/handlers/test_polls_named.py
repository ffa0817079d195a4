"""Named (实名) polls from creation to results: single and multiple choice, in the group."""

from __future__ import annotations

from tests.handlers.polls_helpers import NAMED_MULTI, NAMED_SINGLE, branch, create
from tests.harness import ChatHarness


async def test_named_single_choice_from_creation_to_results(chat: ChatHarness) -> None:
    b = branch(chat)
    t1, t2, t3 = b.teachers
    preview = await create(b, *NAMED_SINGLE)
    assert "主题：年度优秀党员推荐" in preview
    assert "选项：张三、李四、王五" in preview
    assert "实名（截止前可修改）" in preview
    assert "截止：11月26日（周四）17:00" in preview
    assert "投票人：一支部花名册（4 人）" in preview
    await b.sec.says("确认", b.g)
    b.sec.hears("【实名单选】年度优秀党员推荐（编号 1）", "1. 张三", "投票 1", "已私信 4 位成员")
    assert "请参加投票「年度优秀党员推荐」" in (await t1.inbox())[-1]

    await t1.says("投票 1", b.g)
    t1.hears("「年度优秀党员推荐」已记录：张三")
    await t2.says("投票 2", b.g)
    await t1.says("投票 2", b.g)
    t1.hears("已改为：李四")

    await t3.says("/投票 结果", b.g)
    t3.hears("参与：2/4 人（50%）", "1. 张三 `░░░░░░░░░░` 0票 0%", "2. 李四 `██████████` 2票 100%")

    await b.sec.says("/投票 提醒", b.g)
    b.sec.hears("已提醒 2 位未投票的成员")
    delivered = await chat.delivered(b.g.chat_id)
    nudge = [m for m in delivered if "还有 2 人未投票" in m["text"]]
    assert nudge and sorted(nudge[0]["mentions"]) == ["sec1", "t3"]

    await chat.advance(hours=21)
    messages = await b.g.messages()
    assert any("「年度优秀党员推荐」投票已截止" in m and "2票 100%" in m for m in messages)
    await t3.says("投票 1", b.g)
    t3.hears("「年度优秀党员推荐」投票已截止，不能再投了")


async def test_named_single_answered_in_direct_chat(chat: ChatHarness) -> None:
    b = branch(chat)
    t1 = b.teachers[0]
    await create(b, *NAMED_SINGLE, "确认")
    await t1.says("投票")
    t1.hears("请回复一个选项的序号", "1. 张三")
    await t1.says("3")
    t1.hears("您的选择：", "王五", "截止前可以修改")
    await t1.says("确认")
    t1.hears("已记录：王五")
    await t1.says("投票 1")
    t1.hears("张三")
    await t1.says("确认")
    t1.hears("已改为：张三")


async def test_named_multi_with_maximum(chat: ChatHarness) -> None:
    b = branch(chat)
    t1, t2, _ = b.teachers
    preview = await create(b, *NAMED_MULTI)
    assert "（最多选 2 项）" in preview
    await b.sec.says("确认", b.g)
    b.sec.hears("【实名多选】支委候选人", "投票 1,3")
    await t1.says("投票 1,2,3", b.g)
    t1.hears("最多只能选 2 项")
    await t1.says("投票 1,5", b.g)
    t1.hears("没有这个选项：请回复 1–4 之间的序号")
    await t1.says("投票 1,1", b.g)
    t1.hears("同一项不能选两次")
    await t1.says("投票 戊", b.g)
    t1.hears("请回复选项前的序号")
    await t1.says("投票 1，3", b.g)  # a full-width comma
    t1.hears("已记录：甲、丙")
    await t2.says("投票 3", b.g)
    # Results after close only: before it, only participation (the creator sees counts).
    await t2.says("/投票 结果", b.g)
    t2.hears("参与：2/4 人（50%）", "结果截止后公布")
    # Not even the creator's question posts the counts to the group before the close.
    await b.sec.says("/投票 结果", b.g)
    b.sec.hears("参与：2/4 人（50%）", "已私聊发给您")
    assert "2票" not in "\n".join(b.sec.last)
    assert "3. 丙 `██████████` 2票 100%" in (await b.sec.inbox())[-1]
    await b.sec.says("/投票 结果")
    b.sec.hears("3. 丙 `██████████` 2票 100%")
    await b.sec.says("/投票 结束", b.g)
    b.sec.hears("已提前结束「支委候选人」")
    assert await b.g.received("1. 甲 `█████░░░░░` 1票 50%")
    await t2.says("/投票 结果", b.g)
    t2.hears("已截止", "3. 丙 `██████████` 2票 100%")


async def test_bad_votes_get_clear_answers(chat: ChatHarness) -> None:
    b = branch(chat)
    t1 = b.teachers[0]
    outsider = chat.user("x1", "外支部老师", unit="二支部")
    await t1.says("投票 1", b.g)
    t1.hears("本群当前没有进行中的投票")
    await create(b, *NAMED_SINGLE, "确认")
    await outsider.says("投票 1", b.g)
    outsider.hears("您不在「年度优秀党员推荐」的投票名单内")
    await t1.says("投票 4", b.g)
    t1.hears("没有这个选项：请回复 1–3 之间的序号")
    await t1.says("投票 1,2", b.g)
    t1.hears("最多只能选 1 项")
    await outsider.says("投票")
    outsider.hears("您目前没有待投的投票")
    await chat.advance(hours=22)
    await t1.says("投票")
    t1.hears("「年度优秀党员推荐」投票已截止")


async def test_teacher_cannot_create_or_close(chat: ChatHarness) -> None:
    b = branch(chat)
    t1 = b.teachers[0]
    await t1.says("/投票 新建", b.g)
    t1.hears("需要支部书记权限")
    await create(b, *NAMED_SINGLE, "确认")
    await t1.says("/投票 结束", b.g)
    t1.hears("需要支部书记权限")
    await b.sec.says("/投票 新建")
    b.sec.hears("请在要发起投票的群里发送")
