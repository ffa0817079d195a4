"""/会议 列表 · 修改 · 删除, and answers the flow cannot take."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.schedule import Firing
from tests.harness import ChatHarness


async def test_list_edit_delete(chat: ChatHarness) -> None:
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    other = chat.user("sec2", "张书记", role="secretary", unit="二支部")
    teacher = chat.user("t1", "王老师", unit="一支部")
    g = chat.group("g1", unit="一支部")
    chat.group("g2", unit="一支部")
    chat.group("g3", unit="二支部")
    await teacher.says("/会议 新建", g)
    teacher.hears("支部书记")
    await sec.says("/会议 列表")
    sec.hears("还没有安排会议")
    await sec.says("/会议 新建", g)
    await sec.says("8", g)  # 其他
    sec.hears("会议名称？")
    await sec.says("读书会", g)
    await sec.says("每月固定日期", g)
    await sec.says("12月10日14:30", g)
    await sec.says("无", g)
    await sec.says("g1, g9", g)
    sec.hears("我还不在这些群里：g9")
    await sec.says("g1,g3", g)
    sec.hears("这些群属于其他支部，不能发提醒：g3")
    await sec.says("g1,g2", g)
    await sec.says("提前一周", g)
    sec.hears("没看懂", "提前多久提醒？")
    await sec.says("2天,30分钟", g)
    await sec.says("1", g)
    sec.hears("每月10日 14:30", "地点：未定", "提前2天、提前30分钟，发到 2 个群")
    await sec.says("确认", g)
    sec.hears("已安排「读书会」（编号 1）。下次：12月10日（周四）14:30。")
    await sec.says("/会议 列表")
    sec.hears("1. 读书会：每月10日 14:30，下次 12月10日（周四）14:30")
    await other.says("/会议 删除 1")
    other.hears("不是您所在支部的会议")
    await sec.says("/会议 修改 1", g)
    for answer in ("党课", "每季度", "12月11日9:00", "三楼", "本群", "默认", "照常举行"):
        await sec.says(answer, g)
    await sec.says("确认", g)
    sec.hears("已修改「党课」（编号 1）")
    await sec.says("/会议 列表")
    sec.hears("1. 党课：每季度（3月、6月、9月、12月的11日） 9:00，三楼，下次 12月11日（周五）9:00")
    await sec.says("/会议 删除 x")
    sec.hears("请写会议编号")
    await sec.says("/会议 删除 7")
    sec.hears("没有编号为 7 的会议")
    await sec.says("/会议 删除 1")
    sec.hears("已删除「党课」（编号 1）")
    async with chat.db.reading() as s:
        left = await s.scalar(select(func.count()).where(Firing.source == "meeting:1"))
    assert left == 0


async def test_this_group_only_in_a_group(chat: ChatHarness) -> None:
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    await sec.says("/会议 新建")
    for answer in ("支委会", "只开一次", "明天15:00", "无"):
        await sec.says(answer)
    await sec.says("本群")
    sec.hears("这里不是群聊")
    await sec.says("明天")
    sec.hears("我还不在这些群里")


async def test_upcoming_reminders_in_the_group_and_in_direct_chat(chat: ChatHarness) -> None:
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    teacher = chat.user("t1", "王老师", unit="一支部")
    stranger = chat.user("t9", "赵老师", unit="二支部")
    g = chat.group("g1", unit="一支部")
    await teacher.says("/提醒 列表", g)
    teacher.hears("未来 60 天没有安排提醒")
    await sec.says("/会议 新建", g)
    for answer in ("8", "读书会", "每月固定日期", "12月10日14:30", "无", "本群", "默认", "1"):
        await sec.says(answer, g)
    await sec.says("确认", g)
    await teacher.says("/提醒 列表", g)
    teacher.hears("本群近期提醒：", "会前提醒 · 读书会", "会议开始（发起签到） · 读书会")
    assert "12月9日（周三）" in teacher.last[0] and "12月10日（周四）" in teacher.last[0]
    await teacher.says("/remind list")  # direct chat: the groups they have spoken in
    teacher.hears("g1近期提醒：", "读书会")
    await stranger.says("/提醒 列表")
    stranger.hears("还没有可以查看的群")
    await teacher.says("/提醒 状态")
    teacher.hears("需要支部书记权限")
