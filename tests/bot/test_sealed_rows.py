"""Rows that wait sealed: an inbound message until handled, a sensitive message until sent;
and what happens to one sealed under a key since replaced."""

from __future__ import annotations

import base64
import json

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.messages import Incoming, Outgoing
from bot.outbox import insert_rows, outbox_rows
from bot.seal import Sealer
from bot.sensitive import seal_payload
from storage.messaging import InboundMessage, OutboxMessage
from tests.conftest import START
from tests.harness import ChatHarness


async def test_a_message_waiting_to_be_handled_is_sealed_and_still_handled(
    chat: ChatHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest = chat.app.ingest
    # Recorded and acknowledged, then the process stops before handling it.
    monkeypatch.setattr(ingest, "_hand_over", lambda job: None)
    msg = Incoming(
        platform="local",
        chat_id="wx-7f3a9c",
        chat_type="direct",
        sender_id="wx-7f3a9c",
        sender_name="王晓明",
        text="投票 3",
        msg_id="m-waiting",
        at=chat.clock.now(),
    )
    assert await ingest.submit(msg) == (True, [])
    async with chat.db.reading() as s:
        [row] = list(await s.scalars(select(InboundMessage)))
    assert set(row.payload or {}) == {"sealed"}
    stored = json.dumps(row.payload, ensure_ascii=False)
    assert "wx-7f3a9c" not in stored and "王晓明" not in stored and "投票" not in stored

    await chat.restart()
    await chat.advance(seconds=31)  # past its lease: the recovery pass opens and handles it
    async with chat.db.reading() as s:
        [row] = list(await s.scalars(select(InboundMessage)))
        replies = list(await s.scalars(select(OutboxMessage.body)))
    assert row.state == "done" and row.payload is None
    assert any("投票" in body.get("text", "") for body in replies)


async def test_a_message_sealed_under_a_replaced_key_is_given_up(chat: ChatHarness) -> None:
    old = Sealer(Settings(secret_key=base64.urlsafe_b64encode(bytes(32)).decode()))
    msg = Incoming(
        platform="local",
        chat_id="t1",
        chat_type="direct",
        sender_id="t1",
        text="/我是谁",
        msg_id="m-old-key",
        at=chat.clock.now(),
    )
    async with chat.db.transaction() as s:
        s.add(
            InboundMessage(
                platform="local",
                msg_id="m-old-key",
                state="pending",
                payload=json.loads(seal_payload(old, msg)),
                received_at=chat.clock.now(),
                lease_until=chat.clock.now(),
            )
        )
    await chat.advance(seconds=11)
    async with chat.db.reading() as s:
        [row] = list(await s.scalars(select(InboundMessage)))
    assert (row.state, row.error, row.payload) == ("failed", "unreadable", None)


async def test_an_outbox_row_sealed_under_a_replaced_key_is_given_up_and_wiped(
    chat: ChatHarness,
) -> None:
    old = Sealer(Settings(secret_key=base64.urlsafe_b64encode(bytes(32)).decode()))
    receipt = Outgoing.direct("local", "t1", "已收到您的匿名投票", sensitive=True)
    _, rows = outbox_rows([receipt], chat.clock.now(), sealer=old)
    async with chat.db.transaction() as s:
        await insert_rows(s, rows)
    await chat.settle()
    async with chat.db.reading() as s:
        [row] = list(await s.scalars(select(OutboxMessage)))
    assert (row.state, row.last_error, row.chat_id) == ("failed", "sealed under another key", "")
    assert row.body == {"text": "", "purged": True}


def test_a_sensitive_message_is_never_stored_without_a_sealer() -> None:
    receipt = Outgoing.direct("local", "t1", "已收到您的匿名投票", sensitive=True)
    with pytest.raises(ValueError, match="needs a sealer"):
        outbox_rows([receipt], START)
