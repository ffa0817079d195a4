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


# The clock starts on Wednesday 2026-11-25 20:00.
@pytest.mark.parametrize(
    ("line", "title", "repeat", "policy", "next_at"),
    [
        # A period's last day stays in its period: moved to the workday before.
        ("每季度末 15:00 党课", "党课", "每季度末（3月、6月、9月、12月的最后一天） 15:00",
         "提前到上一个工作日", "12月31日（周四）15:00"),
        ("每月最后一天15:00 支委会", "支委会", "每月最后一天 15:00",
         "提前到上一个工作日", "11月30日（周一）15:00"),
        ("每半年末 14:00 组织生活会", "组织生活会", "每半年（6月、12月的最后一天） 14:00",
         "提前到上一个工作日", "12月31日（周四）14:00"),
        # Beyond the planning horizon: no next time said yet.
        ("每年7月1日9:00 七一表彰会", "七一表彰会", "每年7月1日 9:00",
         "顺延到下一个工作日", ""),
        ("每半年 12月20日 10:00 党员大会", "党员大会", "每半年（6月、12月的20日） 10:00",
         "顺延到下一个工作日", "12月21日（周一）10:00"),
        # A range sets the meeting's end, as in the guided flow.
        ("下周三15:30-17:00 支委会", "支委会", "仅一次：12月2日（周三）15:30–17:00",
         "顺延到下一个工作日", "12月2日（周三）15:30"),
        ("明天下午三点到五点 座谈会", "座谈会", "仅一次：11月26日（周四）15:00–17:00",
         "顺延到下一个工作日", "11月26日（周四）15:00"),
        ("每周四 下午3点到5点 支委会", "支委会", "每周四 15:00–17:00",
         "顺延到下一个工作日", "11月26日（周四）15:00"),
    ],
)  # fmt: skip
async def test_cadences_and_ranges_in_one_line(
    chat: ChatHarness, line: str, title: str, repeat: str, policy: str, next_at: str
) -> None:
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    g = chat.group("g1", unit="一支部")
    await sec.says(f"/会议 新建 {line}", g)
    sec.hears("请确认会议安排", title, f"时间：{repeat}\n", f"遇节假日：{policy}")
    await sec.says("确认", g)
    sec.hears(f"已安排「{title}」（编号 1）。" + (f"下次：{next_at}" if next_at else ""))


async def test_a_cadence_word_left_over_never_makes_a_one_off(chat: ChatHarness) -> None:
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    g = chat.group("g1", unit="一支部")
    # "每两周" is no repeat the bot knows: 15:00 alone must not become today's meeting.
    await sec.says("/会议 新建 每两周 15:00 党课", g)
    sec.hears("没看懂开会时间", "会议类型？")
    assert not any("仅一次" in m for m in sec.last)


async def test_a_skipped_year_is_said_in_the_one_line_preview(chat: ChatHarness) -> None:
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    g = chat.group("g1", unit="一支部")
    await sec.says("/会议 新建 2月29日15:00 党课", g)
    sec.hears("2027年没有2月29日，按2028年2月29日理解。", "仅一次：2月29日（周二）15:00")


async def test_a_repeating_meeting_may_be_named_with_a_cadence_word(chat: ChatHarness) -> None:
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    g = chat.group("g1", unit="一支部")
    await sec.says("/会议 新建 每周三16:00 每周例会", g)
    sec.hears("请确认会议安排", "每周例会", "时间：每周三 16:00")
