"""Old message keys, conversations and delivered messages are forgotten; ledgers are not."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.messages import Outgoing
from bot.outbox import PURGED
from bot.schema import metadata as gather
from handlers import FEATURES
from storage.messaging import ConversationState, InboundMessage, OutboxMessage
from tests.conftest import START
from tests.harness import ChatHarness

BATCH = "broadcast:7"
PURGED_TABLES = {"inbound_messages", "conversations", "outbox"}
MARKER = "a-whisper-kept-for-half-a-year"
metadata = gather(FEATURES)


@pytest.fixture
async def chat(db_url: str, tmp_path: Path) -> AsyncIterator[ChatHarness]:
    """The bot with the default retention period (the harness keeps everything)."""
    harness = ChatHarness(db_url, START, tmp_path, retention_days=180)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


async def counts(chat: ChatHarness) -> dict[str, int]:
    async with chat.db.reading() as s:
        return {
            t.name: int(await s.scalar(select(func.count()).select_from(t)) or 0)
            for t in metadata.sorted_tables
        }


async def leave_a_conversation(chat: ChatHarness) -> None:
    """A flow state that no timeout sweeps away (as a stuck one would be)."""
    now = chat.clock.now()
    async with chat.db.transaction() as s:
        s.add(
            ConversationState(
                platform="local",
                chat_id="t9",
                chat_type="direct",
                user_id="t9",
                flow="poll.new",
                step="title",
                data={"title": MARKER},
                expires_at=now + timedelta(days=3650),
                updated_at=now,
            )
        )


async def test_retention_forgets_messages_and_keeps_ledgers(chat: ChatHarness) -> None:
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    t = chat.user("t1", "王老师", unit="一支部")
    g = chat.group("g1", unit="一支部")
    await sec.says("/签到 发起 主题党日 截止 21:00", g)
    await t.says("签到", g)
    await t.says("/帮助")
    async with chat.db.transaction() as s:
        broadcast = [
            Outgoing(platform="local", chat_type="group", chat_id=c, text="通知", batch=BATCH)
            for c in ("g1", "g2")
        ]
        await chat.app.runtime.send(s, broadcast)
    await leave_a_conversation(chat)
    await chat.advance(hours=2)  # the check-in closes and says so
    ledger_then = await sec.says("/签到 统计", g)

    await chat.advance(days=179)  # younger than TONGXIN_RETENTION_DAYS (180): all kept
    before = await counts(chat)
    assert before["inbound_messages"] == 4 and before["conversations"] == 1
    assert before["outbox"] >= 6

    await chat.advance(days=2)
    after = await counts(chat)
    assert {name: n for name, n in after.items() if name not in PURGED_TABLES} == {
        name: n for name, n in before.items() if name not in PURGED_TABLES
    }
    async with chat.db.reading() as s:
        assert await s.scalar(select(func.count()).select_from(InboundMessage)) == 0
        assert await s.scalar(select(func.count()).select_from(ConversationState)) == 0
        kept = list(await s.scalars(select(OutboxMessage)))
    # The broadcast's rows stay as its delivery report, without what was said.
    assert sorted((r.batch, r.chat_id, r.state) for r in kept) == [
        (BATCH, "g1", "sent"),
        (BATCH, "g2", "sent"),
    ]
    assert all(r.body == PURGED for r in kept)
    assert await sec.says("/签到 统计", g) == ledger_then


async def test_forgotten_words_leave_the_sqlite_files(chat: ChatHarness, tmp_path: Path) -> None:
    url = chat.settings.database_url
    if not url.startswith("sqlite"):
        pytest.skip("PostgreSQL reuses dead tuples on its own schedule (VACUUM)")
    await leave_a_conversation(chat)
    path = Path(url.removeprefix("sqlite+aiosqlite:///"))
    files = [path, path.with_name(path.name + "-wal")]
    assert any(MARKER.encode() in f.read_bytes() for f in files if f.exists())
    await chat.advance(days=181)
    assert not any(MARKER.encode() in f.read_bytes() for f in files if f.exists())
