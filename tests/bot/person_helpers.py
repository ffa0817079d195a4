"""A colleague who did a bit of everything, and ways to look for them afterwards.

王小明 (PERSON_ID) is a member of 一支部 and, granted by the admin, secretary of
二支部. In one week they check in to a meeting, vote in a named and an
anonymous poll, answer one call by name and one anonymously, write a named and
an anonymous suggestion, and sign in to the console. 张老师 does the same
beside them, so no count is theirs alone.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select

from bot.schema import metadata as gather
from handlers import FEATURES
from handlers.checkin.ledger import build_checkin_ledger
from handlers.feedback.report import build_feedback_export
from handlers.polls.results import build_poll_export
from storage.models import Person, Unit
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

    await sec.says("/签到 发起 主题党日 截止 21:00", g)
    await person.says("签到", g)
    await zhang.says("请假 外出培训", g)

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
    return Cast(admin, sec, person, zhang, g, cookie)


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
    """The check-in ledger, both polls' and both calls' XLSX, as text rows."""
    async with chat.db.reading() as s:
        unit = await s.scalar(select(Unit.id).where(Unit.name == "一支部"))
        assert unit is not None
        files = {"checkins": await build_checkin_ledger(s, unit, year)}
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
