"""A meeting's time as people write it: a range sets its length, the parser's notes are
said back, and a day moved on estimated holiday data says so wherever it is shown."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.events import MeetingStarted
from bot.feature import Feature
from bot.timers import JobContext
from tests.handlers.meetings_helpers import arrange
from tests.harness import ChatHarness

SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("said", "preview", "ends"),
    [
        ("下周四下午三点到五点", "每周四 15:00–17:00", datetime(2026, 12, 3, 17, 0, tzinfo=SH)),
        ("12月3日15:30-17:00", "每周四 15:30–17:00", datetime(2026, 12, 3, 17, 0, tzinfo=SH)),
        # No end: the default length of 90 minutes.
        ("12月3日15:00", "每周四 15:00\n", datetime(2026, 12, 3, 16, 30, tzinfo=SH)),
    ],
)
async def test_a_range_sets_the_meetings_end(
    chat: ChatHarness, said: str, preview: str, ends: datetime
) -> None:
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    g = chat.group("g1", unit="一支部")
    shown = await arrange(sec, g, "每周", said)
    assert f"时间：{preview}" in shown
    seen: list[MeetingStarted] = []
    listener = Feature("listener")

    @listener.on(MeetingStarted)
    async def started(job: JobContext, event: MeetingStarted) -> None:
        seen.append(event)

    chat.app.router.features.append(listener)
    await chat.run_until(datetime(2026, 12, 3, 15, 40, tzinfo=SH))
    assert [e.ends_at for e in seen] == [ends]


async def test_times_the_flow_refuses_or_explains(chat: ChatHarness) -> None:
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    g = chat.group("g1", unit="一支部")
    for answer in ("/会议 新建", "支委会", "只开一次"):
        await sec.says(answer, g)
    await sec.says("明天下午五点到三点", g)
    sec.hears("不晚于开始时间", "开会时间？")
    await sec.says("12月3日至5日", g)
    sec.hears("请写上几点开会")
    await sec.says("明天8:00到晚上9点", g)
    sec.hears("最长 12 小时")
    # 2027 has no 2月29日: the parser's note is said before the next question.
    await sec.says("2月29日 15:00", g)
    sec.hears("2027年没有2月29日，按2028年2月29日理解。", "会议地点？")


@pytest.mark.chat(start=datetime(2027, 5, 1, 10, 0, tzinfo=SH))
async def test_a_meeting_moved_on_an_estimate_says_so(chat: ChatHarness) -> None:
    admin = chat.user("adm", "赵主任", role="admin")
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    g = chat.group("g1", unit="一支部")
    # Only 国庆 of 2027 is loaded: 端午 (6月9日, lunar 5/5) is still an estimated holiday,
    # not a workday.
    await admin.says("/提醒 放假安排 2027-10-01~2027-10-07,休,国庆节")
    admin.hears("2027 年还缺：元旦、春节、清明节、劳动节、端午节、中秋节", "仍按估算安排")
    await arrange(sec, g, "只开一次", "6月9日15:00", offsets="1天")
    await sec.says("/提醒 列表", g)
    sec.hears("6月9日（周三）15:00 会前提醒 · 支委会（日期为估算）")
    sec.hears("6月10日（周四）15:00 会议开始（发起签到） · 支委会（日期为估算）")
    await chat.run_until(datetime(2027, 6, 10, 0, 0, tzinfo=SH))
    said = [m for m in await g.messages() if m.startswith("【会议提醒】")]
    assert len(said) == 1
    assert "将于 6月10日（周四）15:00" in said[0]
    assert "原定 6月9日（周三）15:00，因节假日顺延" in said[0]
    assert "放假安排尚未公布，调整后的日期为估算" in said[0]


@pytest.mark.parametrize(
    ("answer", "label"),
    [
        ("顺延", "顺延到下一个工作日"),
        ("照常", "照常举行"),
        ("跳过", "跳过这一次"),
        ("不开", "跳过这一次"),
        ("提前", "提前到上一个工作日"),
        ("5", "顺延到下一个工作日或调休上班日"),
    ],
)
async def test_the_holiday_answer_in_its_own_words(
    chat: ChatHarness, answer: str, label: str
) -> None:
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    g = chat.group("g1", unit="一支部")
    shown = await arrange(sec, g, "每周", "12月3日15:00", answer)
    assert f"遇节假日：{label}\n" in shown + "\n"


async def test_one_character_is_no_answer_to_guess_from(chat: ChatHarness) -> None:
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    g = chat.group("g1", unit="一支部")
    for answer in ("/会议 新建", "支委会", "每周", "12月3日15:00", "无", "本群", "默认"):
        await sec.says(answer, g)
    await sec.says("顺", g)
    sec.hears("请回复选项前的序号")
    await sec.says("顺延到下一个", g)
    sec.hears("请确认会议安排", "遇节假日：顺延到下一个工作日\n")
