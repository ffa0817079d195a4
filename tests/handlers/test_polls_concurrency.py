"""Ballots sent at the same instant: the database decides, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import func, select

from storage.polls import PollTally, PollVote, PollVoter
from tests.handlers.polls_helpers import ANON_SINGLE, NAMED_SINGLE, branch, create
from tests.harness import ChatHarness, Group, User


def body(user: User, text: str, msg_id: str, group: Group | None = None) -> dict[str, Any]:
    return {
        "chat_id": group.chat_id if group else user.user_id,
        "chat_type": "group" if group else "direct",
        "sender_id": user.user_id,
        "sender_name": user.name,
        "text": text,
        "msg_id": msg_id,
    }


async def at_once(chat: ChatHarness, *bodies: dict[str, Any]) -> None:
    results = await asyncio.gather(*(chat.post(b) for b in bodies))
    assert all(status == 200 for status, _ in results), results
    await chat.settle()


async def tallies(chat: ChatHarness) -> dict[int, int]:
    async with chat.db.reading() as s:
        rows = await s.execute(select(PollTally.choice, PollTally.count))
        return {choice: n for choice, n in rows}


async def voters(chat: ChatHarness) -> int:
    async with chat.db.reading() as s:
        return int(await s.scalar(select(func.count()).select_from(PollVoter)) or 0)


async def test_anonymous_ballots_at_the_same_instant(chat: ChatHarness) -> None:
    b = branch(chat)
    t1, t2, _ = b.teachers
    await create(b, *ANON_SINGLE, "确认")
    for voter in (t1, t2):
        await voter.says("投票 2")
        voter.hears("提交后不能修改")
    await at_once(chat, body(t1, "确认", "c1"), body(t2, "确认", "c2"))
    assert await tallies(chat) == {0: 0, 1: 2, 2: 0}
    assert await voters(chat) == 2


async def test_one_anonymous_ballot_confirmed_twice_at_once(chat: ChatHarness) -> None:
    b = branch(chat)
    t1 = b.teachers[0]
    await create(b, *ANON_SINGLE, "确认")
    await t1.says("投票 3")
    await at_once(chat, body(t1, "确认", "d1"), body(t1, "确认", "d2"))
    assert await tallies(chat) == {0: 0, 1: 0, 2: 1}
    assert await voters(chat) == 1
    await t1.says("投票")
    t1.hears("您已经投过")


async def named(chat: ChatHarness) -> dict[str, list[int]]:
    async with chat.db.reading() as s:
        rows = await s.execute(select(PollVote.person_id, PollVote.choices))
        return {str(pid): list(c) for pid, c in rows}


async def test_named_ballots_at_the_same_instant(chat: ChatHarness) -> None:
    b = branch(chat)
    t1, t2, _ = b.teachers
    await create(b, *NAMED_SINGLE, "确认")
    await at_once(chat, body(t1, "投票 1", "n1", b.g), body(t2, "投票 2", "n2", b.g))
    assert sorted(map(tuple, (await named(chat)).values())) == [(0,), (1,)]
    # One member, two different ballots at once: exactly one stays.
    await at_once(chat, body(t1, "投票 3", "n3", b.g), body(t1, "投票 2", "n4", b.g))
    votes = await named(chat)
    assert len(votes) == 2 and await voters(chat) == 2
    await b.sec.says("/投票 结果", b.g)
    b.sec.hears("参与：2/4 人（50%）")
