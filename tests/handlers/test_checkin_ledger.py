"""The 签到台账 in chat and as XLSX, and check-ins opened by a starting meeting."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.events import MeetingStarted
from bot.timers import JobContext
from handlers.checkin.ledger import build_checkin_ledger, export_cli
from storage.people import unit_by_name
from tests.handlers.checkin_helpers import branch, two_meetings
from tests.harness import ChatHarness


async def test_ledger_in_chat_and_its_workbook(chat: ChatHarness) -> None:
    sec, (wang, _, _), g = await two_meetings(chat)
    await sec.says("/签到 台账 2026", g)
    sec.hears(
        "一支部 2026 年签到台账，共 2 次会议：",
        "11-25 主题党日：应到 4，实到 2（迟到 1），请假 1，缺席 1",
        "11-26 政治学习：应到 4，实到 3，请假 1，缺席 0",
        "台账表格已生成：",
    )
    path = Path(sec.last[0].split("台账表格已生成：")[1].strip())
    wb = load_workbook(path)
    meetings = list(wb["会议"].iter_rows(values_only=True))
    assert meetings[0][3:10] == ("应到", "实到", "迟到", "请假", "缺席", "出席率", "名单外")
    assert meetings[0][12:] == ("地点", "主持人", "记录人", "议题")
    assert meetings[1][:10] == ("2026-11-25", "20:00", "主题党日", 4, 2, 1, 1, 1, 0.5, 1)
    assert meetings[1][10:12] == ("张老师（外出培训）", "赵老师")
    assert meetings[2][2:10] == ("政治学习", 4, 3, 0, 1, 0, 0.75, 0)
    # Printable: a frozen bold header, widths by content, the rate as a percentage.
    sheet = wb["会议"]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b
    assert sheet["I2"].number_format == "0.0%"
    assert sheet.column_dimensions["K"].width >= 2 * len("张老师（外出培训）")
    people = {row[0]: row for row in wb["个人出勤"].iter_rows(values_only=True)}
    assert people["姓名"][7:] == ("11-25 主题党日", "11-26 政治学习")
    # 姓名, 用户ID, 应到, 出席, 迟到, 请假, 缺席, then one column per meeting.
    assert people["王老师"] == ("王老师", "t1", 2, 1, 1, 0, 0, "迟到", "出席")
    assert people["赵老师"] == ("赵老师", "t3", 2, 0, 0, 1, 1, "缺席", "请假")
    assert people["钱老师"] == ("钱老师", "x1", 0, 0, 0, 0, 0, "名单外出席", "—")
    await wang.says("/签到 台账 2026", g)
    wang.hears("需要支部书记权限")


async def test_ledger_in_direct_chat_and_bad_input(chat: ChatHarness) -> None:
    sec, _, _ = await two_meetings(chat)
    await sec.says("/签到 台账")
    sec.hears("一支部 2026 年签到台账，共 2 次会议")
    await sec.says("/签到 台账 26")
    sec.hears("年份请写 1901–2099 之间的 4 位数字")
    for year in ("9999", "0000"):  # years no calendar holds are refused, not crashed on
        await sec.says(f"/签到 台账 {year}")
        sec.hears("年份请写 1901–2099 之间的 4 位数字")
    await sec.says("/签到 台账 2025 一支部")
    sec.hears("一支部 2025 年还没有签到记录")
    await sec.says("/签到 台账 2026 五支部")
    sec.hears("没有「五支部」这个支部")
    other = chat.user("sec2", "周书记", role="secretary", unit="二支部")
    await other.says("/签到 台账 2026 一支部")
    other.hears("您不是该支部的书记")


async def test_export_command_writes_the_same_counts(
    chat: ChatHarness, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await two_meetings(chat)
    out = tmp_path / "ledger.xlsx"
    rt = chat.app.runtime
    code = await export_cli(rt, ["--unit", "一支部", "--year", "2026", "--out", str(out)])
    assert code == 0
    assert capsys.readouterr().out.strip() == str(out.resolve())
    rows = list(load_workbook(out)["会议"].iter_rows(min_row=2, values_only=True))
    assert [r[3:8] for r in rows] == [(4, 2, 1, 1, 1), (4, 3, 0, 1, 0)]
    capsys.readouterr()
    assert await export_cli(rt, ["--unit", "五支部", "--year", "2026"]) == 2
    assert "tongxin: 没有「五支部」这个单位" in capsys.readouterr().err
    assert await export_cli(rt, ["--year", "2026"]) == 2
    said = "tongxin: 缺少参数 --unit。用 tongxin export checkins --help 查看用法。\n"
    assert capsys.readouterr().err == said
    assert await export_cli(rt, ["--unit", "一支部", "--year", "二〇二六"]) == 2
    assert "tongxin: --year 的值 二〇二六 不是整数。" in capsys.readouterr().err
    assert await export_cli(rt, ["--unit", "一支部", "--year", "9999"]) == 2
    assert "tongxin: --year 请写 1901–2099 之间的 4 位数字" in capsys.readouterr().err
    async with chat.db.reading() as s:
        unit = await unit_by_name(s, "一支部")
        assert unit is not None
        empty = await build_checkin_ledger(s, unit.id, 2024)
    sheet = load_workbook(io.BytesIO(empty))["会议"]
    assert sheet.max_row == 1


async def test_meeting_started_opens_one_check_in(chat: ChatHarness) -> None:
    _, (wang, _, _), g = branch(chat)
    await chat.setup_people()
    rt = chat.app.runtime
    ends = chat.clock.now() + timedelta(hours=2)
    for _ in range(2):
        async with chat.db.transaction() as s:
            job = JobContext(s, rt, chat.clock.now())
            started = MeetingStarted(
                "local", "g1", "支部党员大会", None, ends, "meeting:7:2026-11-25"
            )
            await rt.emit(job, started)
            await rt.send(s, job.out)
        await chat.settle()
    opened = [m for m in await g.messages() if "开始签到" in m]
    assert opened == [
        "「支部党员大会」开始签到，截止 20:15，应到 4 人。\n"
        "请 @我 发送「签到」或「到」；不能参加的发送「请假 原因」。\n"
        "截止后到 22:00 仍可签到，记为迟到。"
    ]
    await chat.advance(minutes=20)
    await wang.says("签到", g)
    wang.hears("记为迟到")
    await chat.advance(hours=2)
    # It closed at 22:00, when the quiet hours begin: the count waits for the morning.
    assert not await g.received("签到结束")
    await chat.advance(hours=9)
    assert await g.received("签到结束。「支部党员大会」应到 4，实到 1（迟到 1）")


async def test_the_ledger_keeps_what_was_said_of_the_meeting(chat: ChatHarness) -> None:
    sec, _, g = branch(chat)
    await sec.says(
        "/签到 发起 支部党员大会 截止 20:30 地点 三楼会议室 主持人 李书记 记录人 王老师 "
        "议题 学习党章，讨论发展对象",
        g,
    )
    await sec.says("/签到 结束", g)
    await sec.says("/签到 台账 2026", g)
    path = Path(sec.last[0].split("台账表格已生成：")[1].strip())
    row = list(load_workbook(path)["会议"].iter_rows(values_only=True))[1]
    assert row[12:] == ("三楼会议室", "李书记", "王老师", "学习党章，讨论发展对象")
