"""A copy of the database, taken while the platform is down, ties nobody to an anonymous
ballot, opinion or suggestion.

The story: an anonymous poll, a call for opinions, the 意见箱, with the
platform failing throughout, so every receipt and echo waits in the
outbox, is retried and fails. Then the database is read as an attacker
would: every table with its hidden columns (rowid; xmin, xmax, ctid), the
raw bytes of SQLite's files.

The strongest check runs the story twice with the authors swapped (who
chose what, and who wrote first in the 意见箱) and compares the two copies:
if no column, no hidden one, no row order tells the runs apart, nothing in
the database can tell who wrote what.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import START
from tests.dbs import Backends
from tests.handlers.anonymity_helpers import (
    Dump,
    Failing,
    comparable,
    database_file,
    flat,
    pages,
    raw_tables,
    root_pages,
    wal_frames_by_page,
)
from tests.harness import ChatHarness, User
from tests.keys import TEST_KEY

# Same lengths, so that no sealed value's size tells one from the other.
X = ("wx-7f3a9c", "王晓明")
Y = ("wx-2b8d41", "张晓红")
LABELS = ("甲方案", "乙方案", "丙方案")
OPINIONS = ("食堂的菜太咸了希望少放盐", "建议把读书班改到周四下午")
SUGGESTIONS = ("澡堂热水时间能否延长一些", "图书室周末开放能否恢复了")
FOLLOW_UP = "下周能否答复具体措施"
SECRETS = (*OPINIONS, *SUGGESTIONS, FOLLOW_UP)
ANONYMOUS_TABLES = ("poll_tallies", "feedback_opinions", "suggestions", "suggestion_messages")


@dataclass
class Story:
    chat: ChatHarness
    x: User
    y: User
    # The inbound message ids each author sent.
    sent: dict[str, list[str]]


async def says(story: Story, who: User, *texts: str) -> None:
    for said in texts:
        await who.says(said)
        story.sent.setdefault(who.user_id, []).append(f"m{story.chat._msg}")


async def tell(chat: ChatHarness, *, swapped: bool) -> Story:
    """The story; `swapped` exchanges what X and Y chose and wrote, and who wrote first."""
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    x = chat.user(*X, unit="一支部")
    y = chat.user(*Y, unit="一支部")
    z = chat.user("wx-90e1c6", "赵晓光", unit="一支部")
    g = chat.group("g1", unit="一支部")
    story = Story(chat, x, y, {})
    options = "\n".join(LABELS) + "\n完成"
    await sec.says("/投票 新建", g)
    for answer in ("食堂改造方案", "1", options, "匿名", "截止后公布", "明天17:00", "1", "确认"):
        await sec.says(answer, g)
    sec.hears("【匿名单选】食堂改造方案")
    await sec.says("/征求意见 新建", g)
    for answer in ("后勤工作意见", "请提意见", "无", "11月28日17:00", "1", "允许匿名", "确认"):
        await sec.says(answer, g)

    # What each chose and wrote is swapped; the order they act in is not.
    picks, opinions = ("1", "3"), OPINIONS
    if swapped:
        picks, opinions = picks[::-1], opinions[::-1]
    for voter, pick in zip((x, y), picks, strict=True):
        await says(story, voter, "投票", pick)
        voter.hears(LABELS[int(pick) - 1], "提交后不能修改")
        await says(story, voter, "确认")
        voter.hears("已收到您的匿名投票")
    for author, opinion in zip((x, y), opinions, strict=True):
        await says(story, author, "/反馈", f"{opinion}\n完成", "匿名", "确认")
        author.hears("匿名反馈，回执编号 FK")

    # Who writes to the 意见箱 first is swapped: the first one's suggestion is #1.
    first, second = (y, x) if swapped else (x, y)
    for author, suggestion in zip((first, second), SUGGESTIONS, strict=True):
        await says(story, author, "/意见箱", suggestion, "完成", "匿名", "确认")
        author.hears("编号稍后私聊告诉您")
    await sec.says("/回复 1 已转告后勤本周起调整")
    sec.hears("已转达（建言 #1）")
    await says(story, first, f"/回复 1 {FOLLOW_UP}")
    first.hears("已转达（建言 #1）")

    # A third voter stops before confirming: their flow's state holds the pick.
    await z.says("投票")
    await z.says("2")
    z.hears(LABELS[1], "回复「确认」提交")
    await chat.advance(minutes=3)  # a few more failed attempts
    return story


async def run(url: str, tmp_path: Path, *, swapped: bool) -> tuple[Story, Dump]:
    # Retry jitter and the order writes are applied in are random: the same in both runs.
    random.seed(15)
    chat = ChatHarness(url, START, tmp_path, deliverers=[Failing()], secret_key=TEST_KEY)
    await chat.start()
    try:
        story = await tell(chat, swapped=swapped)
        tables = await raw_tables(chat)
        if chat.db.is_sqlite:
            await check_files(chat, story)
    finally:
        await chat.stop()
    return story, tables


def identities(story: Story, tables: Dump) -> dict[str, set[Any]]:
    """What names an author: their user id, display name, person id."""
    found: dict[str, set[Any]] = {}
    for user in (story.x, story.y):
        [person] = [p for p in tables["people"] if p["platform_user_id"] == user.user_id]
        found[user.user_id] = {user.user_id, user.name, person["id"]}
    return found


def mentions(row: dict[str, Any], marks: set[Any]) -> bool:
    as_text = flat(row)
    for mark in marks:
        if isinstance(mark, int):
            if any(k.endswith("person_id") and row[k] == mark for k in row):
                return True
        elif mark in as_text:
            return True
    return False


def check_rows(story: Story, tables: Dump) -> None:
    who = identities(story, tables)
    for name, rows in tables.items():
        for row in rows:
            holds = [s for s in (*SECRETS, *LABELS, "您的选择") if s in flat(row)]
            for user_id, marks in who.items():
                assert not (holds and mentions(row, marks)), f"{name} ties {user_id}: {row}"
                # No key or column of a row with anonymous content comes from the author's messages.
                sent = story.sent[user_id]
                assert not (holds and any(m in flat(row).split('"') for m in sent)), row
    assert tables["sealed_writes"] == []
    assert [r for r in tables["inbound_messages"] if r["payload"] is not None] == []
    # Every message to a person waits, sealed: no recipient, no text, an opaque key.
    waiting = [r for r in tables["outbox"] if r["idempotency_key"].startswith("s:")]
    assert waiting and all(r["state"] in ("pending", "failed") for r in waiting)
    assert all(
        r["chat_id"] == "" and set(r["body"]) <= {"sealed", "text", "purged"} for r in waiting
    )
    assert all(not r["body"].get("text") for r in waiting)
    # The open ballot is kept, sealed.
    [flow] = tables["conversations"]
    assert flow["flow"] == "poll.ballot" and set(flow["data"]) == {"sealed"}
    assert {(r["item"], r["choice"], r["count"]) for r in tables["poll_tallies"]} == {
        (0, 0, 1),
        (0, 1, 0),
        (0, 2, 1),
    }


def check_transactions(story: Story, tables: Dump) -> None:
    """PostgreSQL: no anonymous row shares a writing transaction with an author's row."""
    who = identities(story, tables)
    pids = {m for marks in who.values() for m in marks if isinstance(m, int)}
    ids = set(who)
    own = {
        r["xmin"]
        for name, rows in tables.items()
        for r in rows
        if (name == "people" and r["platform_user_id"] in ids)
        or (r.get("person_id") in pids)
        or (name == "conversations" and r["user_id"] in ids)
    }
    anonymous = {
        r["xmin"]
        for r in [
            *tables["poll_tallies"],
            *[o for o in tables["feedback_opinions"] if o["person_id"] is None],
            *[s for s in tables["suggestions"] if s["author_person_id"] is None],
            *[m for m in tables["suggestion_messages"] if m["from_author"]],
        ]
    }
    assert own and anonymous and not own & anonymous


