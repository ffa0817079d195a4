"""A colleague who did a bit of everything, and ways to look for them afterwards.

王小明 (PERSON_ID) is a member of 一支部 and, granted by the admin, secretary of
二支部. In one week they check in to a meeting (as its 记录人), ask leave ahead
of the next 支委会, vote in a named and an anonymous poll, answer one call by
name and one anonymously, write a named and an anonymous suggestion, set
二支部's term dates and a 廉政 occasion and setting, sign in to the console and
record there a meeting they hosted. 张老师 does the same beside them, so no
count is theirs alone.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.roles import Actor
from bot.schema import metadata as gather
from handlers import FEATURES
from handlers.checkin.ledger import build_checkin_ledger
from handlers.feedback.report import build_feedback_export
from handlers.polls.results import build_poll_export
from handlers.reminders.occasions import occasion_from, split_occasion
from handlers.reminders.occasions import store as store_occasion
from handlers.supervision.overview import export_supervision
from storage.console import ConsoleSession
from storage.models import Person, Unit
from storage.school import set_lianzheng_option
from storage.supervision import Cadence
from tests.handlers.feedback_helpers import answer, open_call
from tests.handlers.polls_helpers import ANON_SINGLE, NAMED_SINGLE
from tests.harness import ChatHarness, Group, User

metadata = gather(FEATURES)

PERSON_ID, PERSON_NAME = "wx-7f3a9c", "王小明"
NAMED_OPINION = "建议主题党日走进社区"
ANON_OPINION = "读书班可以改到周四"
NAMED_SUGGESTION = "教师节活动可以更简朴"
ANON_SUGGESTION = "食堂的菜太咸了"
LINK = re.compile(r"(/console/login\?t=\S+)")
AHEAD_REASON = "到市里出差"
TERMS = "2026-09-01至2027-01-22，2027-02-22至2027-07-09"
OCCASION = "校庆 每年10月15日 提前2天 校庆期间严守廉洁纪律"
RECORDED_ON = "2026-11-27"


@dataclass
class Cast:
    admin: User
    sec: User
    person: User
    zhang: User
    g: Group
    cookie: str


async def a_busy_week(chat: ChatHarness) -> Cast:
    """Everything above, with every poll and call closed; the person's console cookie."""
    admin = chat.user("admin1", "周主任", role="admin")
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    person = chat.user(PERSON_ID, PERSON_NAME, unit="一支部")
    zhang = chat.user("t2", "张老师", unit="一支部")
    chat.user("sec2", "孙书记", role="secretary", unit="二支部")
    g = chat.group("g1", unit="一支部")

    await admin.says(f"/授权 {PERSON_ID} 书记 二支部")
    admin.hears("已授予")

    await sec.says("/签到 发起 主题党日 截止 21:00 主持人 李书记 记录人 王小明", g)
    await person.says("签到", g)
    await zhang.says("请假 外出培训", g)

    await sec.says("/会议 新建 每月第三个周五15:00 支委会", g)
    await sec.says("确认", g)
    sec.hears("已安排「支委会」")
    await person.says(f"请假 下次支委会 {AHEAD_REASON}", g)
    person.hears("已登记您「支委会」")

    await person.says(f"/提醒 学期 {TERMS}")
    person.hears("已设置二支部的 2 个学期")
    # The 廉政 calendar's settings are an admin's; theirs from a time they were one.
    async with chat.db.transaction() as s:
        key, now = f"local:{PERSON_ID}", chat.clock.now()
        said = split_occasion(OCCASION)
        store_occasion(s, occasion_from(*said, now.astimezone(chat.settings.tz).date()), key, now)
        await set_lianzheng_option(s, "zhongkao", "06-16", key, now)

    await sec.says("/投票 新建", g)
    for step in (*ANON_SINGLE, "确认"):
        await sec.says(step, g)
    for voter, choice in ((person, "1"), (zhang, "3")):
        await voter.says(f"投票 {choice}")
        await voter.says("确认")
        voter.hears("已收到您的匿名投票")
    await sec.says("/投票 新建", g)
    for step in (*NAMED_SINGLE, "确认"):
        await sec.says(step, g)
    # Two polls are open in the group: the vote names which (#2, the named one).
    await person.says("投票 #2 1", g)
    await zhang.says("投票 #2 2", g)

    await open_call(sec, g)
    await answer(person, f"{NAMED_OPINION}\n完成", way="实名")
    await answer(zhang, "无意见")

    for text, way in ((NAMED_SUGGESTION, "实名"), (ANON_SUGGESTION, "匿名")):
        await person.says("/意见箱")
        await person.says(f"{text}\n完成")
        await person.says(way)
        await person.says("确认")
        person.hears("投入意见箱")
    await sec.says("/回复 1 收到，谢谢")
    await person.says("/回复 1 辛苦了")

    # The next week: the first call and both polls are closed; a second call,
    # answered anonymously, closes too.
    await chat.advance(days=3)
    await open_call(sec, g, deadline="12月4日17:00")
    await answer(person, f"{ANON_OPINION}\n完成", way="匿名")
    await answer(zhang, "无意见")
    await chat.advance(days=6)
    cookie = await sign_in(chat, person)
    await record_meeting(chat, person, cookie, "二支部", host=PERSON_NAME)
    return Cast(admin, sec, person, zhang, g, cookie)


