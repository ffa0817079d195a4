"""The 廉政 calendar of a county's schools: each occasion its own text, the exam dates and
term dates an admin sets, the admins' own occasions, and merged days sent once."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from lunar_python import Lunar
from sqlalchemy import select

from handlers.reminders.holidays import calendar_cli
from storage.schedule import Firing
from tests.harness import ChatHarness, Group

SH = ZoneInfo("Asia/Shanghai")


async def subscribed(chat: ChatHarness) -> Group:
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    g = chat.group("g1", unit="一支部")
    await sec.says("/廉政日历 开启", g)
    sec.hears("本群已开启廉政日历")
    return g


def lunar_day(lunar_year: int, month: int, day: int) -> date:
    solar = Lunar.fromYmd(lunar_year, month, day).getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def weekday_on_or_before(day: date) -> date:
    """January 2027 has no holiday but 元旦: the weekday on or before `day`."""
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


@pytest.mark.chat(start=datetime(2026, 3, 25, 10, 0, tzinfo=SH))
async def test_each_occasion_has_its_own_editable_text(chat: ChatHarness) -> None:
    g = await subscribed(chat)
    admin = chat.user("adm", "赵主任", role="admin")
    await admin.says("/廉政日历 模板 教师节 教师节将至请拒收礼品礼金和购物卡")
    admin.hears("已更新「教师节」模板")
    await admin.says("/廉政日历 模板 清明节前")
    admin.hears("（默认）", "祭扫出行")
    # 清明 2026 is Sunday 04-05 in the holiday of 04-04 to 04-06: Friday 04-03.
    await chat.run_until(datetime(2026, 4, 3, 9, 5, tzinfo=SH))
    qingming = [m for m in await g.messages() if m.startswith("【清明话“清”】")]
    assert len(qingming) == 1
    assert "慎终追远" in qingming[0] and "清明节假期将至" in qingming[0]
    assert "节日愉快" not in qingming[0]
    # 教师节 2026 is Thursday 09-10: the day before.
    await chat.run_until(datetime(2026, 9, 9, 9, 5, tzinfo=SH))
    said = [m for m in await g.messages() if m.startswith("【教师节廉洁从教提醒】")]
    assert said == ["【教师节廉洁从教提醒】\n教师节将至请拒收礼品礼金和购物卡"]
    # 端午 (06-19 to 06-21) wishes a happy holiday, as every holiday but 清明 does.
    duanwu = [m for m in await g.messages() if m.startswith("【端午颂“洁”】")]
    assert len(duanwu) == 1 and "节日愉快" in duanwu[0]


@pytest.mark.chat(start=datetime(2027, 5, 1, 10, 0, tzinfo=SH))
async def test_an_exam_moved_onto_another_day_is_sent_with_it_once(chat: ChatHarness) -> None:
    g = await subscribed(chat)
    admin = chat.user("adm", "赵主任", role="admin")
    sec = chat.users["sec1"]
    await sec.says("/廉政日历 设置 中考 6月20日")
    sec.hears("需要管理员权限")
    await admin.says("/廉政日历 设置 中考 6月20号后")
    admin.hears("没看懂日期")
    await admin.says("/廉政日历 设置 中考 六月二十日")
    admin.hears("已设置中考日期为 6月20日")

    async def pending() -> dict[str, list[str]]:
        async with chat.db.reading() as s:
            rows = await s.execute(
                select(Firing.source, Firing.data).where(
                    Firing.source.like("lianzheng:%"), Firing.state == "pending"
                )
            )
            return {source: data.get("also", []) for source, data in rows}

    assert "lianzheng:zhongkao:2027" in await pending()
    # 6月7日 is a Monday: the day before is Sunday, so both go out on Friday 06-04.
    await admin.says("/廉政日历 设置 中考 6月7日")
    rows = await pending()
    assert "lianzheng:zhongkao:2027" not in rows
    assert rows["lianzheng:gaokao:2027"] == ["zhongkao"]
    await chat.run_until(datetime(2027, 6, 5, 0, 0, tzinfo=SH))
    said = [m for m in await g.messages() if m.startswith("【") and ("高考" in m or "中考" in m)]
    assert len(said) == 1
    assert said[0].startswith("【高考廉洁提醒暨中考及招生廉洁提醒】")
    assert "高考在即" in said[0] and "中考在即" in said[0]
    await admin.says("/廉政日历 设置")
    admin.hears("高考：6月7日", "中考：6月7日")


@pytest.mark.chat(start=datetime(2026, 12, 20, 10, 0, tzinfo=SH))
async def test_admins_add_their_own_occasions(
    chat: ChatHarness, capsys: pytest.CaptureFixture[str]
) -> None:
    await subscribed(chat)
    admin = chat.user("adm", "赵主任", role="admin")
    await admin.says("/廉政日历 添加 腊八 每年农历腊月初八 腊八节不收受节礼。")
    laba = lunar_day(2026, 12, 8)
    admin.hears(
        f"已添加「腊八」（每年农历腊月初八）。下次是 {laba.year}年{laba.month}月{laba.day}日"
    )
    await admin.says("/廉政日历 添加 招生工作 1月8日 提前3天 严守招生纪律。")
    admin.hears("已添加「招生工作」（2027年1月8日）")
    await admin.says("/廉政日历 添加 校庆 每年10月15号")
    await admin.says("/廉政日历 添加 春季运动会 2027年2月30日")
    admin.hears("没有「2027年2月30日」这一天")
    await admin.says("/廉政日历 添加 6月20日")
    admin.hears("请在日期前写上名称")
    await admin.says("/廉政日历 删除 3")
    admin.hears("已删除「校庆」")
    await admin.says("/廉政日历 设置")
    admin.hears("1. 腊八（每年农历腊月初八", "2. 招生工作（2027年1月8日，提前3天提醒")
    assert "校庆" not in admin.last[0]

    await chat.run_until(datetime(2027, 1, 31, 0, 0, tzinfo=SH))
    said = {
        datetime.fromisoformat(m["sent_at"]).astimezone(SH).date(): m["text"]
        for m in await chat.delivered("g1")
        if "腊八" in m["text"] or "招生工作" in m["text"]
    }
    assert said[date(2027, 1, 5)] == "【招生工作】\n严守招生纪律。"
    # 腊八 (2027-01-15) is the day the 寒假 reminder goes out too: one message for both.
    assert said[weekday_on_or_before(laba)].startswith("【寒假前廉洁从教提醒暨腊八】\n寒假将至")
    assert said[weekday_on_or_before(laba)].endswith("腊八节不收受节礼。")
    assert len(said) == 2
    # Every year: next 腊八 is in the listing of 2028, from lunar-python here too.
    await admin.says("/廉政日历 查看 2028")
    admin.hears(f"{weekday_on_or_before(lunar_day(2027, 12, 8)).isoformat()}")
    admin.hears("腊八")
    # `tongxin calendar` prints the county's calendar, its own occasions included.
    assert await calendar_cli(chat.app.runtime, ["2028"]) == 0
    assert "腊八" in capsys.readouterr().out


async def test_term_dates_and_party_dues_shape_the_year(chat: ChatHarness) -> None:
    admin = chat.user("adm", "赵主任", role="admin")
    await admin.says("/廉政日历 查看 2027")
    admin.hears("2027-01-15 周五  寒假前廉洁从教提醒 — 寒假 1月18日")
    assert "党费交纳提醒" not in admin.last[0]
    await admin.says("/提醒 学期 2026-09-01至2027-01-22，2027-02-22至2027-07-09")
    await admin.says("/廉政日历 设置 党费 每季度")
    admin.hears("党费提醒：每季度第一个工作日")
    await admin.says("/廉政日历 查看 2027")
    admin.hears(
        "2027-01-20 周三  寒假前廉洁从教提醒 — 寒假 1月23日",
        "2027-07-07 周三  暑假前廉洁从教提醒 — 暑假 7月10日",
    )
    assert admin.last[0].count("党费交纳提醒") == 4
    await admin.says("/廉政日历 设置")
    admin.hears("寒暑假：寒假 2027年1月23日 至 2027年2月21日", "党费：每季度第一个工作日")
