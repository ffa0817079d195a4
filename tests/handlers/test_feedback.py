"""征求意见 from opening to the closing summary, as the people involved see it."""

from __future__ import annotations

import pytest

from tests.handlers.feedback_helpers import answer, open_call
from tests.harness import ChatHarness

pytestmark = pytest.mark.chat(recording=True)


async def test_full_call_from_opening_to_summary(chat: ChatHarness) -> None:
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    wang = chat.user("t1", "王老师", unit="一支部")
    zhang = chat.user("t2", "张老师", unit="一支部")
    zhao = chat.user("t3", "赵老师", unit="一支部")
    sun = chat.user("t4", "孙老师", unit="一支部")
    outsider = chat.user("o1", "钱老师", unit="二支部")
    g = chat.group("g1", unit="一支部")

    await open_call(sec, g)
    sec.hears("已发布征求意见 #1，共 5 人参与，11月28日（周六）17:00 截止")
    notice = next(m for m in await g.messages() if m.startswith("【征求意见"))
    assert "【征求意见 #1】2027年度支部工作计划" in notice
    assert "11月28日（周六）17:00" in notice and "逾期未反馈的，视为无意见" in notice

    # A named opinion over two messages, then changed before the deadline.
    await wang.says("/反馈")
    wang.hears("请写下您对「2027年度支部工作计划」的意见", "没有意见请直接回复「无意见」")
    await wang.says("主题党日可以走进社区。")
    wang.hears("已记下第 1 条（共 11 字）")
    await wang.says("时间放在周五下午。\n完成")
    # The promise says what holds, elimination included.
    wang.hears("实名还是匿名提交？", "只记「已反馈」", "满 3 份才逐条显示", "由此推断出是谁写的")
    await wang.says("实名")
    wang.hears("主题党日可以走进社区。\n时间放在周五下午。", "（实名）")
    await wang.says("确认")
    wang.hears("已收到您对「2027年度支部工作计划」的实名反馈，回执编号 FK")

    await answer(zhang, "建议增加一次集中调研。", "完成", way="匿名")
    zhang.hears("匿名反馈")
    await answer(zhao, "无意见")
    zhao.hears("实名反馈")

    # Change, and withdraw then answer again.
    await wang.says("/反馈")
    wang.hears("您已提交过实名意见。要修改还是撤回？")
    await wang.says("修改意见")
    await wang.says("主题党日建议走进社区，时间定在周五下午。\n完成")
    await wang.says("实名")
    await wang.says("确认")
    wang.hears("实名反馈")
    await zhao.says("/反馈")
    await zhao.says("撤回意见")
    zhao.hears("确认撤回您对「2027年度支部工作计划」的意见吗？")
    await zhao.says("确认")
    zhao.hears("已撤回")
    await answer(zhao, "无意见")

    # An anonymous answer cannot be reopened; outsiders and groups are refused.
    await zhang.says("/反馈")
    zhang.hears("您已匿名反馈过「2027年度支部工作计划」")
    await outsider.says("/反馈")
    outsider.hears("目前没有需要您反馈的征求意见。")
    await outsider.says("/反馈 1")
    outsider.hears("您不在征求意见 #1 的反馈范围内")
    await wang.says("/反馈", g)
    wang.hears("反馈意见请私聊我")
    await wang.says("/征求意见 提醒")
    wang.hears("需要支部书记权限")

    await sec.says("/征求意见 统计")
    # One anonymous answer: only that it exists, not what it says, until the deadline.
    sec.hears(
        "进行中",
        "实名提出意见 1 人，实名明确无意见 1 人，匿名反馈 1 人，尚未反馈 2 人",
        "匿名反馈 1 份：满 3 份才逐条显示",
    )
    assert "集中调研" not in "\n".join(sec.last)
    await sec.says("/征求意见 提醒")
    sec.hears("已私信提醒 2 位尚未反馈的同志。")
    assert "您还没有反馈" in (await sun.inbox())[-1]
    assert not any("您还没有反馈" in m for m in await wang.inbox())

    # The day before: an automatic reminder to those still silent.
    await chat.advance(days=1, hours=21, minutes=1)
    assert sum("您还没有反馈" in m for m in await sun.inbox()) == 2
    assert await g.received("还有 2 人未反馈")

    # A change begun before the deadline and confirmed after it is refused.
    await chat.advance(hours=23, minutes=44)
    await wang.says("/反馈")
    await wang.says("修改意见")
    await wang.says("再补一句。\n完成")
    await chat.advance(minutes=20)
    await wang.says("实名")
    await wang.says("确认")
    wang.hears("「2027年度支部工作计划」已截止，不能再提交、修改或撤回。")
    await wang.says("/反馈")
    wang.hears("目前没有需要您反馈的征求意见。")

    summary = (await sec.inbox())[-1]
    assert "征求意见 #1「2027年度支部工作计划」（已截止）" in summary
    assert (
        "实名提出意见 1 人，实名明确无意见 1 人，匿名反馈 1 人，逾期未反馈视为无意见 2 人"
        in summary
    )
    assert "王老师：主题党日建议走进社区，时间定在周五下午。" in summary  # as typed
    assert "再补一句" not in summary
    assert "匿名反馈 1 份（不足 3 份，合并显示" in summary
    assert "建议增加一次集中调研。" in summary and "张老师" not in summary
    assert "明确无意见：赵老师" in summary
    assert "视为无意见（逾期未反馈）：李书记、孙老师" in summary
    assert "/征求意见 导出 1" in summary
    # Counting 提出意见 and 无意见 would tell what the one anonymous answer was.
    assert await g.received("已截止：应反馈 5 人，已反馈 3 人，逾期未反馈视为无意见 2 人")


