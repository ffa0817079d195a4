"""Nothing stored, nothing logged, ties an anonymous voter to a choice.

Two voters cast opposite ballots. If every table row and every log line that
mentions the first voter, with their identity blanked, is matched one for one
by a row or line mentioning the second, the records cannot tell "t1 chose A,
t2 chose C" from "t1 chose C, t2 chose A": they tie no voter to a choice.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import func, select, text

from bot.logs import quiet_drivers
from bot.schema import metadata as gather
from handlers import FEATURES
from storage.messaging import SealedWrite
from storage.models import Person
from storage.polls import PollTally
from tests.conftest import MakeChat
from tests.handlers.polls_helpers import ANON_SINGLE, branch, create
from tests.harness import ChatHarness, User

metadata = gather(FEATURES)

LABELS = ("非常好", "还可以", "需改进")
# Ids, times and keys differ between any two rows; a leak through their order
# is checked separately below.
SKIP = {"id", "msg_id", "idempotency_key", "batch", "attempts"}
PERSON_COLUMNS = {"person_id", "creator_id"}


async def dump(chat: ChatHarness) -> dict[str, list[dict[str, Any]]]:
    tables: dict[str, list[dict[str, Any]]] = {}
    async with chat.db.reading() as s:
        for table in metadata.sorted_tables:
            rows = await s.execute(select(table))
            tables[table.name] = [dict(r._mapping) for r in rows]
    return tables


def mentions(row: dict[str, Any], who: User, pid: int) -> bool:
    if any(row.get(c) == pid for c in PERSON_COLUMNS):
        return True
    flat = json.dumps(row, ensure_ascii=False, default=str)
    return who.user_id in flat or who.name in flat


def blank(row: dict[str, Any], who: User, pid: int) -> str:
    kept = {
        k: ("<P>" if k in PERSON_COLUMNS and v == pid else v)
        for k, v in row.items()
        if k not in SKIP and not k.endswith("_at")
    }
    flat = json.dumps(kept, ensure_ascii=False, default=str, sort_keys=True)
    return flat.replace(who.user_id, "<U>").replace(who.name, "<N>")


async def test_no_row_or_log_line_ties_a_voter_to_a_choice(
    chat: ChatHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    quiet_drivers()  # as `tongxin serve` configures its logs, at any level
    b = branch(chat)
    t1, t2, t3 = b.teachers
    await create(b, *ANON_SINGLE, "确认")
    # Both voters also speak in the group, so the group's records stay symmetric.
    for voter, choice in ((t1, "1"), (t2, "3")):
        await voter.says(f"投票 {choice}", b.g)
        await voter.says("投票")
        await voter.says(choice)
        voter.hears(LABELS[int(choice) - 1], "提交后不能修改")
        await voter.says("确认")
        voter.hears("已收到您的匿名投票")

    tables = await dump(chat)
    async with chat.db.reading() as s:
        pids = {
            uid: pid for uid, pid in await s.execute(select(Person.platform_user_id, Person.id))
        }
    p1, p2 = pids["t1"], pids["t2"]
    for name, rows in tables.items():
        about_t1 = Counter(blank(r, t1, p1) for r in rows if mentions(r, t1, p1))
        about_t2 = Counter(blank(r, t2, p2) for r in rows if mentions(r, t2, p2))
        assert about_t1 == about_t2, f"{name} tells the two voters apart"
        for r in rows:
            if mentions(r, t1, p1) or mentions(r, t2, p2):
                flat = json.dumps(r, ensure_ascii=False, default=str)
                assert not any(label in flat for label in LABELS), f"{name}: {r}"
    assert tables["conversations"] == []
    assert all(r["payload"] is None for r in tables["inbound_messages"])
    assert {(r["item"], r["choice"], r["count"]) for r in tables["poll_tallies"]} == {
        (0, 0, 1),
        (0, 1, 0),
        (0, 2, 1),
    }
    assert not any("time" in c or c.endswith("_at") for c in tables["poll_tallies"][0])

    # Order: every counter was rewritten by the last ballot (one xmin on
    # PostgreSQL), and SQLite's rowids still follow the publish order.
    async with chat.db.reading() as s:
        if chat.db.is_sqlite:
            order = list(
                await s.execute(text("SELECT item, choice FROM poll_tallies ORDER BY rowid"))
            )
            assert order == sorted(order)
        else:
            xmins = set(await s.scalars(text("SELECT xmin::text FROM poll_tallies")))
            assert len(xmins) == 1

    lines = [r.getMessage() for r in caplog.records]
    about_t1 = Counter(
        line.replace("t1", "<U>").replace("老师1", "<N>") for line in lines if "t1" in line
    )
    about_t2 = Counter(
        line.replace("t2", "<U>").replace("老师2", "<N>") for line in lines if "t2" in line
    )
    assert about_t1 == about_t2
    assert not any(label in line for line in lines for label in LABELS)

    # Non-voters can still be reminded, and only they are.
    await b.sec.says("/投票 提醒", b.g)
    b.sec.hears("已提醒 2 位未投票的成员")
    assert "您还没有参加「食堂服务评议」投票" in (await t3.inbox())[-1]
    for voter in (t1, t2):
        assert not any("您还没有参加" in m for m in await voter.inbox())


async def test_a_ballot_still_waiting_to_be_counted_is_counted_at_the_close(
    chat: ChatHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process stopped between a voter's transaction and the one that counts their
    ballot: the sealed row waits, and the closing counts it before the results."""
    b = branch(chat)
    await create(b, *ANON_SINGLE, "确认")

    async def stopped() -> int:
        return 0

    monkeypatch.setattr(chat.app.runtime.writes, "run_once", stopped)
    for voter, choice in zip(b.teachers, ("1", "3", "3"), strict=True):
        await voter.says(f"投票 {choice}")
        await voter.says("确认")
        voter.hears("已收到您的匿名投票")
    async with chat.db.reading() as s:
        assert await s.scalar(select(func.count()).select_from(SealedWrite)) == 3
        assert set(await s.scalars(select(PollTally.count))) == {0}
    await chat.restart()
    # Still no pass of its own: only the closing can count them.
    monkeypatch.setattr(chat.app.runtime.writes, "run_once", stopped)
    await chat.advance(days=1)
    closed = "\n".join(await b.g.messages())
    assert "1. 非常好 `███░░░░░░░` 1票 33%" in closed
    assert "3. 需改进 `███████░░░` 2票 67%" in closed
    async with chat.db.reading() as s:
        assert await s.scalar(select(func.count()).select_from(SealedWrite)) == 0


async def test_two_replicas_count_each_ballot_once(
    chat: ChatHarness, make_chat: MakeChat, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = await make_chat()  # a second process on the same database
    b = branch(chat)
    await create(b, *ANON_SINGLE, "确认")

    async def stopped() -> int:
        return 0

    run_once = chat.app.runtime.writes.run_once
    monkeypatch.setattr(chat.app.runtime.writes, "run_once", stopped)
    for voter in b.teachers:
        await voter.says("投票 2")
        await voter.says("确认")
    await asyncio.gather(run_once(), other.app.runtime.writes.run_once())
    async with chat.db.reading() as s:
        counts = dict(list(await s.execute(select(PollTally.choice, PollTally.count))))
    assert counts == {0: 0, 1: 3, 2: 0}
