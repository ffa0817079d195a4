"""Chat exports answer with a one-time link and the file itself (local channel)."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.attachments import build_attachment
from bot.messages import Attachment, Outgoing
from storage.messaging import OutboxMessage
from storage.people import ensure_unit, find_person, revoke_role
from tests.console.helpers import serve_publicly
from tests.export_files import LEDGER_FILE, attachments, meetings_sheet, one_meeting
from tests.harness import ChatHarness


async def test_ledger_in_direct_chat_brings_a_link_and_the_file(chat: ChatHarness) -> None:
    serve_publicly(chat)
    sec = await one_meeting(chat)
    await sec.says("/签到 台账 2026")
    sec.hears("一支部 2026 年签到台账，共 1 次会议：", "/console/download/")
    # The link was answered here and kept nowhere: it is sensitive.
    delivered = await chat.delivered(sec.user_id)
    assert [m["file"] for m in delivered if m.get("file")] == [LEDGER_FILE]
    assert not any("/console/download/" in m["text"] for m in delivered)
    [(state, attachment, _)] = await attachments(chat)
    assert state == "sent"
    assert attachment.export == "checkin" and attachment.params["year"] == "2026"
    name, content = await build_attachment(chat.app.runtime, attachment)
    assert name == LEDGER_FILE
    rows = meetings_sheet(content)
    assert rows[1][:5] == ("2026-11-25", "20:00", "主题党日", 2, 2)


async def test_asked_in_a_group_the_file_goes_to_the_direct_chat(chat: ChatHarness) -> None:
    serve_publicly(chat)
    sec = await one_meeting(chat)
    g = chat.groups["g1"]
    await sec.says("/签到 台账 2026", g)
    assert not any(m.get("file") for m in await chat.delivered(g.chat_id))
    assert (await chat.delivered(sec.user_id))[-1]["file"] == LEDGER_FILE
    # The one-time link went out and is kept nowhere: whoever read it could download.
    async with chat.db.reading() as session:
        bodies = [json.dumps(b) for b in await session.scalars(select(OutboxMessage.body))]
    assert not any("/console/download/" in b for b in bodies)


async def test_a_file_for_someone_no_longer_secretary_fails_for_good(chat: ChatHarness) -> None:
    sec = await one_meeting(chat)
    async with chat.db.transaction() as s:
        unit_id = await ensure_unit(s, "一支部")
        [person] = await find_person(s, "local", sec.user_id)
        await revoke_role(s, person.id, "secretary", unit_id)
        attachment = Attachment(
            export="checkin", params={"unit": str(unit_id), "year": "2026"}, person_id=person.id
        )
        out = Outgoing(
            platform="local",
            chat_type="direct",
            chat_id=sec.user_id,
            text="",
            attachment=attachment,
        )
        await chat.app.runtime.send(s, [out])
    await chat.settle()
    [(state, _, error)] = await attachments(chat)
    assert state == "failed"
    assert error == "attachment checkin: the asker may no longer export"
    assert not any(m.get("file") is not None for m in await chat.delivered(sec.user_id))
