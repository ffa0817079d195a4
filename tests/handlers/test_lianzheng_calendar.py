"""/廉政日历: subscribe, see, unsubscribe, edit the texts; the day's reminder reaches the group."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.harness import ChatHarness

SH = ZoneInfo("Asia/Shanghai")


async def test_subscribed_group_gets_the_fanfubai_day_with_admin_text(chat: ChatHarness) -> None:
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    teacher = chat.user("t1", "王老师", unit="一支部")
    admin = chat.user("adm", "赵主任", role="admin")
    g = chat.group("g1", unit="一支部")
    other = chat.group("g2", unit="一支部")
    await teacher.says("/廉政日历 开启", g)
    teacher.hears("支部书记")
    await sec.says("/廉政日历 开启", g)
    sec.hears("本群已开启廉政日历")
    await sec.says("/calendar on", g)
    sec.hears("已经开启")
    await teacher.says("/廉政日历 查看", g)
    teacher.hears("2026年廉政日历", "2026-12-09 周三  国际反腐败日", "本群已开启")
    await admin.says("/廉政日历 模板 反腐败日 今天是国际反腐败日，{holiday")
    admin.hears("花括号")
    await admin.says("/廉政日历 模板 反腐败日 今天是国际反腐败日，请重温廉洁自律准则。")
    admin.hears("已更新「反腐败日」模板")
    await admin.says("/廉政日历 模板")
    admin.hears("已修改：反腐败日")
    await chat.run_until(datetime(2026, 12, 9, 9, 5, tzinfo=SH))
    said = await g.messages()
    assert any(
        m.startswith("【国际反腐败日】\n今天是国际反腐败日") and "请重温廉洁" in m for m in said
    )
    assert not any("反腐败日" in m for m in await other.messages())
    await sec.says("/廉政日历 关闭", g)
    sec.hears("已关闭")


async def test_template_reset_and_unknown(chat: ChatHarness) -> None:
    admin = chat.user("adm", "赵主任", role="admin")
    await admin.says("/廉政日历 模板 元宵")
    admin.hears("没有「元宵」这个模板")
    await admin.says("/廉政日历 模板 节前 {holiday}将至，请廉洁过节。")
    await admin.says("/廉政日历 模板 节前")
    admin.hears("（已修改）", "{holiday}将至")
    await admin.says("/廉政日历 模板 节前 默认")
    admin.hears("恢复默认")
    await admin.says("/廉政日历 模板 节前")
    admin.hears("（默认）", "中央八项规定")
    await admin.says("/廉政日历 开启")
    admin.hears("请在要接收廉政提醒的群里")


async def test_a_year_without_holiday_data_goes_out_estimated(chat: ChatHarness) -> None:
    # 元旦 2027: no table, and chinesecalendar stops at 2026 — an estimate, with a note.
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    g = chat.group("g1", unit="一支部")
    await sec.says("/廉政日历 开启", g)
    await chat.run_until(datetime(2026, 12, 31, 9, 5, tzinfo=SH))
    said = [m for m in await g.messages() if m.startswith("【元旦前廉政提醒】")]
    assert len(said) == 1 and "放假安排尚未公布" in said[0]