async def record_meeting(chat: ChatHarness, user: User, cookie: str, unit: str, host: str) -> None:
    """Record a 支委会 held without the bot on its unit's 督导 page, as its secretary does."""
    assert chat.client is not None
    async with chat.db.reading() as s:
        unit_id = await s.scalar(select(Unit.id).where(Unit.name == unit))
        kind_id = await s.scalar(select(Cadence.id).where(Cadence.name == "支委会"))
        csrf = await s.scalar(
            select(ConsoleSession.csrf)
            .join(Person, Person.id == ConsoleSession.person_id)
            .where(Person.platform_user_id == user.user_id)
        )
    form = {
        "csrf": str(csrf),
        "day": RECORDED_ON,
        "kind": str(kind_id),
        "place": "二楼党员活动室",
        "host": host,
        "expected": "6",
        "attended": "5",
        "leave": "1",
    }
    resp = await chat.client.post(
        f"/console/supervision/{unit_id}",
        data=form,
        cookies={"tongxin_console": cookie},
        allow_redirects=False,
    )
    assert resp.status == 303, await resp.text()


async def sign_in(chat: ChatHarness, user: User) -> str:
    """Ask for the console link and open it, as a secretary's browser does; the cookie."""
    assert chat.client is not None
    chat.app.settings.public_url = str(chat.client.make_url("")).rstrip("/")
    await user.says("/后台")
    found = LINK.search(user.last[0])
    assert found, user.last
    resp = await chat.client.get(found.group(1), allow_redirects=False)
    assert resp.status == 303
    return resp.cookies["tongxin_console"].value


async def console_status(chat: ChatHarness, cookie: str) -> int:
    assert chat.client is not None
    resp = await chat.client.get(
        "/console/", cookies={"tongxin_console": cookie}, allow_redirects=False
    )
    return resp.status


async def person_id(chat: ChatHarness, user_id: str) -> int | None:
    async with chat.db.reading() as s:
        return await s.scalar(
            select(Person.id).where(Person.platform == "local", Person.platform_user_id == user_id)
        )


async def where_found(chat: ChatHarness, words: list[str]) -> list[str]:
    """Every `table.column` whose stored value holds any of `words`: text, JSON (as
    stored and as decoded), and bytes."""
    needles = [*words, *(json.dumps(w)[1:-1] for w in words)]
    found = []
    async with chat.db.reading() as s:
        for table in metadata.sorted_tables:
            for row in await s.execute(select(table)):
                for column, value in row._mapping.items():
                    shown = [json.dumps(value, ensure_ascii=False, default=repr)]
                    if isinstance(value, bytes):
                        shown.append(value.decode("utf-8", "replace"))
                    if isinstance(value, str):
                        shown.append(value)
                    if any(n in text for n in needles for text in shown):
                        found.append(f"{table.name}.{column}")
    return sorted(set(found))


async def pointing_at(chat: ChatHarness, pid: int) -> list[str]:
    """Every `table.column` referring to people.id that holds `pid`."""
    found = []
    async with chat.db.reading() as s:
        for table in metadata.sorted_tables:
            for column in table.columns:
                if any(fk.column.table.name == "people" for fk in column.foreign_keys):
                    n = await s.scalar(select(func.count()).where(column == pid))
                    if n:
                        found.append(f"{table.name}.{column.name}")
    return sorted(found)


def cells(content: bytes) -> list[list[str]]:
    """Every row of every sheet of an XLSX, as text."""
    book = load_workbook(io.BytesIO(content))
    return [
        [f"{sheet.title}", *("" if v is None else str(v) for v in row)]
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
    ]


def numbers(rows: list[list[str]], user_id: str) -> list[str]:
    """Every number in the rows, sorted, but those in a user id."""
    found = (re.findall(r"\d+(?:\.\d+)?", c.replace(user_id, "")) for r in rows for c in r)
    return sorted(n for ns in found for n in ns)


async def ledgers(chat: ChatHarness, year: int = 2026) -> dict[str, list[list[str]]]:
    """The check-in ledger, both polls' and both calls' XLSX, and the 督导 table of
    every unit, as text rows."""
    admin = Actor(0, "local", "admin1", "周主任", is_admin=True)
    now = chat.clock.now().astimezone(chat.settings.tz)
    async with chat.db.reading() as s:
        unit = await s.scalar(select(Unit.id).where(Unit.name == "一支部"))
        assert unit is not None
        files = {"checkins": await build_checkin_ledger(s, unit, year)}
        _, files["supervision"] = await export_supervision(s, admin, {"year": str(year)}, now)
        for poll in (1, 2):  # 1: anonymous, 2: named
            content = await build_poll_export(s, poll)
            assert content is not None
            files[f"poll {poll}"] = content
        for call in (1, 2):
            files[f"call {call}"] = await build_feedback_export(s, call)
    return {name: cells(content) for name, content in files.items()}


def as_after(rows: list[list[str]], before: tuple[str, str], after: tuple[str, str]) -> Any:
    """Rows with `before`'s name and id written as `after`'s, in a stable order."""
    (old_name, old_id), (new_name, new_id) = before, after
    return sorted(
        [c.replace(old_id, new_id).replace(old_name, new_name) for c in row] for row in rows
    )