async def check_files(chat: ChatHarness, story: Story) -> None:
    """SQLite: the raw bytes of the database, its WAL and its index, as a copy has them."""
    db = database_file(chat)
    marks = [m.encode() for u in (story.x, story.y) for m in (u.user_id, u.name)]
    secrets = [s.encode() for s in SECRETS]
    for file, n, raw in pages(db):
        assert b'"pick"' not in raw, f"a ballot in clear in {file} #{n}"
        assert "您的选择".encode() not in raw, f"a ballot's echo in clear in {file} #{n}"
        assert b'"sender_id"' not in raw, f"an inbound message in clear in {file} #{n}"
        both = [m for m in marks if m in raw] and [s for s in secrets if s in raw]
        assert not both, f"{file} #{n} holds an author beside what they wrote"
    # No older image of an anonymous table's page stays in the WAL to compare with.
    roots = await root_pages(chat, list(ANONYMOUS_TABLES))
    frames = wal_frames_by_page(db)
    assert all(frames.get(page, 0) <= 1 for page in roots.values()), (roots, frames)


async def test_a_copy_of_the_database_ties_nobody_to_what_they_chose_or_wrote(
    db_url: str, backends: Backends, tmp_path: Path
) -> None:
    story, first = await run(db_url, tmp_path / "a", swapped=False)
    check_rows(story, first)
    if not db_url.startswith("sqlite"):
        check_transactions(story, first)

    fresh = await (
        backends.sqlite_url() if db_url.startswith("sqlite") else backends.postgres_url()
    )
    story, second = await run(fresh, tmp_path / "b", swapped=True)
    check_rows(story, second)
    a, b = comparable(first), comparable(second)
    for name in a:
        assert a[name] == b[name], f"{name} tells who chose or wrote what"


@pytest.fixture(autouse=True)
def _own_dirs(tmp_path: Path) -> None:
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