async def test_long_opinions_are_kept_and_limited(chat: ChatHarness) -> None:
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    t = chat.user("t1", "王老师", unit="一支部")
    await open_call(sec, None)
    sec.hears("已发布征求意见 #1")
    assert "【征求意见 #1】" in (await t.inbox())[-1]

    await t.says("/反馈")
    await t.says("甲" * 4990)
    t.hears("已记下第 1 条（共 4990 字）")
    await t.says("乙" * 20)
    t.hears("这条有 20 字，加上已写的 4990 字超过了 5000 字的上限", "已写的内容都还在")
    await t.says("丙" * 10 + "\n完成")
    t.hears("实名还是匿名提交？")
    await t.says("实名")
    t.hears("甲" * 4990 + "\n" + "丙" * 10)
    await t.says("取消")
    t.hears("已取消「反馈意见」")

    await t.says("/反馈")
    for i in range(20):
        await t.says(f"第{i + 1}条")
    t.hears("已记下第 20 条")
    await t.says("第21条")
    t.hears("一份意见最多 20 条消息，这条没有记下")
    await t.says("完成")
    await t.says("匿名")
    t.hears("第1条\n第2条", "第20条\n——", "（匿名）")
    assert "第21条" not in "\n".join(t.last)
    await t.says("确认")
    t.hears("匿名反馈")


async def test_picking_among_calls_and_group_audience(chat: ChatHarness) -> None:
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    t = chat.user("t1", "王老师")
    g = chat.group("g2")  # a group bound to no unit: its audience is who spoke there
    await t.says("大家好", g)
    await sec.says("/征求意见 新建", g)
    await sec.says("食堂改进方案", g)
    await sec.says("请提意见", g)
    await sec.says("无", g)
    await sec.says("明天17:00", g)
    sec.hears("是否允许匿名反馈？")  # only one audience: this group
    await sec.says("仅限实名", g)
    await sec.says("确认", g)
    sec.hears("共 2 人参与")
    await sec.says("/征求意见 新建", g)
    await sec.says("读书班安排", g)
    await sec.says("请提意见", g)
    await sec.says("无", g)
    await sec.says("下周五", g)
    await sec.says("2", g)
    await sec.says("确认", g)
    sec.hears("已发布征求意见 #2", "12月4日（周五）23:59 截止")

    await t.says("/反馈")
    t.hears("请选择要反馈的征求意见", "1. #1「食堂改进方案」", "2. #2「读书班安排」")
    await t.says("3")
    t.hears("请回复选项前的序号（1–2）")
    await t.says("1")
    t.hears("请写下您对「食堂改进方案」的意见")
    await t.says("多些蔬菜\n完成")
    t.hears("请确认您对「食堂改进方案」的反馈（实名）")  # named only: no choice asked
    await t.says("确认")
    t.hears("实名反馈")

    await chat.advance(days=1)
    assert await g.received("征求意见「食堂改进方案」已截止：应反馈 2 人，提出意见 1 人")
    assert not await g.received("「读书班安排」已截止")


async def test_opening_needs_a_unit_or_a_group(chat: ChatHarness) -> None:
    admin = chat.user("a1", "局党委", role="admin")
    await admin.says("/征求意见")
    admin.hears("目前没有需要您反馈的征求意见。", "/征求意见 新建 — 发起征求意见（/feedback new）")
    await admin.says("/征求意见 新建")
    admin.hears("请在所属支部的群里发起")
    await admin.says("/征求意见 统计")
    admin.hears("没有进行中的征求意见。")
    await admin.says("/征求意见 提醒 12")
    admin.hears("没有找到您可以管理的征求意见 #12。")
