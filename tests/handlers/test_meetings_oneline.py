"""`/会议 新建 …` in one line: read, previewed once, saved with the defaults."""

from __future__ import annotations

import pytest

from tests.harness import ChatHarness


@pytest.mark.parametrize(
    ("line", "shown"),
    [
        ("每月第一个周五15:00 支委会", ("支委会", "每月第一个周五 15:00", "12月4日（周五）15:00")),
        ("每周三16:00 政治学习 地点 三楼会议室", ("政治学习", "每周三 16:00", "三楼会议室")),
        ("每月5日下午3点 党课", ("党课", "每月5日 15:00", "12月7日（周一）15:00")),
        ("读书会 下周五下午3点", ("读书会", "仅一次：12月4日（周五）15:00", "12月4日")),
    ],
)
async def test_a_meeting_in_one_line(
    chat: ChatHarness, line: str, shown: tuple[str, str, str]
) -> None:
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    g = chat.group("g1", unit="一支部")
    await sec.says(f"/会议 新建 {line}", g)
    title, repeat, _ = shown
    sec.hears("请确认会议安排", title, repeat, "提前1天、提前1小时", "顺延到下一个工作日")
    await sec.says("确认", g)
    sec.hears(f"已安排「{title}」（编号 1）")
    await sec.says("/会议 列表", g)
    for fragment in shown:
        sec.hears(fragment)


async def test_an_unreadable_time_falls_back_to_the_steps(chat: ChatHarness) -> None:
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    g = chat.group("g1", unit="一支部")
    await sec.says("/会议 新建 每月第一个周五 支委会", g)
    sec.hears("没看懂开会时间", "会议类型？")
    await sec.says("/会议 新建 支委会", g)
    sec.hears("多久开一次？")
