"""Anonymous answers and the 意见箱 relay: it works both ways, and nothing kept
in the database or written to the logs ties what was written to its author."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from sqlalchemy import select, text

from bot.schema import metadata as gather
from handlers import FEATURES
from storage.models import Person
from storage.people import add_membership, touch_person, unit_by_name
from tests.handlers.recorder import Recorder
from tests.harness import ChatHarness

metadata = gather(FEATURES)

pytestmark = pytest.mark.chat(recording=True)


AUTHOR_ID, AUTHOR_NAME = "wx-7f3a9c", "王晓明"
SECRETS = (
    "食堂的菜太咸了,希望少放盐",
    "下周能否答复具体措施",
    "已转告食堂,本周起调整",
    "建议把读书班改到周四",
)


async def dump(chat: ChatHarness) -> dict[str, list[dict[str, Any]]]:
    tables: dict[str, list[dict[str, Any]]] = {}
    async with chat.db.reading() as session:
        for table in metadata.sorted_tables:
            rows = await session.execute(select(table))
            tables[table.name] = [dict(row._mapping) for row in rows]
    return tables


async def xmins(chat: ChatHarness, query: str, **params: Any) -> set[str]:
    async with chat.db.reading() as session:
        return set((await session.scalars(text(query), params)).all())


async def xmins_of_author(chat: ChatHarness, pid: int | None) -> set[str]:
    return await xmins(
        chat,
        "SELECT xmin::text FROM people WHERE id = :p"
        " UNION SELECT xmin::text FROM feedback_members WHERE person_id = :p",
        p=pid,
    )


async def xmins_of_anonymous(chat: ChatHarness) -> set[str]:
    found = await xmins(
        chat,
        "SELECT xmin::text FROM feedback_opinions WHERE person_id IS NULL"
        " UNION SELECT xmin::text FROM suggestions WHERE author_person_id IS NULL"
        " UNION SELECT xmin::text FROM suggestion_messages WHERE from_author",
    )
    assert found
    return found


def text_of(row: dict[str, Any]) -> str:
    return json.dumps(row, ensure_ascii=False, default=repr)


async def test_anonymous_relay_both_ways_leaves_no_link(
    chat: ChatHarness, caplog: pytest.LogCaptureFixture, recorder: Recorder
) -> None:
    caplog.set_level(logging.INFO)  # the default TONGXIN_LOG_LEVEL
    caplog.set_level(logging.DEBUG, logger="tongxin")
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    author = chat.user(AUTHOR_ID, AUTHOR_NAME, unit="一支部")
    other = chat.user("t2", "张老师", unit="一支部")
    g = chat.group("g1", unit="一支部")

    # An anonymous answer to a call.
    await sec.says("/征求意见 新建", g)
    for answer in ("读书班安排", "请提意见", "无", "11月28日17:00", "1", "允许匿名", "确认"):
        await sec.says(answer, g)
    await author.says("/反馈")
    await author.says(f"{SECRETS[3]}\n完成")
    await author.says("匿名")
    await author.says("确认")
    author.hears("匿名反馈，回执编号 FK")
    receipt = author.last[-1].rsplit(" ", 1)[-1].rstrip("。")

    # An anonymous suggestion, answered, and answered back.
    await author.says("/意见箱")
    author.hears("请写下您的意见或建议")
    await author.says(SECRETS[0])
    await author.says("完成")
    author.hears("实名还是匿名？")
    await author.says("匿名")
    author.hears(SECRETS[0], "（匿名）")
    await author.says("确认")
    author.hears("编号稍后私聊告诉您")
    # The number comes from the transaction that writes the suggestion, apart.
    assert any("已投入意见箱，编号 #1" in m for m in recorder.to(AUTHOR_ID))
    note = (await sec.inbox())[-1]
    assert "意见箱收到新建言 #1（匿名）" in note and SECRETS[0] in note
    assert AUTHOR_NAME not in note and AUTHOR_ID not in note

    await sec.says(f"/回复 1 {SECRETS[2]}")
    sec.hears("已转达（建言 #1）")
    relayed = recorder.to(AUTHOR_ID)
    assert any("书记回复了您的建言 #1" in m and SECRETS[2] in m for m in relayed)

    await author.says(f"/回复 #1 {SECRETS[1]}")
    author.hears("已转达（建言 #1）")
    back = (await sec.inbox())[-1]
    assert "建言 #1 的匿名建言人补充" in back and SECRETS[1] in back
    assert AUTHOR_NAME not in back

    # Nobody else can speak on the thread, and groups are refused.
    await other.says("/回复 1 我来冒充一下")
    other.hears("没有找到您可以回复的建言 #1")
    await other.says("/回复 9 你好")
    other.hears("没有找到您可以回复的建言 #9")
    await author.says("/意见箱", g)
    author.hears("意见箱请私聊我使用")
    await sec.says("/回复 1")
    sec.hears("用法：/回复 编号 内容")
    await sec.says("/意见箱 列表")
    sec.hears("#1 一支部 11月25日（匿名，往来 2 条）", SECRETS[0])
    assert AUTHOR_NAME not in "\n".join(sec.last)

    # What the database keeps: no row with any of the texts names the author,
    # and nothing addressed to the author still says anything.
    async with chat.db.reading() as session:
        author_pid = await session.scalar(
            select(Person.id).where(Person.platform_user_id == AUTHOR_ID)
        )
    tables = await dump(chat)
    assert tables["conversations"] == []
    found = set()
    for name, rows in tables.items():
        for row in rows:
            content = text_of(row)
            mentions_author = AUTHOR_ID in content or AUTHOR_NAME in content
            holds = [s for s in (*SECRETS, receipt) if s in content]
            found.update(holds)
            assert not (mentions_author and holds), f"{name} links the author: {row}"
            if holds:
                person_refs = {k: v for k, v in row.items() if k.endswith("person_id")}
                assert author_pid not in person_refs.values(), f"{name}: {row}"
    assert found == {*SECRETS, receipt}  # all kept, none beside the author
    purged = [r for r in tables["outbox"] if r["body"].get("purged")]
    assert purged and all(r["chat_id"] == "" for r in purged)
    assert all(r["payload"] is None for r in tables["inbound_messages"])

    # PostgreSQL stamps each row with its writer's transaction (xmin): the
    # anonymous rows were written in transactions that touched no row of the author.
    if not chat.db.is_sqlite:
        assert not await xmins_of_author(chat, author_pid) & await xmins_of_anonymous(chat)

    # And the logs.
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert not any(s in logged for s in (*SECRETS, receipt))
    assert AUTHOR_ID not in logged and AUTHOR_NAME not in logged


async def test_named_suggestion_and_who_may_write(chat: ChatHarness, recorder: Recorder) -> None:
    sec = chat.user("sec2", "周书记", role="secretary", unit="二支部")
    chat.user("sec1", "李书记", role="secretary", unit="一支部")
    both = chat.user("t1", "王老师", unit="一支部")
    nobody = chat.user("t9", "新来的老师")
    await nobody.says("/意见箱")
    nobody.hears("您还不在任何支部的名册上")

    async with chat.db.transaction() as s:  # 王老师 is on both rosters
        unit = await unit_by_name(s, "二支部")
        assert unit is not None
        pid = await touch_person(s, "local", "t1", "王老师", chat.clock.now())
        await add_membership(s, pid, unit.id)

    await both.says("/意见箱")
    both.hears("向哪个支部提建议？", "1. 二支部", "2. 一支部")
    await both.says("1")
    await both.says("教师节活动可以更简朴\n完成")
    await both.says("实名")
    both.hears("请确认投入二支部意见箱的建言（实名）")
    await both.says("确认")
    both.hears("编号 #1")
    assert "（实名：王老师）" in (await sec.inbox())[-1]

    await sec.says("/回复 1 好的，按您说的办")
    assert any("好的" in m for m in recorder.to("t1"))
    await both.says("/回复 1 谢谢")
    assert "建言 #1 的王老师补充" in (await sec.inbox())[-1]
    other_sec = chat.users["sec1"]
    await other_sec.says("/回复 1 我也说一句")
    other_sec.hears("没有找到您可以回复的建言 #1")
    await other_sec.says("/意见箱 列表")
    other_sec.hears("意见箱里还没有建言。")
    await sec.says("/意见箱 列表")
    sec.hears("#1 二支部 11月25日（王老师，往来 2 条）", "教师节活动可以更简朴")
    await both.says("/意见箱 列表")
    both.hears("需要支部书记权限")
