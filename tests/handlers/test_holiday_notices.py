"""The State Council's notice: the admins are warned while a year's notice is worth loading
(January included), a partial notice is named for what it lacks and keeps it estimated."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.harness import ChatHarness, User

SH = ZoneInfo("Asia/Shanghai")
# A whole notice for 2027, one row per holiday (the days are made up for the test).
NOTICE_2027 = "\n".join(
    [
        "2027-01-01~2027-01-03,休,元旦",
        "2027-02-05~2027-02-13,休,春节",
        "2027-04-03~2027-04-05,休,清明节",
        "2027-05-01~2027-05-05,休,劳动节",
        "2027-06-09~2027-06-11,休,端午节",
        "2027-09-15~2027-09-17,休,中秋节",
        "2027-10-01~2027-10-07,休,国庆节",
    ]
)


async def warnings(admin: User) -> list[str]:
    return [m for m in await admin.inbox() if m.startswith("【放假安排提醒】")]


@pytest.mark.chat(start=datetime(2027, 1, 2, 10, 0, tzinfo=SH))
async def test_january_is_warned_while_spring_festival_is_ahead(chat: ChatHarness) -> None:
    admin = chat.user("adm", "赵主任", role="admin")
    await admin.says("/提醒 状态")
    # Monday 2027-01-04: 元旦 is over, the rest of the year is still a guess.
    await chat.run_until(datetime(2027, 1, 4, 9, 5, tzinfo=SH))
    said = await warnings(admin)
    assert len(said) == 1
    assert "2027 年的放假安排还缺：春节、清明节、劳动节、端午节、中秋节、国庆节" in said[0]
    await admin.says("/提醒 放假安排\n2027-10-01~2027-10-07,休,国庆节")
    admin.hears("2027 年还缺：元旦、春节、清明节、劳动节、端午节、中秋节")
    # The next Monday's warning names what is still missing, 国庆 no longer.
    await chat.run_until(datetime(2027, 1, 11, 9, 5, tzinfo=SH))
    said = await warnings(admin)
    assert len(said) == 2 and "还缺：春节、清明节、劳动节、端午节、中秋节。" in said[1]
    await admin.says("/提醒 放假安排\n" + NOTICE_2027)
    admin.hears("已载入 2027 年放假安排")
    assert "还缺" not in admin.last[0]
    await chat.run_until(datetime(2027, 2, 1, 9, 5, tzinfo=SH))
    assert len(await warnings(admin)) == 2


async def test_from_october_next_year_is_warned_until_wholly_loaded(chat: ChatHarness) -> None:
    admin = chat.user("adm", "王书记", role="admin")
    await admin.says("/提醒 状态")
    admin.hears("免打扰时段：22:00-07:00")
    # Wednesday 2026-11-25: Monday 11-30 9:0x the admins hear of all of 2027.
    await chat.run_until(datetime(2026, 11, 30, 9, 5, tzinfo=SH))
    said = await warnings(admin)
    assert len(said) == 1 and "2027 年的放假安排尚未载入" in said[0]
    await admin.says("/提醒 放假安排\n2027-01-01,休,元旦\n2027-10-01~2027-10-07,休,国庆节")
    admin.hears("已载入 2027 年放假安排 8 天", "2027 年还缺：春节、清明节、劳动节、端午节、中秋节")
    await chat.run_until(datetime(2026, 12, 7, 9, 5, tzinfo=SH))
    said = await warnings(admin)
    assert len(said) == 2 and "还缺：春节、清明节、劳动节、端午节、中秋节。" in said[1]
    await admin.says("/提醒 放假安排 2027-13-01,休,元旦")
    admin.hears("第1行")
    await admin.says("/提醒 放假安排\n" + NOTICE_2027)
    await chat.run_until(datetime(2026, 12, 21, 9, 5, tzinfo=SH))
    assert len(await warnings(admin)) == 2
