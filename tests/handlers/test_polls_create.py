"""/投票 新建: every bad answer gets a hint and the same question; the group audience; export."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from handlers.polls import manage
from tests.handlers.polls_helpers import NAMED_MULTI, branch, create
from tests.harness import ChatHarness


async def test_a_too_long_title_is_asked_again(chat: ChatHarness) -> None:
    b = branch(chat)
    await b.sec.says("/投票 新建", b.g)
    b.sec.hears("投票主题是什么？")
    await b.sec.says("长" * 61, b.g)
    b.sec.hears("主题请控制在 60 字以内", "投票主题是什么？")


async def test_a_kind_out_of_range_gets_the_range(chat: ChatHarness) -> None:
    b = branch(chat)
    await create(b, "支委候选人")
    await b.sec.says("7", b.g)
    b.sec.hears("请回复选项前的序号（1–4）")
    await b.sec.says("多选", b.g)
    b.sec.hears("请发送选项")


async def test_options_are_collected_and_checked(chat: ChatHarness) -> None:
    b = branch(chat)
    await create(b, "支委候选人", "多选")
    await b.sec.says("甲\n完成", b.g)
    b.sec.hears("至少需要 2 项，现在有 1 项")
    await b.sec.says("乙" * 41, b.g)
    b.sec.hears("每项请控制在 40 字以内")
    await b.sec.says("乙\n丙", b.g)
    b.sec.hears("已记下 3 项")
    await b.sec.says("完成", b.g)
    b.sec.hears("每人最多可选几项？")


async def test_the_most_choices_cannot_pass_the_options(chat: ChatHarness) -> None:
    b = branch(chat)
    await create(b, "支委候选人", "多选", "甲\n乙\n丙\n完成")
    await b.sec.says("4", b.g)
    b.sec.hears("请写 1–3 之间的数字")
    await b.sec.says("2", b.g)
    b.sec.hears("实名还是匿名？")


async def test_a_named_poll_may_show_results_live(chat: ChatHarness) -> None:
    b = branch(chat)
    await create(b, "支委候选人", "多选", "甲\n乙\n丙\n完成", "2")
    await b.sec.says("实名", b.g)
    b.sec.hears("1. 实时公布")
    await b.sec.says("截止后公布", b.g)
    b.sec.hears("截止时间？")


async def test_a_deadline_must_be_readable_future_and_not_too_close(chat: ChatHarness) -> None:
    b = branch(chat)
    await create(b, "支委候选人", "多选", "甲\n乙\n丙\n完成", "2", "实名", "截止后公布")
    await b.sec.says("某天", b.g)
    b.sec.hears("没看懂这个时间")
    await b.sec.says("今天19:00", b.g)
    b.sec.hears("已经过去了")
    await b.sec.says("5分钟后", b.g)
    b.sec.hears("截止时间至少要在 10 分钟以后")
    await b.sec.says("下周五", b.g)
    b.sec.hears("谁来投票？")


async def test_the_preview_waits_for_a_yes_or_a_no(chat: ChatHarness) -> None:
    b = branch(chat)
    steps = ("支委候选人", "多选", "甲\n乙\n丙\n完成", "2", "实名", "截止后公布", "下周五")
    await create(b, *steps, "1")
    b.sec.hears("截止：12月4日（周五）23:59", "（最多选 2 项）", "请核对")
    await b.sec.says("嗯", b.g)
    b.sec.hears("请回复「确认」或「取消」")
    await b.sec.says("取消", b.g)
    b.sec.hears("已取消「新建投票」")
    await b.sec.says("/投票 结果", b.g)
    b.sec.hears("没有找到这项投票")


async def test_custom_scale_and_group_audience(chat: ChatHarness) -> None:
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    t1 = chat.user("t1", "老师1")
    t2 = chat.user("t2", "老师2")
    g = chat.group("g9")  # a group bound to no unit: its audience is who spoke there
    await t1.says("大家好", g)
    await sec.says("/投票 新建", g)
    for answer in ("年度测评", "3", "王老师\n完成"):
        await sec.says(answer, g)
    sec.hears("至少需要 2 项")
    await sec.says("刘老师\n完成", g)
    sec.hears("评价等次用哪一套？")
    await sec.says("优秀", g)
    sec.hears("等次请写 2–6 个")
    await sec.says("优秀／良好／一般", g)
    for answer in ("实名", "实时公布", "明天18:00"):
        await sec.says(answer, g)
    # The group has no unit: the secretary's own branch is offered beside it.
    sec.hears("1. 一支部花名册（1 人）", "2. 本群说过话的成员（2 人）")
    await sec.says("2", g)
    sec.hears("等次：1. 优秀、2. 良好、3. 一般", "投票人：本群说过话的成员（2 人）")
    await sec.says("确认", g)
    sec.hears("已私信 2 位成员")
    await t2.says("投票 1,1", g)
    t2.hears("不在「年度测评」的投票名单内")
    await t1.says("投票 1", g)
    t1.hears("请为 2 位候选人各写一个等次序号")
    await t1.says("投票 1,4", g)
    t1.hears("没有这个选项：请回复 1–3 之间的序号")
    await t1.says("投票 1,3", g)
    t1.hears("已记录：王老师：优秀、刘老师：一般")
    await t1.says("投票", g)
    t1.hears("（1/2）请评定：王老师")
    await t1.says("2", g)
    await t1.says("2", g)
    await t1.says("确认", g)
    t1.hears("已改为：王老师：良好、刘老师：良好")
    await t1.says("/投票 结果", g)
    t1.hears("**王老师**", "2. 良好 `██████████` 1票 100%")


async def test_export_writes_results_and_named_ballots(chat: ChatHarness, tmp_path: Path) -> None:
    b = branch(chat)
    await create(b, *NAMED_MULTI, "确认")
    await b.teachers[0].says("投票 1,3", b.g)
    await b.teachers[1].says("投票 3", b.g)
    out = tmp_path / "poll.xlsx"
    assert await manage.export(chat.app.runtime, ["1", "--out", str(out)]) == 0
    book = load_workbook(out)
    rows = list(book["结果"].iter_rows(values_only=True))
    assert rows[0] == ("支委候选人", None, None, None)
    # Shares are fractions shown as percentages, under a frozen header.
    assert ("支委候选人", "丙", 2, 1) in rows
    assert ("支委候选人", "甲", 1, 0.5) in rows
    sheet = book["结果"]
    assert sheet["D4"].number_format == "0.0%" and sheet.freeze_panes == "A4"
    named = list(book["实名明细"].iter_rows(values_only=True))
    assert ("老师1", "t1", "甲、丙") in named
    assert await manage.export(chat.app.runtime, ["9", "--out", str(out)]) == 2
    assert await manage.export(chat.app.runtime, ["x"]) == 2
    # An id no database column holds is a usage error, not a traceback.
    assert await manage.export(chat.app.runtime, ["99999999999999999999"]) == 2
