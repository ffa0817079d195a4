"""What the tests of export files share: a unit with one meeting, a secretary elsewhere."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select

from bot.messages import Attachment
from storage.messaging import OutboxMessage
from storage.people import ensure_unit, grant_role, touch_person
from tests.harness import ChatHarness, User

LEDGER_FILE = "签到台账-一支部-2026.xlsx"


async def one_meeting(chat: ChatHarness) -> User:
    """A 主题党日 of 一支部, run over the local channel; its secretary."""
    sec = chat.user("sec1", "李书记", role="secretary", unit="一支部")
    teacher = chat.user("t1", "王老师", unit="一支部")
    g = chat.group("g1", unit="一支部")
    await sec.says("/签到 发起 主题党日 截止 20:30", g)
    await teacher.says("签到", g)
    await sec.says("/签到 结束", g)
    return sec


async def secretary_on(chat: ChatHarness, platform: str, user_id: str) -> int:
    """A secretary of 一支部 who speaks on `platform`; their person id."""
    async with chat.db.transaction() as s:
        now = chat.clock.now()
        pid = await touch_person(s, platform, user_id, "李书记", now)
        await grant_role(s, pid, "secretary", await ensure_unit(s, "一支部"), "test", now)
    return pid


async def attachments(chat: ChatHarness) -> list[tuple[str, Attachment, str]]:
    """(state, attachment, last error) of every outbox row carrying a file."""
    async with chat.db.reading() as s:
        rows = await s.execute(
            select(OutboxMessage.state, OutboxMessage.body, OutboxMessage.last_error).order_by(
                OutboxMessage.id
            )
        )
        return [
            (state, Attachment.model_validate(body["attachment"]), error)
            for state, body, error in rows
            if body.get("attachment")
        ]


def meetings_sheet(content: bytes) -> list[tuple[Any, ...]]:
    wb = load_workbook(io.BytesIO(content))
    return list(wb["会议"].iter_rows(values_only=True))
